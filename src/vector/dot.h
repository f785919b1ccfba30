// The inner-product kernel shared by the exact scan and the HNSW graph.
#pragma once

#include <cstdint>

namespace litrank {

/// Inner product of two n-float vectors.
using DotFn = float (*)(const float* a, const float* b, uint32_t n);

/// The fastest kernel this CPU runs: AVX2+FMA (16 floats a step) when present,
/// else a plain loop. Resolve once and keep the pointer.
DotFn BestDot();

}  // namespace litrank

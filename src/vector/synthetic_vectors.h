// Synthetic embeddings for tests and benchmarks of vector indexes (no model needed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace litrank {

/// `n` unit vectors of `dims` components, row-major, reproducible from `seed`.
/// Shaped like text embeddings: `clusters` topic centres, variation along a
/// 16-dimensional latent subspace shared by all topics, plus small isotropic
/// noise — low intrinsic dimension in a high ambient one, as real embeddings have.
std::vector<float> SyntheticEmbeddings(size_t n, uint32_t dims, size_t clusters, uint64_t seed);

}  // namespace litrank

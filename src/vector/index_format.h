// The header every serialised vector index starts with, and the kinds' loaders.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "vector/vector_index.h"

namespace litrank {

/// Kinds of serialised index (kHnswGraph: HNSW without its vectors, SaveGraph).
enum class VectorIndexKind : uint32_t { kFlat = 1, kHnsw = 2, kHnswGraph = 3 };

/// Appends magic "LTVI", format version, kind and dims.
void WriteIndexHeader(VectorIndexKind kind, uint32_t dims, std::string* out);
/// Parses the header; *payload receives the rest. Corruption on a bad header.
Status ReadIndexHeader(std::string_view blob, VectorIndexKind* kind, uint32_t* dims, std::string_view* payload);

/// Loaders of each kind's payload (defined next to each implementation).
StatusOr<std::unique_ptr<VectorIndex>> LoadFlatIndex(uint32_t dims, std::string_view payload);
StatusOr<std::unique_ptr<VectorIndex>> LoadHnswIndex(uint32_t dims, std::string_view payload);
StatusOr<std::unique_ptr<VectorIndex>> LoadHnswGraph(uint32_t dims, std::string_view payload,
                                                     const VectorSource& source);

/// Keeps the best k of scored candidates, best first, ties by smaller id.
void SortAndTruncateHits(size_t k, std::vector<VectorHit>* hits);

}  // namespace litrank

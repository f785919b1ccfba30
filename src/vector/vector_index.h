// Nearest-neighbour search over unit vectors by inner product: one abstraction,
// two implementations (exact scan, HNSW), one serialised form.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "litrank/status.h"

namespace litrank {

/// One neighbour: a caller-chosen id (a document rowid) and its inner product
/// with the query (= cosine similarity, since vectors are unit length).
struct VectorHit {
  int64_t id = 0;
  float score = 0;
};

/// Supplies vectors to a graph being restored: calls `put(id, vector)` for each id
/// it has a vector for; `put` returns false for an id the graph does not hold.
using VectorSource =
    std::function<Status(const std::function<bool(int64_t id, const float* vector)>& put)>;

/// A set of (id, vector) pairs searchable by inner product. Not thread-safe for writes.
class VectorIndex {
 public:
  virtual ~VectorIndex() = default;
  virtual uint32_t dims() const = 0;
  /// Vectors currently searchable.
  virtual size_t size() const = 0;
  /// Adds ids.size() vectors (row-major, ids.size() x dims); re-adding an id replaces it.
  virtual Status Add(const std::vector<int64_t>& ids, const float* vectors) = 0;
  /// Removes an id (NotFound when absent).
  virtual Status Remove(int64_t id) = 0;
  /// The searchable ids, sorted.
  virtual void Ids(std::vector<int64_t>* ids) const = 0;
  /// The k best by inner product, best first, ties by smaller id; `filter` (may be
  /// empty) keeps only the ids it accepts. `filter` may be called from several
  /// threads at once, so it must not mutate shared state. Safe to call
  /// concurrently with other searches (not with Add/Remove).
  virtual Status Search(const float* query, size_t k, std::vector<VectorHit>* hits,
                        const std::function<bool(int64_t)>& filter = {}) const = 0;
  /// How hard an approximate index searches (HNSW: the query-time beam ef_search,
  /// raised to at least k; 0 = AutoEfSearch of the index's size); more finds more
  /// true neighbours, slower. Exact indexes ignore it. Not safe concurrently with Search.
  virtual void set_search_effort(size_t /*effort*/) {}
  /// Serialises the index (magic, version, kind, dims, then the kind's payload).
  virtual Status Save(std::string* blob) const = 0;
  /// Serialises the search structure without the vectors (for vectors kept
  /// elsewhere; HNSW: the links and ids, ~140 bytes a vector at M 16 instead of
  /// 4 KiB more for 1024 d). Restore with LoadVectorGraph. Unsupported for
  /// indexes that are nothing but their vectors (the exact scan).
  virtual Status SaveGraph(std::string* /*blob*/) const {
    return Status::Unsupported("this vector index has no graph to save apart from its vectors");
  }
};

/// HNSW graph parameters (hnswlib).
struct HnswParams {
  size_t m = 16;                 ///< links per node
  size_t ef_construction = 200;  ///< build-time beam
  /// Query-time beam (raised to at least k); 0 (the default) = AutoEfSearch of the
  /// index's size at each search. A query-time setting: Save keeps it, loading does
  /// not restore it (a loaded index starts at 0).
  size_t ef_search = 0;
};

/// The default HNSW beam for an index of `vectors` vectors: 256 up to 100,000, then
/// 256 per 100,000 (rounded to a multiple of 32), at most 4,096. Recall@10 against
/// the exact scan falls with size at a fixed beam on clustered 1024-d vectors (M 16,
/// ef_construction 200): at 256, 0.968 at 100k but 0.918 at 300k; at 768, 0.980 at
/// 300k (bench search / bench vectors; README).
size_t AutoEfSearch(size_t vectors);

/// Exact search: a contiguous matrix scanned with vectorised dot products.
StatusOr<std::unique_ptr<VectorIndex>> NewFlatIndex(uint32_t dims);
/// Approximate search with hnswlib's HNSW over inner product.
StatusOr<std::unique_ptr<VectorIndex>> NewHnswIndex(uint32_t dims, const HnswParams& params = {});
/// Restores what Save wrote (either kind). Corruption on anything malformed;
/// InvalidArgument for a SaveGraph blob (it needs its vectors: LoadVectorGraph).
StatusOr<std::unique_ptr<VectorIndex>> LoadVectorIndex(const std::string& blob);
/// Restores what SaveGraph wrote for `dims`-d vectors, taking the vectors from
/// `source`; ids the source has no vector for are removed, and ids marked
/// removed in the blob come back when the source has a vector for them.
/// Corruption on anything malformed (checksummed before the graph is read).
StatusOr<std::unique_ptr<VectorIndex>> LoadVectorGraph(const std::string& blob, uint32_t dims,
                                                       const VectorSource& source);

}  // namespace litrank

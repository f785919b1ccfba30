// The HNSW index of a corpus's embeddings, kept on disk at O(new vectors) per
// write. The embeddings rows are the source of truth; the corpus also keeps a
// snapshot of the graph alone (links and ids, no vectors), in bounded chunks.
// Opening loads the snapshot, fills in the vectors from the embeddings, replays
// the embeddings stored since, and drops ids whose embedding is no longer
// current. Only the write path writes a new snapshot, and only once the vectors
// stored since the last one exceed a fraction of it (amortised O(new)).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "litrank/corpus.h"
#include "litrank/status.h"
#include "vector/vector_index.h"

namespace litrank {

/// Corpus::SavedIndex::kind of a snapshot written here (an HNSW graph without vectors).
inline constexpr const char* kHnswGraphSnapshot = "hnsw-graph";

/// When the write path writes a new snapshot.
struct SnapshotPolicy {
  /// Once the current embeddings stored after the snapshot exceed this fraction of
  /// the vectors in it. Bounds what an open replays; costs about
  /// (1 + f) / f x (snapshot bytes per vector) written per new vector, amortised.
  double tail_fraction = 0.1;
  /// With no snapshot yet: once there are this many current embeddings (the
  /// searcher's exact/HNSW threshold; below it nothing is saved).
  size_t min_vectors = 20000;
  /// Graph parameters of a newly built index (a loaded snapshot keeps its own M and
  /// ef_construction; the query-time ef_search is always this one).
  HnswParams params;
};

/// An HNSW index up to date with a corpus, and how it was brought there.
struct LoadedVectorIndex {
  std::unique_ptr<VectorIndex> index;
  int64_t snapshot_seq = 0;       ///< embedding sequence number the snapshot covered (0: none used)
  int64_t max_seq = 0;            ///< sequence number the index covers now
  size_t replayed = 0;            ///< vectors added on top of the snapshot (all, without one)
  std::string rebuilt_because;    ///< why a saved snapshot could not be used; empty otherwise
};

/// Adds every current embedding of `model` stored with a sequence number above
/// `after_seq`, truncated to `dims` and normalised, to `index` in batches;
/// `only` (sorted, may be null) restricts which documents. *max_seq receives the
/// largest sequence number seen, *added the count, `seen` (may be null) the ids.
Status AddCorpusEmbeddings(Corpus& corpus, const std::string& model, uint32_t dims, int64_t after_seq,
                           const std::vector<int64_t>* only, VectorIndex* index, int64_t* max_seq, size_t* added,
                           std::vector<int64_t>* seen = nullptr);

/// Reads, never writes: the HNSW index for (model, dims) from its snapshot plus
/// the embeddings since, or (no snapshot) built from all embeddings. A damaged
/// snapshot (Corruption) is not fatal: the index is rebuilt from the embeddings
/// and `rebuilt_because` says why. Other storage errors are returned.
StatusOr<LoadedVectorIndex> LoadCorpusVectorIndex(Corpus& corpus, const std::string& model, uint32_t dims,
                                                  const HnswParams& params = {});

/// For the write path, after embeddings are stored: writes a new snapshot of the
/// (model, dims) index when `policy` says it is due (*written, may be null, says
/// whether). When it is not, costs two small reads and writes nothing.
Status MaintainVectorSnapshot(Corpus& corpus, const std::string& model, uint32_t dims,
                              const SnapshotPolicy& policy, bool* written = nullptr);

}  // namespace litrank

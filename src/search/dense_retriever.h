// Dense recall: the embeddings a corpus holds for one model, in a vector index.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "litrank/corpus.h"
#include "litrank/status.h"
#include "vector/vector_index.h"

namespace litrank {

/// First `dims` components of `v` (width `from`), scaled to unit length (MRL).
void TruncateAndNormalize(const float* v, uint32_t from, uint32_t dims, float* out);
/// Appends `v` (width `width`) truncated to `dims` and normalised to `out`;
/// InvalidArgument, naming `what` ("embeddings"), when width < dims.
Status AppendTruncated(const float* v, uint32_t width, uint32_t dims, const char* what, std::vector<float>* out);

/// One document found by dense recall: its best cosine similarity and where it
/// came from (passage -1: the document's own embedding; else the passage's number
/// and byte span in the passage source, as BM25 reports them).
struct DenseHit {
  int64_t rowid = 0;
  float score = 0;
  int32_t passage = -1;
  uint64_t begin = 0;
  uint64_t end = 0;
};

/// Nearest documents by cosine similarity among the current embeddings of one
/// model. Below `ann_threshold` documents it scans exactly; above, it uses an
/// HNSW index loaded from the snapshot in the corpus file and brought up to date
/// from the embeddings stored since (search/vector_persistence.h). With passages,
/// a long document also scores as its best passage embedding (MaxP); passage
/// vectors are scanned exactly. Opening never writes to the corpus.
class DenseRetriever {
 public:
  /// Loads or builds the index for (model fingerprint, dims), with the passage
  /// embeddings of long documents when `passages` is set.
  static StatusOr<std::unique_ptr<DenseRetriever>> Open(Corpus& corpus, const std::string& model,
                                                        uint32_t dims, size_t ann_threshold, bool passages);
  /// Brings the index up to the corpus without reopening it: documents written
  /// since (the change log; any process) leave it until their new text is
  /// embedded, and vectors stored since (sequence numbers) join it. With passages,
  /// the passage part is read again when anything changed. False when a reopen is
  /// due instead: the log was trimmed past the index, too much changed at once, or
  /// an exact index outgrew `ann_threshold`.
  StatusOr<bool> CatchUp(Corpus& corpus);
  /// Whether vectors were stored since the index was brought up to date.
  StatusOr<bool> HasNewVectors(Corpus& corpus) const;
  /// The `n` nearest documents to a unit `query` of `dims` components, best first
  /// (ties by smaller rowid), each scoring as the best of its own embedding and its
  /// passages' ; `allowed` (sorted, may be null) restricts the rowids returned.
  Status Search(const float* query, size_t n, const std::vector<int64_t>* allowed,
                std::vector<DenseHit>* hits) const;
  /// Embedded documents searchable.
  size_t size() const { return index_->size(); }
  /// Passage embeddings searchable (0 without passages).
  size_t passages() const { return passage_keys_.size(); }
  /// "flat" (exact) or "hnsw".
  const std::string& kind() const { return kind_; }
  /// Why the saved index was not used and the graph was rebuilt; empty normally.
  const std::string& note() const { return note_; }

 private:
  Status AddPassages(Corpus& corpus, const std::string& model, uint32_t dims);

  std::string model_;
  uint32_t dims_ = 0;
  size_t ann_threshold_ = 0;
  bool with_passages_ = false;
  int64_t max_seq_ = 0;     // newest embedding sequence number in the index
  int64_t change_seq_ = 0;  // newest change-log entry applied

  std::unique_ptr<VectorIndex> index_;
  std::unique_ptr<VectorIndex> passage_index_;  // ids: positions in passage_keys_
  std::vector<StoredPassage> passage_keys_;
  std::string kind_;
  std::string note_;
};

}  // namespace litrank

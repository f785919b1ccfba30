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

/// Nearest documents by cosine similarity among the current embeddings of one
/// model. Below `ann_threshold` documents it scans exactly; above, it uses an
/// HNSW index loaded from the snapshot in the corpus file and brought up to date
/// from the embeddings stored since (search/vector_persistence.h). Opening never
/// writes to the corpus.
class DenseRetriever {
 public:
  /// Loads or builds the index for (model fingerprint, dims).
  static StatusOr<std::unique_ptr<DenseRetriever>> Open(Corpus& corpus, const std::string& model,
                                                        uint32_t dims, size_t ann_threshold);
  /// The `n` nearest documents to a unit `query` of `dims` components; `allowed`
  /// (sorted, may be null) restricts the rowids returned.
  Status Search(const float* query, size_t n, const std::vector<int64_t>* allowed,
                std::vector<VectorHit>* hits) const;
  /// Embedded documents searchable.
  size_t size() const { return index_->size(); }
  /// "flat" (exact) or "hnsw".
  const std::string& kind() const { return kind_; }
  /// Why the saved index was not used and the graph was rebuilt; empty normally.
  const std::string& note() const { return note_; }

 private:
  std::unique_ptr<VectorIndex> index_;
  std::string kind_;
  std::string note_;
};

}  // namespace litrank

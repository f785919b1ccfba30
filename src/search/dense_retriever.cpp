#include "search/dense_retriever.h"

#include <algorithm>
#include <cmath>

#include "search/vector_persistence.h"

namespace litrank {

void TruncateAndNormalize(const float* v, uint32_t from, uint32_t dims, float* out) {
  const uint32_t n = std::min(from, dims);
  double norm = 0;
  for (uint32_t i = 0; i < n; ++i) norm += static_cast<double>(v[i]) * v[i];
  const double scale = norm > 0 ? 1.0 / std::sqrt(norm) : 0.0;
  for (uint32_t i = 0; i < n; ++i) out[i] = static_cast<float>(v[i] * scale);
}

StatusOr<std::unique_ptr<DenseRetriever>> DenseRetriever::Open(Corpus& corpus, const std::string& model,
                                                               uint32_t dims, size_t ann_threshold) {
  auto retriever = std::unique_ptr<DenseRetriever>(new DenseRetriever());
  StatusOr<int64_t> count = corpus.CountEmbeddings(model);
  if (!count.ok()) return count.status();
  int64_t max_seq = 0;
  size_t added = 0;
  if (static_cast<size_t>(*count) <= ann_threshold) {
    auto flat = NewFlatIndex(dims);
    if (!flat.ok()) return flat.status();
    retriever->index_ = std::move(*flat);
    retriever->kind_ = "flat";
    LITRANK_RETURN_IF_ERROR(
        AddCorpusEmbeddings(corpus, model, dims, 0, nullptr, retriever->index_.get(), &max_seq, &added));
    return retriever;
  }
  // Read-only: the snapshot plus what was stored since (the write path keeps the
  // snapshot, MaintainVectorSnapshot); nothing is saved from here.
  retriever->kind_ = "hnsw";
  auto loaded = LoadCorpusVectorIndex(corpus, model, dims);
  if (!loaded.ok()) return loaded.status();
  retriever->index_ = std::move(loaded->index);
  if (!loaded->rebuilt_because.empty()) {
    retriever->note_ = "the saved vector index could not be used (" + loaded->rebuilt_because +
                       "); rebuilt from the embeddings";
  }
  return retriever;
}

Status DenseRetriever::Search(const float* query, size_t n, const std::vector<int64_t>* allowed,
                              std::vector<VectorHit>* hits) const {
  std::function<bool(int64_t)> filter;
  if (allowed != nullptr) {
    filter = [allowed](int64_t id) { return std::binary_search(allowed->begin(), allowed->end(), id); };
  }
  return index_->Search(query, n, hits, filter);
}

}  // namespace litrank

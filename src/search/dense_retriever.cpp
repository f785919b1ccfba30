#include "search/dense_retriever.h"

#include <algorithm>
#include <cmath>

namespace litrank {
namespace {

// Adds every current embedding with sequence number > after_seq to `index`.
Status AddEmbeddings(Corpus& corpus, const std::string& model, uint32_t dims, int64_t after_seq,
                     VectorIndex* index, int64_t* max_seq, size_t* added) {
  std::vector<int64_t> ids;
  std::vector<float> vectors;
  Status bad;
  auto flush = [&]() -> Status {
    if (ids.empty()) return Status::Ok();
    Status st = index->Add(ids, vectors.data());
    *added += ids.size();
    ids.clear();
    vectors.clear();
    return st;
  };
  Status st = corpus.ScanEmbeddings(
      model, after_seq,
      [&](int64_t rowid, const float* v, uint32_t width) {
        if (!bad.ok()) return;
        if (width < dims) {
          bad = Status::InvalidArgument("stored embeddings have " + std::to_string(width) +
                                        " dimensions, fewer than the " + std::to_string(dims) + " asked for");
          return;
        }
        ids.push_back(rowid);
        vectors.resize(vectors.size() + dims);
        TruncateAndNormalize(v, width, dims, vectors.data() + vectors.size() - dims);
        if (ids.size() == 4096) bad = flush();
      },
      max_seq);
  LITRANK_RETURN_IF_ERROR(st);
  LITRANK_RETURN_IF_ERROR(bad);
  return flush();
}

}  // namespace

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
    LITRANK_RETURN_IF_ERROR(AddEmbeddings(corpus, model, dims, 0, retriever->index_.get(), &max_seq, &added));
    return retriever;
  }
  retriever->kind_ = "hnsw";
  auto saved = corpus.GetVectorIndex(model, dims);
  if (!saved.ok()) return saved.status();
  int64_t after = 0;
  if (saved->has_value() && (*saved)->kind == "hnsw") {
    auto loaded = LoadVectorIndex((*saved)->data);
    if (loaded.ok()) {
      retriever->index_ = std::move(*loaded);
      after = (*saved)->max_seq;
    }  // an unreadable saved index is rebuilt from the embeddings below
  }
  if (!retriever->index_) {
    auto hnsw = NewHnswIndex(dims);
    if (!hnsw.ok()) return hnsw.status();
    retriever->index_ = std::move(*hnsw);
  }
  LITRANK_RETURN_IF_ERROR(AddEmbeddings(corpus, model, dims, after, retriever->index_.get(), &max_seq, &added));
  if (added > 0) {
    Corpus::SavedIndex out{"hnsw", max_seq, {}};
    LITRANK_RETURN_IF_ERROR(retriever->index_->Save(&out.data));
    LITRANK_RETURN_IF_ERROR(corpus.PutVectorIndex(model, dims, out));
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

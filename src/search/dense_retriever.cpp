#include "search/dense_retriever.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "search/vector_persistence.h"

namespace litrank {

void TruncateAndNormalize(const float* v, uint32_t from, uint32_t dims, float* out) {
  const uint32_t n = std::min(from, dims);
  double norm = 0;
  for (uint32_t i = 0; i < n; ++i) norm += static_cast<double>(v[i]) * v[i];
  const double scale = norm > 0 ? 1.0 / std::sqrt(norm) : 0.0;
  for (uint32_t i = 0; i < n; ++i) out[i] = static_cast<float>(v[i] * scale);
}

Status AppendTruncated(const float* v, uint32_t width, uint32_t dims, const char* what, std::vector<float>* out) {
  if (width < dims) {
    return Status::InvalidArgument(std::string("stored ") + what + " have " + std::to_string(width) +
                                   " dimensions, fewer than the " + std::to_string(dims) + " asked for");
  }
  out->resize(out->size() + dims);
  TruncateAndNormalize(v, width, dims, out->data() + out->size() - dims);
  return Status::Ok();
}

StatusOr<std::unique_ptr<DenseRetriever>> DenseRetriever::Open(Corpus& corpus, const std::string& model,
                                                               uint32_t dims, size_t ann_threshold, bool passages) {
  auto retriever = std::unique_ptr<DenseRetriever>(new DenseRetriever());
  retriever->model_ = model;
  retriever->dims_ = dims;
  retriever->ann_threshold_ = ann_threshold;
  retriever->with_passages_ = passages;
  // Read first: a change committed while loading is applied again by CatchUp (harmless).
  StatusOr<int64_t> change = corpus.LastChange();
  if (!change.ok()) return change.status();
  retriever->change_seq_ = *change;
  if (passages) LITRANK_RETURN_IF_ERROR(retriever->AddPassages(corpus, model, dims));
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
    retriever->max_seq_ = max_seq;
    return retriever;
  }
  // Read-only: the snapshot plus what was stored since (the write path keeps the
  // snapshot, MaintainVectorSnapshot); nothing is saved from here.
  retriever->kind_ = "hnsw";
  auto loaded = LoadCorpusVectorIndex(corpus, model, dims);
  if (!loaded.ok()) return loaded.status();
  retriever->index_ = std::move(loaded->index);
  retriever->max_seq_ = loaded->max_seq;
  if (!loaded->rebuilt_because.empty()) {
    retriever->note_ = "the saved vector index could not be used (" + loaded->rebuilt_because +
                       "); rebuilt from the embeddings";
  }
  return retriever;
}

StatusOr<bool> DenseRetriever::HasNewVectors(Corpus& corpus) const {
  StatusOr<int64_t> after = corpus.CountEmbeddingsAfter(model_, max_seq_);
  if (!after.ok()) return after.status();
  return *after > 0;
}

StatusOr<bool> DenseRetriever::CatchUp(Corpus& corpus) {
  constexpr size_t kMostChanges = 50000;
  StatusOr<int64_t> newest = corpus.LastChange();
  if (!newest.ok()) return newest.status();
  std::vector<int64_t> changed;
  int64_t last = change_seq_;
  bool complete = true;
  LITRANK_RETURN_IF_ERROR(corpus.ChangesSince(change_seq_, kMostChanges, &changed, &last, &complete));
  if (!complete || last < *newest || changed.size() >= kMostChanges / 2) return false;
  // A changed document keeps its vector only while it is current (the text it was
  // computed from is unchanged: an update of its year or keywords, say); otherwise
  // it is out until embedded again.
  for (int64_t id : changed) {
    Status st = index_->Remove(id);
    if (!st.ok() && st.code() != Status::Code::kNotFound) return st;
  }
  std::vector<int64_t> kept;
  std::vector<float> vectors;
  Status bad;
  LITRANK_RETURN_IF_ERROR(corpus.ReadEmbeddings(model_, changed, [&](int64_t id, const float* v, uint32_t width) {
    if (!bad.ok()) return;
    bad = AppendTruncated(v, width, dims_, "embeddings", &vectors);
    if (bad.ok()) kept.push_back(id);
  }));
  LITRANK_RETURN_IF_ERROR(bad);
  if (!kept.empty()) LITRANK_RETURN_IF_ERROR(index_->Add(kept, vectors.data()));
  size_t added = 0;
  LITRANK_RETURN_IF_ERROR(AddCorpusEmbeddings(corpus, model_, dims_, max_seq_, nullptr, index_.get(), &max_seq_, &added));
  change_seq_ = last;
  if (kind_ == "flat" && index_->size() > ann_threshold_) return false;  // time for a graph
  if (with_passages_ && (added > 0 || !changed.empty())) {
    passage_keys_.clear();
    passage_index_.reset();
    LITRANK_RETURN_IF_ERROR(AddPassages(corpus, model_, dims_));
  }
  return true;
}

Status DenseRetriever::AddPassages(Corpus& corpus, const std::string& model, uint32_t dims) {
  std::vector<float> vectors;
  Status bad;
  LITRANK_RETURN_IF_ERROR(corpus.ScanPassageEmbeddings(model, [&](const StoredPassage& p, const float* v, uint32_t width) {
    if (!bad.ok()) return;
    bad = AppendTruncated(v, width, dims, "passage embeddings", &vectors);
    if (bad.ok()) passage_keys_.push_back(p);
  }));
  LITRANK_RETURN_IF_ERROR(bad);
  if (passage_keys_.empty()) return Status::Ok();
  auto flat = NewFlatIndex(dims);
  if (!flat.ok()) return flat.status();
  passage_index_ = std::move(*flat);
  std::vector<int64_t> ids(passage_keys_.size());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(i);
  return passage_index_->Add(ids, vectors.data());
}

Status DenseRetriever::Search(const float* query, size_t n, const std::vector<int64_t>* allowed,
                              std::vector<DenseHit>* hits) const {
  hits->clear();
  auto permitted = [allowed](int64_t rowid) {
    return allowed == nullptr || std::binary_search(allowed->begin(), allowed->end(), rowid);
  };
  std::function<bool(int64_t)> filter;
  if (allowed != nullptr) filter = permitted;
  std::vector<VectorHit> found;
  LITRANK_RETURN_IF_ERROR(index_->Search(query, n, &found, filter));
  std::unordered_map<int64_t, DenseHit> best;
  for (const VectorHit& h : found) best[h.id] = DenseHit{h.id, h.score, -1, 0, 0};
  if (passage_index_ && n > 0) {
    // Enough passages to name n documents (several may share one): widen until
    // they do or every passage was looked at.
    std::function<bool(int64_t)> passage_filter;
    if (allowed != nullptr) passage_filter = [&](int64_t id) { return permitted(passage_keys_[id].rowid); };
    std::vector<VectorHit> near;
    for (size_t k = 2 * n;; k *= 4) {
      LITRANK_RETURN_IF_ERROR(passage_index_->Search(query, k, &near, passage_filter));
      std::unordered_set<int64_t> docs;
      for (const VectorHit& h : near) docs.insert(passage_keys_[h.id].rowid);
      if (docs.size() >= n || near.size() < k || k >= passage_keys_.size()) break;
    }
    for (const VectorHit& h : near) {
      const StoredPassage& p = passage_keys_[h.id];
      auto it = best.find(p.rowid);
      // Best first within the passage list, so a document's first passage hit is its best passage.
      if (it == best.end()) {
        best[p.rowid] = DenseHit{p.rowid, h.score, static_cast<int32_t>(p.passage), p.begin, p.end};
      } else if (h.score > it->second.score) {
        it->second = DenseHit{p.rowid, h.score, static_cast<int32_t>(p.passage), p.begin, p.end};
      }
    }
  }
  for (const auto& [rowid, hit] : best) hits->push_back(hit);
  std::sort(hits->begin(), hits->end(), [](const DenseHit& a, const DenseHit& b) {
    return a.score != b.score ? a.score > b.score : a.rowid < b.rowid;
  });
  if (hits->size() > n) hits->resize(n);
  return Status::Ok();
}

}  // namespace litrank

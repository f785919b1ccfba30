#include "search/vector_persistence.h"

#include <algorithm>
#include <iterator>

#include "search/dense_retriever.h"

namespace litrank {

Status AddCorpusEmbeddings(Corpus& corpus, const std::string& model, uint32_t dims, int64_t after_seq,
                           const std::vector<int64_t>* only, VectorIndex* index, int64_t* max_seq, size_t* added,
                           std::vector<int64_t>* seen) {
  constexpr size_t kBatch = 4096;
  std::vector<int64_t> ids;
  std::vector<float> vectors;
  Status bad;
  auto flush = [&]() -> Status {
    if (ids.empty()) return Status::Ok();
    Status st = index->Add(ids, vectors.data());
    *added += ids.size();
    if (seen != nullptr) seen->insert(seen->end(), ids.begin(), ids.end());
    ids.clear();
    vectors.clear();
    return st;
  };
  Status st = corpus.ScanEmbeddings(
      model, after_seq,
      [&](int64_t rowid, const float* v, uint32_t width) {
        if (!bad.ok()) return;
        if (only != nullptr && !std::binary_search(only->begin(), only->end(), rowid)) return;
        bad = AppendTruncated(v, width, dims, "embeddings", &vectors);
        if (!bad.ok()) return;
        ids.push_back(rowid);
        if (ids.size() == kBatch) bad = flush();
      },
      max_seq);
  LITRANK_RETURN_IF_ERROR(st);
  LITRANK_RETURN_IF_ERROR(bad);
  return flush();
}

namespace {

// The snapshot's graph with its vectors filled in from the current embeddings;
// *missing receives (sorted) the current documents the graph does not hold.
StatusOr<std::unique_ptr<VectorIndex>> RestoreSnapshot(Corpus& corpus, const std::string& model, uint32_t dims,
                                                       const std::string& blob, std::vector<int64_t>* missing) {
  Status bad;
  std::vector<float> buffer(dims);
  VectorSource source = [&](const std::function<bool(int64_t, const float*)>& put) {
    Status st = corpus.ScanEmbeddings(
        model, 0,
        [&](int64_t rowid, const float* v, uint32_t width) {
          if (!bad.ok()) return;
          if (width < dims) {
            bad = Status::InvalidArgument("stored embeddings have " + std::to_string(width) +
                                          " dimensions, fewer than the " + std::to_string(dims) + " asked for");
            return;
          }
          TruncateAndNormalize(v, width, dims, buffer.data());
          if (!put(rowid, buffer.data())) missing->push_back(rowid);
        },
        nullptr);
    return st.ok() ? bad : st;
  };
  return LoadVectorGraph(blob, dims, source);
}

}  // namespace

StatusOr<LoadedVectorIndex> LoadCorpusVectorIndex(Corpus& corpus, const std::string& model, uint32_t dims,
                                                  const HnswParams& params) {
  LoadedVectorIndex out;
  auto saved = corpus.GetVectorIndex(model, dims);
  if (!saved.ok() && saved.status().code() != Status::Code::kCorruption) return saved.status();
  if (!saved.ok()) {
    out.rebuilt_because = saved.status().message();
  } else if (saved->has_value() && (*saved)->kind == kHnswGraphSnapshot) {
    std::vector<int64_t> missing;
    auto restored = RestoreSnapshot(corpus, model, dims, (*saved)->data, &missing);
    if (restored.ok()) {
      out.index = std::move(*restored);
      out.index->set_search_effort(params.ef_search);  // query-time: the caller's, not the snapshot's
      out.snapshot_seq = (*saved)->max_seq;
      // Stored since the snapshot: new documents, and new vectors of ones it holds.
      std::vector<int64_t> tail;
      LITRANK_RETURN_IF_ERROR(AddCorpusEmbeddings(corpus, model, dims, out.snapshot_seq, nullptr, out.index.get(),
                                                  &out.max_seq, &out.replayed, &tail));
      // Current again without a new sequence number (a document whose text came
      // back to what was embedded) and absent from the graph: add those too.
      std::sort(tail.begin(), tail.end());
      std::vector<int64_t> rest;
      std::set_difference(missing.begin(), missing.end(), tail.begin(), tail.end(), std::back_inserter(rest));
      if (!rest.empty()) {
        int64_t ignored = 0;
        LITRANK_RETURN_IF_ERROR(
            AddCorpusEmbeddings(corpus, model, dims, 0, &rest, out.index.get(), &ignored, &out.replayed));
      }
      return out;
    }
    if (restored.status().code() != Status::Code::kCorruption) return restored.status();
    out.rebuilt_because = restored.status().message();
  } else if (saved->has_value()) {
    out.rebuilt_because = "saved vector index has unknown kind '" + (*saved)->kind + "'";
  }
  auto fresh = NewHnswIndex(dims, params);
  if (!fresh.ok()) return fresh.status();
  out.index = std::move(*fresh);
  LITRANK_RETURN_IF_ERROR(
      AddCorpusEmbeddings(corpus, model, dims, 0, nullptr, out.index.get(), &out.max_seq, &out.replayed));
  return out;
}

Status MaintainVectorSnapshot(Corpus& corpus, const std::string& model, uint32_t dims, const SnapshotPolicy& policy,
                              bool* written) {
  if (written != nullptr) *written = false;
  auto head = corpus.GetVectorIndex(model, dims, /*with_data=*/false);
  if (!head.ok() && head.status().code() != Status::Code::kCorruption) return head.status();
  const bool have = head.ok() && head->has_value() && (*head)->kind == kHnswGraphSnapshot;
  const int64_t after = have ? (*head)->max_seq : 0;
  StatusOr<int64_t> tail = corpus.CountEmbeddingsAfter(model, after);
  if (!tail.ok()) return tail.status();
  const bool due = have ? *tail > 0 && static_cast<double>(*tail) > policy.tail_fraction * (*head)->vectors
                        : *tail > 0 && static_cast<size_t>(*tail) >= policy.min_vectors;
  if (!due) return Status::Ok();
  auto loaded = LoadCorpusVectorIndex(corpus, model, dims, policy.params);
  if (!loaded.ok()) return loaded.status();
  Corpus::SavedIndex snapshot{kHnswGraphSnapshot, loaded->max_seq, static_cast<int64_t>(loaded->index->size()), {}};
  LITRANK_RETURN_IF_ERROR(loaded->index->SaveGraph(&snapshot.data));
  LITRANK_RETURN_IF_ERROR(corpus.PutVectorIndex(model, dims, snapshot));
  if (written != nullptr) *written = true;
  return Status::Ok();
}

}  // namespace litrank

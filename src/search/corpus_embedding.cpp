#include "search/corpus_embedding.h"

#include "litrank/search.h"
#include "search/vector_persistence.h"

namespace litrank {

Status EmbedMissingDocuments(Corpus& corpus, Embedder& embedder, size_t chunk, EmbedReport* report,
                             const std::function<void(uint64_t, uint64_t)>& progress) {
  *report = EmbedReport{};
  const std::string& model = embedder.fingerprint();
  StatusOr<int64_t> total = corpus.Count();
  if (!total.ok()) return total.status();
  StatusOr<int64_t> already = corpus.CountEmbeddings(model);
  if (!already.ok()) return already.status();
  report->already = *already;
  const auto todo = static_cast<uint64_t>(*total - *already);
  EmbedOptions options;  // full width: searches truncate (MRL) to any --dims
  while (true) {
    std::vector<StoredDocument> docs;
    LITRANK_RETURN_IF_ERROR(corpus.DocumentsNeedingEmbedding(model, chunk, &docs));
    if (docs.empty()) break;
    std::vector<std::string> texts;
    std::vector<int64_t> rowids;
    for (const StoredDocument& d : docs) {
      texts.push_back(SearchText(d.doc));
      rowids.push_back(d.rowid);
    }
    std::vector<float> vectors;
    std::vector<bool> truncated;
    const uint64_t done = report->embedded;
    LITRANK_RETURN_IF_ERROR(embedder.EmbedDocuments(texts, options, &vectors, &truncated, [&](size_t n) {
      if (progress) progress(done + n, todo);
    }));
    LITRANK_RETURN_IF_ERROR(corpus.PutEmbeddings(model, embedder.width(), rowids, vectors));
    for (bool t : truncated) report->truncated += t;
    report->embedded += docs.size();
    if (progress) progress(report->embedded, todo);
  }
  // Keep the saved HNSW snapshot of the full-width index current (written only
  // when enough was stored since the last one; searches never write it).
  SnapshotPolicy policy;
  policy.min_vectors = SearchOptions{}.ann_threshold;
  return MaintainVectorSnapshot(corpus, model, embedder.width(), policy, &report->snapshot_written);
}

}  // namespace litrank

#include "search/corpus_embedding.h"

#include <algorithm>
#include <unordered_set>

#include "litrank/search.h"
#include "search/vector_persistence.h"
#include "text/passages.h"

namespace litrank {

Status EmbedAndStore(Corpus& corpus, Embedder& embedder, const std::vector<StoredDocument>& docs,
                     EmbedReport* report, const std::function<void(size_t)>& progress) {
  const std::string& model = embedder.fingerprint();
  EmbedOptions options;  // full width: searches truncate (MRL) to any --dims
  std::vector<std::string> texts;
  std::vector<int64_t> rowids;
  std::vector<std::string> passage_texts;
  std::vector<StoredPassage> passages;
  for (const StoredDocument& d : docs) {
    texts.push_back(SearchText(d.doc));
    rowids.push_back(d.rowid);
    const std::string source = PassageSource(d.doc);
    const std::vector<PassageSpan> spans = LongTextPassages(source);
    const uint32_t first = FirstWindowUnit(d.doc, source);
    for (size_t i = 0; i < spans.size(); ++i) {
      passage_texts.push_back(PassageText(d.doc, source, spans[i]));
      passages.push_back(StoredPassage{d.rowid, static_cast<uint32_t>(first + i), spans[i].begin, spans[i].end, 0});
    }
  }
  if (docs.empty()) return Status::Ok();
  std::vector<float> vectors;
  std::vector<bool> truncated;
  LITRANK_RETURN_IF_ERROR(embedder.EmbedDocuments(texts, options, &vectors, &truncated, progress));
  if (!passages.empty()) {
    // Passages first: the document's own embedding marks it done.
    std::vector<float> passage_vectors;
    LITRANK_RETURN_IF_ERROR(embedder.EmbedDocuments(passage_texts, options, &passage_vectors));
    LITRANK_RETURN_IF_ERROR(corpus.PutPassageEmbeddings(model, embedder.width(), passages, passage_vectors));
    report->passages += passages.size();
  }
  LITRANK_RETURN_IF_ERROR(corpus.PutEmbeddings(model, embedder.width(), rowids, vectors));
  for (bool t : truncated) report->truncated += t;
  report->embedded += docs.size();
  return Status::Ok();
}

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
  // A document changed while this run embedded it comes back as needing it: it is
  // left for the next run (asked for again here, it could loop forever).
  std::unordered_set<int64_t> done_now;
  while (true) {
    std::vector<StoredDocument> found, docs;
    LITRANK_RETURN_IF_ERROR(corpus.DocumentsNeedingEmbedding(model, chunk + done_now.size(), &found));
    for (StoredDocument& d : found) {
      if (done_now.insert(d.rowid).second) docs.push_back(std::move(d));
      if (docs.size() == chunk) break;
    }
    if (docs.empty()) break;
    const uint64_t done = report->embedded;
    LITRANK_RETURN_IF_ERROR(EmbedAndStore(corpus, embedder, docs, report, [&](size_t n) {
      if (progress) progress(done + n, std::max<uint64_t>(todo, done + n));  // long ones lacking passages come on top
    }));
    if (progress) progress(report->embedded, std::max<uint64_t>(todo, report->embedded));
  }
  // Keep the saved HNSW snapshot of the full-width index current (written only
  // when enough was stored since the last one; searches never write it).
  SnapshotPolicy policy;
  policy.min_vectors = SearchOptions{}.ann_threshold;
  return MaintainVectorSnapshot(corpus, model, embedder.width(), policy, &report->snapshot_written);
}

}  // namespace litrank

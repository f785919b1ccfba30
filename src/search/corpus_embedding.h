// Filling a corpus with document embeddings, incrementally and resumably.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "litrank/corpus.h"
#include "litrank/embedder.h"

namespace litrank {

/// What EmbedMissingDocuments did.
struct EmbedReport {
  size_t embedded = 0;          ///< computed now
  int64_t already = 0;          ///< current before the call
  size_t passages = 0;          ///< passages of long documents embedded now (text/passages.h)
  size_t truncated = 0;         ///< cut to the model's max length
  bool snapshot_written = false;  ///< a new HNSW snapshot was saved (MaintainVectorSnapshot)
};

/// Embeds `docs` (full width): each one's search text (title, abstract) and, for a
/// long one, each passage window (title + window, numbered as its stored passages);
/// stores the passages' vectors, then the documents' (which marks them current).
/// Adds to `report` (embedded, passages, truncated); `progress(n)` counts documents.
Status EmbedAndStore(Corpus& corpus, Embedder& embedder, const std::vector<StoredDocument>& docs,
                     EmbedReport* report, const std::function<void(size_t)>& progress = {});

/// Embeds (full width) every document lacking a current embedding for the
/// embedder's model: its search text (title, abstract) and, for a long document,
/// each passage window (title + window, numbered as its stored passages), the
/// dense side of MaxP. Commits every `chunk` documents, so an interrupted run
/// keeps its work and the next one resumes; then keeps the saved HNSW snapshot of
/// the full-width index current (MaintainVectorSnapshot with the searcher's
/// threshold). `progress(done, todo)` may be empty.
Status EmbedMissingDocuments(Corpus& corpus, Embedder& embedder, size_t chunk, EmbedReport* report,
                             const std::function<void(uint64_t, uint64_t)>& progress = {});

}  // namespace litrank

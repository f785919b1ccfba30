// What a worker does with one task of each job kind, against its collection.
// Every kind writes idempotently: running a task twice leaves the collection as
// running it once.
//   embed  params {"model": PATH, "fingerprint": HEX}    payload {"rowids": [...]}
//          embeds those documents (and their passages) with the embedding model
//   score  params {"model": PATH | "sim:MICROS", "instruction": "", "max_length": N}
//          payload {"query": "...", "texts": ["...", ...], "instruction": "..." (optional)}
//          scores the pairs into the collection's score cache; "sim:MICROS" is the
//          test double of a fixed latency per pair (bench workers), no model loaded
//   extract params {"model": PATH, "fingerprint": HEX, "options": ExtractOptionsJson}
//          payload {"rowids": [...]}: extracts each document not yet extracted under
//          the same key into the collection's extraction store (documents that fail
//          make the task fail with their errors; a retry redoes only those)
//   screen-prior params {"model": PATH, "fingerprint": HEX, "project": NAME, "batch_invariant": BOOL}
//          payload {"rowids": [...]}: the screening project's zero-shot reranker
//          scores of those records (ScreeningProject::ScorePrior)
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "litrank/corpus.h"
#include "litrank/embedder.h"
#include "litrank/extract.h"
#include "litrank/reranker.h"
#include "litrank/screening.h"
#include "litrank/status.h"

namespace litrank {

/// The options of an extract job as JSON (what changes answers; not threads).
std::string ExtractOptionsJson(const ExtractOptions& options);
/// Reads them back (InvalidArgument for a wrong type).
Status ExtractOptionsFromJson(const std::string& json, ExtractOptions* options);

/// Models loaded once per worker and kept while tasks use them (one of each kind at a
/// time: a task for another model replaces it); `threads` for each (0 = all cores).
class TaskRunner {
 public:
  /// `corpus` is the collection at `db_path` (the extraction store opens its own connection).
  TaskRunner(Corpus* corpus, std::string db_path, int threads)
      : corpus_(corpus), db_path_(std::move(db_path)), threads_(threads) {}
  /// Runs one task; *items receives the documents or pairs it did. InvalidArgument
  /// for a malformed payload or unknown kind (the task fails for good); other
  /// errors (a model that cannot load, a busy file) may pass on a retry.
  Status Run(const std::string& kind, const std::string& params, const std::string& payload, int64_t* items);

 private:
  // InvalidArgument when the job names another collection than corpus_.
  Status SameCollection(const std::string& params);
  Status Embed(const std::string& params, const std::string& payload, int64_t* items);
  Status Score(const std::string& params, const std::string& payload, int64_t* items);
  Status Extract(const std::string& params, const std::string& payload, int64_t* items);
  Status ScreenPrior(const std::string& params, const std::string& payload, int64_t* items);

  Corpus* corpus_;
  std::string db_path_;
  std::string collection_id_;  // corpus_->CollectionId(), read on first use
  int threads_;
  std::unique_ptr<ExtractionStore> extractions_;
  std::unique_ptr<ScreeningProject> project_;  // the screening project last used
  std::string project_name_;
  // The one model of each kind in memory, and what it was loaded for.
  template <typename T>
  struct Loaded {
    std::string key;
    std::unique_ptr<T> model;
  };
  // slot's model when it was loaded for `key`; else the old one is freed first
  // (one at a time), then `open()` loads the new one.
  template <typename T, typename Open>
  static StatusOr<T*> LoadFor(Loaded<T>* slot, const std::string& key, const Open& open) {
    if (slot->model && slot->key == key) return slot->model.get();
    slot->model.reset();
    auto opened = open();
    if (!opened.ok()) return opened.status();
    slot->key = key;
    slot->model = std::move(*opened);
    return slot->model.get();
  }
  Loaded<Embedder> embedder_;
  Loaded<Reranker> reranker_;
  Loaded<Extractor> extractor_;  // keyed by model path and options
};

/// The score-cache key the "sim:" engine files a pair under (tests read it back).
std::string SimulatedScoreKey(const std::string& query, const std::string& text);

}  // namespace litrank

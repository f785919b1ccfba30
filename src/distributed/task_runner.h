// What a worker does with one task of each job kind, against its collection.
// Every kind writes idempotently: running a task twice leaves the collection as
// running it once.
//   embed  params {"model": PATH, "fingerprint": HEX}    payload {"rowids": [...]}
//          embeds those documents (and their passages) with the embedding model
//   score  params {"model": PATH | "sim:MICROS", "instruction": "", "max_length": N}
//          payload {"query": "...", "texts": ["...", ...]}
//          scores the pairs into the collection's score cache; "sim:MICROS" is the
//          test double of a fixed latency per pair (bench workers), no model loaded
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "litrank/corpus.h"
#include "litrank/embedder.h"
#include "litrank/reranker.h"
#include "litrank/status.h"

namespace litrank {

/// Models loaded once per worker, by path; `threads` for each (0 = all cores).
class TaskRunner {
 public:
  TaskRunner(Corpus* corpus, int threads) : corpus_(corpus), threads_(threads) {}
  /// Runs one task; *items receives the documents or pairs it did. InvalidArgument
  /// for a malformed payload or unknown kind (the task fails for good); other
  /// errors (a model that cannot load, a busy file) may pass on a retry.
  Status Run(const std::string& kind, const std::string& params, const std::string& payload, int64_t* items);

 private:
  Status Embed(const std::string& params, const std::string& payload, int64_t* items);
  Status Score(const std::string& params, const std::string& payload, int64_t* items);

  Corpus* corpus_;
  int threads_;
  std::map<std::string, std::unique_ptr<Embedder>> embedders_;
  std::map<std::string, std::unique_ptr<Reranker>> rerankers_;
};

/// The score-cache key the "sim:" engine files a pair under (tests read it back).
std::string SimulatedScoreKey(const std::string& query, const std::string& text);

}  // namespace litrank

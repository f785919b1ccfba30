// `assess --queue` and `review --queue`: their reranker pairs scored on the worker
// pool first, into the collection's score cache, so the run itself decodes nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "litrank/assess.h"
#include "litrank/corpus.h"
#include "litrank/reranker.h"
#include "litrank/status.h"

namespace CLI { class App; }

namespace litrank::cli {

/// The --queue, --prefix and --task-size flags of a command that can use the pool.
struct PoolFlags {
  std::string queue, prefix = "litrank";
  size_t task_size = 64;
};
void AddPoolFlags(CLI::App* cmd, PoolFlags* flags, const std::string& what);

/// Runs `dry_run` with a scorer that only records the (query, instruction, text)
/// pairs asked for (answering 0), sends those not yet in `corpus`'s score cache to
/// the pool as one "score" job for the reranker at `model_path` (which every worker
/// can open), and waits for it. *pairs receives how many were sent. The caller then
/// runs for real with RerankerScorer over `corpus`: every pair is a cache hit.
/// The pairs asked for must not depend on the scores (true of assess and review).
Status PrescoreOnPool(const PoolFlags& pool, const std::string& db, Corpus& corpus, const std::string& model_path,
                      const Reranker& reranker, const std::function<Status(const CriterionScorer&)>& dry_run,
                      int64_t* pairs);

}  // namespace litrank::cli

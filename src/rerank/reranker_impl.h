// The Reranker behind the public interface, split into the phases a scheduler can
// interleave: Prepare (validation, cache lookups, tokenisation: any thread), the
// engine's rounds (one thread at a time), Finish (ranking, cache fill: any thread).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "litrank/reranker.h"
#include "model/llama_runtime.h"
#include "rerank/pair_engine.h"
#include "rerank/prompt.h"
#include "rerank/score_cache.h"
#include "rerank/score_head.h"

struct llama_model;
struct llama_vocab;

namespace litrank {

/// One call between Prepare and Finish: the pairs that still need the model.
struct PendingRerank {
  QueryPrompt prompt;
  uint32_t max_length = 0;
  std::vector<ScoredDocument> scored;  ///< one per input document, by index
  std::vector<std::string> keys;       ///< cache key per input document
  std::vector<size_t> first_with_key;  ///< input index whose score a duplicate copies
  std::vector<Tokens> todo;            ///< document tokens to decode, shortest first
  std::vector<size_t> todo_index;      ///< input index of each todo entry
  std::vector<double> logits;          ///< the engine's logit per todo entry
  RerankStats stats;
  std::chrono::steady_clock::time_point start;
};


/// A loaded reranker: model, prompt format, engine and in-memory score cache.
class RerankerImpl final : public Reranker {
 public:
  /// Loads and checks `path` (see Reranker::Open).
  static StatusOr<std::unique_ptr<RerankerImpl>> Load(const std::string& path, const RerankerConfig& config);

  Status Rerank(const std::string& query, const std::vector<std::string>& documents,
                const RerankOptions& options, RerankResult* result) override;
  const ModelInfo& info() const override { return info_; }
  const std::string& fingerprint() const override { return fingerprint_; }
  StatusOr<std::vector<int32_t>> PairTokens(const std::string& query, const std::string& document,
                                            const RerankOptions& options) override;
  void ClearCache() override { cache_.Clear(); }

  /// Validates, looks every pair up in the caches and tokenises the rest. Thread-safe.
  Status Prepare(const std::string& query, const std::vector<std::string>& documents,
                 const RerankOptions& options, PendingRerank* pending) const;
  /// Turns decoded logits into the ranked result and fills the caches. Thread-safe.
  Status Finish(PendingRerank* pending, const RerankOptions& options, RerankResult* result) const;
  /// The engine; only one thread may run it at a time.
  PairEngine* engine() { return engine_.get(); }

 private:
  RerankerImpl(ModelInfo info, std::string fingerprint, std::unique_ptr<llama_model, ModelFree> model,
               size_t cache_entries);
  Status Init(const RerankerConfig& config);
  const llama_vocab* vocab() const;
  uint32_t MaxLength(const RerankOptions& o) const;
  size_t Budget(const QueryPrompt& p, const RerankOptions& o) const;
  Status Validate(const std::string& query, const std::vector<std::string>& docs, const RerankOptions& o) const;

  ModelInfo info_;
  std::string fingerprint_;
  std::unique_ptr<llama_model, ModelFree> model_;
  mutable ScoreCache cache_;
  std::unique_ptr<ScoreHead> head_;  // Qwen3 only
  std::unique_ptr<PromptFormat> format_;
  std::unique_ptr<PairEngine> engine_;
};

}  // namespace litrank

// The one abstraction every reranking backend implements: turn rounds of
// (query prompt, document tokens) pairs into one relevance logit per pair.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "litrank/status.h"
#include "rerank/prompt.h"

namespace litrank {

/// One pair to score: a query's shared prompt pieces and a document's tokens.
/// Pairs of different queries may share a round. Nothing is owned.
struct PairRef {
  const QueryPrompt* prompt = nullptr;
  const Tokens* doc = nullptr;
};

/// What a round may hold. A round is within limits when its pairs' PairCost sum to at
/// most round_tokens, it has at most round_sequences pairs and prompt_slots distinct
/// prompts, and the PairCost of its pairs plus the PromptCost of its distinct prompts
/// stay within context_tokens. A single pair over round_tokens may form a round alone.
struct RoundLimits {
  size_t round_tokens = 0;
  size_t round_sequences = 0;
  size_t prompt_slots = 0;
  size_t context_tokens = 0;
};

/// Scores pairs prefix + document + suffix. Implementations: DecodeEngine (Qwen3,
/// causal, shared prefix per query) and CrossEncoderEngine (BGE / jina style,
/// bidirectional, nothing shared).
class PairEngine {
 public:
  virtual ~PairEngine() = default;

  /// Scores one round (within limits()); `logits` receives one relevance logit per pair
  /// in order (score = sigmoid(logit)); `decoded` is increased by tokens run through
  /// the model. Scores do not depend on what else shares the round (beyond float noise).
  virtual Status ScoreRound(const std::vector<PairRef>& pairs, std::vector<double>* logits,
                            size_t* decoded) = 0;
  /// Tokens a pair adds to a round (the shared prefix excluded where it is shared).
  virtual size_t PairCost(const PairRef& pair) const = 0;
  /// Tokens a distinct prompt adds to a round's context (0 when nothing is shared).
  virtual size_t PromptCost(const QueryPrompt& prompt) const = 0;
  /// What one round may hold.
  virtual RoundLimits limits() const = 0;
  /// Largest pair (prefix + document + suffix) a call may submit.
  virtual uint32_t max_pair_tokens() const = 0;

  /// Scores `docs` for one query in as few rounds as the limits allow (docs in the
  /// order given); `on_docs_done(n)` reports progress after each round.
  Status Score(const QueryPrompt& prompt, const std::vector<const Tokens*>& docs,
               std::vector<double>* logits, size_t* decoded,
               const std::function<void(size_t)>& on_docs_done);
};

/// Splits documents 0..n-1 (sizes in tokens, kept in order) into rounds of at most
/// `max_docs` documents and `budget` tokens — a document larger than the budget gets
/// a round of its own — and calls `run` on each; stops at the first error. Calls
/// `on_docs_done` with the running count after each successful round.
Status ForEachRound(const std::vector<size_t>& sizes, size_t budget, size_t max_docs,
                    const std::function<Status(const std::vector<size_t>&)>& run,
                    const std::function<void(size_t)>& on_docs_done);

}  // namespace litrank

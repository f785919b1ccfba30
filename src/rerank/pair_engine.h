// The one abstraction every reranking backend implements: turn a query's prompt
// pieces and many documents' tokens into one relevance logit per document.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "litrank/status.h"
#include "rerank/prompt.h"

namespace litrank {

/// Scores pairs prefix + document + suffix. Implementations: DecodeEngine (Qwen3,
/// causal, shared prefix) and CrossEncoderEngine (BGE / jina style, bidirectional).
class PairEngine {
 public:
  virtual ~PairEngine() = default;
  /// `logits` receives one relevance logit per document (score = sigmoid(logit));
  /// `decoded` counts tokens run through the model; `on_docs_done(n)` reports progress.
  virtual Status Score(const QueryPrompt& prompt, const std::vector<const Tokens*>& docs,
                       std::vector<double>* logits, size_t* decoded,
                       const std::function<void(size_t)>& on_docs_done) = 0;
  /// Largest pair (prefix + document + suffix) a call may submit.
  virtual uint32_t max_pair_tokens() const = 0;
};

/// Splits documents 0..n-1 (sizes in tokens, kept in order) into rounds of at most
/// `max_docs` documents and `budget` tokens — a document larger than the budget gets
/// a round of its own — and calls `run` on each; stops at the first error. Calls
/// `on_docs_done` with the running count after each successful round.
Status ForEachRound(const std::vector<size_t>& sizes, size_t budget, size_t max_docs,
                    const std::function<Status(const std::vector<size_t>&)>& run,
                    const std::function<void(size_t)>& on_docs_done);

}  // namespace litrank

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

}  // namespace litrank

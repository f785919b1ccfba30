// Runs BGE / jina-style cross-encoders (RANK pooling, bidirectional attention)
// through llama.cpp: each pair is its own sequence, pairs packed into one decode.
#pragma once

#include <memory>

#include "litrank/reranker.h"
#include "rerank/pair_engine.h"

struct llama_context;
struct llama_model;

namespace litrank {

/// Cross-encoder scoring. Nothing can be shared between pairs (the query attends
/// to the document), so each pair is decoded whole; many pairs go into one
/// llama_decode as separate sequences, up to `batch_tokens` tokens. The logit is
/// the model's first classifier output.
class CrossEncoderEngine final : public PairEngine {
 public:
  static StatusOr<std::unique_ptr<CrossEncoderEngine>> Create(llama_model* model, const RerankerConfig& config);
  ~CrossEncoderEngine() override;
  Status ScoreRound(const std::vector<PairRef>& pairs, std::vector<double>* logits, size_t* decoded) override;
  size_t PairCost(const PairRef& p) const override { return p.prompt->prefix.size() + p.doc->size() + p.prompt->suffix.size(); }
  size_t PromptCost(const QueryPrompt&) const override { return 0; }
  RoundLimits limits() const override { return {n_batch_, max_sequences_, max_sequences_, n_batch_}; }
  uint32_t max_pair_tokens() const override { return max_pair_; }

 private:
  CrossEncoderEngine() = default;

  llama_context* ctx_ = nullptr;
  uint32_t n_batch_ = 0, max_pair_ = 0, max_sequences_ = 0;
};

}  // namespace litrank

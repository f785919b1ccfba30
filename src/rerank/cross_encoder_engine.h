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
  Status Score(const QueryPrompt& prompt, const std::vector<const Tokens*>& docs, std::vector<double>* logits,
               size_t* decoded, const std::function<void(size_t)>& on_docs_done) override;
  uint32_t max_pair_tokens() const override { return max_pair_; }

 private:
  CrossEncoderEngine() = default;
  Status DecodeRound(const QueryPrompt& prompt, const std::vector<const Tokens*>& docs,
                     const std::vector<size_t>& members, std::vector<double>* logits);

  llama_context* ctx_ = nullptr;
  uint32_t n_batch_ = 0, max_pair_ = 0, max_sequences_ = 0;
  size_t decoded_ = 0;
};

}  // namespace litrank

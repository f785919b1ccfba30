// Runs Qwen3 reranker prompts through llama.cpp and returns the yes/no logit
// difference of each pair. Owns one llama_context.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "litrank/reranker.h"
#include "litrank/status.h"
#include "rerank/pair_engine.h"
#include "rerank/prompt.h"
#include "rerank/score_head.h"

struct llama_batch;
struct llama_context;
struct llama_model;
struct ggml_tensor;

namespace litrank {

/// Packs many (prefix, document) pairs into shared llama_decode batches.
///
/// Packed mode: the prefix is decoded once into sequence 0 and copied to each
/// document's sequence with llama_memory_seq_cp; documents (sorted by length by the
/// caller or not, order does not matter) fill rounds of up to `batch_tokens`; the
/// final hidden state of each sequence's last token is captured through the eval
/// callback and passed through the yes/no head. Reference mode (packing off): each
/// pair is decoded alone from an empty cache.
class DecodeEngine final : public PairEngine {
 public:
  static StatusOr<std::unique_ptr<DecodeEngine>> Create(llama_model* model, const ScoreHead* head,
                                                        const RerankerConfig& config);
  ~DecodeEngine() override;

  /// Scores `docs` (each: document tokens, without suffix) for one query prompt.
  /// `logits` receives logit_yes - logit_no per document; `decoded` counts model tokens.
  Status Score(const QueryPrompt& prompt, const std::vector<const Tokens*>& docs,
               std::vector<double>* logits, size_t* decoded,
               const std::function<void(size_t)>& on_docs_done) override;

  /// Largest pair (prefix + document + suffix) a call may submit. The KV cache is
  /// sized lazily to what calls need, up to this.
  uint32_t max_pair_tokens() const override;

 private:
  DecodeEngine() = default;
  Status EnsureContext(uint32_t tokens);
  Status DecodeChunked(const std::vector<int32_t>& tokens, int32_t seq, int32_t pos0, bool output_last);
  Status EnsurePrefix(const Tokens& prefix);
  Status ScoreRound(const QueryPrompt& prompt, const std::vector<const Tokens*>& docs,
                    const std::vector<size_t>& members, std::vector<double>* logits);
  Status ScoreAlone(const QueryPrompt& prompt, const Tokens& doc, double* logit);
  Status Flush(llama_batch* batch);
  static bool CaptureHidden(ggml_tensor* t, bool ask, void* user);

  llama_model* model_ = nullptr;
  llama_context* ctx_ = nullptr;
  const ScoreHead* head_ = nullptr;
  RerankerConfig config_;
  uint32_t max_ctx_ = 0;             // context_tokens: the cap, and the longest pair allowed
  uint32_t n_ctx_ = 0, n_batch_ = 0; // the context as created now
  Tokens cached_prefix_;             // what sequence 0 holds now
  std::vector<float> captured_;      // hidden rows captured since the last reset
  size_t decoded_ = 0;
};

}  // namespace litrank

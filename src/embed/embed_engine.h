// Runs packed rounds of embedding inputs through llama.cpp and returns one pooled,
// unnormalised hidden vector per text. Owns one llama_context.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "litrank/embedder.h"
#include "litrank/status.h"
#include "rerank/prompt.h"

struct ggml_tensor;
struct llama_batch;
struct llama_context;
struct llama_model;

namespace litrank {

/// How the engine gets one vector per sequence.
enum class EmbedPooling {
  /// Causal LAST pooling done here: the context runs in logits mode with an output
  /// only on each sequence's last token, and that token's final hidden state
  /// ("result_norm") is taken from the eval callback. llama.cpp's own pooling would
  /// run in embedding mode, where every token is an output and the LM head (151,936
  /// rows for Qwen3) is evaluated for all of them, about a third more work per token.
  kLastToken,
  /// llama.cpp pools (MEAN, CLS, or LAST of other architectures) in embedding mode;
  /// a round must then fit one physical batch.
  kLlama,
};

/// Packs many texts, each a separate sequence, into shared llama_decode calls. The
/// KV memory is cleared before every round, so texts never see one another.
class EmbedEngine {
 public:
  /// `max_text_tokens`: the longest text a round may hold (it gets a round alone).
  static StatusOr<std::unique_ptr<EmbedEngine>> Create(llama_model* model, EmbedPooling pooling,
                                                       const EmbedderConfig& config, uint32_t max_text_tokens);
  ~EmbedEngine();
  EmbedEngine(const EmbedEngine&) = delete;
  EmbedEngine& operator=(const EmbedEngine&) = delete;

  /// Tokens per round; a longer text is decoded in a round of its own.
  uint32_t round_tokens() const { return round_tokens_; }
  /// Texts per round.
  uint32_t max_sequences() const { return max_sequences_; }
  /// Floats per vector.
  uint32_t width() const { return width_; }

  /// Decodes `texts` (non-empty, each at most max_text_tokens) as one round and writes
  /// width() floats per text, in order, to `rows`.
  Status DecodeRound(const std::vector<const Tokens*>& texts, float* rows);

 private:
  EmbedEngine() = default;
  Status EnsureContext(uint32_t tokens);
  Status Flush(llama_batch* batch);
  Status CollectLastTokenRows(size_t n, float* rows) const;
  Status CollectPooledRows(size_t n, float* rows) const;
  static bool CaptureHidden(ggml_tensor* t, bool ask, void* user);

  llama_model* model_ = nullptr;
  llama_context* ctx_ = nullptr;
  EmbedPooling pooling_ = EmbedPooling::kLastToken;
  int threads_ = 1;
  bool flash_attention_ = true;
  uint32_t width_ = 0;
  uint32_t batch_tokens_ = 0, ubatch_tokens_ = 0, max_sequences_ = 0;
  uint32_t round_tokens_ = 0;  // the ForEachRound budget
  uint32_t max_ctx_ = 0;       // the largest context a round can need
  uint32_t n_ctx_ = 0, n_batch_ = 0;
  std::vector<float> captured_;  // kLastToken: hidden rows captured in this round
};

}  // namespace litrank

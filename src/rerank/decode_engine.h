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
/// Packed mode: each distinct prefix (system + instruction + query) is decoded once
/// into one of `kPromptSlots` prefix sequences and stays resident (least recently
/// used evicted) while rounds need it; every document of a round gets its own
/// sequence, seeded from its query's prefix with llama_memory_seq_cp (unified KV
/// cache: cells are tagged, not copied), so only document + suffix tokens are
/// decoded per pair, and documents of several queries can share one round. The final
/// hidden state of each sequence's last token is captured through the eval callback
/// and passed through the yes/no head. Reference mode (packing off): each pair is
/// decoded alone from an empty cache.
///
/// Batch invariance (config.batch_invariant, CPU): a pair's hidden state does not
/// depend on the rest of its round. Every matrix product in llama.cpp's CPU path
/// computes each token's row alone; attention is the exception: its tiled kernel
/// (physical batches of 64 tokens or more) and its split-KV kernel (one-token
/// batches) group KV cells by absolute position, and a one-row product takes a
/// different kernel than a many-row one. So physical batches are kept to 2..63
/// tokens, where attention visits a sequence's own cells one by one in cell order; a
/// physical batch with a single output gets a companion output (the last layer runs
/// on output rows only), whose hidden state is dropped; and the cache is laid out so
/// that each document's cells follow its prefix's: prefixes are packed from cell 0
/// (a miss that would evict one rebuilds them all) and documents take the free
/// cells above. Packed and reference mode then give the same bits.
class DecodeEngine final : public PairEngine {
 public:
  /// Prefix sequences kept resident at once (distinct queries per round).
  static constexpr uint32_t kPromptSlots = 8;
  /// Largest physical batch in batch-invariant mode: llama.cpp's CPU attention
  /// switches to its tiled kernel at 64 query tokens (GGML_FA_TILE_Q).
  static constexpr uint32_t kInvariantUbatch = 63;

  static StatusOr<std::unique_ptr<DecodeEngine>> Create(llama_model* model, const ScoreHead* head,
                                                        const RerankerConfig& config);
  ~DecodeEngine() override;

  Status ScoreRound(const std::vector<PairRef>& pairs, std::vector<double>* logits, size_t* decoded) override;
  size_t PairCost(const PairRef& p) const override;
  size_t PromptCost(const QueryPrompt& prompt) const override;
  RoundLimits limits() const override;
  /// Largest pair (prefix + document + suffix) a call may submit. The KV cache is
  /// sized lazily to what rounds need, up to this.
  uint32_t max_pair_tokens() const override;

 private:
  /// A prefix resident in the KV cache as sequence `seq`.
  struct Slot {
    Tokens prefix;
    uint64_t last_used = 0;
  };

  DecodeEngine() = default;
  Status EnsureContext(uint32_t tokens);
  void ResetCache();
  Status DecodeChunked(const std::vector<int32_t>& tokens, int32_t seq, int32_t pos0, bool output_last);
  /// Makes every prompt of `pairs` resident; `seq_of[i]` receives pair i's prefix sequence.
  Status PlacePrefixes(const std::vector<PairRef>& pairs, size_t round_tokens, std::vector<int32_t>* seq_of);
  Status DecodeRound(const std::vector<PairRef>& pairs, const std::vector<int32_t>& seq_of,
                     std::vector<double>* logits);
  Status ScoreAlone(const PairRef& pair, double* logit);
  /// Decodes and empties `batch`; in batch-invariant mode never as a one-token physical batch.
  Status Flush(llama_batch* batch);
  Status Decode(const llama_batch& batch, int32_t first, int32_t count);
  static bool CaptureHidden(ggml_tensor* t, bool ask, void* user);

  llama_model* model_ = nullptr;
  llama_context* ctx_ = nullptr;
  const ScoreHead* head_ = nullptr;
  RerankerConfig config_;
  bool invariant_ = false;           // batch-invariant layout and physical batches (see above)
  uint32_t max_ctx_ = 0;             // context_tokens: the cap, and the longest pair allowed
  uint32_t n_ctx_ = 0, n_batch_ = 0, n_ubatch_ = 0; // the context as created now
  Slot slots_[kPromptSlots];         // what prefix sequences 0..kPromptSlots-1 hold now
  uint64_t clock_ = 0;               // round counter for slot recency
  std::vector<float> captured_;      // hidden rows captured since the last reset
  size_t decoded_ = 0;
};

}  // namespace litrank

// litrank — the reranker: scores (query, document) pairs with a Qwen3-Reranker GGUF.
//
// Protocol: the official Qwen3-Reranker yes/no prompt with a per-call instruction;
// score = P(yes) = sigmoid(logit_yes - logit_no), computed once. Engine: pairs are
// packed into shared llama_decode batches as separate sequences; the prefix
// (system + instruction + query) is decoded once per query and shared through the
// KV cache; only document + suffix tokens are decoded per pair.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "litrank/model_info.h"
#include "litrank/score_store.h"
#include "litrank/status.h"

namespace litrank {

/// How a Reranker uses the machine. Defaults suit a laptop CPU.
struct RerankerConfig {
  int threads = 0;              ///< 0 = one per hardware thread
  int gpu_layers = 0;           ///< layers offloaded to a GPU (-1 = all) in CUDA builds
  // Sizes; 0 = automatic: CPU 2048 / 512 / 64, GPU (gpu_layers != 0 and a GPU present)
  // 8192 / 2048 / 128. The context defaults to max(8192, batch_tokens + 1024).
  uint32_t context_tokens = 0;  ///< KV cache size in tokens; also caps max_length
  uint32_t batch_tokens = 0;    ///< tokens submitted per llama_decode (a "round" of packed documents)
  uint32_t ubatch_tokens = 0;   ///< physical batch size inside llama.cpp
  uint32_t max_sequences = 0;   ///< documents in flight at once (at most 255)
  bool flash_attention = true;  ///< skips masked KV cells, so packed documents cost no extra attention
  bool packing = true;          ///< false = one document per decode, prefix re-decoded (reference path)
  /// true = a pair's score is bit-identical whatever else shares its round, in any
  /// order (CPU builds): llama.cpp's attention runs in its per-cell path (physical
  /// batches under 64 tokens), and the KV cache keeps every prefix below the
  /// documents. It costs about half the throughput at 250-token documents on CPU
  /// (bench rerank), so it is opt-in (the CLI's `screen start|prior` turn it on by
  /// default). false = llama.cpp's tiled kernels; scores then
  /// vary below 1e-3 with the round's make-up. On a GPU the guarantee does not hold.
  bool batch_invariant = false;
  size_t cache_entries = 65536; ///< in-memory score cache capacity (0 disables)
};

/// Per-call options.
struct RerankOptions {
  std::string instruction;        ///< "" = the default web-search instruction
  uint32_t max_length = 8192;     ///< budget for the whole pair; only the document is cut
  uint32_t max_document_tokens = 0; ///< also cut each document to this many tokens (0 = no cap; Cohere's max_tokens_per_doc)
  size_t top_k = 0;               ///< 0 = all documents
  std::optional<double> threshold;  ///< drop results with score below this
  bool normalize = false;         ///< also fill ScoredDocument::normalized (min-max over this call)
  /// Second-level cache consulted on an in-memory miss and filled after decoding
  /// (e.g. the corpus file); null = memory only. Not owned.
  ScoreStore* score_store = nullptr;
  /// Called after each decoded round with documents done and total.
  std::function<void(size_t done, size_t total)> on_progress;
  /// Polled while the call waits for a shared engine (RerankScheduler); true = give
  /// up: the call returns Cancelled and its remaining pairs are never decoded.
  std::function<bool()> cancelled;
};

/// One scored document.
struct ScoredDocument {
  size_t index = 0;        ///< position in the input list
  double score = 0;        ///< P(yes), in [0, 1]
  double logit = 0;        ///< logit_yes - logit_no (score = sigmoid(logit))
  double normalized = 0;   ///< min-max normalised score when requested, else equal to score
  bool truncated = false;  ///< the document was cut to fit max_length
  uint32_t tokens = 0;     ///< tokens of the whole pair as scored
  bool cached = false;     ///< the score came from the cache
};

/// Counters for one call.
struct RerankStats {
  size_t documents = 0;
  size_t cache_hits = 0;       ///< includes duplicates of an earlier document in the same call
  size_t decoded_tokens = 0;   ///< tokens actually run through the model
  size_t prompt_tokens = 0;    ///< tokens of all pairs as if unshared (the API "usage")
  double seconds = 0;
};

/// The answer to one call: results in score order (ties by input order), after top_k/threshold.
struct RerankResult {
  std::vector<ScoredDocument> results;
  RerankStats stats;
};

/// A loaded reranker. Not thread-safe: one call at a time per instance.
class Reranker {
 public:
  /// Loads a GGUF. Accepts a Qwen3 reranker (cls.output yes/no), a Qwen3 causal LM
  /// (scored through its LM-head rows for "yes"/"no"), or another RANK-pooling
  /// cross-encoder llama.cpp runs (BGE / jina style: [BOS]q[EOS][SEP]d[EOS], no
  /// instruction, score = sigmoid of its single output). Refuses embedding models,
  /// broken conversions and non-GGUF files with a Status that says why.
  static StatusOr<std::unique_ptr<Reranker>> Open(const std::string& model_path,
                                                  const RerankerConfig& config = {});
  virtual ~Reranker() = default;

  /// Scores every document against `query`. Errors: empty query, no documents,
  /// invalid UTF-8 (names the document), a query + instruction over max_length,
  /// an instruction given to a cross-encoder.
  virtual Status Rerank(const std::string& query, const std::vector<std::string>& documents,
                        const RerankOptions& options, RerankResult* result) = 0;

  /// Facts about the loaded file.
  virtual const ModelInfo& info() const = 0;
  /// Stable identity of the weights (hex), used in cache keys.
  virtual const std::string& fingerprint() const = 0;
  /// Tokens of the prompt for one pair exactly as it would be scored (for tests and tools).
  virtual StatusOr<std::vector<int32_t>> PairTokens(const std::string& query, const std::string& document,
                                                    const RerankOptions& options) = 0;
  /// Drops every cached score.
  virtual void ClearCache() = 0;
};

}  // namespace litrank

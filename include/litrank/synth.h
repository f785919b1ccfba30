// litrank — synthetic random-weight models with the real Qwen tokenizer.
//
// THE SCORES OF THESE MODELS ARE MEANINGLESS. They exist so that the protocol,
// the plumbing and the speed can be tested without real weights: a model with
// the exact Qwen3-0.6B shape costs exactly what the real one costs per token.
#pragma once

#include <cstdint>
#include <string>

#include "litrank/status.h"

namespace litrank {

/// What to synthesise.
struct SynthOptions {
  std::string kind = "reranker";  ///< "reranker" | "embedding" | "generator" | "cross-encoder" (tiny BERT, BGE layout)
  std::string shape = "tiny";     ///< "tiny" (2 layers, width 128) | "qwen3-0.6b" (exact shape)
  std::string type = "f16";       ///< "f32" | "f16" | "bf16" | "q8_0" | "q4_k_m" | "q4_0"
  std::string vocab_path;         ///< tokenizer GGUF; "" = llama.cpp's ggml-vocab-qwen2.gguf (ggml-vocab-bert-bge.gguf for cross-encoder)
  uint64_t seed = 42;             ///< same seed, same weights
  float stdev = 0.02f;            ///< spread of the random weights (uniform with this stdev)
  /// Test-only: write a Qwen3 reranker that claims RANK pooling but lacks cls.output
  /// (the known broken conversion), so that refusal can be tested.
  bool omit_cls_output = false;
};

/// Writes a random-weight Qwen3 GGUF to `out_path` (via llama_model_init_from_user +
/// llama_model_save_to_file, then llama_model_quantize for quantised types).
/// In a reranker, cls.output holds exactly the token-embedding rows of "yes" and
/// "no", so the reranker and the generator made with the same seed compute the
/// same score (the causal-LM scoring path reads those rows through the tied LM head).
Status WriteSynthModel(const SynthOptions& options, const std::string& out_path);

}  // namespace litrank

// litrank — the models litrank knows by a short name.
//
// These are defaults only: any other GGUF can be pulled by passing
// REPO/FILE (e.g. "Qwen/Qwen3-Embedding-0.6B-GGUF/Qwen3-Embedding-0.6B-f16.gguf")
// instead of a name, and a local .gguf path can always be used directly.
#include "litrank/download.h"

namespace litrank {

// Promises: a fixed, non-empty list with unique names, built once and never freed
// (safe to use during static destruction).
const std::vector<KnownModel>& KnownModels() {
  static const auto* const kModels = new std::vector<KnownModel>{
      // Rerankers: Qwen publishes no reranker GGUFs; these are community conversions.
      // Older conversions lack cls.output and load as plain Qwen3 causal LMs; litrank
      // scores those through the LM-head rows of "yes"/"no", so either kind works.
      {"qwen3-reranker-0.6b", "mradermacher/Qwen3-Reranker-0.6B-GGUF", "Qwen3-Reranker-0.6B.Q8_0.gguf",
       "reranker", "Qwen3-Reranker 0.6B, Q8_0 (~0.6 GB) - fast default reranker"},
      {"qwen3-reranker-4b", "mradermacher/Qwen3-Reranker-4B-GGUF", "Qwen3-Reranker-4B.Q8_0.gguf",
       "reranker", "Qwen3-Reranker 4B, Q8_0 (~4.3 GB) - stronger, slower reranker"},
      {"qwen3-reranker-8b", "mradermacher/Qwen3-Reranker-8B-GGUF", "Qwen3-Reranker-8B.Q8_0.gguf",
       "reranker", "Qwen3-Reranker 8B, Q8_0 (~8.7 GB) - strongest reranker, GPU advised"},
      // Embedding models: official Qwen GGUF releases.
      {"qwen3-embedding-0.6b", "Qwen/Qwen3-Embedding-0.6B-GGUF", "Qwen3-Embedding-0.6B-Q8_0.gguf",
       "embedding", "Qwen3-Embedding 0.6B, Q8_0 (~0.6 GB) - fast default first-stage retriever"},
      {"qwen3-embedding-4b", "Qwen/Qwen3-Embedding-4B-GGUF", "Qwen3-Embedding-4B-Q8_0.gguf",
       "embedding", "Qwen3-Embedding 4B, Q8_0 (~4.3 GB) - stronger embeddings"},
      {"qwen3-embedding-8b", "Qwen/Qwen3-Embedding-8B-GGUF", "Qwen3-Embedding-8B-Q8_0.gguf",
       "embedding", "Qwen3-Embedding 8B, Q8_0 (~8.1 GB) - strongest embeddings, GPU advised"},
      // Generative (instruct) models for `extract`: official Qwen GGUF releases.
      {"qwen3-0.6b", "Qwen/Qwen3-0.6B-GGUF", "Qwen3-0.6B-Q8_0.gguf",
       "generator", "Qwen3 0.6B instruct, Q8_0 (~0.6 GB) - fast extraction, weakest"},
      {"qwen3-8b", "Qwen/Qwen3-8B-GGUF", "Qwen3-8B-Q4_K_M.gguf",
       "generator", "Qwen3 8B instruct, Q4_K_M (~5 GB) - the extraction model the use case runs"},
  };
  return *kModels;
}

}  // namespace litrank

// litrank — what a GGUF file is, read from its header without loading weights.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "litrank/status.h"

namespace litrank {

/// What litrank can do with a model file.
enum class ModelKind {
  kQwen3Reranker,   ///< Qwen3 with RANK pooling, cls.output (labels yes/no), "rerank" template
  kRankReranker,    ///< another RANK-pooling cross-encoder (BGE / jina style)
  kEmbedding,       ///< an embedding model (LAST / MEAN / CLS pooling)
  kCausalLM,        ///< a plain causal LM (a Qwen3 one can still rerank via yes/no logits)
  kBrokenReranker,  ///< claims RANK pooling but has no classifier head: a known bad conversion
  kUnknown,
};

/// Short stable name of a kind ("qwen3-reranker", "embedding", ...).
const char* ModelKindName(ModelKind kind);

/// Facts read from a GGUF header.
struct ModelInfo {
  std::string path;
  std::string name;               ///< general.name, may be empty
  std::string architecture;       ///< general.architecture, e.g. "qwen3"
  ModelKind kind = ModelKind::kUnknown;
  std::string pooling;            ///< "none" | "mean" | "cls" | "last" | "rank" | "unspecified"
  std::string file_type;          ///< weight format, e.g. "Q8_0", "BF16", "Q4_K - Medium"
  uint64_t file_size = 0;         ///< bytes on disk
  uint64_t n_params = 0;          ///< parameters, summed over tensors
  uint32_t context_length = 0;    ///< trained context
  uint32_t n_embd = 0;
  uint32_t n_layer = 0;
  uint32_t n_vocab = 0;
  bool has_cls_output = false;    ///< a cls.output.weight tensor is present
  std::vector<std::string> labels;          ///< classifier output labels
  std::vector<std::string> chat_templates;  ///< "default" and named templates present
  std::string problem;            ///< why the file cannot be used as what it claims ("" if fine)
};

/// Reads the GGUF header of `path`. NotFound / IOError for unreadable files,
/// Corruption for a file that is not GGUF or is truncated.
StatusOr<ModelInfo> InspectModel(const std::string& path);

}  // namespace litrank

namespace litrank {

/// The weight format to prefer on this machine's CPU, with the reason: "BF16" when
/// the CPU multiplies bf16 natively (AVX512-BF16 or AMX; the models' own precision,
/// so lossless and fastest), else "Q8_0" (near-lossless, fastest exact-enough choice).
struct FormatAdvice {
  std::string format;
  std::string reason;
};
FormatAdvice RecommendedCpuWeightFormat();

}  // namespace litrank

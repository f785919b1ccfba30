// litrank — Embedder: dense vectors from a Qwen3-Embedding GGUF (llama.cpp).
//
// Protocol (Qwen3-Embedding model card): a query is
// "Instruct: {task}\nQuery:{query}" (no space after "Query:"), a document is its
// text alone; user text is tokenised with special-token parsing off, and
// "<|endoftext|>" ends every text exactly once (appended unless the GGUF's
// tokenizer adds its EOS itself); the vector is the final hidden state of that
// last token (LAST pooling), L2-normalised. A GGUF that declares MEAN or CLS
// pooling is pooled that way instead. Matryoshka (MRL): the first `dims`
// components, renormalised, are a valid smaller embedding.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "litrank/model_info.h"
#include "litrank/status.h"

namespace litrank {

/// How an Embedder uses the machine. 0 = automatic, with the same defaults as
/// RerankerConfig (CPU / GPU).
struct EmbedderConfig {
  int threads = 0;              ///< 0 = one per hardware thread
  int gpu_layers = 0;           ///< layers offloaded to a GPU (-1 = all) in CUDA builds
  uint32_t batch_tokens = 0;    ///< tokens packed into one round of texts (0 = 2048 CPU, 8192 GPU)
  uint32_t ubatch_tokens = 0;   ///< physical batch inside llama.cpp (0 = 512 CPU, 2048 GPU); MEAN/CLS
                                ///< models need a whole round in one, so there it equals the round
  uint32_t max_sequences = 0;   ///< texts per round, 1..255 (0 = 64 CPU, 128 GPU)
  uint32_t max_length = 8192;   ///< tokens per text, special tokens included; longer texts are cut
                                ///< (0 = 8192; at most the model's trained context)
  /// Flash attention skips the KV cells of the other texts in a round, so packing
  /// costs no extra attention (1.3x the throughput at the 0.6B shape on CPU). ggml's
  /// CPU kernel keeps some partial sums in f16, which moves vector components by
  /// ~2e-4 (measured on the tiny test model); off = exact f32 attention.
  bool flash_attention = true;
};

/// Per-call options.
struct EmbedOptions {
  uint32_t dims = 0;  ///< 0 = the model's width; else 32..width (MRL truncation, then L2 norm)
};

/// The default query task of Qwen3-Embedding.
inline constexpr const char* kDefaultEmbedTask =
    "Given a web search query, retrieve relevant passages that answer the query";

/// "Instruct: {task}\nQuery:{query}" — the query text Qwen3-Embedding expects
/// (`task` empty = kDefaultEmbedTask).
std::string FormatEmbeddingQuery(const std::string& task, const std::string& query);

/// A loaded embedding model. Not thread-safe: one call at a time per instance.
class Embedder {
 public:
  /// Loads a GGUF with LAST/MEAN/CLS pooling. Refuses rerankers, causal LMs and
  /// non-GGUF files with a Status that says why; InvalidArgument for a config
  /// that cannot work (max_length too small, max_sequences above 255).
  static StatusOr<std::unique_ptr<Embedder>> Open(const std::string& path, const EmbedderConfig& config = {});
  virtual ~Embedder() = default;

  /// The model's embedding width (1024 for Qwen3-Embedding-0.6B).
  virtual uint32_t width() const = 0;
  /// Tokens per text after truncation (EmbedderConfig::max_length, capped by the model).
  virtual uint32_t max_length() const = 0;
  /// Stable identity of the weights (hex; the reranker's scheme), the key stored
  /// embeddings are filed under.
  virtual const std::string& fingerprint() const = 0;
  /// Facts about the loaded file.
  virtual const ModelInfo& info() const = 0;

  /// One unit vector per text, row-major (texts.size() x dims), in input order.
  /// `truncated` (may be null) says which texts were cut to max_length();
  /// `progress(done)` is called after each round with the number of texts done.
  /// Identical texts are computed once. Errors: empty (or whitespace-only) or
  /// invalid UTF-8 text (InvalidArgument naming its index), dims out of range.
  /// `out` is left unchanged on error.
  virtual Status EmbedDocuments(const std::vector<std::string>& texts, const EmbedOptions& options,
                                std::vector<float>* out, std::vector<bool>* truncated = nullptr,
                                const std::function<void(size_t)>& progress = {}) = 0;
  /// The same for queries, each formatted with `task` (empty = kDefaultEmbedTask).
  virtual Status EmbedQueries(const std::vector<std::string>& queries, const std::string& task,
                              const EmbedOptions& options, std::vector<float>* out) = 0;
  /// The same for inputs given as token ids of this model's vocabulary (OpenAI's
  /// token-array input), embedded exactly as given: no EOS is added, nothing is cut.
  /// Errors: an empty input or an id outside the vocabulary (InvalidArgument), an
  /// input over max_length() (TooLong), dims out of range.
  virtual Status EmbedTokenInputs(const std::vector<std::vector<int32_t>>& inputs, const EmbedOptions& options,
                                  std::vector<float>* out) = 0;
  /// The exact token ids a text becomes (queries formatted with `task`), cut to
  /// max_length(). For tests and debugging: no validation of the text.
  virtual std::vector<int32_t> Tokens(const std::string& text, bool is_query, const std::string& task) const = 0;
};

}  // namespace litrank

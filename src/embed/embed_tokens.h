// Token ids of embedding inputs: the vocabulary's own special tokens around the
// text, the text itself with special-token parsing off, and the Qwen3-Embedding
// terminator "<|endoftext|>" exactly once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "litrank/status.h"
#include "rerank/prompt.h"

struct llama_vocab;

namespace litrank {

/// Turns texts into the tokens an embedding model reads. Around the text go the
/// special tokens llama_tokenize(add_special = true) puts there for this
/// vocabulary (BOS/CLS in front, EOS/SEP behind, as the GGUF asks), which is also
/// what llama-server does. When the vocabulary adds nothing behind the text but has
/// an "<|endoftext|>" token, that token is appended (Qwen3-Embedding's protocol for
/// GGUFs without `tokenizer.ggml.add_eos_token`); it is never added twice.
class EmbedTokenizer {
 public:
  /// Probes `vocab` (which must outlive the tokenizer) for its special tokens.
  static StatusOr<EmbedTokenizer> Create(const llama_vocab* vocab);
  EmbedTokenizer() = default;

  /// The tokens of `text`; the text's own tokens are cut from the end so that the
  /// whole is at most `max_length` tokens (which must exceed overhead()), and
  /// `*truncated` says whether they were.
  Tokens Encode(const std::string& text, size_t max_length, bool* truncated) const;

  /// Special tokens added around every text.
  size_t overhead() const { return lead_.size() + tail_.size(); }
  /// The tokens that end every text (may be empty for vocabularies without one).
  const Tokens& tail() const { return tail_; }

 private:
  const llama_vocab* vocab_ = nullptr;
  Tokens lead_, tail_;
};

}  // namespace litrank

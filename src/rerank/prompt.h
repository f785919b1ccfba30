// Builds reranker prompts as token ids. Template parts are tokenised with
// special-token parsing; user text without it (a document cannot inject <|im_end|>).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "litrank/status.h"

struct llama_vocab;

namespace litrank {

using Tokens = std::vector<int32_t>;

/// Tokenises `text`; `special` enables parsing of control tokens like <|im_end|>.
Tokens Tokenize(const llama_vocab* vocab, const std::string& text, bool special);

/// The token pieces shared by all of a query's pairs: a pair is prefix + document + suffix.
struct QueryPrompt {
  Tokens prefix;
  Tokens suffix;
};

/// How one model family lays out a (query, document) pair.
class PromptFormat {
 public:
  virtual ~PromptFormat() = default;
  /// The shared pieces for a query. TooLong when they leave no room for a
  /// document within `max_length`.
  virtual StatusOr<QueryPrompt> ForQuery(const std::string& instruction, const std::string& query,
                                         uint32_t max_length) const = 0;
  /// A document's tokens, cut to `budget` tokens; `truncated` says whether it was cut.
  virtual Tokens Document(const std::string& document, size_t budget, bool* truncated) const = 0;
  /// Whether the model reads a task instruction.
  virtual bool takes_instruction() const = 0;
};

/// Qwen3-Reranker: system turn + "<Instruct>: I\n<Query>: Q\n<Document>:" | " " + doc |
/// "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n". The split point (before
/// the space that precedes the document) is a pre-tokeniser boundary of the Qwen2
/// tokenizer, so the concatenation equals tokenising the whole prompt at once.
std::unique_ptr<PromptFormat> MakeQwen3PromptFormat(const llama_vocab* vocab);

/// BGE / jina-style cross-encoders, as llama-server lays them out:
/// [BOS] query [EOS] [SEP] document [EOS], each special token only where the vocabulary
/// asks for it. No instruction.
std::unique_ptr<PromptFormat> MakeCrossEncoderPromptFormat(const llama_vocab* vocab);

}  // namespace litrank

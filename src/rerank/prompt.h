// Builds Qwen3-Reranker prompts as token ids: template parts with special-token
// parsing, user text without it (a document cannot inject <|im_end|>).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "litrank/status.h"

struct llama_vocab;

namespace litrank {

using Tokens = std::vector<int32_t>;

/// Tokenises `text`; `special` enables parsing of control tokens like <|im_end|>.
Tokens Tokenize(const llama_vocab* vocab, const std::string& text, bool special);

/// The token pieces of one query's prompts. A pair's prompt is
/// prefix + document tokens + suffix. The split point (just before the space that
/// precedes the document) is a pre-tokeniser boundary of the Qwen2 tokenizer, so the
/// concatenation equals tokenising the whole prompt at once.
struct QueryPrompt {
  Tokens prefix;  ///< system turn + "<Instruct>: ...\n<Query>: ...\n<Document>:"
  Tokens suffix;  ///< "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"
};

/// Builds the shared part for a query. TooLong when prefix + suffix leave no room
/// for a document within `max_length`.
StatusOr<QueryPrompt> BuildQueryPrompt(const llama_vocab* vocab, const std::string& instruction,
                                       const std::string& query, uint32_t max_length);

/// A document's tokens, cut to `budget` tokens; `truncated` says whether it was cut.
Tokens DocumentTokens(const llama_vocab* vocab, const std::string& document, size_t budget,
                      bool* truncated);

}  // namespace litrank

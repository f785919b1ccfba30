#include "rerank/prompt.h"

#include "llama.h"
#include "rerank/qwen3_protocol.h"

namespace litrank {

Tokens Tokenize(const llama_vocab* vocab, const std::string& text, bool special) {
  if (text.empty()) return {};
  Tokens out(text.size() + 8);
  int32_t n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), out.data(),
                             static_cast<int32_t>(out.size()), /*add_special=*/false, special);
  if (n < 0) {
    out.resize(static_cast<size_t>(-n));
    n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), out.data(),
                       static_cast<int32_t>(out.size()), false, special);
  }
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

StatusOr<QueryPrompt> BuildQueryPrompt(const llama_vocab* vocab, const std::string& instruction,
                                       const std::string& query, uint32_t max_length) {
  QueryPrompt p;
  p.prefix = Tokenize(vocab, kQwen3RerankPrefix, /*special=*/true);
  const std::string& instr = instruction.empty() ? std::string(kQwen3DefaultInstruction) : instruction;
  const Tokens body = Tokenize(vocab, "<Instruct>: " + instr + "\n<Query>: " + query + "\n<Document>:",
                               /*special=*/false);
  p.prefix.insert(p.prefix.end(), body.begin(), body.end());
  p.suffix = Tokenize(vocab, kQwen3RerankSuffix, /*special=*/true);
  const size_t fixed = p.prefix.size() + p.suffix.size();
  if (fixed + 1 >= max_length) {
    return Status::TooLong("the query and instruction take " + std::to_string(fixed) +
                           " tokens with the prompt template, leaving no room for a document within "
                           "max_length " + std::to_string(max_length) +
                           "; shorten the query or instruction, or raise max_length");
  }
  return p;
}

Tokens DocumentTokens(const llama_vocab* vocab, const std::string& document, size_t budget,
                      bool* truncated) {
  Tokens t = Tokenize(vocab, " " + document, /*special=*/false);
  *truncated = t.size() > budget;
  if (*truncated) t.resize(budget);
  return t;
}

}  // namespace litrank

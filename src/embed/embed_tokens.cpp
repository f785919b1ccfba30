#include "embed/embed_tokens.h"

#include <algorithm>

#include "llama.h"

namespace litrank {
namespace {

constexpr const char* kEndOfText = "<|endoftext|>";  // Qwen3-Embedding's terminator (id 151643)

/// llama_tokenize with the vocabulary's special tokens added (text parsed as plain text).
Tokens TokenizeAddingSpecials(const llama_vocab* vocab, const std::string& text) {
  Tokens out(text.size() + 16);
  const int32_t n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), out.data(),
                                   static_cast<int32_t>(out.size()), /*add_special=*/true, /*parse_special=*/false);
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

}  // namespace

StatusOr<EmbedTokenizer> EmbedTokenizer::Create(const llama_vocab* vocab) {
  EmbedTokenizer t;
  t.vocab_ = vocab;
  // Where the vocabulary puts its special tokens: tokenise a probe with and without them.
  const std::string probe = "probe text";
  const Tokens body = Tokenize(vocab, probe, /*special=*/false);
  const Tokens full = TokenizeAddingSpecials(vocab, probe);
  const auto at = std::search(full.begin(), full.end(), body.begin(), body.end());
  if (body.empty() || at == full.end()) {
    return Status::Internal("cannot locate the text among the special tokens this vocabulary adds");
  }
  t.lead_.assign(full.begin(), at);
  t.tail_.assign(at + static_cast<std::ptrdiff_t>(body.size()), full.end());
  if (t.tail_.empty()) {
    const Tokens eot = Tokenize(vocab, kEndOfText, /*special=*/true);
    if (eot.size() == 1 && (llama_vocab_get_attr(vocab, eot[0]) & LLAMA_TOKEN_ATTR_CONTROL)) t.tail_ = eot;
  }
  return t;
}

Tokens EmbedTokenizer::Encode(const std::string& text, size_t max_length, bool* truncated) const {
  Tokens body = Tokenize(vocab_, text, /*special=*/false);
  const size_t room = max_length > overhead() ? max_length - overhead() : 0;
  *truncated = body.size() > room;
  if (*truncated) body.resize(room);
  Tokens out;
  out.reserve(overhead() + body.size());
  out.insert(out.end(), lead_.begin(), lead_.end());
  out.insert(out.end(), body.begin(), body.end());
  out.insert(out.end(), tail_.begin(), tail_.end());
  return out;
}

}  // namespace litrank

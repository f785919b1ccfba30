#include "rerank/prompt.h"

#include "llama.h"
#include "rerank/qwen3_protocol.h"

namespace litrank {
namespace {

Status CheckRoom(size_t fixed, uint32_t max_length) {
  if (fixed + 1 < max_length) return Status::Ok();
  return Status::TooLong("the query and instruction take " + std::to_string(fixed) +
                         " tokens with the prompt template, leaving no room for a document within "
                         "max_length " + std::to_string(max_length) +
                         "; shorten the query or instruction, or raise max_length");
}

Tokens Cut(Tokens t, size_t budget, bool* truncated) {
  *truncated = t.size() > budget;
  if (*truncated) t.resize(budget);
  return t;
}

class Qwen3PromptFormat final : public PromptFormat {
 public:
  explicit Qwen3PromptFormat(const llama_vocab* vocab) : vocab_(vocab) {}

  StatusOr<QueryPrompt> ForQuery(const std::string& instruction, const std::string& query,
                                 uint32_t max_length) const override {
    QueryPrompt p;
    p.prefix = Tokenize(vocab_, kQwen3RerankPrefix, /*special=*/true);
    const std::string& instr = instruction.empty() ? std::string(kQwen3DefaultInstruction) : instruction;
    const Tokens body = Tokenize(vocab_, "<Instruct>: " + instr + "\n<Query>: " + query + "\n<Document>:", false);
    p.prefix.insert(p.prefix.end(), body.begin(), body.end());
    p.suffix = Tokenize(vocab_, kQwen3RerankSuffix, /*special=*/true);
    LITRANK_RETURN_IF_ERROR(CheckRoom(p.prefix.size() + p.suffix.size(), max_length));
    return p;
  }

  Tokens Document(const std::string& document, size_t budget, bool* truncated) const override {
    return Cut(Tokenize(vocab_, " " + document, /*special=*/false), budget, truncated);
  }

  bool takes_instruction() const override { return true; }

 private:
  const llama_vocab* vocab_;
};

class CrossEncoderPromptFormat final : public PromptFormat {
 public:
  explicit CrossEncoderPromptFormat(const llama_vocab* vocab) : vocab_(vocab) {}

  StatusOr<QueryPrompt> ForQuery(const std::string&, const std::string& query, uint32_t max_length) const override {
    llama_token eos = llama_vocab_eos(vocab_);
    if (eos == LLAMA_TOKEN_NULL) eos = llama_vocab_sep(vocab_);
    QueryPrompt p;
    if (llama_vocab_get_add_bos(vocab_)) p.prefix.push_back(llama_vocab_bos(vocab_));
    const Tokens q = Tokenize(vocab_, query, /*special=*/false);
    p.prefix.insert(p.prefix.end(), q.begin(), q.end());
    if (llama_vocab_get_add_eos(vocab_)) p.prefix.push_back(eos), p.suffix.push_back(eos);
    if (llama_vocab_get_add_sep(vocab_)) p.prefix.push_back(llama_vocab_sep(vocab_));
    LITRANK_RETURN_IF_ERROR(CheckRoom(p.prefix.size() + p.suffix.size(), max_length));
    return p;
  }

  Tokens Document(const std::string& document, size_t budget, bool* truncated) const override {
    return Cut(Tokenize(vocab_, document, /*special=*/false), budget, truncated);
  }

  bool takes_instruction() const override { return false; }

 private:
  const llama_vocab* vocab_;
};

}  // namespace

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

std::unique_ptr<PromptFormat> MakeQwen3PromptFormat(const llama_vocab* vocab) {
  return std::make_unique<Qwen3PromptFormat>(vocab);
}

std::unique_ptr<PromptFormat> MakeCrossEncoderPromptFormat(const llama_vocab* vocab) {
  return std::make_unique<CrossEncoderPromptFormat>(vocab);
}

}  // namespace litrank

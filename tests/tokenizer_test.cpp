// The Qwen2/Qwen3 tokenizer as litrank uses it, against llama.cpp's reference
// tokenisations (models/ggml-vocab-qwen2.gguf.inp/.out, produced with Hugging Face).
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "llama.h"
#include "rerank/prompt.h"

namespace litrank {
namespace {

struct ModelFree { void operator()(llama_model* m) const { llama_model_free(m); } };

std::unique_ptr<llama_model, ModelFree> LoadVocab() {
  llama_model_params p = llama_model_default_params();
  p.vocab_only = true;
  return std::unique_ptr<llama_model, ModelFree>(llama_model_load_from_file(LITRANK_TEST_VOCAB, p));
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

TEST(TokenizerTest, MatchesLlamaCppReferenceTokenisationsOfQwen2Vocab) {
  auto model = LoadVocab();
  ASSERT_TRUE(model);
  const std::string base = std::string(LITRANK_LLAMA_MODELS_DIR) + "/ggml-vocab-qwen2.gguf";
  const std::string raw = ReadAll(base + ".inp");
  std::istringstream out(ReadAll(base + ".out"));
  ASSERT_FALSE(raw.empty());
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> inputs;
  for (size_t pos = 0; pos < raw.size();) {
    const size_t next = raw.find(sep, pos);
    inputs.push_back(raw.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (next == std::string::npos) break;
    pos = next + sep.size();
  }
  size_t checked = 0;
  for (const std::string& input : inputs) {
    std::string line;
    ASSERT_TRUE(std::getline(out, line)) << "fewer reference lines than inputs";
    std::istringstream ids(line);
    Tokens expected;
    for (int32_t id; ids >> id;) expected.push_back(id);
    EXPECT_EQ(Tokenize(llama_model_get_vocab(model.get()), input, /*special=*/false), expected)
        << "input: '" << input << "'";
    ++checked;
  }
  EXPECT_GE(checked, 40u);
}

TEST(TokenizerTest, ProtocolTokenIds) {
  auto model = LoadVocab();
  ASSERT_TRUE(model);
  const llama_vocab* v = llama_model_get_vocab(model.get());
  EXPECT_EQ(Tokenize(v, "yes", false), Tokens{9693});
  EXPECT_EQ(Tokenize(v, "no", false), Tokens{2152});
  EXPECT_EQ(Tokenize(v, "<|im_start|>", true), Tokens{151644});
  EXPECT_EQ(Tokenize(v, "<|im_end|>", true), Tokens{151645});
}

TEST(TokenizerTest, ChineseAndEnglishRoundTrip) {
  auto model = LoadVocab();
  ASSERT_TRUE(model);
  const llama_vocab* v = llama_model_get_vocab(model.get());
  for (const std::string text : {"基于深度学习的中文文本检索与重排序", "Solid-state batteries degrade at interfaces."}) {
    const Tokens t = Tokenize(v, text, false);
    ASSERT_FALSE(t.empty());
    std::string back;
    for (int32_t id : t) {
      char buf[256];
      const int n = llama_token_to_piece(v, id, buf, sizeof buf, 0, false);
      ASSERT_GT(n, 0);
      back.append(buf, static_cast<size_t>(n));
    }
    EXPECT_EQ(back, text);
  }
}

}  // namespace
}  // namespace litrank

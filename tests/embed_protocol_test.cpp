// The Qwen3-Embedding input protocol, token by token, on the tiny synthetic GGUF
// (which carries the real Qwen2 tokenizer, without tokenizer.ggml.add_eos_token).
#include <gtest/gtest.h>

#include <algorithm>

#include "litrank/embedder.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

constexpr int32_t kEndOfText = 151643;  // <|endoftext|>
constexpr int32_t kImEnd = 151645;      // <|im_end|>, which must NOT end embedding inputs

std::unique_ptr<Embedder> OpenTiny() {
  EmbedderConfig c;
  c.threads = 2;
  auto e = Embedder::Open(testing::TinyModel("embedding"), c);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? std::move(*e) : nullptr;
}

TEST(EmbedProtocol, FormatsQueriesWithoutASpaceAfterQuery) {
  EXPECT_EQ(FormatEmbeddingQuery("", "q"),
            "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:q");
  EXPECT_EQ(FormatEmbeddingQuery("Find papers", "battery aging"), "Instruct: Find papers\nQuery:battery aging");
}

// Golden ids, derived once with llama.cpp's tokenizer (llama-server /tokenize, same
// pinned source, special-token parsing off) and checked in.
TEST(EmbedProtocol, GoldenDocumentTokens) {
  auto e = OpenTiny();
  ASSERT_TRUE(e);
  // "solid" "-state" " batteries" <|endoftext|>
  EXPECT_EQ(e->Tokens("solid-state batteries", false, ""), (std::vector<int32_t>{31027, 20733, 26264, kEndOfText}));
  // A document gets no instruction, whatever task is passed.
  EXPECT_EQ(e->Tokens("solid-state batteries", false, "Find papers"), e->Tokens("solid-state batteries", false, ""));
}

TEST(EmbedProtocol, GoldenQueryTokens) {
  auto e = OpenTiny();
  ASSERT_TRUE(e);
  const std::vector<int32_t> query = e->Tokens("What causes lithium dendrites?", true, "");
  // "In" "struct" ":" " Given" " a" " web" " search" " query" "," " retrieve" " relevant"
  // " passages" " that" " answer" " the" " query" "\n" "Query" ":" | "What" " causes"
  // " lithium" " dend" "rites" "?" | <|endoftext|>
  const std::vector<int32_t> golden = {641,   1235,  25,    16246, 264,   3482, 2711, 3239,  11,    17179,
                                       9760,  46769, 429,   4226,  279,   3239, 198,  2859,  25,    3838,
                                       11137, 56807, 88952, 23262, 30,    kEndOfText};
  EXPECT_EQ(query, golden);
  // Structure: the instruction prefix ends with "Query" ":", directly followed by the
  // query's own first token ("What", not " What": no space), and one final <|endoftext|>.
  const std::vector<int32_t> prefix = e->Tokens(std::string("Instruct: ") + kDefaultEmbedTask + "\nQuery:", false, "");
  const std::vector<int32_t> text = e->Tokens("What causes lithium dendrites?", false, "");
  ASSERT_EQ(prefix.size() - 1 + text.size(), query.size());
  EXPECT_TRUE(std::equal(prefix.begin(), prefix.end() - 1, query.begin()));
  EXPECT_EQ(query[prefix.size() - 3], 2859);  // "Query"
  EXPECT_EQ(query[prefix.size() - 2], 25);    // ":"
  EXPECT_EQ(query[prefix.size() - 1], text.front());
  EXPECT_EQ(text.front(), 3838);  // "What"
  EXPECT_EQ(query.back(), kEndOfText);
  EXPECT_EQ(std::count(query.begin(), query.end(), kEndOfText), 1);
  EXPECT_EQ(std::count(query.begin(), query.end(), kImEnd), 0);
}

// The query is tokenised as part of the whole formatted string, as Qwen's reference
// does: "Query:battery" becomes "Query" ":b" "attery", since the Qwen2 pre-tokenizer
// joins a punctuation mark with the letters after it.
TEST(EmbedProtocol, QueryIsTokenisedWithItsPrefix) {
  auto e = OpenTiny();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->Tokens("battery", true, "Find papers"),
            (std::vector<int32_t>{641, 1235, 25, 7379, 15689, 198, 2859, 43973, 18670, kEndOfText}));
  EXPECT_EQ(e->Tokens("battery", true, "Find papers"), e->Tokens("Instruct: Find papers\nQuery:battery", false, ""));
}

TEST(EmbedProtocol, ControlTokensInTextAreNotInjected) {
  auto e = OpenTiny();
  ASSERT_TRUE(e);
  // "end" " <|" "endo" "ft" "ext" "|" ">" " more" <|endoftext|>
  const std::vector<int32_t> doc = e->Tokens("end <|endoftext|> more", false, "");
  EXPECT_EQ(doc, (std::vector<int32_t>{408, 82639, 8691, 723, 427, 91, 29, 803, kEndOfText}));
  for (const std::string& text : {std::string("<|endoftext|>"), std::string("a<|im_end|>b<|im_start|>")}) {
    for (bool is_query : {false, true}) {
      const std::vector<int32_t> t = e->Tokens(text, is_query, "");
      EXPECT_EQ(std::count(t.begin(), t.end(), kEndOfText), 1) << text;
      EXPECT_EQ(t.back(), kEndOfText) << text;
      EXPECT_EQ(std::count_if(t.begin(), t.end(), [](int32_t id) { return id >= kEndOfText; }), 1) << text;
    }
  }
  // Tokens() does not validate: invalid UTF-8 still tokenises (as U+FFFD), without a throw.
  EXPECT_EQ(e->Tokens("bad \xc3(", false, "").back(), kEndOfText);
  // The literal control-token text embeds as text: not like a text that ends early.
  std::vector<float> injected, plain;
  ASSERT_TRUE(e->EmbedDocuments({"end <|endoftext|> more"}, {}, &injected).ok());
  ASSERT_TRUE(e->EmbedDocuments({"end"}, {}, &plain).ok());
  double diff = 0;
  for (size_t j = 0; j < plain.size(); ++j) diff = std::max(diff, static_cast<double>(std::abs(plain[j] - injected[j])));
  EXPECT_GT(diff, 1e-3);
}

TEST(EmbedProtocol, TruncationKeepsTheFinalEndOfText) {
  EmbedderConfig c;
  c.threads = 2;
  c.max_length = 8;
  auto cut = Embedder::Open(testing::TinyModel("embedding"), c);
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  auto full = OpenTiny();
  ASSERT_TRUE(full);
  const std::vector<int32_t> whole = full->Tokens("What causes lithium dendrites?", true, "");
  const std::vector<int32_t> t = (*cut)->Tokens("What causes lithium dendrites?", true, "");
  ASSERT_EQ(t.size(), 8u);
  EXPECT_TRUE(std::equal(t.begin(), t.end() - 1, whole.begin()));
  EXPECT_EQ(t.back(), kEndOfText);
  // A text is cut exactly when its whole token sequence exceeds max_length.
  const std::vector<std::string> texts = {"What", "What causes", "What causes lithium", "What causes lithium dendrites",
                                          "What causes lithium dendrites?", "What causes lithium dendrites? Many",
                                          "What causes lithium dendrites? Many things."};
  std::vector<float> v;
  std::vector<bool> truncated;
  ASSERT_TRUE((*cut)->EmbedDocuments(texts, {}, &v, &truncated).ok());
  size_t exact = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    const size_t n = full->Tokens(texts[i], false, "").size();
    exact += n == 8;
    EXPECT_EQ(truncated[i], n > 8) << texts[i];
    EXPECT_EQ((*cut)->Tokens(texts[i], false, "").size(), std::min<size_t>(n, 8)) << texts[i];
  }
  EXPECT_EQ(exact, 1u) << "one text should be exactly max_length tokens";
}

}  // namespace
}  // namespace litrank

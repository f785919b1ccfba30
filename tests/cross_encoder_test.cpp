// BGE / jina-style cross-encoders (RANK pooling, bidirectional): a tiny random-weight
// BERT with the BGE layout and tokenizer. Scores mean nothing; invariants are tested.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "litrank/reranker.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

std::vector<double> Scores(const RerankerConfig& c, const std::vector<std::string>& docs) {
  auto r = Reranker::Open(testing::TinyModel("cross-encoder"), c);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  RerankResult res;
  EXPECT_TRUE((*r)->Rerank("battery degradation", docs, {}, &res).ok());
  std::vector<double> s(docs.size());
  for (const auto& d : res.results) s[d.index] = d.score;
  return s;
}

TEST(CrossEncoderTest, RecognisedAndScoredWithOneSigmoid) {
  auto info = InspectModel(testing::TinyModel("cross-encoder"));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->kind, ModelKind::kRankReranker);
  EXPECT_EQ(info->architecture, "bert");
  auto r = Reranker::Open(testing::TinyModel("cross-encoder"), {.threads = 2});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  RerankResult res;
  ASSERT_TRUE((*r)->Rerank("q", {"alpha beta", "gamma delta epsilon", "zeta"}, {}, &res).ok());
  ASSERT_EQ(res.results.size(), 3u);
  double lo = 1, hi = 0;
  for (const auto& d : res.results) {
    EXPECT_NEAR(d.score, 1 / (1 + std::exp(-d.logit)), 1e-12);
    lo = std::min(lo, d.score), hi = std::max(hi, d.score);
  }
  EXPECT_GT(hi - lo, 1e-6);
}

TEST(CrossEncoderTest, BatchCompositionDoesNotChangeScores) {
  const std::vector<std::string> docs = {"one", "two words", "three little words", "a longer document about batteries",
                                         "短文本", "another"};
  RerankerConfig one_by_one;
  one_by_one.max_sequences = 1;
  RerankerConfig packed;
  const auto a = Scores(one_by_one, docs), b = Scores(packed, docs);
  for (size_t i = 0; i < docs.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-3) << i;
}

TEST(CrossEncoderTest, PairLayoutAndNoInstruction) {
  auto r = Reranker::Open(testing::TinyModel("cross-encoder"));
  ASSERT_TRUE(r.ok());
  auto t = (*r)->PairTokens("query", "document", {});
  ASSERT_TRUE(t.ok());
  // BGE's WordPiece vocabulary: [CLS] = 101 opens the pair and [SEP] = 102 follows the
  // query (the exact layout is llama-server's, checked by the parity test).
  EXPECT_EQ(t->front(), 101);
  EXPECT_GE(std::count(t->begin(), t->end(), 102), 1);
  RerankResult res;
  const Status st = (*r)->Rerank("q", {"d"}, {.instruction = "Judge relevance"}, &res);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("no instruction"), std::string::npos);
}

TEST(CrossEncoderTest, LongDocumentTruncatedToTrainedContext) {
  auto r = Reranker::Open(testing::TinyModel("cross-encoder"));
  ASSERT_TRUE(r.ok());
  std::string long_doc;
  for (int i = 0; i < 2000; ++i) long_doc.append("word ");
  RerankResult res;
  ASSERT_TRUE((*r)->Rerank("q", {long_doc}, {}, &res).ok());
  EXPECT_TRUE(res.results[0].truncated);
  EXPECT_LE(res.results[0].tokens, 512u) << "the tiny BERT was trained with 512 positions";
}

}  // namespace
}  // namespace litrank

// Reranker invariants on a tiny random-weight model: packed == unpacked whatever
// the batch composition, causal-LM path == cls.output path, one sigmoid, ranking
// options, the score cache, and clear errors for bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "litrank/reranker.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

std::vector<std::string> SampleDocs() {
  std::vector<std::string> docs = {
      "Cross-encoder rerankers score query-document pairs jointly.",
      "Lithium plating accelerates capacity fade at low temperature.",
      "CRISPR-Cas9 off-target effects were measured with GUIDE-seq.",
      "基于深度学习的中文文本检索与重排序方法研究。",
      "short",
      "Dense retrieval with dual encoders and hard negatives improves recall on scientific corpora; "
      "a second-stage reranker then orders the top hundred candidates with a cross-attention model.",
  };
  for (int i = 0; i < 14; ++i) docs.push_back("Filler abstract number " + std::to_string(i) + " about topic " + std::to_string(i % 3));
  return docs;
}

std::unique_ptr<Reranker> Open(const std::string& path, RerankerConfig c = {}) {
  c.threads = 2;
  auto r = Reranker::Open(path, c);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r.value()) : nullptr;
}

/// Scores by input index.
std::vector<double> ScoresByIndex(Reranker* r, const std::string& q, const std::vector<std::string>& docs,
                                  RerankOptions o = {}) {
  RerankResult res;
  const Status st = r->Rerank(q, docs, o, &res);
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::vector<double> s(docs.size(), -1);
  for (const auto& d : res.results) s[d.index] = d.score;
  return s;
}

TEST(RerankerTest, PackedEqualsUnpackedForAnyBatchComposition) {
  const auto docs = SampleDocs();
  RerankerConfig ref_cfg;
  ref_cfg.packing = false;
  ref_cfg.cache_entries = 0;
  auto ref = Open(testing::TinyModel("reranker"), ref_cfg);
  const auto expected = ScoresByIndex(ref.get(), "neural reranking of abstracts", docs);

  struct Layout { uint32_t batch, ubatch, seqs; };
  for (Layout l : {Layout{2048, 512, 64}, Layout{64, 32, 3}, Layout{256, 64, 1}, Layout{512, 512, 7}}) {
    RerankerConfig c;
    c.batch_tokens = l.batch, c.ubatch_tokens = l.ubatch, c.max_sequences = l.seqs, c.cache_entries = 0;
    auto packed = Open(testing::TinyModel("reranker"), c);
    const auto got = ScoresByIndex(packed.get(), "neural reranking of abstracts", docs);
    for (size_t i = 0; i < docs.size(); ++i) {
      EXPECT_NEAR(got[i], expected[i], 1e-3) << "doc " << i << " batch " << l.batch << " seqs " << l.seqs;
    }
  }
  // A subset, in another order, scores the same documents the same.
  RerankerConfig c;
  c.cache_entries = 0;
  auto packed = Open(testing::TinyModel("reranker"), c);
  std::vector<std::string> subset = {docs[5], docs[0], docs[3]};
  const auto sub = ScoresByIndex(packed.get(), "neural reranking of abstracts", subset);
  EXPECT_NEAR(sub[0], expected[5], 1e-3);
  EXPECT_NEAR(sub[1], expected[0], 1e-3);
  EXPECT_NEAR(sub[2], expected[3], 1e-3);
}

TEST(RerankerTest, ContextGrowsForLongerDocumentsWithoutChangingScores) {
  std::string long_doc;
  for (int i = 0; i < 1500; ++i) long_doc.append("w").append(std::to_string(i)).append(" ");
  RerankerConfig ref_cfg;
  ref_cfg.packing = false;
  auto ref = Open(testing::TinyModel("reranker"), ref_cfg);
  const auto expected = ScoresByIndex(ref.get(), "q", {"tiny doc", long_doc});
  RerankerConfig c;
  c.batch_tokens = 256, c.ubatch_tokens = 128;  // starts with a small KV cache
  auto r = Open(testing::TinyModel("reranker"), c);
  ScoresByIndex(r.get(), "q", {"a short warm-up document"});
  const auto got = ScoresByIndex(r.get(), "q", {"tiny doc", long_doc});
  EXPECT_NEAR(got[0], expected[0], 1e-3);
  EXPECT_NEAR(got[1], expected[1], 1e-3);
}

TEST(RerankerTest, ScoresVaryAndAreOneSigmoidOfTheLogit) {
  auto r = Open(testing::TinyModel("reranker"));
  RerankResult res;
  ASSERT_TRUE(r->Rerank("battery degradation", SampleDocs(), {}, &res).ok());
  double lo = 1, hi = 0;
  for (const auto& d : res.results) {
    EXPECT_NEAR(d.score, 1.0 / (1.0 + std::exp(-d.logit)), 1e-12);
    EXPECT_GT(d.score, 0.0);
    EXPECT_LT(d.score, 1.0);
    EXPECT_GT(std::abs(d.score - 0.7310586), 1e-6) << "double-sigmoid signature";
    lo = std::min(lo, d.score), hi = std::max(hi, d.score);
  }
  EXPECT_GT(hi - lo, 1e-3) << "scores should differ between documents";
}

TEST(RerankerTest, CausalLmGgufScoresLikeTheClsOutputGguf) {
  // Same seed: cls.output holds exactly the LM-head rows of "yes" and "no".
  auto rank = Open(testing::TinyModel("reranker"));
  auto causal = Open(testing::TinyModel("generator"));
  const auto docs = SampleDocs();
  const auto a = ScoresByIndex(rank.get(), "gene editing", docs);
  const auto b = ScoresByIndex(causal.get(), "gene editing", docs);
  for (size_t i = 0; i < docs.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-4) << i;
}

TEST(RerankerTest, InstructionChangesScores) {
  auto r = Open(testing::TinyModel("reranker"));
  const auto docs = SampleDocs();
  const auto a = ScoresByIndex(r.get(), "gene editing", docs);
  const auto b = ScoresByIndex(r.get(), "gene editing", docs, {.instruction = "Judge whether the paper studies CRISPR delivery"});
  double diff = 0;
  for (size_t i = 0; i < docs.size(); ++i) diff += std::abs(a[i] - b[i]);
  EXPECT_GT(diff, 1e-4);
}

TEST(RerankerTest, TopKThresholdNormalizeAndTies) {
  auto r = Open(testing::TinyModel("reranker"));
  auto docs = SampleDocs();
  RerankResult all;
  ASSERT_TRUE(r->Rerank("q", docs, {}, &all).ok());
  for (size_t i = 1; i < all.results.size(); ++i) EXPECT_GE(all.results[i - 1].score, all.results[i].score);

  RerankResult top;
  ASSERT_TRUE(r->Rerank("q", docs, {.top_k = 3}, &top).ok());
  ASSERT_EQ(top.results.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(top.results[i].index, all.results[i].index);

  const double cut = all.results[4].score;
  RerankOptions th;
  th.threshold = cut;
  RerankResult thr;
  ASSERT_TRUE(r->Rerank("q", docs, th, &thr).ok());
  for (const auto& d : thr.results) EXPECT_GE(d.score, cut);
  EXPECT_GE(thr.results.size(), 5u);

  RerankResult norm;
  ASSERT_TRUE(r->Rerank("q", docs, {.normalize = true}, &norm).ok());
  EXPECT_DOUBLE_EQ(norm.results.front().normalized, 1.0);
  EXPECT_DOUBLE_EQ(norm.results.back().normalized, 0.0);

  // Identical texts tie; ties keep input order.
  std::vector<std::string> same = {"alpha", "beta", "alpha", "alpha"};
  RerankResult ties;
  ASSERT_TRUE(r->Rerank("q", same, {}, &ties).ok());
  std::vector<size_t> alpha_positions;
  for (const auto& d : ties.results) if (d.index != 1) alpha_positions.push_back(d.index);
  EXPECT_EQ(alpha_positions, (std::vector<size_t>{0, 2, 3}));
}

TEST(RerankerTest, RepeatedCallIsServedFromCacheAndDuplicatesScoredOnce) {
  auto r = Open(testing::TinyModel("reranker"));
  auto docs = SampleDocs();
  docs.push_back(docs[0]);  // duplicate
  RerankResult first, second;
  ASSERT_TRUE(r->Rerank("cache me", docs, {}, &first).ok());
  EXPECT_EQ(first.stats.cache_hits, 1u) << "the duplicate";
  EXPECT_GT(first.stats.decoded_tokens, 0u);
  ASSERT_TRUE(r->Rerank("cache me", docs, {}, &second).ok());
  EXPECT_EQ(second.stats.cache_hits, docs.size());
  EXPECT_EQ(second.stats.decoded_tokens, 0u);
  ASSERT_EQ(first.results.size(), second.results.size());
  for (size_t i = 0; i < first.results.size(); ++i) {
    EXPECT_EQ(first.results[i].index, second.results[i].index);
    EXPECT_DOUBLE_EQ(first.results[i].score, second.results[i].score);
  }
  r->ClearCache();
  RerankResult third;
  ASSERT_TRUE(r->Rerank("cache me", docs, {}, &third).ok());
  EXPECT_GT(third.stats.decoded_tokens, 0u);
}

TEST(RerankerTest, LongDocumentIsTruncatedAndFlagged) {
  auto r = Open(testing::TinyModel("reranker"));
  std::string long_doc;
  for (int i = 0; i < 3000; ++i) long_doc += "token" + std::to_string(i) + " ";
  RerankResult res;
  RerankOptions o;
  o.max_length = 512;
  ASSERT_TRUE(r->Rerank("q", {long_doc, "short doc"}, o, &res).ok());
  for (const auto& d : res.results) {
    EXPECT_EQ(d.truncated, d.index == 0);
    EXPECT_LE(d.tokens, 512u);
  }
}

TEST(RerankerTest, BadInputGivesClearErrors) {
  auto r = Open(testing::TinyModel("reranker"));
  RerankResult res;
  EXPECT_EQ(r->Rerank("   ", {"doc"}, {}, &res).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(r->Rerank("q", {}, {}, &res).code(), Status::Code::kInvalidArgument);
  const Status bad = r->Rerank("q", {"fine", std::string("bad \xC3\x28 utf8")}, {}, &res);
  EXPECT_EQ(bad.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(bad.message().find("document 1"), std::string::npos) << bad.message();
  EXPECT_EQ(r->Rerank(std::string("\xFF"), {"doc"}, {}, &res).code(), Status::Code::kInvalidArgument);
}

TEST(RerankerTest, RefusesFilesThatAreNotRerankers) {
  auto missing = Reranker::Open(testing::TempDir() + "/nope.gguf");
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);

  const std::string text = testing::TempDir() + "/not-a-model.gguf";
  std::ofstream(text) << "hello, not a gguf";
  auto not_gguf = Reranker::Open(text);
  EXPECT_EQ(not_gguf.status().code(), Status::Code::kCorruption);
  EXPECT_NE(not_gguf.status().message().find("not a GGUF"), std::string::npos);

  const std::string cut = testing::TempDir() + "/truncated.gguf";
  {
    std::ifstream in(testing::TinyModel("reranker"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  auto truncated = Reranker::Open(cut);
  EXPECT_EQ(truncated.status().code(), Status::Code::kCorruption);
  EXPECT_NE(truncated.status().message().find("truncated"), std::string::npos) << truncated.status().message();

  auto embedding = Reranker::Open(testing::TinyModel("embedding"));
  EXPECT_EQ(embedding.status().code(), Status::Code::kUnsupported);
  EXPECT_NE(embedding.status().message().find("embedding model"), std::string::npos);

  auto broken = Reranker::Open(testing::TinyModel("broken"));
  EXPECT_EQ(broken.status().code(), Status::Code::kUnsupported);
  EXPECT_NE(broken.status().message().find("cls.output"), std::string::npos) << broken.status().message();
}

TEST(ModelInfoTest, RecognisesEachKind) {
  auto kind = [](const std::string& k) { return InspectModel(testing::TinyModel(k))->kind; };
  EXPECT_EQ(kind("reranker"), ModelKind::kQwen3Reranker);
  EXPECT_EQ(kind("generator"), ModelKind::kCausalLM);
  EXPECT_EQ(kind("embedding"), ModelKind::kEmbedding);
  EXPECT_EQ(kind("broken"), ModelKind::kBrokenReranker);
  auto info = InspectModel(testing::TinyModel("reranker"));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->labels, (std::vector<std::string>{"yes", "no"}));
  EXPECT_EQ(info->architecture, "qwen3");
  EXPECT_EQ(info->pooling, "rank");
  EXPECT_EQ(info->n_vocab, 151936u);
  EXPECT_NE(std::find(info->chat_templates.begin(), info->chat_templates.end(), "rerank"), info->chat_templates.end());
}

}  // namespace
}  // namespace litrank

namespace litrank {
namespace {

// A per-document cap cuts exactly like the equivalent whole-pair budget, and only the long documents.
TEST(RerankerTest, DocumentTokenCapEqualsTheMatchingPairBudget) {
  auto r = Open(testing::TinyModel("reranker"));
  ASSERT_TRUE(r);
  const std::vector<std::string> docs = {"short", SampleDocs()[5] + " " + SampleDocs()[5]};
  RerankOptions capped;
  capped.max_document_tokens = 6;
  RerankResult a;
  ASSERT_TRUE(r->Rerank("dense retrieval", docs, capped, &a).ok());
  const ScoredDocument& long_doc = a.results[0].index == 1 ? a.results[0] : a.results[1];
  const ScoredDocument& short_doc = a.results[0].index == 0 ? a.results[0] : a.results[1];
  EXPECT_TRUE(long_doc.truncated);
  EXPECT_FALSE(short_doc.truncated);
  RerankOptions budget;
  budget.max_length = long_doc.tokens;
  RerankResult b;
  ASSERT_TRUE(r->Rerank("dense retrieval", {docs[1]}, budget, &b).ok());
  EXPECT_TRUE(b.results[0].truncated);
  EXPECT_EQ(b.results[0].tokens, long_doc.tokens);
  EXPECT_NEAR(b.results[0].score, long_doc.score, 1e-6);
}

}  // namespace
}  // namespace litrank

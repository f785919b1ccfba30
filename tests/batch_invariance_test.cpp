// Batch invariance, bitwise: a (model, instruction, query, document) gets the same
// logit — EXPECT_EQ on the double, no tolerance — whatever else shares its decode
// round, in whatever order, whatever the batch sizes, after any history of other
// queries in the KV cache, from the cache, and from many threads at once through
// the scheduler. The reference is the unpacked path (one pair per decode from an
// empty cache), which no other pair can influence.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <thread>

#include "litrank/rerank_scheduler.h"
#include "litrank/reranker.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

constexpr char kQuery[] = "neural reranking of scientific abstracts";

std::vector<std::string> Docs() {
  std::vector<std::string> d = {
      "Cross-encoder rerankers score query-document pairs jointly.",
      "基于深度学习的中文文本检索与重排序方法研究。",
      "short",
      "Dense retrieval with dual encoders and hard negatives improves recall on scientific corpora; a second-stage "
      "reranker then orders the top hundred candidates with a cross-attention model over the query and the text.",
  };
  std::string long_doc;  // several physical batches on its own
  for (int i = 0; i < 90; ++i) long_doc += "token" + std::to_string(i) + " ";
  d.push_back(long_doc);
  for (int i = 0; i < 19; ++i) d.push_back("Filler abstract " + std::to_string(i) + std::string(static_cast<size_t>(i % 5), '!') + " on topic " + std::to_string(i % 3));
  return d;
}

RerankerConfig Config() {
  RerankerConfig c;
  c.threads = 2;
  c.cache_entries = 0;
  c.batch_invariant = true;
  return c;
}

std::unique_ptr<Reranker> Open(const RerankerConfig& c) {
  auto r = Reranker::Open(testing::TinyModel("reranker"), c);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r.value()) : nullptr;
}

/// Logits by input index.
std::vector<double> Logits(Reranker* r, const std::string& query, const std::vector<std::string>& docs,
                           const RerankOptions& o = {}) {
  RerankResult res;
  const Status st = r->Rerank(query, docs, o, &res);
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::vector<double> out(docs.size(), -1e300);
  for (const auto& d : res.results) out[d.index] = d.logit;
  return out;
}

/// The reference: each document alone, from an empty cache.
std::vector<double> Reference(const std::string& query, const std::vector<std::string>& docs) {
  RerankerConfig c = Config();
  c.packing = false;
  auto r = Open(c);
  return r ? Logits(r.get(), query, docs) : std::vector<double>{};
}

TEST(BatchInvariance, EveryRoundCompositionGivesTheReferenceBits) {
  const auto docs = Docs();
  const auto expected = Reference(kQuery, docs);
  ASSERT_EQ(expected.size(), docs.size());
  // The random-weight model still spreads its logits: equal bits are not a constant.
  EXPECT_GT(*std::max_element(expected.begin(), expected.end()) - *std::min_element(expected.begin(), expected.end()), 1e-6);

  struct Layout { uint32_t batch, ubatch, seqs; };
  for (Layout l : {Layout{0, 0, 0}, Layout{2048, 512, 64}, Layout{64, 32, 3}, Layout{256, 40, 1}, Layout{127, 63, 7}}) {
    RerankerConfig c = Config();
    c.batch_tokens = l.batch, c.ubatch_tokens = l.ubatch, c.max_sequences = l.seqs;
    auto r = Open(c);
    ASSERT_TRUE(r);
    const auto got = Logits(r.get(), kQuery, docs);
    for (size_t i = 0; i < docs.size(); ++i) EXPECT_EQ(got[i], expected[i]) << "doc " << i << " batch " << l.batch << " ubatch " << l.ubatch << " seqs " << l.seqs;
  }

  // Subsets in shuffled orders, duplicates included, on one engine.
  auto r = Open(Config());
  ASSERT_TRUE(r);
  std::mt19937 rng(20261202);
  for (int trial = 0; trial < 6; ++trial) {
    std::vector<size_t> pick(docs.size());
    for (size_t i = 0; i < pick.size(); ++i) pick[i] = i;
    std::shuffle(pick.begin(), pick.end(), rng);
    pick.resize(1 + rng() % docs.size());
    pick.push_back(pick.front());  // a duplicate in the same call
    std::vector<std::string> subset;
    for (size_t i : pick) subset.push_back(docs[i]);
    const auto got = Logits(r.get(), kQuery, subset);
    for (size_t j = 0; j < pick.size(); ++j) EXPECT_EQ(got[j], expected[pick[j]]) << "trial " << trial << " doc " << pick[j];
  }
}

TEST(BatchInvariance, HistoryOfOtherQueriesInTheCacheChangesNothing) {
  const auto docs = Docs();
  const auto expected = Reference(kQuery, docs);
  RerankerConfig c = Config();
  c.max_sequences = 5;
  auto r = Open(c);
  ASSERT_TRUE(r);
  // More queries than prefix slots, of different lengths: prefixes are evicted and
  // the cache is rebuilt, so kQuery's prefix lands at different cells each time.
  for (int round = 0; round < 3; ++round) {
    for (int q = 0; q < 10; ++q) {
      Logits(r.get(), std::string(static_cast<size_t>(q * 7 + round), 'x') + " query " + std::to_string(q), {docs[q % docs.size()], "another document"});
    }
    const auto got = Logits(r.get(), kQuery, docs);
    for (size_t i = 0; i < docs.size(); ++i) EXPECT_EQ(got[i], expected[i]) << "round " << round << " doc " << i;
  }
}

TEST(BatchInvariance, AnInstructionIsPartOfThePrefixAndStaysInvariant) {
  const auto docs = Docs();
  RerankOptions o;
  o.instruction = "Judge whether the abstract reports a randomised controlled trial";
  RerankerConfig ref_cfg = Config();
  ref_cfg.packing = false;
  auto ref = Open(ref_cfg);
  auto packed = Open(Config());
  ASSERT_TRUE(ref && packed);
  const auto expected = Logits(ref.get(), kQuery, docs, o);
  const auto got = Logits(packed.get(), kQuery, docs, o);
  for (size_t i = 0; i < docs.size(); ++i) EXPECT_EQ(got[i], expected[i]) << "doc " << i;
}

TEST(BatchInvariance, CachedScoresAreTheDecodedBits) {
  const auto docs = Docs();
  RerankerConfig c = Config();
  c.cache_entries = 1024;
  auto r = Open(c);
  ASSERT_TRUE(r);
  RerankResult cold, warm;
  ASSERT_TRUE(r->Rerank(kQuery, docs, {}, &cold).ok());
  ASSERT_TRUE(r->Rerank(kQuery, docs, {}, &warm).ok());
  ASSERT_EQ(warm.stats.cache_hits, docs.size());
  ASSERT_EQ(cold.results.size(), warm.results.size());
  for (size_t i = 0; i < cold.results.size(); ++i) {
    EXPECT_EQ(cold.results[i].index, warm.results[i].index);
    EXPECT_EQ(cold.results[i].logit, warm.results[i].logit);
    EXPECT_EQ(cold.results[i].score, warm.results[i].score);
  }
}

TEST(BatchInvariance, ConcurrentCallsThroughTheSchedulerGiveTheReferenceBits) {
  const auto docs = Docs();
  constexpr size_t kCalls = 10;  // more queries than prefix slots, rounds mixed across calls
  std::vector<std::string> queries;
  std::vector<std::vector<std::string>> call_docs(kCalls);
  std::vector<std::vector<double>> expected(kCalls);
  std::mt19937 rng(7);
  for (size_t i = 0; i < kCalls; ++i) {
    queries.push_back(i % 2 ? kQuery : "query " + std::to_string(i) + " on battery degradation");
    std::vector<std::string> d = docs;
    std::shuffle(d.begin(), d.end(), rng);
    d.resize(3 + i * 2);
    call_docs[i] = d;
    expected[i] = Reference(queries[i], d);
  }
  RerankerConfig c = Config();
  c.max_sequences = 6;
  auto sched = RerankScheduler::Open(testing::TinyModel("reranker"), c);
  ASSERT_TRUE(sched.ok()) << sched.status().ToString();
  std::vector<std::vector<double>> got(kCalls);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] { got[i] = Logits(sched->get(), queries[i], call_docs[i]); });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < kCalls; ++i) {
    for (size_t j = 0; j < call_docs[i].size(); ++j) EXPECT_EQ(got[i][j], expected[i][j]) << "call " << i << " doc " << j;
  }
}

}  // namespace
}  // namespace litrank

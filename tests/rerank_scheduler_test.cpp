// RerankScheduler on a tiny random-weight reranker: concurrent calls share decode
// rounds yet score exactly like a lone Reranker, a short call is not starved behind a
// long one, cancellation stops decoding, and a full queue refuses at once.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "litrank/corpus.h"
#include "litrank/rerank_scheduler.h"
#include "litrank/search.h"
#include "sync_util.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

RerankerConfig Config(uint32_t max_sequences = 0) {
  RerankerConfig c;
  c.threads = 2;
  c.cache_entries = 0;  // every pair goes through the engine
  c.max_sequences = max_sequences;
  return c;
}

std::unique_ptr<RerankScheduler> OpenScheduler(RerankerConfig c, SchedulerConfig s = {}) {
  auto r = RerankScheduler::Open(testing::TinyModel("reranker"), c, s);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r.value()) : nullptr;
}

std::vector<std::string> Docs(const std::string& topic, size_t n) {
  std::vector<std::string> d;
  for (size_t i = 0; i < n; ++i) {
    d.push_back("Abstract " + std::to_string(i) + " on " + topic + (i % 3 ? " with a longer tail of words" : ""));
  }
  return d;
}

std::vector<double> ByIndex(const RerankResult& r, size_t n) {
  std::vector<double> s(n, -1);
  for (const auto& d : r.results) s[d.index] = d.score;
  return s;
}

/// Spins (yielding) until a counter-based `pred` holds; a bound on a hang, never a race.
template <typename Pred>
bool WaitFor(Pred pred) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!pred() && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
  return pred();
}

TEST(RerankScheduler, ConcurrentCallsShareRoundsAndScoreLikeALoneReranker) {
  constexpr size_t kCalls = 12;  // more queries than the engine's prefix slots
  std::vector<std::string> queries;
  std::vector<std::vector<std::string>> docs;
  for (size_t i = 0; i < kCalls; ++i) {
    queries.push_back("query number " + std::to_string(i) + " about batteries");
    docs.push_back(Docs("topic " + std::to_string(i % 4), i == 0 ? 120 : 9));
  }
  auto lone = Reranker::Open(testing::TinyModel("reranker"), Config());
  ASSERT_TRUE(lone.ok());
  std::vector<std::vector<double>> expected(kCalls);
  for (size_t i = 0; i < kCalls; ++i) {
    RerankResult r;
    ASSERT_TRUE((*lone)->Rerank(queries[i], docs[i], {}, &r).ok());
    expected[i] = ByIndex(r, docs[i].size());
  }
  // The engine is held before its second round until every call has queued, so
  // rounds are shared whatever the threads' timing.
  testing::Gate gate(1);
  SchedulerConfig hold;
  hold.before_round = gate.Hook();
  auto sched = OpenScheduler(Config(6), hold);
  ASSERT_TRUE(sched);
  std::vector<std::vector<double>> got(kCalls);
  std::vector<Status> status(kCalls);
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    RerankResult r;
    status[0] = sched->Rerank(queries[0], docs[0], {}, &r);
    got[0] = ByIndex(r, docs[0].size());
  });
  ASSERT_TRUE(gate.Reached());  // the long call is under way
  for (size_t i = 1; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      RerankResult r;
      status[i] = sched->Rerank(queries[i], docs[i], {}, &r);
      got[i] = ByIndex(r, docs[i].size());
    });
  }
  EXPECT_TRUE(WaitFor([&] { return sched->stats().active_calls == kCalls; }));
  gate.Release();
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < kCalls; ++i) {
    ASSERT_TRUE(status[i].ok()) << status[i].ToString();
    for (size_t j = 0; j < docs[i].size(); ++j) EXPECT_NEAR(got[i][j], expected[i][j], 1e-3) << "call " << i << " doc " << j;
  }
  const SchedulerStats s = sched->stats();
  EXPECT_GT(s.mixed_rounds, 0u) << "no round held pairs of two calls";
  EXPECT_EQ(s.calls, kCalls);
  EXPECT_EQ(s.queued_pairs, 0u);
  size_t total = 0;
  for (const auto& d : docs) total += d.size();
  EXPECT_EQ(s.pairs, total);
}

TEST(RerankScheduler, ShortCallIsNotStarvedBehindALongOne) {
  // Held before round 2 (the long call under way) until the short call has queued,
  // and before round 3 until the test has looked: the short call's three pairs must
  // all be in round 2, ahead of the long call's 398 (fewest pairs left first).
  testing::Gate before_2(2), before_3(3);
  SchedulerConfig hold;
  hold.before_round = testing::Both(before_2.Hook(), before_3.Hook());
  auto sched = OpenScheduler(Config(4), hold);
  ASSERT_TRUE(sched);
  std::atomic<bool> long_done{false};
  std::thread long_call([&] {
    RerankResult r;
    EXPECT_TRUE(sched->Rerank("long query", Docs("long", 400), {}, &r).ok());
    long_done = true;
  });
  ASSERT_TRUE(before_2.Reached());
  Status short_status;
  RerankResult r;
  std::thread short_call([&] { short_status = sched->Rerank("short query", Docs("short", 3), {}, &r); });
  ASSERT_TRUE(WaitFor([&] { return sched->stats().active_calls == 2; }));
  before_2.Release();
  ASSERT_TRUE(before_3.Reached());  // round 2 is done and the engine is held again
  short_call.join();                // so the short call finished within round 2
  ASSERT_TRUE(short_status.ok()) << short_status.ToString();
  EXPECT_EQ(r.results.size(), 3u);
  EXPECT_EQ(sched->stats().rounds, 3u);
  EXPECT_EQ(sched->stats().pairs, 2u * 4u + 4u);  // rounds 0-1: 4 long pairs each; round 2: 3 short + 1 long
  EXPECT_FALSE(long_done.load());
  before_3.Release();
  long_call.join();
  EXPECT_TRUE(long_done.load());
}

TEST(RerankScheduler, CancelledCallStopsDecodingAndOthersGoOn) {
  std::atomic<bool> give_up{false};
  testing::Gate before_2(2);
  testing::Event returned;
  SchedulerConfig hold;
  // Before round 2 the caller gives up; the engine waits until its call has returned.
  hold.before_round = [&, gate = before_2.Hook()](uint64_t n) {
    if (n == 2) give_up = true;
    gate(n);
  };
  auto sched = OpenScheduler(Config(4), hold);
  ASSERT_TRUE(sched);
  RerankOptions o;
  o.cancelled = [&] { return give_up.load(); };
  Status st;
  std::thread t([&] {
    RerankResult r;
    st = sched->Rerank("query", Docs("cancel me", 400), o, &r);
    returned.Fire();
  });
  ASSERT_TRUE(before_2.Reached());
  ASSERT_TRUE(returned.Wait());
  before_2.Release();
  t.join();
  EXPECT_EQ(st.code(), Status::Code::kCancelled);
  RerankResult r;
  ASSERT_TRUE(sched->Rerank("next query", Docs("after", 5), {}, &r).ok());
  EXPECT_EQ(r.results.size(), 5u);
  const SchedulerStats s = sched->stats();
  EXPECT_EQ(s.pairs, 2u * 4u + 5u) << "pairs of the cancelled call were decoded after it gave up";
  EXPECT_EQ(s.cancelled, 1u);
  EXPECT_EQ(s.queued_pairs, 0u);
}

TEST(RerankScheduler, FullQueueRefusesAtOnceButAnEmptyQueueTakesABigCall) {
  testing::Gate before_1(1);  // the big call stays queued until the small one was refused
  SchedulerConfig limits;
  limits.max_queued_pairs = 50;
  limits.before_round = before_1.Hook();
  auto sched = OpenScheduler(Config(4), limits);
  ASSERT_TRUE(sched);
  std::thread big([&] {
    RerankResult r;
    EXPECT_TRUE(sched->Rerank("big", Docs("big", 200), {}, &r).ok());  // over the limit, but alone
  });
  ASSERT_TRUE(before_1.Reached());
  RerankResult r;
  const Status st = sched->Rerank("small", Docs("small", 10), {}, &r);
  EXPECT_EQ(st.code(), Status::Code::kResourceExhausted) << st.ToString();
  EXPECT_NE(st.message().find("queue is full"), std::string::npos);
  before_1.Release();
  big.join();
  EXPECT_EQ(sched->stats().rejected, 1u);
  EXPECT_TRUE(sched->Rerank("small", Docs("small", 10), {}, &r).ok());
}

TEST(RerankScheduler, CachedCallsNeedNoRoundAndBadInputFailsBeforeQueueing) {
  RerankerConfig c = Config();
  c.cache_entries = 1000;
  auto sched = OpenScheduler(c);
  ASSERT_TRUE(sched);
  RerankResult first, again;
  ASSERT_TRUE(sched->Rerank("q", Docs("cache", 6), {}, &first).ok());
  const uint64_t rounds = sched->stats().rounds;
  ASSERT_TRUE(sched->Rerank("q", Docs("cache", 6), {}, &again).ok());
  EXPECT_EQ(sched->stats().rounds, rounds);
  EXPECT_EQ(again.stats.cache_hits, 6u);
  EXPECT_EQ(again.stats.decoded_tokens, 0u);
  EXPECT_GT(first.stats.decoded_tokens, 0u);
  EXPECT_EQ(sched->Rerank("", Docs("x", 2), {}, &again).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(sched->Rerank("q", {}, {}, &again).code(), Status::Code::kInvalidArgument);
}

// A search whose caller gave up stops at its rerank stage (the server's disconnect path).
TEST(RerankScheduler, SearchPassesCancellationToTheRerankStage) {
  auto sched = OpenScheduler(Config());
  ASSERT_TRUE(sched);
  const std::string path = testing::TempDir() + "/cancel-search.db";
  std::remove(path.c_str());
  auto corpus = Corpus::Open(path);
  ASSERT_TRUE(corpus.ok());
  std::vector<Document> docs(20);
  for (size_t i = 0; i < docs.size(); ++i) docs[i].title = "battery paper " + std::to_string(i);
  ASSERT_TRUE((*corpus)->Add(docs, nullptr).ok());
  auto searcher = Searcher::Create(corpus->get(), sched.get(), nullptr);
  ASSERT_TRUE(searcher.ok());
  SearchOptions o;
  o.cancelled = [] { return true; };
  std::vector<SearchHit> hits;
  SearchReport report;
  EXPECT_EQ((*searcher)->Search("battery", o, &hits, &report).code(), Status::Code::kCancelled);
  EXPECT_EQ(sched->stats().pairs, 0u);
  o.cancelled = nullptr;
  ASSERT_TRUE((*searcher)->Search("battery", o, &hits, &report).ok());
  EXPECT_EQ(hits.size(), 10u);
}

}  // namespace
}  // namespace litrank

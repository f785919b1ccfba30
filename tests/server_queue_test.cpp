// `serve --queue`: the worker pool's jobs and workers in /metrics, its state in
// /health, and both still answering (saying so) when Redis is down.
#include <gtest/gtest.h>

#include <atomic>

#include "distributed/pool_jobs.h"
#include "distributed/worker.h"
#include "redis_fixture.h"
#include "server_fixture.h"

namespace litrank {
namespace {

TEST(ServerQueue, MetricsAndHealthReportThePool) {
  LITRANK_NEED_REDIS();
  testing::RedisServer redis("server-queue");
  ASSERT_TRUE(redis.Start());
  const std::string db = testing::TempDir() + "/server-queue.db";
  testing::MakeSampleCollection(db);
  {
    auto queue = WorkQueue::Open(redis.url());
    ASSERT_TRUE(queue.ok());
    auto corpus = Corpus::Open(db, false);
    ASSERT_TRUE(corpus.ok());
    ASSERT_TRUE(SubmitScoreJob(**queue, db, *(*corpus)->CollectionId(), "sim:0", "q", {"a", "b", "c", "d", "e"}, 2).ok());  // 3 tasks
    WorkerOptions o;
    o.db = db;
    o.redis_url = redis.url();
    o.name = "w\"1";  // a name that needs escaping as a label
    o.until_empty = true;
    o.block_ms = 10;
    std::atomic<bool> stop{false};
    WorkerReport report;
    ASSERT_TRUE(RunWorker(o, stop, &report).ok());
    ASSERT_EQ(report.tasks, 3);
  }
  server::ServerConfig config;
  config.db_path = db;
  config.queue_url = redis.url();
  testing::TestServer srv(config, /*with_models=*/false);
  auto cli = srv.client();
  auto metrics = cli.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("\nlitrank_queue_up 1\n"), std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("\nlitrank_queue_backlog 0\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("litrank_job_done{job=\"1\",kind=\"score\",state=\"done\"} 3\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("litrank_job_items{job=\"1\",kind=\"score\",state=\"done\"} 5\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("litrank_worker_tasks_total{worker=\"w\\\"1\"} 3\n"), std::string::npos);
  auto health = cli.Get("/health");
  ASSERT_TRUE(health);
  ASSERT_EQ(health->status, 200);
  auto h = nlohmann::json::parse(health->body);
  EXPECT_EQ(h["queue"]["ok"], true);
  EXPECT_EQ(h["queue"]["workers"], 1);
  EXPECT_EQ(h["queue"]["backlog"], 0);
  EXPECT_EQ(h["queue"]["url"], redis.url() + "/0");
  // Redis down: the server still answers, and says so.
  redis.Kill();
  metrics = cli.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("\nlitrank_queue_up 0\n"), std::string::npos);
  EXPECT_EQ(metrics->body.find("litrank_worker_tasks_total"), std::string::npos);
  health = cli.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  h = nlohmann::json::parse(health->body);
  EXPECT_EQ(h["queue"]["ok"], false);
  EXPECT_TRUE(h["queue"].contains("error"));
}

// The number after `name ` on its own line of a Prometheus text (-1 when absent).
double MetricValue(const std::string& text, const std::string& name) {
  const size_t at = text.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
}

TEST(ServerQueue, ReplicasShareOneScoreCache) {
  LITRANK_NEED_REDIS();
  testing::RedisServer redis("score-cache");
  ASSERT_TRUE(redis.Start());
  server::ServerConfig config;
  config.score_cache_url = redis.url();
  testing::TestServer a(config), b(config);  // two replicas, same model, same Redis
  const std::string body = R"({"query":"protein folding","documents":["alpha helix","beta sheet","gamma ray"]})";
  auto ca = a.client(), cb = b.client();
  const auto first = testing::PostJson(ca, "/v1/rerank", body);
  ASSERT_EQ(first.status, 200) << first.raw;
  const auto second = testing::PostJson(cb, "/v1/rerank", body);
  ASSERT_EQ(second.status, 200) << second.raw;
  // The same scores, and the second replica ran no model for them.
  EXPECT_EQ(first.body["results"], second.body["results"]);
  auto metrics_b = cb.Get("/metrics");
  ASSERT_TRUE(metrics_b);
  EXPECT_EQ(MetricValue(metrics_b->body, "litrank_shared_score_cache_hits_total"), 3);
  EXPECT_EQ(MetricValue(metrics_b->body, "litrank_rerank_decoded_tokens_total"), 0);
  auto metrics_a = ca.Get("/metrics");
  ASSERT_TRUE(metrics_a);
  EXPECT_EQ(MetricValue(metrics_a->body, "litrank_shared_score_cache_misses_total"), 3);
  EXPECT_GT(MetricValue(metrics_a->body, "litrank_rerank_decoded_tokens_total"), 0);
  // Redis down: reranking goes on (fails open), the lost lookups counted.
  redis.Kill();
  const auto third = testing::PostJson(cb, "/v1/rerank", R"({"query":"q2","documents":["x","y"]})");
  EXPECT_EQ(third.status, 200) << third.raw;
  metrics_b = cb.Get("/metrics");
  ASSERT_TRUE(metrics_b);
  EXPECT_GE(MetricValue(metrics_b->body, "litrank_shared_score_cache_errors_total"), 2);
}

TEST(ServerQueue, ABadRedisUrlStopsTheServerAtStartWithoutShowingIt) {
  server::ServerConfig config;
  config.host = "127.0.0.1";
  config.port = 0;
  config.score_cache_url = "redis://:hunter2@localhost:notaport";
  server::Server srv(config);
  ASSERT_TRUE(srv.Bind().ok());
  const Status st = srv.Run();
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.message().find("hunter2"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("port"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace litrank

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
    ASSERT_TRUE(SubmitScoreJob(**queue, db, "sim:0", "q", {"a", "b", "c", "d", "e"}, 2).ok());  // 3 tasks
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

}  // namespace
}  // namespace litrank

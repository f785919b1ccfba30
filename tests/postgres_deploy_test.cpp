// Collections in PostgreSQL as a deployment uses them: the CLI contract on a
// postgresql:// URL (ingest, embed, search, the pool's embed job), two server
// replicas on one database (an upload on one is found by the other; a database
// outage is a 503 with Retry-After, then served again), and a PostgreSQL crash
// in the middle of a pool job (every result present exactly once).
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <string>
#include <vector>

#include "distributed/pool_jobs.h"
#include "distributed/task_runner.h"
#include "distributed/work_queue.h"
#include "distributed/worker.h"
#include "litrank/corpus.h"
#include "litrank/embedder.h"
#include "postgres_fixture.h"
#include "redis_fixture.h"
#include "server_fixture.h"
#include "worker_fixture.h"
#include "store/sql.h"

namespace litrank {
namespace {

using testing::PostgresServer;
using testing::RedisServer;

TEST(PostgresDeploy, TheCliContractWorksOnAPostgresUrl) {
  LITRANK_NEED_POSTGRES();
  LITRANK_NEED_REDIS();
  PostgresServer pg("cli");
  ASSERT_TRUE(pg.Start());
  RedisServer redis("pg-cli");
  ASSERT_TRUE(redis.Start());
  const std::string url = pg.NewDatabase("cli");
  const std::string bin = LITRANK_BINARY;
  const std::string sample = std::string(LITRANK_SOURCE_DIR) + "/data/samples/papers.jsonl";
  auto ingest = testing::RunCommand(bin + " ingest --db " + url + " " + sample, true);
  ASSERT_EQ(ingest.exit_code, 0) << ingest.output;
  auto corpus = Corpus::Open(url, false);
  ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
  const int64_t docs = *(*corpus)->Count();
  EXPECT_GT(docs, 10);
  // The same file into a SQLite collection gives the same ranking.
  const std::string file = testing::TempDir() + "/pg-cli-twin.db";
  std::remove(file.c_str());
  ASSERT_EQ(testing::RunCommand(bin + " ingest --db " + file + " " + sample).exit_code, 0);
  const std::string query = " search -k 5 --format jsonl \"neural reranking of abstracts\"";
  auto on_pg = testing::RunCommand(bin + query + " --db " + url);
  auto on_file = testing::RunCommand(bin + query + " --db " + file);
  ASSERT_EQ(on_pg.exit_code, 0) << on_pg.output;
  EXPECT_FALSE(on_pg.output.empty());
  EXPECT_EQ(on_pg.output, on_file.output);
  // `embed --db URL --model M --queue redis://` on a one-worker pool prints the number embedded.
  const std::string model = testing::TinyModel("embedding");
  WorkerReport report;
  const testing::CommandResult embedded = testing::RunWithWorker(
      url, redis.url(), {bin + " embed --db " + url + " --model " + model + " --queue " + redis.url() + " --no-progress"},
      &report).front();
  ASSERT_EQ(embedded.exit_code, 0) << embedded.output;
  EXPECT_EQ(embedded.output, std::to_string(docs) + "\n");
  auto embedder = Embedder::Open(model);
  ASSERT_TRUE(embedder.ok());
  EXPECT_EQ(*(*corpus)->CountEmbeddings((*embedder)->fingerprint()), docs);
  // A URL with a password is never printed back.
  auto shown = testing::RunCommand(bin + " ingest --db postgresql://litrank:s3cret@127.0.0.1:" +
                                   url.substr(url.rfind(':') + 1, url.rfind('/') - url.rfind(':') - 1) + "/cli " + sample, true);
  EXPECT_EQ(shown.output.find("s3cret"), std::string::npos) << shown.output;
}

TEST(PostgresDeploy, ReplicasOnOneDatabaseSeeEachOthersUploadsAndRideOutAnOutage) {
  LITRANK_NEED_POSTGRES();
  PostgresServer pg("replicas");
  ASSERT_TRUE(pg.Start());
  server::ServerConfig config;
  config.db_path = pg.NewDatabase("replicas");
  testing::TestServer a(config, /*with_models=*/false), b(config, /*with_models=*/false);
  auto ca = a.client(), cb = b.client();
  const auto up = testing::PostJson(ca, "/v1/collections/default/documents",
                                    R"({"documents":[{"title":"Sodium-ion cathodes","abstract":"Layered oxides for grid storage.","year":2021},
                                                     {"title":"Perovskite stability","abstract":"Moisture and heat.","year":2022}]})");
  ASSERT_EQ(up.status, 201) << up.raw;
  const auto found = testing::PostJson(cb, "/v1/collections/default/search", R"({"query":"sodium cathodes","top_k":1,"rerank":false})");
  ASSERT_EQ(found.status, 200) << found.raw;
  ASSERT_EQ(found.body["results"].size(), 1u);
  EXPECT_EQ(found.body["results"][0]["title"], "Sodium-ion cathodes");
  // A second upload on b is found by a, whose index was built before it.
  ASSERT_EQ(testing::PostJson(cb, "/v1/collections/default/documents",
                              R"({"documents":[{"title":"Solid electrolytes","abstract":"Garnet LLZO.","year":2020}]})").status, 201);
  const auto later = testing::PostJson(ca, "/v1/collections/default/search", R"({"query":"garnet electrolytes","top_k":1,"rerank":false})");
  ASSERT_EQ(later.status, 200) << later.raw;
  EXPECT_EQ(later.body["results"][0]["title"], "Solid electrolytes");
  auto health = testing::GetJson(cb, "/health");
  EXPECT_EQ(health.body["database"]["ok"], true) << health.raw;
  EXPECT_EQ(health.body["database"]["url"].get<std::string>().rfind("postgresql://litrank@127.0.0.1:", 0), 0u);
  // The database down: 503 with Retry-After and a JSON body; /health says so.
  pg.Stop(SIGQUIT);
  const auto down = testing::PostJson(ca, "/v1/collections/default/search", R"({"query":"sodium","rerank":false})");
  EXPECT_EQ(down.status, 503) << down.raw;
  EXPECT_TRUE(down.body.contains("error")) << down.raw;
  auto raw = ca.Post("/v1/collections/default/search", R"({"query":"sodium","rerank":false})", "application/json");
  ASSERT_TRUE(raw);
  EXPECT_TRUE(raw->has_header("Retry-After"));
  health = testing::GetJson(cb, "/health");
  EXPECT_EQ(health.body["database"]["ok"], false) << health.raw;
  // Back up: served again, nothing lost.
  ASSERT_TRUE(pg.Start());
  const auto again = testing::PostJson(ca, "/v1/collections/default/search", R"({"query":"sodium cathodes","top_k":3,"rerank":false})");
  ASSERT_EQ(again.status, 200) << again.raw;
  EXPECT_EQ(again.body["results"][0]["title"], "Sodium-ion cathodes");
  auto corpus = Corpus::Open(config.db_path, false);
  ASSERT_TRUE(corpus.ok());
  EXPECT_EQ(*(*corpus)->Count(), 3);
}

TEST(PostgresDeploy, APostgresCrashMidJobLosesNothingAndCountsNothingTwice) {
  LITRANK_NEED_POSTGRES();
  LITRANK_NEED_REDIS();
  PostgresServer pg("crash");
  ASSERT_TRUE(pg.Start());
  RedisServer redis("pg-crash");
  ASSERT_TRUE(redis.Start());
  const std::string db = pg.NewDatabase("crash");
  std::string collection;
  {
    auto corpus = Corpus::Open(db);
    ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
    collection = *(*corpus)->CollectionId();
  }
  std::vector<std::string> texts;
  for (int i = 0; i < 40; ++i) texts.push_back("passage number " + std::to_string(i));
  int64_t job = 0;
  {
    auto queue = WorkQueue::Open(redis.url());
    ASSERT_TRUE(queue.ok());
    auto submitted = SubmitScoreJob(**queue, db, collection, "sim:0", "q", texts, 4);
    ASSERT_TRUE(submitted.ok()) << submitted.status().ToString();
    job = *submitted;
  }
  WorkerOptions o = testing::TestWorkerOptions(db, redis.url(), "survivor");
  o.claim_idle_ms = 1;  // the task that failed while the database was down is taken again at once
  std::atomic<int> started{0};
  bool restarted = false;
  int64_t retried = 0;
  o.on_task = [&](const QueuedTask& task) {
    if (task.attempt > 1) ++retried;
    const int n = ++started;
    if (n == 4) pg.Stop(SIGQUIT);          // the 4th task runs against a crashed database
    if (n == 5) restarted = pg.Start();    // and the database is back for the next one
  };
  std::atomic<bool> stop{false};
  WorkerReport report;
  ASSERT_TRUE(RunWorker(o, stop, &report).ok());
  ASSERT_TRUE(restarted);
  EXPECT_EQ(retried, 1);  // the task that met the crash, and only it, ran again
  EXPECT_EQ(report.failed, 0);
  auto queue = WorkQueue::Open(redis.url());
  ASSERT_TRUE(queue.ok());
  auto state = (*queue)->Get(job);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, "done");
  EXPECT_EQ(state->done, 10);
  EXPECT_EQ(state->items, 40);
  auto corpus = Corpus::Open(db, false);
  ASSERT_TRUE(corpus.ok());
  size_t present = 0;
  for (const std::string& t : texts) present += (*corpus)->GetScore(SimulatedScoreKey("q", t)).has_value();
  EXPECT_EQ(present, 40u);
  auto raw = sql::Db::Open(db, false);
  ASSERT_TRUE(raw.ok());
  sql::Stmt rows(*raw, "SELECT count(*) FROM score_cache");
  ASSERT_TRUE(rows.Step()) << rows.status().ToString();
  EXPECT_EQ(rows.Int(0), 40);  // each result once
}

}  // namespace
}  // namespace litrank

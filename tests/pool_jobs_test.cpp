// More long jobs on the worker pool: the screening prior scored by workers is
// bit-identical to the one scored in-process (batch-invariant engine), a second
// submission has nothing left to do, and a job for a changed prior model fails
// clearly rather than mixing two models' scores.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "distributed/pool_jobs.h"
#include "distributed/task_runner.h"
#include "distributed/work_queue.h"
#include "distributed/worker.h"
#include "litrank/corpus.h"
#include "litrank/reranker.h"
#include "litrank/screening.h"
#include "redis_fixture.h"
#include "store/sql.h"
#include "worker_fixture.h"

namespace litrank {
namespace {

using testing::RedisServer;

std::string Collection(const std::string& name) {
  const std::string path = testing::TempDir() + "/" + name + ".db";
  for (const char* s : {"", "-wal", "-shm"}) std::remove((path + s).c_str());
  auto corpus = Corpus::Open(path);
  EXPECT_TRUE(corpus.ok());
  std::vector<Document> docs;
  for (int i = 0; i < 20; ++i) {
    Document d;
    d.title = (i % 4 == 0 ? "Statin use and dementia in cohort " : "Soil carbon under tillage, plot ") + std::to_string(i);
    d.abstract = "Record " + std::to_string(i) + " of the screening set.";
    d.year = 2010 + i % 10;
    docs.push_back(d);
  }
  EXPECT_TRUE((*corpus)->Add(docs, nullptr).ok());
  return path;
}

ScreeningSettings Settings() {
  ScreeningSettings s;
  s.question = "statins and dementia";
  s.criteria = "Cohort studies of statin use and incident dementia";
  return s;
}

std::map<int64_t, double> Prior(const std::string& db) {
  auto raw = sql::Db::Open(db, false);
  EXPECT_TRUE(raw.ok());
  sql::Stmt stmt(*raw, "SELECT doc, score FROM screen_prior WHERE project = 'p' ORDER BY doc");
  std::map<int64_t, double> out;
  while (stmt.Step()) out[stmt.Int(0)] = stmt.Real(1);
  return out;
}

TEST(PoolJobsTest, TheScreeningPriorOnThePoolIsTheInProcessOne) {
  LITRANK_NEED_REDIS();
  RedisServer redis("screen-prior");
  ASSERT_TRUE(redis.Start());
  const std::string model = testing::TinyModel("reranker");
  // In-process, one batch.
  const std::string local = Collection("prior-local");
  {
    RerankerConfig config;
    config.batch_invariant = true;
    auto reranker = Reranker::Open(model, config);
    ASSERT_TRUE(reranker.ok());
    auto project = ScreeningProject::Create(local, "p", Settings(), nullptr);
    ASSERT_TRUE(project.ok());
    ASSERT_TRUE((*project)->ComputeRerankerPrior(**reranker, 64, {}, {}).ok());
  }
  const std::map<int64_t, double> want = Prior(local);
  ASSERT_EQ(want.size(), 20u);
  // On the pool, through the CLI, in tasks of 6 records.
  const std::string pooled = Collection("prior-pool");
  ASSERT_TRUE(ScreeningProject::Create(pooled, "p", Settings(), nullptr).ok());
  const std::string command = std::string(LITRANK_BINARY) + " screen prior --db " + pooled + " -p p -r " + model +
                              " --queue " + redis.url() + " --task-size 6 --no-progress";
  WorkerReport report;
  const std::vector<testing::CommandResult> runs = testing::RunWithWorker(pooled, redis.url(), {command, command}, &report);
  const testing::CommandResult& first = runs[0];
  const testing::CommandResult& again = runs[1];
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(first.output, "20\n");
  EXPECT_EQ(report.tasks, 4);  // 6 + 6 + 6 + 2
  EXPECT_EQ(Prior(pooled), want);  // bit-identical, whatever the tasks' cut
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(again.output, "0\n");
}

TEST(PoolJobsTest, APriorTaskForAModelTheProjectNoLongerUsesFails) {
  const std::string db = Collection("prior-changed");
  auto project = ScreeningProject::Create(db, "p", Settings(), nullptr);
  ASSERT_TRUE(project.ok());
  RerankerConfig config;
  config.batch_invariant = true;
  auto reranker = Reranker::Open(testing::TinyModel("reranker"), config);
  ASSERT_TRUE(reranker.ok());
  std::vector<int64_t> todo;
  ASSERT_TRUE((*project)->BeginRerankerPrior("another-model", &todo).ok());
  EXPECT_EQ(todo.size(), 20u);
  const Status st = (*project)->ScorePrior(**reranker, {1, 2}, {});
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("another model"), std::string::npos) << st.ToString();
  EXPECT_TRUE(Prior(db).empty());
  // Through a worker: the task fails for good, with that error.
  auto corpus = Corpus::Open(db, false);
  ASSERT_TRUE(corpus.ok());
  TaskRunner runner(corpus->get(), db, 1);
  int64_t items = 0;
  const std::string params = R"({"model":")" + testing::TinyModel("reranker") + R"(","project":"p"})";
  EXPECT_EQ(runner.Run("screen-prior", params, R"({"rowids":[1,2]})", &items).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(runner.Run("screen-prior", R"({"model":"m"})", R"({"rowids":[1]})", &items).code(),
            Status::Code::kInvalidArgument);  // no project
}

int64_t ScoreRows(const std::string& db) {
  auto raw = sql::Db::Open(db, false);
  EXPECT_TRUE(raw.ok());
  sql::Stmt stmt(*raw, "SELECT count(*) FROM score_cache");
  return stmt.Step() ? stmt.Int(0) : -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// assess --queue: every pair the assessment needs is scored once by the pool, the
// run itself then finds them all cached (a local run adds no score and prints the
// same assessment), and a second --queue run has nothing to send. review --queue
// does the same for its assessment.
TEST(PoolJobsTest, AssessAndReviewScoreTheirPairsOnThePool) {
  LITRANK_NEED_REDIS();
  RedisServer redis("assess-pool");
  ASSERT_TRUE(redis.Start());
  const std::string db = Collection("assess-pool");
  const std::string dir = testing::TempDir() + "/assess-pool";
  std::filesystem::create_directories(dir);
  const std::string base = std::string(LITRANK_BINARY) + " assess --db " + db + " -r " + testing::TinyModel("reranker") +
                           " --no-topics";
  const std::string pooled = base + " --queue " + redis.url() + " --task-size 8";
  WorkerReport report;
  const std::vector<testing::CommandResult> runs = testing::RunWithWorker(
      db, redis.url(), {pooled + " --json " + dir + "/pool.json", base + " --json " + dir + "/local.json", pooled}, &report);
  for (const testing::CommandResult& r : runs) ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_GT(report.tasks, 0);
  EXPECT_EQ(ScoreRows(db), report.items);  // each pair scored once, all by the pool
  EXPECT_EQ(ReadFile(dir + "/pool.json"), ReadFile(dir + "/local.json"));
  EXPECT_NE(ReadFile(dir + "/pool.json").find("\"criteria\""), std::string::npos);
  // review --queue: the same pairs (cached already), so the pool gets nothing more.
  const std::string review = std::string(LITRANK_BINARY) + " review --db " + db + " -r " + testing::TinyModel("reranker") +
                             " -o " + dir + "/review --quiet --queue " + redis.url();
  const int64_t tasks_before = report.tasks;
  WorkerReport second;
  const std::vector<testing::CommandResult> reviewed = testing::RunWithWorker(db, redis.url(), {review}, &second);
  ASSERT_EQ(reviewed[0].exit_code, 0) << reviewed[0].output;
  EXPECT_EQ(ScoreRows(db), report.items + second.items);
  EXPECT_TRUE(std::filesystem::exists(dir + "/review/report.html"));
  EXPECT_GE(tasks_before, 1);
  // --queue needs a stored collection and a reranker.
  const testing::CommandResult docs_only = testing::RunCommand(
      std::string(LITRANK_BINARY) + " assess --docs " + std::string(LITRANK_SOURCE_DIR) + "/data/samples/papers.jsonl -r " +
          testing::TinyModel("reranker") + " --queue " + redis.url(), true);
  EXPECT_NE(docs_only.exit_code, 0);
  EXPECT_NE(docs_only.output.find("stored collection"), std::string::npos) << docs_only.output;
}

// `worker` and `jobs` take the queue from $LITRANK_QUEUE when --queue is not given.
TEST(PoolJobsTest, JobsReadsTheQueueFromTheEnvironment) {
  LITRANK_NEED_REDIS();
  RedisServer redis("queue-env");
  ASSERT_TRUE(redis.Start());
  const testing::CommandResult listed =
      testing::RunCommand("LITRANK_QUEUE=" + redis.url() + " " + std::string(LITRANK_BINARY) + " jobs --json", true);
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find("\"jobs\""), std::string::npos) << listed.output;
  const testing::CommandResult missing =
      testing::RunCommand("env -u LITRANK_QUEUE " + std::string(LITRANK_BINARY) + " jobs", true);
  EXPECT_EQ(missing.exit_code, 2) << missing.output;  // a usage error: no queue named anywhere
  EXPECT_NE(missing.output.find("--queue"), std::string::npos) << missing.output;
}

}  // namespace
}  // namespace litrank

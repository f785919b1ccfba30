// The Redis Streams worker pool against a real redis-server: every task done and
// counted once, a killed worker's task taken over, a Redis restart ridden out,
// cancellation, tasks that fail for good, and the embed job end to end.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "distributed/pool_jobs.h"
#include "distributed/redis.h"
#include "distributed/task_runner.h"
#include "distributed/work_queue.h"
#include "distributed/worker.h"
#include "litrank/corpus.h"
#include "litrank/embedder.h"
#include "redis_fixture.h"
#include "worker_fixture.h"

#include <nlohmann/json.hpp>

namespace litrank {
namespace {

using testing::RedisServer;
using testing::TempDir;

std::string NewCollection(const std::string& name) {
  const std::string path = TempDir() + "/" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  auto corpus = Corpus::Open(path);
  EXPECT_TRUE(corpus.ok()) << corpus.status().ToString();
  return path;
}

// The collection's id, which jobs for it carry.
std::string CollectionOf(const std::string& db) {
  auto corpus = Corpus::Open(db, false);
  EXPECT_TRUE(corpus.ok());
  auto id = (*corpus)->CollectionId();
  EXPECT_TRUE(id.ok());
  return id.ok() ? *id : "";
}

std::vector<std::string> Texts(size_t n) {
  std::vector<std::string> texts;
  for (size_t i = 0; i < n; ++i) texts.push_back("passage number " + std::to_string(i));
  return texts;
}

// How many of the pairs have a score in the collection's cache.
size_t ScoresPresent(const std::string& db, const std::string& query, const std::vector<std::string>& texts) {
  auto corpus = Corpus::Open(db, false);
  EXPECT_TRUE(corpus.ok());
  size_t n = 0;
  for (const std::string& t : texts) n += (*corpus)->GetScore(SimulatedScoreKey(query, t)).has_value();
  return n;
}

WorkerOptions Options(const std::string& db, const RedisServer& redis, const std::string& name) {
  return testing::TestWorkerOptions(db, redis.url(), name);
}

testing::CommandResult RunWithWorker(const std::string& db, const RedisServer& redis, const std::string& command,
                                     WorkerReport* report) {
  return testing::RunWithWorker(db, redis.url(), {command}, report).front();
}

TEST(RedisUrlTest, ReadsHostPortPasswordAndDatabase) {
  auto u = ParseRedisUrl("redis://:s3cret@db.example:6390/2");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->host, "db.example");
  EXPECT_EQ(u->port, 6390);
  EXPECT_EQ(u->password, "s3cret");
  EXPECT_EQ(u->db, 2);
  auto acl = ParseRedisUrl("redis://alice:pw@h");
  ASSERT_TRUE(acl.ok());
  EXPECT_EQ(acl->user, "alice");
  EXPECT_EQ(acl->port, 6379);
  // Logs and /health never show the credentials.
  EXPECT_EQ(RedactedRedisUrl("redis://alice:pw@h:7000/3"), "redis://h:7000/3");
  EXPECT_EQ(RedactedRedisUrl("nonsense"), "(invalid Redis URL)");
  for (const char* bad : {"http://h:1", "redis://h:0", "redis://h:99999", "redis://h:12ab", "redis://h/x", "rediss://h"}) {
    EXPECT_FALSE(ParseRedisUrl(bad).ok()) << bad;
  }
}

TEST(WorkQueueTest, TwoWorkersDoEveryTaskOnceAndCreditTheirWork) {
  LITRANK_NEED_REDIS();
  RedisServer redis("pool");
  ASSERT_TRUE(redis.Start());
  const std::string db = NewCollection("pool");
  auto queue = WorkQueue::Open(redis.url());
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  const std::vector<std::string> texts = Texts(200);
  auto job = SubmitScoreJob(**queue, db, CollectionOf(db), "sim:0", "q", texts, 7);  // 29 tasks: 28 of 7, one of 4
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  std::atomic<bool> stop{false};
  WorkerReport a, b;
  Status sa, sb;
  std::thread ta([&] { sa = RunWorker(Options(db, redis, "a"), stop, &a); });
  std::thread tb([&] { sb = RunWorker(Options(db, redis, "b"), stop, &b); });
  ta.join();
  tb.join();
  ASSERT_TRUE(sa.ok()) << sa.ToString();
  ASSERT_TRUE(sb.ok()) << sb.ToString();
  EXPECT_EQ(a.tasks + b.tasks, 29);
  EXPECT_EQ(a.items + b.items, 200);
  auto state = (*queue)->Get(*job);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, "done");
  EXPECT_EQ(state->tasks, 29);
  EXPECT_EQ(state->done, 29);
  EXPECT_EQ(state->items, 200);
  EXPECT_EQ(ScoresPresent(db, "q", texts), 200u);
  std::vector<WorkerStats> workers;
  ASSERT_TRUE((*queue)->Workers(&workers).ok());
  int64_t credited = 0;
  for (const WorkerStats& w : workers) credited += w.tasks;
  EXPECT_EQ(credited, 29);
  EXPECT_EQ(*(*queue)->Backlog(), 0);  // acknowledged and deleted
}

TEST(WorkQueueTest, ATaskFinishedTwiceIsCountedOnce) {
  LITRANK_NEED_REDIS();
  RedisServer redis("twice");
  ASSERT_TRUE(redis.Start());
  auto queue = WorkQueue::Open(redis.url());
  ASSERT_TRUE(queue.ok());
  auto job = (*queue)->Submit("score", "db", "{}", {"{}"});
  ASSERT_TRUE(job.ok());
  std::optional<QueuedTask> task;
  ASSERT_TRUE((*queue)->Next("slow", 60000, 0, &task).ok());
  ASSERT_TRUE(task.has_value());
  EXPECT_EQ(task->attempt, 1);
  // Another worker takes it over (visibility 0) while the first is still at it.
  std::optional<QueuedTask> again;
  ASSERT_TRUE((*queue)->Next("fast", 0, 0, &again).ok());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->message_id, task->message_id);
  EXPECT_EQ(again->attempt, 2);
  ASSERT_TRUE((*queue)->Complete(*again, 5, "fast", 10).ok());
  ASSERT_TRUE((*queue)->Complete(*task, 5, "slow", 10).ok());  // the slow one finishes too
  ASSERT_TRUE((*queue)->Fail(*task, "late error").ok());       // and a failure after the fact changes nothing
  auto state = (*queue)->Get(*job);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, "done");
  EXPECT_EQ(state->done, 1);
  EXPECT_EQ(state->failed, 0);
  EXPECT_EQ(state->items, 5);
  // The other order: one worker gives up on a task (failed for good) while the one
  // running it finishes after all: done, and the failure forgotten.
  auto second = (*queue)->Submit("score", "db", "{}", {"{}", "{}"});
  ASSERT_TRUE(second.ok());
  std::optional<QueuedTask> t0, t1;
  ASSERT_TRUE((*queue)->Next("runner", 60000, 0, &t0).ok());
  ASSERT_TRUE((*queue)->Next("runner", 60000, 0, &t1).ok());
  ASSERT_TRUE(t0 && t1);
  ASSERT_TRUE((*queue)->Fail(*t0, "gave up").ok());
  auto midway = (*queue)->Get(*second);
  ASSERT_TRUE(midway.ok());
  EXPECT_EQ(midway->state, "running");  // task 1 is still out
  EXPECT_EQ(midway->failed, 1);
  ASSERT_TRUE((*queue)->Complete(*t0, 2, "runner", 10).ok());
  ASSERT_TRUE((*queue)->Complete(*t1, 3, "runner", 10).ok());
  state = (*queue)->Get(*second);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, "done");
  EXPECT_EQ(state->done, 2);
  EXPECT_EQ(state->failed, 0);
  EXPECT_EQ(state->items, 5);
  // Cancelling a finished job changes nothing.
  ASSERT_TRUE((*queue)->Cancel(*second).ok());
  EXPECT_EQ((*queue)->Get(*second)->state, "done");
  std::vector<WorkerStats> workers;
  ASSERT_TRUE((*queue)->Workers(&workers).ok());
  for (const WorkerStats& w : workers) {
    EXPECT_EQ(w.tasks, w.name == "fast" ? 1 : w.name == "runner" ? 2 : 0) << w.name;  // "slow" was never credited
  }
}

TEST(WorkQueueTest, AKilledWorkersTaskIsTakenOverAndDoneOnce) {
  LITRANK_NEED_REDIS();
  RedisServer redis("kill");
  ASSERT_TRUE(redis.Start());
  const std::string db = NewCollection("kill");
  auto queue = WorkQueue::Open(redis.url());
  ASSERT_TRUE(queue.ok());
  const std::vector<std::string> texts = Texts(25);
  auto job = SubmitScoreJob(**queue, db, CollectionOf(db), "sim:0", "q", texts, 5);
  ASSERT_TRUE(job.ok());
  // A worker process that takes a task, says so on a list, and hangs there.
  setenv("LITRANK_TEST_WORKER_HANG", "test:hung", 1);
  testing::ChildProcess victim({LITRANK_BINARY, "worker", "--db", db, "--queue", redis.url(), "--name", "victim"},
                               TempDir() + "/victim.log");
  unsetenv("LITRANK_TEST_WORKER_HANG");
  auto hung = (*queue)->redis().Command({"BLPOP", "test:hung", "60"});
  ASSERT_TRUE(hung.ok());
  ASSERT_EQ(hung->elements.size(), 2u) << "the worker never took a task";
  const std::string hung_task = hung->elements[1].str;
  victim.Signal(SIGKILL);
  // A second worker takes over what the dead one held once it has been idle 1 ms.
  WorkerOptions o = Options(db, redis, "rescuer");
  o.claim_idle_ms = 1;
  std::atomic<bool> stop{false};
  WorkerReport report;
  ASSERT_TRUE(RunWorker(o, stop, &report).ok());
  EXPECT_EQ(report.tasks, 5);
  auto state = (*queue)->Get(*job);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, "done");
  EXPECT_EQ(state->done, 5);
  EXPECT_EQ(state->items, 25);
  EXPECT_EQ(ScoresPresent(db, "q", texts), 25u);
  auto attempts = (*queue)->redis().Command({"HGET", "litrank:job:" + std::to_string(*job) + ":attempts", hung_task});
  ASSERT_TRUE(attempts.ok());
  EXPECT_EQ(attempts->str, "2");  // delivered to the victim, then to the rescuer
}

TEST(WorkQueueTest, ARedisRestartMidJobLosesNothing) {
  LITRANK_NEED_REDIS();
  RedisServer redis("restart");
  ASSERT_TRUE(redis.Start());
  const std::string db = NewCollection("restart");
  const std::vector<std::string> texts = Texts(40);
  int64_t job = 0;
  {
    auto queue = WorkQueue::Open(redis.url());
    ASSERT_TRUE(queue.ok());
    auto submitted = SubmitScoreJob(**queue, db, CollectionOf(db), "sim:0", "q", texts, 4);
    ASSERT_TRUE(submitted.ok());
    job = *submitted;
  }
  WorkerOptions o = Options(db, redis, "survivor");
  o.claim_idle_ms = 1;  // its own task, pending across the restart, is taken again
  std::atomic<int> started{0};
  bool restarted = false;
  o.on_task = [&](const QueuedTask&) {
    if (++started == 4 && !restarted) {  // crash Redis while the 4th task is in hand
      redis.Kill();
      restarted = redis.Start();
    }
  };
  std::atomic<bool> stop{false};
  WorkerReport report;
  ASSERT_TRUE(RunWorker(o, stop, &report).ok());
  ASSERT_TRUE(restarted);
  EXPECT_GE(report.reconnects, 1);
  auto queue = WorkQueue::Open(redis.url());
  ASSERT_TRUE(queue.ok());
  auto state = (*queue)->Get(job);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, "done");
  EXPECT_EQ(state->done, 10);
  EXPECT_EQ(state->items, 40);
  EXPECT_EQ(ScoresPresent(db, "q", texts), 40u);
}

TEST(WorkQueueTest, ACancelledJobsTasksAreAcknowledgedUnrun) {
  LITRANK_NEED_REDIS();
  RedisServer redis("cancel");
  ASSERT_TRUE(redis.Start());
  const std::string db = NewCollection("cancel");
  auto queue = WorkQueue::Open(redis.url());
  ASSERT_TRUE(queue.ok());
  const std::vector<std::string> texts = Texts(12);
  auto job = SubmitScoreJob(**queue, db, CollectionOf(db), "sim:0", "q", texts, 3);
  ASSERT_TRUE(job.ok());
  ASSERT_TRUE((*queue)->Cancel(*job).ok());
  EXPECT_FALSE((*queue)->Cancel(*job + 100).ok());  // unknown job: NotFound
  std::atomic<bool> stop{false};
  WorkerReport report;
  ASSERT_TRUE(RunWorker(Options(db, redis, "w"), stop, &report).ok());
  EXPECT_EQ(report.tasks, 0);
  EXPECT_EQ(report.skipped, 4);
  EXPECT_EQ(ScoresPresent(db, "q", texts), 0u);
  auto state = (*queue)->Get(*job);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, "cancelled");
  EXPECT_TRUE(state->finished());
}

TEST(WorkQueueTest, BadTasksFailForGoodWithTheirErrorAndTheRestIsDone) {
  LITRANK_NEED_REDIS();
  RedisServer redis("bad");
  ASSERT_TRUE(redis.Start());
  const std::string db = NewCollection("bad");
  auto queue = WorkQueue::Open(redis.url());
  ASSERT_TRUE(queue.ok());
  auto job = (*queue)->Submit("score", db, R"({"model":"sim:0"})",
                              {R"({"query":"q","texts":["fine"]})", R"({"query":"q","texts":[1,2]})", "not json",
                               std::string(1, '\0')});
  ASSERT_TRUE(job.ok());
  auto unknown = (*queue)->Submit("teleport", db, "{}", {"{}"});
  ASSERT_TRUE(unknown.ok());
  // A field of the wrong type, and a job for another collection on the same queue.
  auto typed = (*queue)->Submit("embed", db, R"({"model":"m.gguf","fingerprint":5})", {R"({"rowids":[1]})"});
  ASSERT_TRUE(typed.ok());
  auto elsewhere = SubmitScoreJob(**queue, db, "0123456789abcdef0123456789abcdef", "sim:0", "q", {"x"}, 1);
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_FALSE((*queue)->Submit("score", db, "{}", {}).ok());  // a job of no task
  std::atomic<bool> stop{false};
  WorkerReport report;
  ASSERT_TRUE(RunWorker(Options(db, redis, "w"), stop, &report).ok());
  EXPECT_EQ(report.tasks, 1);
  EXPECT_EQ(report.failed, 6);
  auto state = (*queue)->Get(*job);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, "failed");
  EXPECT_EQ(state->done, 1);
  EXPECT_EQ(state->failed, 3);
  ASSERT_EQ(state->errors.size(), 3u);
  std::string all;
  for (const std::string& e : state->errors) all += e + "\n";
  EXPECT_NE(all.find("texts must be strings"), std::string::npos) << all;
  EXPECT_NE(all.find("not a JSON object"), std::string::npos) << all;
  auto other = (*queue)->Get(*unknown);
  ASSERT_TRUE(other.ok());
  ASSERT_EQ(other->errors.size(), 1u);
  EXPECT_NE(other->errors[0].find("unknown job kind 'teleport'"), std::string::npos);
  auto typed_state = (*queue)->Get(*typed);
  ASSERT_TRUE(typed_state.ok());
  ASSERT_EQ(typed_state->errors.size(), 1u);
  EXPECT_EQ(typed_state->state, "failed");
  auto elsewhere_state = (*queue)->Get(*elsewhere);
  ASSERT_TRUE(elsewhere_state.ok());
  ASSERT_EQ(elsewhere_state->errors.size(), 1u);
  EXPECT_NE(elsewhere_state->errors[0].find("another collection"), std::string::npos) << elsewhere_state->errors[0];
  EXPECT_EQ(ScoresPresent(db, "q", {"x"}), 0u);
  EXPECT_EQ(ScoresPresent(db, "q", {"fine"}), 1u);
}

TEST(WorkQueueTest, EmbedOnThePoolMatchesEmbeddingInProcess) {
  LITRANK_NEED_REDIS();
  RedisServer redis("embed");
  ASSERT_TRUE(redis.Start());
  const std::string db = NewCollection("embed-pool");
  {
    auto corpus = Corpus::Open(db, false);
    ASSERT_TRUE(corpus.ok());
    std::vector<Document> docs(30);
    for (size_t i = 0; i < docs.size(); ++i) {
      docs[i].title = "paper " + std::to_string(i);
      docs[i].abstract = "about topic " + std::to_string(i * 7);
    }
    for (size_t w = 0; w < 600; ++w) docs[3].abstract += " word" + std::to_string(w);  // 603 words: 8 windows
    ASSERT_TRUE((*corpus)->Add(docs, nullptr).ok());
  }
  const std::string db_arg = "--db=" + db;
  const std::string model = testing::TinyModel("embedding");
  WorkerReport report;
  const testing::CommandResult r = RunWithWorker(db, redis, std::string(LITRANK_BINARY) + " embed " + db_arg + " -m " +
                                                 model + " --queue " + redis.url() + " --task-size 8 --no-progress", &report);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "30\n");
  EXPECT_EQ(report.tasks, 4);  // 8 + 8 + 8 + 6
  auto corpus = Corpus::Open(db, false);
  ASSERT_TRUE(corpus.ok());
  auto embedder = Embedder::Open(model);
  ASSERT_TRUE(embedder.ok());
  EXPECT_EQ(*(*corpus)->CountEmbeddings((*embedder)->fingerprint()), 30);
  size_t windows = 0;
  ASSERT_TRUE((*corpus)
                  ->ScanPassageEmbeddings((*embedder)->fingerprint(),
                                          [&](const StoredPassage& p, const float*, uint32_t) { windows += p.rowid == 4; })
                  .ok());
  EXPECT_EQ(windows, 8u);  // the long document's windows, embedded by the pool too (starts 0 .. 525)
  // Nothing left to do: a second submission embeds nothing and makes no job.
  const testing::CommandResult again = testing::RunCommand(std::string(LITRANK_BINARY) + " embed " + db_arg + " -m " +
                                                           model + " --queue " + redis.url() + " --no-progress");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(again.output, "0\n");
}

TEST(WorkQueueTest, ExtractOnThePoolGivesTheAnswersOfALocalRun) {
  LITRANK_NEED_REDIS();
  RedisServer redis("extract");
  ASSERT_TRUE(redis.Start());
  const std::string db = NewCollection("extract-pool");
  {
    auto corpus = Corpus::Open(db, false);
    ASSERT_TRUE(corpus.ok());
    std::vector<Document> docs(5);
    for (size_t i = 0; i < docs.size(); ++i) {
      docs[i].title = "Study " + std::to_string(i);
      docs[i].abstract = "We measured effect " + std::to_string(i * 13) + " in a cohort of mice.";
    }
    ASSERT_TRUE((*corpus)->Add(docs, nullptr).ok());
  }
  const std::string model = testing::TinyModel("generator");
  // Two documents decoded together in both runs (--parallel 2, tasks of 2), so the
  // pool's batches are the local run's batches.
  const std::string common =
      std::string(LITRANK_BINARY) + " extract --db=" + db + " -m " + model + " --max-tokens 48 --parallel 2";
  // The reference: the same model and options in this process, nothing stored.
  const testing::CommandResult local = testing::RunCommand(common + " --no-store");
  ASSERT_EQ(local.exit_code, 0) << local.output;
  WorkerReport report;
  const testing::CommandResult pooled = RunWithWorker(db, redis, common + " --queue " + redis.url() + " --task-size 2", &report);
  ASSERT_EQ(pooled.exit_code, 0) << pooled.output;
  EXPECT_EQ(report.tasks, 3);  // 2 + 2 + 1
  EXPECT_EQ(report.items, 5);
  std::vector<std::string> a, b;
  for (const auto& [text, out] : {std::pair{&local.output, &a}, std::pair{&pooled.output, &b}}) {
    std::stringstream lines(*text);
    for (std::string line; std::getline(lines, line);) {
      const auto j = nlohmann::json::parse(line);
      out->push_back(std::to_string(j["index"].get<int>()) + " " + j["extraction"].dump());
      if (out == &b) {
        EXPECT_TRUE(j["stored"].get<bool>()) << line;  // printed from the collection
      }
    }
  }
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace litrank

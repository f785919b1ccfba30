// `litrank bench workers`: how a scoring job scales over worker processes on a
// Redis Streams queue (distributed/). A redis-server is started on a loopback
// port; for each pool size, that many `litrank worker` processes register, then a
// job of `--pairs` (query, text) pairs in tasks of `--task-size` is submitted and
// timed from submission to its last recorded task (Redis's record, not polling).
//   - simulated engine ("sim:MICROS", a fixed latency per pair, no model): the
//     coordination overhead of the pool, up to 16 workers on any machine;
//   - the tiny random reranker (real model time): 1 and 2 workers, one thread each,
//     after a one-pair warm-up task per worker (so the model load is not timed).
// Then the queue -> result latency of one-pair jobs on an idle worker (p50/p99).
// Prints a table and writes JSON under bench/results/.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "store/sql.h"
#include "bench_support.h"
#include "cli/cli_common.h"
#include "distributed/pool_jobs.h"
#include "distributed/redis.h"
#include "distributed/work_queue.h"
#include "litrank/corpus.h"
#include "litrank/synth.h"

extern char** environ;

namespace litrank::cli {
namespace {

struct WorkersBenchArgs {
  std::string work_dir = ".cache/bench-workers", out_dir = "bench/results", redis_server = "/usr/bin/redis-server";
  size_t pairs = 20000, real_pairs = 8000, task_size = 25, real_task_size = 100, latency_runs = 300;
  int64_t latency_us = 1000;
  std::vector<int> workers = {1, 2, 4, 8, 16};
  std::string model;  ///< reranker for the real-model rows ("" = the tiny synthetic one)
  std::string db;     ///< collection the workers write to ("" = a scratch SQLite file)
};

pid_t Spawn(const std::vector<std::string>& argv, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

void Stop(std::vector<pid_t>* pids) {
  for (pid_t p : *pids) {
    if (p > 0) kill(p, SIGTERM);  // never kill(-1): a failed spawn is -1
  }
  for (pid_t p : *pids) {
    if (p > 0) waitpid(p, nullptr, 0);
  }
  pids->clear();
}

// Processes stopped (SIGTERM, then reaped) when it goes out of scope, on every return path.
struct ProcessGroup {
  std::vector<pid_t> pids;
  ~ProcessGroup() { Stop(&pids); }
};

std::string Self() {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/self/exe", ec).string();
}

// Starts `n` workers on `prefix` and waits until each has registered.
Status StartWorkers(WorkQueue& queue, const std::string& url, const std::string& prefix, const std::string& db,
                    int n, const std::string& log, std::vector<pid_t>* pids) {
  for (int i = 0; i < n; ++i) {
    const pid_t pid = Spawn({Self(), "worker", "--db", db, "--queue", url, "--prefix", prefix, "--name",
                             prefix + "-w" + std::to_string(i), "--threads", "1", "--quiet"}, log);
    if (pid < 0) return Status::Internal("could not start a worker process");
    pids->push_back(pid);
  }
  for (int tries = 0; tries < 3000; ++tries) {  // up to 30 s
    std::vector<WorkerStats> workers;
    LITRANK_RETURN_IF_ERROR(queue.Workers(&workers));
    if (static_cast<int>(workers.size()) >= n) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Status::Internal("workers did not register within 30 s (see " + log + ")");
}

struct Row {
  std::string engine;
  int workers = 0;
  size_t pairs = 0, tasks = 0;
  double seconds = 0, pairs_per_s = 0, speedup = 0, ideal_s = 0, overhead_ms_per_task = 0;
};

int Run(const WorkersBenchArgs& a) {
  namespace fs = std::filesystem;
  fs::create_directories(a.work_dir);
  const std::string work = fs::absolute(a.work_dir).string();
  const std::string log = work + "/workers.log";
  const int port = 20000 + static_cast<int>(getpid() % 20000);
  const std::string url = "redis://127.0.0.1:" + std::to_string(port);
  ProcessGroup redis;
  redis.pids = {Spawn({a.redis_server, "--port", std::to_string(port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no", "--dir", work}, work + "/redis.log")};
  if (redis.pids[0] < 0) return Fail(Status::NotFound("cannot start " + a.redis_server + " (apt install redis-server)"));
  std::unique_ptr<WorkQueue> probe;
  for (int tries = 0; tries < 500 && !probe; ++tries) {
    auto q = WorkQueue::Open(url, "bench-probe");
    if (q.ok()) probe = std::move(*q);
    else std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!probe) {
    return Fail(Status::Unavailable("redis-server did not come up on " + url));
  }
  const std::string db = a.db.empty() ? work + "/scores.db" : a.db;
  if (a.db.empty()) {
    for (const char* s : {"", "-wal", "-shm"}) fs::remove(db + s);
  }
  std::string collection;
  {
    auto corpus = Corpus::Open(db);
    if (!corpus.ok()) return Fail(corpus.status());
    auto id = (*corpus)->CollectionId();
    if (!id.ok()) return Fail(id.status());
    collection = *id;
  }
  std::string reranker = a.model;
  if (reranker.empty()) {
    reranker = work + "/tiny-reranker.gguf";
    SynthOptions so;
    so.kind = "reranker";
    if (Status st = WriteSynthModel(so, reranker); !st.ok()) return Fail(st);
  }
  std::vector<Row> rows;
  int run = 0;
  auto measure = [&](const std::string& engine, const std::string& model, int n, size_t pairs, size_t task_size,
                     double per_pair_s) -> Status {
    const std::string prefix = "bench-" + std::to_string(++run);
    auto queue = WorkQueue::Open(url, prefix);
    if (!queue.ok()) return queue.status();
    ProcessGroup workers;
    std::vector<pid_t>& pids = workers.pids;
    Status st = StartWorkers(**queue, url, prefix, db, n, log, &pids);
    if (!st.ok()) {
      Stop(&pids);
      return st;
    }
    if (model.rfind("sim:", 0) != 0) {
      // Warm-up: one one-pair task per worker, so each has loaded the model before
      // the timed job (steady-state throughput, not load time).
      std::vector<std::string> warm;
      for (int i = 0; i < n; ++i) warm.push_back("warm-up " + std::to_string(run) + " " + std::to_string(i));
      auto job = SubmitScoreJob(**queue, db, collection, model, "bench query", warm, 1);
      auto state = job.ok() ? WaitForJob(**queue, *job, 5) : StatusOr<JobState>(job.status());
      if (!state.ok()) return state.status();
    }
    std::vector<std::string> texts;
    for (size_t i = 0; i < pairs; ++i) texts.push_back("run " + std::to_string(run) + " passage " + std::to_string(i));
    auto job = SubmitScoreJob(**queue, db, collection, model, "bench query", texts, task_size);
    if (!job.ok()) {
      Stop(&pids);
      return job.status();
    }
    auto state = WaitForJob(**queue, *job, 5);
    Stop(&pids);
    if (!state.ok()) return state.status();
    if (state->state != "done") return Status::Internal("bench job ended " + state->state);
    Row r;
    r.engine = engine;
    r.workers = n;
    r.pairs = pairs;
    r.tasks = static_cast<size_t>(state->tasks);
    r.seconds = static_cast<double>(state->finished_us - state->created_us) / 1e6;
    r.pairs_per_s = static_cast<double>(pairs) / r.seconds;
    r.ideal_s = per_pair_s * static_cast<double>(pairs) / n;
    if (per_pair_s > 0) {
      r.overhead_ms_per_task = (r.seconds - r.ideal_s) * n * 1000.0 / static_cast<double>(r.tasks);
    }
    for (const Row& base : rows) {
      if (base.engine == engine && base.workers == 1) r.speedup = r.pairs_per_s / base.pairs_per_s;
    }
    if (n == 1) r.speedup = 1;
    std::fprintf(stderr, "  %s, %d workers: %.2f s, %.0f pairs/s\n", engine.c_str(), n, r.seconds, r.pairs_per_s);
    rows.push_back(r);
    return Status::Ok();
  };
  Status st;
  const std::string sim = "sim:" + std::to_string(a.latency_us);
  for (int n : a.workers) {
    if (st.ok()) st = measure("simulated " + std::to_string(a.latency_us) + " us/pair", sim, n, a.pairs, a.task_size, a.latency_us / 1e6);
  }
  for (int n : {1, 2}) {
    if (st.ok()) st = measure("tiny reranker (1 thread each)", reranker, n, a.real_pairs, a.real_task_size, 0);
  }
  // Queue -> result latency: one-pair jobs, one at a time, on an idle worker.
  std::vector<double> latency_ms;
  if (st.ok()) {
    const std::string prefix = "bench-latency";
    auto queue = WorkQueue::Open(url, prefix);
    ProcessGroup workers;
    std::vector<pid_t>& pids = workers.pids;
    st = queue.ok() ? StartWorkers(**queue, url, prefix, db, 1, log, &pids) : queue.status();
    for (size_t i = 0; st.ok() && i < a.latency_runs; ++i) {
      auto job = SubmitScoreJob(**queue, db, collection, "sim:0", "latency", {"one " + std::to_string(i)}, 1);
      if (!job.ok()) { st = job.status(); break; }
      auto state = WaitForJob(**queue, *job, 1);
      if (!state.ok()) { st = state.status(); break; }
      latency_ms.push_back(static_cast<double>(state->finished_us - state->created_us) / 1000.0);
    }
    Stop(&pids);
  }
  Stop(&redis.pids);
  if (!st.ok()) return Fail(st);

  std::printf("\n%-32s %7s %7s %6s %9s %10s %8s %8s %14s\n", "engine", "workers", "pairs", "tasks", "seconds",
              "pairs/s", "speedup", "ideal s", "overhead/task");
  nlohmann::json records = nlohmann::json::array();
  for (const Row& r : rows) {
    std::printf("%-32s %7d %7zu %6zu %9.2f %10.0f %7.2fx %8.2f %11.2f ms\n", r.engine.c_str(), r.workers, r.pairs,
                r.tasks, r.seconds, r.pairs_per_s, r.speedup, r.ideal_s, r.overhead_ms_per_task);
    records.push_back({{"engine", r.engine}, {"workers", r.workers}, {"pairs", r.pairs}, {"tasks", r.tasks},
                       {"seconds", r.seconds}, {"pairs_per_s", r.pairs_per_s}, {"speedup_vs_1", r.speedup},
                       {"ideal_seconds", r.ideal_s}, {"overhead_ms_per_task", r.overhead_ms_per_task}});
  }
  const double p50 = bench::Percentile(latency_ms, 50), p99 = bench::Percentile(latency_ms, 99);
  std::printf("\nqueue -> result, one-pair jobs on an idle worker (%zu runs): p50 %.2f ms, p99 %.2f ms\n",
              latency_ms.size(), p50, p99);
  records.push_back({{"latency_runs", latency_ms.size()}, {"latency_p50_ms", p50}, {"latency_p99_ms", p99},
                     {"task_size", a.task_size}, {"real_task_size", a.real_task_size},
                     {"store", sql::IsPostgresUrl(db) ? "postgresql" : "sqlite"},
                     {"cores", std::thread::hardware_concurrency()}});
  std::printf("wrote %s\n", bench::WriteBenchJson(a.out_dir, "workers", records.dump(2)).c_str());
  return kExitOk;
}

}  // namespace

void AddWorkersBenchCommand(CLI::App& bench, int* exit_code) {
  auto a = std::make_shared<WorkersBenchArgs>();
  auto* cmd = bench.add_subcommand("workers",
      "Scoring throughput over 1..16 worker processes on a Redis Streams queue (simulated fixed latency\n"
      "per pair, and the tiny reranker for 1 and 2), plus queue -> result latency.");
  cmd->add_option("--pairs", a->pairs, "Pairs of the simulated job")->capture_default_str();
  cmd->add_option("--real-pairs", a->real_pairs, "Pairs of the real-model job")->capture_default_str();
  cmd->add_option("--task-size", a->task_size, "Pairs per task (simulated)")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--real-task-size", a->real_task_size, "Pairs per task (real model)")->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--latency-us", a->latency_us, "Simulated latency per pair")->capture_default_str();
  cmd->add_option("--workers", a->workers, "Pool sizes (comma-separated)")->delimiter(',')->capture_default_str();
  cmd->add_option("--latency-runs", a->latency_runs, "One-pair jobs timed for the latency figures")->capture_default_str();
  cmd->add_option("-m,--model", a->model, "Reranker GGUF for the real-model rows (default: tiny synthetic)");
  cmd->add_option("--db", a->db, "Collection the workers write to, e.g. postgresql://USER@HOST:PORT/DB "
                                  "(default: a scratch SQLite file)");
  cmd->add_option("--redis-server", a->redis_server, "redis-server binary")->capture_default_str();
  cmd->add_option("--work-dir", a->work_dir, "Scratch folder")->capture_default_str();
  cmd->add_option("--out", a->out_dir, "Where the JSON goes")->capture_default_str();
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace litrank::cli

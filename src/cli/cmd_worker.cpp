// `litrank worker`: take a collection's long-job tasks from a Redis stream until
// SIGTERM. `litrank jobs`: the queue's jobs and workers; cancel a job.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdio>

#include "cli/cli_common.h"
#include "distributed/work_queue.h"
#include "distributed/worker.h"

namespace litrank::cli {
namespace {

std::atomic<bool> g_stop{false};

struct WorkerArgs {
  WorkerOptions options;
  bool quiet = false;
};

int RunWorkerCommand(WorkerArgs& a) {
  if (a.options.db.empty()) a.options.db = DefaultDbPath();
  std::signal(SIGTERM, [](int) { g_stop = true; });
  std::signal(SIGINT, [](int) { g_stop = true; });
  if (const char* hang = std::getenv("LITRANK_TEST_WORKER_HANG"); hang != nullptr && *hang) {
    // Test hook: announce the task taken on the list named by the variable, then
    // never finish it (the fault test kills this process with SIGKILL here).
    const std::string list = hang;
    const std::string url = a.options.redis_url, prefix = a.options.prefix;
    a.options.on_task = [list, url, prefix](const QueuedTask& t) {
      auto q = WorkQueue::Open(url, prefix);
      if (q.ok()) (void)(*q)->redis().Command({"RPUSH", list, std::to_string(t.index)});
      while (true) pause();
    };
  }
  WorkerReport report;
  Status st = RunWorker(a.options, g_stop, &report);
  if (!a.quiet) {
    std::fprintf(stderr, "worker: %lld tasks (%lld items), %lld skipped, %lld failed, %lld reconnects\n",
                 static_cast<long long>(report.tasks), static_cast<long long>(report.items),
                 static_cast<long long>(report.skipped), static_cast<long long>(report.failed),
                 static_cast<long long>(report.reconnects));
  }
  return st.ok() ? kExitOk : Fail(st);
}

struct JobsArgs {
  std::string queue, prefix = "litrank";
  int64_t cancel = 0;
  size_t limit = 20;
  bool json = false;
};

int RunJobs(const JobsArgs& a) {
  auto queue = WorkQueue::Open(a.queue, a.prefix);
  if (!queue.ok()) return Fail(queue.status());
  if (a.cancel > 0) {
    if (Status st = (*queue)->Cancel(a.cancel); !st.ok()) return Fail(st);
    std::printf("job %lld cancelled\n", static_cast<long long>(a.cancel));
    return kExitOk;
  }
  std::vector<JobState> jobs;
  std::vector<WorkerStats> workers;
  if (Status st = (*queue)->List(a.limit, &jobs); !st.ok()) return Fail(st);
  if (Status st = (*queue)->Workers(&workers); !st.ok()) return Fail(st);
  if (a.json) {
    nlohmann::json out = {{"jobs", nlohmann::json::array()}, {"workers", nlohmann::json::array()}};
    for (const JobState& j : jobs) {
      out["jobs"].push_back({{"id", j.id}, {"kind", j.kind}, {"db", j.db}, {"state", j.state}, {"tasks", j.tasks},
                             {"done", j.done}, {"failed", j.failed}, {"items", j.items}, {"errors", j.errors}});
    }
    for (const WorkerStats& w : workers) {
      const double per_s = w.busy_us > 0 ? static_cast<double>(w.items) * 1e6 / static_cast<double>(w.busy_us) : 0;
      out["workers"].push_back({{"name", w.name}, {"tasks", w.tasks}, {"items", w.items},
                                {"items_per_busy_second", per_s}, {"last_seen_us", w.last_seen_us}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  std::printf("%-6s %-7s %-10s %9s %9s %7s %10s\n", "job", "kind", "state", "tasks", "done", "failed", "items");
  for (const JobState& j : jobs) {
    std::printf("%-6lld %-7s %-10s %9lld %9lld %7lld %10lld\n", static_cast<long long>(j.id), j.kind.c_str(),
                j.state.c_str(), static_cast<long long>(j.tasks), static_cast<long long>(j.done),
                static_cast<long long>(j.failed), static_cast<long long>(j.items));
    for (const std::string& e : j.errors) std::printf("       %s\n", e.c_str());
  }
  std::printf("\n%-32s %9s %10s %14s\n", "worker", "tasks", "items", "items/busy s");
  for (const WorkerStats& w : workers) {
    const double per_s = w.busy_us > 0 ? static_cast<double>(w.items) * 1e6 / static_cast<double>(w.busy_us) : 0;
    std::printf("%-32s %9lld %10lld %14.1f\n", w.name.c_str(), static_cast<long long>(w.tasks),
                static_cast<long long>(w.items), per_s);
  }
  return kExitOk;
}

}  // namespace

void AddWorkerCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<WorkerArgs>();
  auto* cmd = app.add_subcommand("worker",
      "Run long-job tasks (embed, extract, score) of one collection from a Redis stream until SIGTERM.\n"
      "Any number of workers share the work (on one machine while the collection is a SQLite file); a\n"
      "task of a worker that died is taken over after --visibility-ms. Submit jobs with e.g.\n"
      "`litrank embed --queue URL` or `litrank extract --db C --queue URL`.");
  cmd->add_option("--db", a->options.db, "Collection every task writes to: a file or postgresql://USER@HOST:PORT/DB (default: $LITRANK_DB or ./litrank.db)");
  cmd->add_option("--queue", a->options.redis_url, "Redis URL: redis://[:PASSWORD@]HOST:PORT[/DB] (or $LITRANK_QUEUE)")
      ->envname("LITRANK_QUEUE")->required();
  cmd->add_option("--prefix", a->options.prefix, "Key prefix of the queue (one per collection)")->capture_default_str();
  cmd->add_option("--name", a->options.name, "Consumer name (default: HOST-PID)");
  cmd->add_option("--visibility-ms", a->options.claim_idle_ms,
                  "A task held this long by another worker is taken over (it died)")->capture_default_str()
      ->check(CLI::Range(int64_t{100}, int64_t{86'400'000}));
  cmd->add_option("--max-attempts", a->options.max_attempts, "Deliveries of one task before it fails for good")
      ->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--threads", a->options.threads, "Model threads (0 = all cores)")->capture_default_str();
  cmd->add_flag("--until-empty", a->options.until_empty, "Exit once the queue holds no task");
  cmd->add_flag("-q,--quiet", a->quiet, "No summary on exit");
  cmd->callback([a, exit_code] { *exit_code = RunWorkerCommand(*a); });

  auto j = std::make_shared<JobsArgs>();
  auto* jobs = app.add_subcommand("jobs", "Jobs and workers of a collection's Redis queue; --cancel ID stops a job.");
  jobs->add_option("--queue", j->queue, "Redis URL: redis://HOST:PORT (or $LITRANK_QUEUE)")->envname("LITRANK_QUEUE")->required();
  jobs->add_option("--prefix", j->prefix, "Key prefix of the queue")->capture_default_str();
  jobs->add_option("--cancel", j->cancel, "Cancel this job: its remaining tasks are not run");
  jobs->add_option("--limit", j->limit, "Newest jobs shown")->capture_default_str();
  jobs->add_flag("--json", j->json, "JSON instead of tables");
  jobs->callback([j, exit_code] { *exit_code = RunJobs(*j); });
}

}  // namespace litrank::cli

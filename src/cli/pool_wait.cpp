#include "cli/pool_wait.h"

#include <atomic>
#include <csignal>
#include <cstdio>

#include "cli/cli_common.h"
#include "distributed/pool_jobs.h"
#include "distributed/redis.h"

namespace litrank::cli {
namespace {
std::atomic<bool> g_interrupted{false};
}  // namespace

StatusOr<JobState> AwaitPoolJob(WorkQueue& queue, int64_t job, const std::string& label, int64_t items,
                                size_t task_size, const std::string& queue_url, bool progress) {
  std::fprintf(stderr, "job %lld: %lld %s in tasks of %zu on %s\n", static_cast<long long>(job),
               static_cast<long long>(items), label.c_str(), task_size, RedactedRedisUrl(queue_url).c_str());
  ProgressBar bar(label + " (pool)", progress);
  g_interrupted = false;
  std::signal(SIGINT, [](int) { g_interrupted = true; });
  auto state = WaitForJob(
      queue, job, 200, [&](const JobState& s) { bar.Update(static_cast<uint64_t>(s.done), static_cast<uint64_t>(s.tasks)); },
      [] { return g_interrupted.load(); });
  std::signal(SIGINT, SIG_DFL);
  bar.Finish();
  if (!state.ok()) return state.status();
  if (state->state != "done") {
    std::string why = "job " + std::to_string(job) + " ended " + state->state +
                      " (what finished is kept in the collection: run again for the rest)";
    for (const std::string& e : state->errors) why += "; " + e;
    return Status::Internal(why);
  }
  return state;
}

}  // namespace litrank::cli

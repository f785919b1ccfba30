#include "distributed/queue_report.h"

#include <cstdio>

#include "distributed/work_queue.h"

namespace litrank {
namespace {

// A Prometheus label value: backslash, quote and newline escaped.
std::string Label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Line(std::string* out, const std::string& name, const std::string& labels, double value) {
  char number[64];
  std::snprintf(number, sizeof(number), "%.17g", value);
  *out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + number + "\n";
}

}  // namespace

std::string QueuePrometheusText(const std::string& redis_url, const std::string& prefix, size_t jobs) {
  std::string out = "# HELP litrank_queue_up Whether the worker pool's Redis answered.\n# TYPE litrank_queue_up gauge\n";
  auto queue = WorkQueue::Open(redis_url, prefix, 2000);  // a probe: short waits
  std::vector<JobState> listed;
  std::vector<WorkerStats> workers;
  StatusOr<int64_t> backlog = Status::Unavailable("");
  if (queue.ok()) backlog = (*queue)->Backlog();
  if (!queue.ok() || !backlog.ok() || !(*queue)->List(jobs, &listed).ok() || !(*queue)->Workers(&workers).ok()) {
    Line(&out, "litrank_queue_up", "", 0);
    return out;
  }
  Line(&out, "litrank_queue_up", "", 1);
  out += "# HELP litrank_queue_backlog Tasks queued or held by a worker.\n# TYPE litrank_queue_backlog gauge\n";
  Line(&out, "litrank_queue_backlog", "", static_cast<double>(*backlog));
  const char* job_series[][2] = {{"litrank_job_tasks", "Tasks of the job."},
                                 {"litrank_job_done", "Tasks of the job finished (each once)."},
                                 {"litrank_job_failed", "Tasks of the job failed for good."},
                                 {"litrank_job_items", "Documents or pairs the finished tasks did."}};
  for (size_t s = 0; s < 4; ++s) {
    out += std::string("# HELP ") + job_series[s][0] + " " + job_series[s][1] + "\n# TYPE " + job_series[s][0] +
           " gauge\n";
    for (const JobState& j : listed) {
      const std::string labels = "job=\"" + std::to_string(j.id) + "\",kind=\"" + Label(j.kind) + "\",state=\"" +
                                 Label(j.state) + "\"";
      const int64_t values[] = {j.tasks, j.done, j.failed, j.items};
      Line(&out, job_series[s][0], labels, static_cast<double>(values[s]));
    }
  }
  out += "# HELP litrank_worker_tasks_total Tasks the worker finished.\n# TYPE litrank_worker_tasks_total counter\n";
  for (const WorkerStats& w : workers) Line(&out, "litrank_worker_tasks_total", "worker=\"" + Label(w.name) + "\"", static_cast<double>(w.tasks));
  out += "# HELP litrank_worker_items_total Documents or pairs the worker did.\n# TYPE litrank_worker_items_total counter\n";
  for (const WorkerStats& w : workers) Line(&out, "litrank_worker_items_total", "worker=\"" + Label(w.name) + "\"", static_cast<double>(w.items));
  out += "# HELP litrank_worker_busy_seconds_total Time the worker spent running tasks.\n# TYPE litrank_worker_busy_seconds_total counter\n";
  for (const WorkerStats& w : workers) {
    Line(&out, "litrank_worker_busy_seconds_total", "worker=\"" + Label(w.name) + "\"", static_cast<double>(w.busy_us) / 1e6);
  }
  out += "# HELP litrank_worker_last_seen_seconds When the worker last reported (Unix time).\n# TYPE litrank_worker_last_seen_seconds gauge\n";
  for (const WorkerStats& w : workers) {
    Line(&out, "litrank_worker_last_seen_seconds", "worker=\"" + Label(w.name) + "\"", static_cast<double>(w.last_seen_us) / 1e6);
  }
  return out;
}

nlohmann::json QueueHealth(const std::string& redis_url, const std::string& prefix) {
  nlohmann::json j = {{"url", RedactedRedisUrl(redis_url)}, {"prefix", prefix}};
  auto queue = WorkQueue::Open(redis_url, prefix, 2000);  // a probe: short waits
  if (!queue.ok()) {
    j["ok"] = false;
    j["error"] = queue.status().message();
    return j;
  }
  auto backlog = (*queue)->Backlog();
  std::vector<WorkerStats> workers;
  Status st = backlog.ok() ? (*queue)->Workers(&workers) : backlog.status();
  j["ok"] = st.ok();
  if (!st.ok()) {
    j["error"] = st.message();
    return j;
  }
  j["backlog"] = *backlog;
  j["workers"] = workers.size();
  return j;
}

}  // namespace litrank

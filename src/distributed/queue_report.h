// The worker pool as a server reports it: Prometheus lines for /metrics and a
// JSON object for /health, read from the queue's Redis at each call.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace litrank {

/// Prometheus text (version 0.0.4) for the queue `prefix` on `redis_url`:
/// litrank_queue_up (0 when Redis does not answer, and nothing else then),
/// litrank_queue_backlog, per job of the newest `jobs` (job, kind, state labels)
/// litrank_job_tasks / _done / _failed / _items, and per worker
/// litrank_worker_tasks_total, _items_total, _busy_seconds_total, _last_seen_seconds.
std::string QueuePrometheusText(const std::string& redis_url, const std::string& prefix, size_t jobs = 20);

/// {"url" (without credentials), "prefix", "ok", "backlog", "workers"} or, when Redis does not answer,
/// {"url", "prefix", "ok": false, "error"}. Never throws.
nlohmann::json QueueHealth(const std::string& redis_url, const std::string& prefix);

}  // namespace litrank

// A worker process's loop: take tasks from a collection's Redis stream, run them
// against the collection (distributed/task_runner.h), record and acknowledge them;
// claim the tasks of workers that died; ride out Redis and database outages.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "distributed/work_queue.h"
#include "litrank/status.h"

namespace litrank {

/// How a worker runs.
struct WorkerOptions {
  std::string db;                 ///< the collection every task of this queue writes to
  std::string redis_url;          ///< redis://HOST:PORT
  std::string prefix = "litrank"; ///< the queue's key prefix
  std::string name;               ///< consumer name ("" = HOST-PID)
  int64_t claim_idle_ms = 30000;  ///< visibility timeout: a task pending this long is claimed from its holder
  int block_ms = 1000;            ///< how long one wait for a task blocks (stop is checked between)
  int64_t max_attempts = 3;       ///< deliveries of one task before it fails for good
  bool until_empty = false;       ///< return once the stream holds no task (tests, bench)
  int threads = 0;                ///< model threads (0 = every core)
  /// Test hook: called when a task is taken, before it runs.
  std::function<void(const QueuedTask&)> on_task;
};

/// What a worker did.
struct WorkerReport {
  int64_t tasks = 0;    ///< completed
  int64_t items = 0;    ///< documents or pairs in them
  int64_t skipped = 0;  ///< acknowledged unrun: job cancelled, or already done
  int64_t failed = 0;   ///< failed for good
  int64_t reconnects = 0;
};

/// Runs until `stop` is set (checked at least every block_ms), or, with
/// until_empty, until the stream is empty. Fails only on what retrying cannot
/// fix (the collection cannot be opened, bad options); Redis outages are waited
/// out with backoff (100 ms doubling to 5 s).
Status RunWorker(const WorkerOptions& options, const std::atomic<bool>& stop, WorkerReport* report);

}  // namespace litrank

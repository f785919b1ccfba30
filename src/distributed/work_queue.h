// Long jobs as tasks on a Redis stream, taken by any number of worker processes
// through one consumer group (Redis Streams: XADD, XREADGROUP, XACK, XAUTOCLAIM).
//
// Keys, under a prefix ("litrank" by default; one prefix per collection):
//   {p}:tasks              the stream; group "workers"; a message = job, task index, payload
//   {p}:job:{id}           hash: kind, db, params, tasks, state, items, created_us, finished_us
//   {p}:job:{id}:done      set of finished task indexes (counts each task once)
//   {p}:job:{id}:failed    hash: task index -> error, for tasks that failed for good
//   {p}:job:{id}:attempts  hash: task index -> deliveries started
//   {p}:jobs               sorted set of job ids by creation time
//   {p}:worker:{name}      hash: tasks, items, busy_us, last_seen_us
//   {p}:workers            set of worker names
// A worker writes a task's results to the collection idempotently, then records
// it done and acknowledges it in one Lua script, so a task redone after a crash
// changes nothing and is counted once. A worker keeps its task claimed while it
// runs (KeepClaimed); one that dies holds it pending, and another claims it once it
// has been idle longer than the visibility timeout. A finished job's keys expire
// after 7 days.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "distributed/redis.h"
#include "litrank/status.h"

namespace litrank {

/// Where a job stands.
struct JobState {
  int64_t id = 0;
  std::string kind;    ///< "embed", "score", ...
  std::string db;      ///< the collection, as the submitter named it (a URL without its password)
  std::string params;  ///< JSON the kind's runner reads
  std::string state;   ///< "running", "done", "failed" (some task failed for good), "cancelled"
  int64_t tasks = 0;
  int64_t done = 0;    ///< tasks finished (each once)
  int64_t failed = 0;  ///< tasks given up after max_attempts
  int64_t items = 0;   ///< documents or pairs the finished tasks did
  int64_t created_us = 0;
  int64_t finished_us = 0;  ///< when its last task was recorded (0 while running)
  std::vector<std::string> errors;  ///< the failed tasks' errors (first few)
  bool finished() const { return done + failed >= tasks || state == "cancelled"; }
};

/// One task as a worker received it.
struct QueuedTask {
  std::string message_id;  ///< the stream entry
  int64_t job = 0;
  int64_t index = 0;       ///< 0-based within the job
  std::string payload;     ///< JSON
  int64_t enqueued_us = 0; ///< when it was submitted (system clock)
  int64_t attempt = 0;     ///< 1 on the first delivery
};

/// A worker's counters.
struct WorkerStats {
  std::string name;
  int64_t tasks = 0;
  int64_t items = 0;
  int64_t busy_us = 0;
  int64_t last_seen_us = 0;
};

/// Microseconds since the epoch (the clock every process of a pool shares).
int64_t WallMicros();

/// The queue of one collection. Not thread-safe: one per thread.
class WorkQueue {
 public:
  /// Connects to `redis_url` and makes sure the stream and group exist; a command
  /// waiting longer than `command_ms` for its reply fails with Unavailable.
  static StatusOr<std::unique_ptr<WorkQueue>> Open(const std::string& redis_url, const std::string& prefix = "litrank",
                                                   int command_ms = 30000);

  /// Creates a job of `kind` with one task per payload (pipelined XADDs) and
  /// returns its id. InvalidArgument for no payloads.
  StatusOr<int64_t> Submit(const std::string& kind, const std::string& db, const std::string& params,
                           const std::vector<std::string>& payloads);
  /// The job's state (NotFound for an unknown id).
  StatusOr<JobState> Get(int64_t job);
  /// Every job, newest first (at most `limit`).
  Status List(size_t limit, std::vector<JobState>* jobs);
  /// Marks a running job cancelled: workers acknowledge its remaining tasks without
  /// running them. A finished job keeps its state. NotFound for an unknown id.
  Status Cancel(int64_t job);

  /// The next task for `consumer`: first a task another consumer has held pending
  /// for more than `claim_idle_ms` (a dead worker's; XAUTOCLAIM), else a new one,
  /// waiting up to `block_ms` (nullopt when none came).
  Status Next(const std::string& consumer, int64_t claim_idle_ms, int block_ms, std::optional<QueuedTask>* task);
  /// Whether the task's job was cancelled, or the task is already done (redelivered).
  StatusOr<bool> Skippable(const QueuedTask& task);
  /// Resets the task's idle time, so no other worker takes it over while `consumer`
  /// is still running it (call more often than the visibility timeout).
  Status KeepClaimed(const QueuedTask& task, const std::string& consumer);
  /// Records the task done with `items`, credits `consumer` (`busy_us` of work),
  /// acknowledges and deletes the message: one Lua script. Idempotent; a failure
  /// recorded meanwhile by a worker that gave up on the task is forgotten.
  Status Complete(const QueuedTask& task, int64_t items, const std::string& consumer, int64_t busy_us);
  /// Records the task failed for good with `error`, and acknowledges it.
  Status Fail(const QueuedTask& task, const std::string& error);
  /// Acknowledges and deletes the message without recording anything (cancelled or duplicate).
  Status Ack(const QueuedTask& task);
  /// Registers `consumer` as a worker (listed with no work yet) and stamps it seen.
  Status Hello(const std::string& consumer);
  /// Every worker that has reported, by name.
  Status Workers(std::vector<WorkerStats>* workers);
  /// Tasks waiting for a worker or held by one (the stream's length).
  StatusOr<int64_t> Backlog();

  /// The connection, for tests and tools that need a raw command.
  Redis& redis() { return *redis_; }
  const std::string& prefix() const { return prefix_; }

 private:
  WorkQueue(std::unique_ptr<Redis> redis, std::string prefix) : redis_(std::move(redis)), prefix_(std::move(prefix)) {}
  std::string Key(const std::string& suffix) const { return prefix_ + ":" + suffix; }
  std::string JobKey(int64_t job, const std::string& part = "") const;
  Status Parse(const RedisReply& entry, std::optional<QueuedTask>* task);

  std::unique_ptr<Redis> redis_;
  std::string prefix_;
  std::string claim_cursor_ = "0-0";  // where the next XAUTOCLAIM scan starts
};

}  // namespace litrank

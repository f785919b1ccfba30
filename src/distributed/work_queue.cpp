#include "distributed/work_queue.h"

#include <chrono>
#include <cstdlib>

#include "store/sql.h"

namespace litrank {
namespace {

constexpr const char* kGroup = "workers";
constexpr size_t kSubmitBatch = 1000;  // XADDs per pipelined round trip

// How long a finished job's keys stay readable (`litrank jobs`), in seconds.
constexpr const char* kFinishedJobTtl = "604800";  // 7 days

// Records a task done exactly once (SADD decides), credits the worker only then
// (and forgets a failure recorded meanwhile by a worker that gave up on it),
// acknowledges and deletes the message, and closes the job when it was the last.
// KEYS: job, done, failed, worker, workers, stream, attempts.
// ARGV: index, items, busy_us, now_us, group, message id, worker name, ttl.
constexpr const char* kCompleteScript = R"lua(
local first = redis.call('SADD', KEYS[2], ARGV[1])
if first == 1 then
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('HINCRBY', KEYS[1], 'items', ARGV[2])
  redis.call('HINCRBY', KEYS[4], 'tasks', 1)
  redis.call('HINCRBY', KEYS[4], 'items', ARGV[2])
  redis.call('HINCRBY', KEYS[4], 'busy_us', ARGV[3])
end
redis.call('HSET', KEYS[4], 'last_seen_us', ARGV[4])
redis.call('SADD', KEYS[5], ARGV[7])
redis.call('XACK', KEYS[6], ARGV[5], ARGV[6])
redis.call('XDEL', KEYS[6], ARGV[6])
local total = tonumber(redis.call('HGET', KEYS[1], 'tasks') or '0')
if redis.call('HGET', KEYS[1], 'state') == 'running' and
   redis.call('SCARD', KEYS[2]) + redis.call('HLEN', KEYS[3]) >= total then
  if redis.call('HLEN', KEYS[3]) > 0 then redis.call('HSET', KEYS[1], 'state', 'failed')
  else redis.call('HSET', KEYS[1], 'state', 'done') end
  redis.call('HSET', KEYS[1], 'finished_us', ARGV[4])
  for _, k in ipairs({KEYS[1], KEYS[2], KEYS[3], KEYS[7]}) do redis.call('EXPIRE', k, ARGV[8]) end
end
return first
)lua";

// Records a task failed for good (unless it was done meanwhile), acknowledges it,
// and closes the job when it was the last. KEYS: job, done, failed, stream, attempts.
// ARGV: index, error, group, message id, now_us, ttl.
constexpr const char* kFailScript = R"lua(
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
end
redis.call('XACK', KEYS[4], ARGV[3], ARGV[4])
redis.call('XDEL', KEYS[4], ARGV[4])
local total = tonumber(redis.call('HGET', KEYS[1], 'tasks') or '0')
if redis.call('HGET', KEYS[1], 'state') == 'running' and
   redis.call('SCARD', KEYS[2]) + redis.call('HLEN', KEYS[3]) >= total then
  redis.call('HSET', KEYS[1], 'state', 'failed')
  redis.call('HSET', KEYS[1], 'finished_us', ARGV[5])
  for _, k in ipairs({KEYS[1], KEYS[2], KEYS[3], KEYS[5]}) do redis.call('EXPIRE', k, ARGV[6]) end
end
return 1
)lua";

// Cancels a running job; a finished one keeps its state. KEYS: job. Returns the state.
constexpr const char* kCancelScript = R"lua(
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'running' then redis.call('HSET', KEYS[1], 'state', 'cancelled'); return 'cancelled' end
return state
)lua";

int64_t ToInt(const std::string& s) { return s.empty() ? 0 : std::strtoll(s.c_str(), nullptr, 10); }

// A flat [field, value, ...] array as a lookup.
std::string Field(const RedisReply& flat, const std::string& name) {
  for (size_t i = 0; i + 1 < flat.elements.size(); i += 2) {
    if (flat.elements[i].str == name) return flat.elements[i + 1].str;
  }
  return "";
}

}  // namespace

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

StatusOr<std::unique_ptr<WorkQueue>> WorkQueue::Open(const std::string& redis_url, const std::string& prefix,
                                                    int command_ms) {
  if (prefix.empty() || prefix.find_first_of(" \t\r\n{}") != std::string::npos) {
    return Status::InvalidArgument("a queue prefix is a non-empty word (got '" + prefix + "')");
  }
  auto url = ParseRedisUrl(redis_url);
  if (!url.ok()) return url.status();
  auto redis = Redis::Connect(*url, 2000, command_ms);
  if (!redis.ok()) return redis.status();
  std::unique_ptr<WorkQueue> q(new WorkQueue(std::move(*redis), prefix));
  // From "0": a group made after tasks were queued still sees them.
  auto made = q->redis_->Command({"XGROUP", "CREATE", q->Key("tasks"), kGroup, "0", "MKSTREAM"});
  if (!made.ok() && made.status().message().find("BUSYGROUP") == std::string::npos) return made.status();
  return q;
}

std::string WorkQueue::JobKey(int64_t job, const std::string& part) const {
  return Key("job:" + std::to_string(job)) + (part.empty() ? "" : ":" + part);
}

StatusOr<int64_t> WorkQueue::Submit(const std::string& kind, const std::string& db, const std::string& params,
                                    const std::vector<std::string>& payloads) {
  if (payloads.empty()) return Status::InvalidArgument("a job needs at least one task");
  auto id = redis_->Command({"INCR", Key("job_seq")});
  if (!id.ok()) return id.status();
  const int64_t job = id->integer;
  const std::string now = std::to_string(WallMicros());
  std::vector<RedisReply> replies;
  LITRANK_RETURN_IF_ERROR(redis_->Pipeline(
      {{"HSET", JobKey(job), "kind", kind, "db", sql::DisplayLocation(db), "params", params, "tasks", std::to_string(payloads.size()),
        "state", "running", "created_us", now, "items", "0"},
       {"ZADD", Key("jobs"), now, std::to_string(job)}},
      &replies));
  std::vector<std::vector<std::string>> batch;
  for (size_t i = 0; i < payloads.size(); ++i) {
    batch.push_back({"XADD", Key("tasks"), "*", "job", std::to_string(job), "task", std::to_string(i), "payload",
                     payloads[i], "enqueued_us", std::to_string(WallMicros())});
    if (batch.size() == kSubmitBatch || i + 1 == payloads.size()) {
      if (Status st = redis_->Pipeline(batch, &replies); !st.ok()) {
        // Some tasks never made it: the job can never finish, so say so (best effort).
        (void)redis_->Command({"HSET", JobKey(job), "state", "failed", "finished_us", std::to_string(WallMicros())});
        return st;
      }
      batch.clear();
    }
  }
  return job;
}

StatusOr<JobState> WorkQueue::Get(int64_t job) {
  std::vector<RedisReply> r;
  LITRANK_RETURN_IF_ERROR(redis_->Pipeline(
      {{"HGETALL", JobKey(job)}, {"SCARD", JobKey(job, "done")}, {"HLEN", JobKey(job, "failed")},
       {"HSCAN", JobKey(job, "failed"), "0", "COUNT", "5"}},
      &r));
  if (r[0].elements.empty()) return Status::NotFound("no job " + std::to_string(job) + " on this queue");
  JobState s;
  s.id = job;
  s.kind = Field(r[0], "kind");
  s.db = Field(r[0], "db");
  s.params = Field(r[0], "params");
  s.state = Field(r[0], "state");
  s.tasks = ToInt(Field(r[0], "tasks"));
  s.items = ToInt(Field(r[0], "items"));
  s.created_us = ToInt(Field(r[0], "created_us"));
  s.finished_us = ToInt(Field(r[0], "finished_us"));
  s.done = r[1].integer;
  s.failed = r[2].integer;
  if (r[3].elements.size() == 2) {
    const RedisReply& flat = r[3].elements[1];
    for (size_t i = 0; i + 1 < flat.elements.size(); i += 2) {
      s.errors.push_back("task " + flat.elements[i].str + ": " + flat.elements[i + 1].str);
    }
  }
  return s;
}

Status WorkQueue::List(size_t limit, std::vector<JobState>* jobs) {
  jobs->clear();
  auto ids = redis_->Command({"ZREVRANGE", Key("jobs"), "0", std::to_string(limit == 0 ? 0 : limit - 1)});
  if (!ids.ok()) return ids.status();
  for (const RedisReply& id : ids->elements) {
    auto s = Get(ToInt(id.str));
    if (s.ok()) jobs->push_back(std::move(*s));
  }
  return Status::Ok();
}

Status WorkQueue::Cancel(int64_t job) {
  auto state = redis_->Command({"EVAL", kCancelScript, "1", JobKey(job)});
  if (!state.ok()) return state.status();
  if (state->nil()) return Status::NotFound("no job " + std::to_string(job) + " on this queue");
  return Status::Ok();
}

Status WorkQueue::Parse(const RedisReply& entry, std::optional<QueuedTask>* task) {
  // [id, [field, value, ...]]; a message deleted while pending has no fields.
  if (entry.elements.size() != 2 || entry.elements[1].elements.empty()) return Status::Ok();
  QueuedTask t;
  t.message_id = entry.elements[0].str;
  const RedisReply& fields = entry.elements[1];
  t.job = ToInt(Field(fields, "job"));
  t.index = ToInt(Field(fields, "task"));
  t.payload = Field(fields, "payload");
  t.enqueued_us = ToInt(Field(fields, "enqueued_us"));
  auto attempt = redis_->Command({"HINCRBY", JobKey(t.job, "attempts"), std::to_string(t.index), "1"});
  if (!attempt.ok()) return attempt.status();
  t.attempt = attempt->integer;
  *task = std::move(t);
  return Status::Ok();
}

Status WorkQueue::Next(const std::string& consumer, int64_t claim_idle_ms, int block_ms,
                       std::optional<QueuedTask>* task) {
  task->reset();
  // The scan goes on from where the last one stopped, so a long pending list of live
  // workers' tasks does not hide a dead worker's (XAUTOCLAIM looks at 10 x COUNT entries).
  auto claimed = redis_->Command({"XAUTOCLAIM", Key("tasks"), kGroup, consumer, std::to_string(claim_idle_ms),
                                  claim_cursor_, "COUNT", "1"});
  if (!claimed.ok()) return claimed.status();
  if (!claimed->elements.empty()) claim_cursor_ = claimed->elements[0].str.empty() ? "0-0" : claimed->elements[0].str;
  if (claimed->elements.size() >= 2) {
    for (const RedisReply& entry : claimed->elements[1].elements) {
      LITRANK_RETURN_IF_ERROR(Parse(entry, task));
      if (task->has_value()) return Status::Ok();
    }
  }
  std::vector<std::string> read = {"XREADGROUP", "GROUP", kGroup, consumer, "COUNT", "1"};
  if (block_ms > 0) {
    read.push_back("BLOCK");
    read.push_back(std::to_string(block_ms));
  }
  read.insert(read.end(), {"STREAMS", Key("tasks"), ">"});
  auto got = redis_->Command(read);
  if (!got.ok()) return got.status();
  if (got->nil() || got->elements.empty() || got->elements[0].elements.size() < 2) return Status::Ok();
  for (const RedisReply& entry : got->elements[0].elements[1].elements) {
    LITRANK_RETURN_IF_ERROR(Parse(entry, task));
    if (task->has_value()) return Status::Ok();
  }
  return Status::Ok();
}

StatusOr<bool> WorkQueue::Skippable(const QueuedTask& task) {
  std::vector<RedisReply> r;
  LITRANK_RETURN_IF_ERROR(redis_->Pipeline(
      {{"HGET", JobKey(task.job), "state"}, {"SISMEMBER", JobKey(task.job, "done"), std::to_string(task.index)}}, &r));
  return r[0].str == "cancelled" || r[0].nil() || r[1].integer == 1;
}

Status WorkQueue::Complete(const QueuedTask& task, int64_t items, const std::string& consumer, int64_t busy_us) {
  return redis_
      ->Command({"EVAL", kCompleteScript, "7", JobKey(task.job), JobKey(task.job, "done"), JobKey(task.job, "failed"),
                 Key("worker:" + consumer), Key("workers"), Key("tasks"), JobKey(task.job, "attempts"),
                 std::to_string(task.index), std::to_string(items), std::to_string(busy_us),
                 std::to_string(WallMicros()), kGroup, task.message_id, consumer, kFinishedJobTtl})
      .status();
}

Status WorkQueue::Fail(const QueuedTask& task, const std::string& error) {
  return redis_
      ->Command({"EVAL", kFailScript, "5", JobKey(task.job), JobKey(task.job, "done"), JobKey(task.job, "failed"),
                 Key("tasks"), JobKey(task.job, "attempts"), std::to_string(task.index), error, kGroup,
                 task.message_id, std::to_string(WallMicros()), kFinishedJobTtl})
      .status();
}

Status WorkQueue::Ack(const QueuedTask& task) {
  std::vector<RedisReply> r;
  return redis_->Pipeline({{"XACK", Key("tasks"), kGroup, task.message_id}, {"XDEL", Key("tasks"), task.message_id}},
                          &r);
}

Status WorkQueue::KeepClaimed(const QueuedTask& task, const std::string& consumer) {
  return redis_->Command({"XCLAIM", Key("tasks"), kGroup, consumer, "0", task.message_id, "JUSTID"}).status();
}

Status WorkQueue::Hello(const std::string& consumer) {
  std::vector<RedisReply> r;
  return redis_->Pipeline({{"SADD", Key("workers"), consumer},
                           {"HSET", Key("worker:" + consumer), "last_seen_us", std::to_string(WallMicros())}},
                          &r);
}

Status WorkQueue::Workers(std::vector<WorkerStats>* workers) {
  workers->clear();
  auto names = redis_->Command({"SMEMBERS", Key("workers")});
  if (!names.ok()) return names.status();
  for (const RedisReply& name : names->elements) {
    auto h = redis_->Command({"HGETALL", Key("worker:" + name.str)});
    if (!h.ok()) return h.status();
    workers->push_back(WorkerStats{name.str, ToInt(Field(*h, "tasks")), ToInt(Field(*h, "items")),
                                   ToInt(Field(*h, "busy_us")), ToInt(Field(*h, "last_seen_us"))});
  }
  return Status::Ok();
}

StatusOr<int64_t> WorkQueue::Backlog() {
  auto n = redis_->Command({"XLEN", Key("tasks")});
  if (!n.ok()) return n.status();
  return n->integer;
}

}  // namespace litrank

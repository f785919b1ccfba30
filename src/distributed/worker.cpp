#include "distributed/worker.h"

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <map>
#include <chrono>
#include <thread>

#include "distributed/task_runner.h"
#include "litrank/corpus.h"

namespace litrank {
namespace {

std::string DefaultName() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return std::string(host) + "-" + std::to_string(getpid());
}

// Sleeps `ms` in short steps, returning early when `stop` is set.
void Pause(int64_t ms, const std::atomic<bool>& stop) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!stop && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

// Whether an error may pass by itself (a server down, a lock held): the task stays
// pending and is tried again rather than failed.
// A Redis that restarted empty has lost the group (NOGROUP): reconnecting makes it again.
bool Passing(const Status& st) {
  return st.code() == Status::Code::kUnavailable || st.code() == Status::Code::kNetworkError ||
         st.message().find("NOGROUP") != std::string::npos;
}

// Keeps a task claimed while it runs: every third of the visibility timeout (at
// least 50 ms) its idle time is reset on a connection of its own, so a long task is
// not taken over from a live worker. Stops (and joins) when destroyed.
class ClaimKeeper {
 public:
  ClaimKeeper(const WorkerOptions& o, std::string name, QueuedTask task)
      : options_(o), name_(std::move(name)), task_(std::move(task)),
        thread_([this] { Loop(); }) {}
  ~ClaimKeeper() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Loop() {
    const auto every = std::chrono::milliseconds(std::max<int64_t>(options_.claim_idle_ms / 3, 50));
    std::unique_ptr<WorkQueue> queue;
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, every, [this] { return done_; })) {
      lock.unlock();
      if (!queue) {
        auto opened = WorkQueue::Open(options_.redis_url, options_.prefix, 5000);
        if (opened.ok()) queue = std::move(*opened);
      }
      if (queue && !queue->KeepClaimed(task_, name_).ok()) queue.reset();  // reconnect next time
      lock.lock();
    }
  }

  const WorkerOptions& options_;
  std::string name_;
  QueuedTask task_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;  // last: starts once the rest is ready
};

// Runs or settles one task taken from the queue. The Status is the queue's (Redis):
// a passing one makes the loop reconnect, any other stops the worker.
Status Handle(const WorkerOptions& o, const std::string& name, WorkQueue& queue, TaskRunner& runner,
              std::map<int64_t, JobState>* jobs, const QueuedTask& task, WorkerReport* report) {
  auto skip = queue.Skippable(task);
  if (!skip.ok()) return skip.status();
  if (*skip) {  // its job was cancelled (or is gone), or it was done already
    ++report->skipped;
    return queue.Ack(task);
  }
  if (task.attempt > o.max_attempts) {
    ++report->failed;
    return queue.Fail(task, "gave up after " + std::to_string(o.max_attempts) + " attempts");
  }
  if (o.on_task) o.on_task(task);
  auto cached = jobs->find(task.job);  // a job's kind and parameters never change
  if (cached == jobs->end()) {
    auto got = queue.Get(task.job);
    if (!got.ok()) return got.status();
    cached = jobs->emplace(task.job, std::move(*got)).first;
  }
  const auto t0 = std::chrono::steady_clock::now();
  int64_t items = 0;
  Status ran;
  {
    ClaimKeeper keeper(o, name, task);
    ran = runner.Run(cached->second.kind, cached->second.params, task.payload, &items);
  }
  const auto busy = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  if (ran.ok()) {
    LITRANK_RETURN_IF_ERROR(queue.Complete(task, items, name, busy.count()));
    ++report->tasks;
    report->items += items;
    return Status::Ok();
  }
  if (Passing(ran)) return Status::Ok();  // left pending: claimed again after claim_idle_ms
  ++report->failed;
  return queue.Fail(task, ran.message());
}

}  // namespace

Status RunWorker(const WorkerOptions& o, const std::atomic<bool>& stop, WorkerReport* report) {
  *report = WorkerReport{};
  if (o.claim_idle_ms < 0 || o.block_ms < 0 || o.max_attempts < 1) {
    return Status::InvalidArgument("worker: claim_idle_ms and block_ms must be >= 0, max_attempts >= 1");
  }
  const std::string name = o.name.empty() ? DefaultName() : o.name;
  auto corpus = Corpus::Open(o.db, /*create=*/false);
  if (!corpus.ok()) return corpus.status();
  TaskRunner runner(corpus->get(), o.db, o.threads);
  std::unique_ptr<WorkQueue> queue;
  std::map<int64_t, JobState> jobs;
  int64_t backoff_ms = 100;
  while (!stop) {
    if (!queue) {
      auto opened = WorkQueue::Open(o.redis_url, o.prefix);
      if (!opened.ok()) {
        if (!Passing(opened.status())) return opened.status();
        Pause(backoff_ms, stop);
        backoff_ms = std::min<int64_t>(backoff_ms * 2, 5000);
        ++report->reconnects;
        continue;
      }
      queue = std::move(*opened);
      backoff_ms = 100;
      jobs.clear();  // a Redis that came back empty numbers its jobs from 1 again
      if (Status hello = queue->Hello(name); !hello.ok()) {
        if (!Passing(hello)) return hello;
        queue.reset();
        Pause(backoff_ms, stop);
        continue;
      }
    }
    std::optional<QueuedTask> task;
    Status st = queue->Next(name, o.claim_idle_ms, o.block_ms, &task);
    if (st.ok() && !task && o.until_empty) {
      auto backlog = queue->Backlog();
      if (backlog.ok() && *backlog == 0) break;
      if (backlog.ok()) Pause(std::min<int64_t>(o.claim_idle_ms / 2 + 1, 200), stop);  // held by another: wait to claim
      st = backlog.status();
    }
    if (st.ok() && task) st = Handle(o, name, *queue, runner, &jobs, *task, report);
    if (!st.ok()) {
      if (!Passing(st)) return st;
      queue.reset();  // reconnect (with backoff) on the next turn
      ++report->reconnects;
      Pause(backoff_ms, stop);
      backoff_ms = std::min<int64_t>(backoff_ms * 2, 5000);
    }
  }
  return Status::Ok();
}

}  // namespace litrank

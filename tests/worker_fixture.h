// An in-process worker for the pool's tests: the options every test starts from,
// and a CLI submission run while one worker serves the queue.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "distributed/worker.h"
#include "process_util.h"

namespace litrank::testing {

/// One thread, short blocking reads, stops once the queue is empty.
inline WorkerOptions TestWorkerOptions(const std::string& db, const std::string& redis_url, const std::string& name) {
  WorkerOptions o;
  o.db = db;
  o.redis_url = redis_url;
  o.name = name;
  o.block_ms = 50;
  o.until_empty = true;
  o.threads = 1;
  return o;
}

/// Runs each of `commands` (CLI submissions) in turn while one in-process worker
/// serves the queue; the worker stops once the last has returned. Their results.
inline std::vector<CommandResult> RunWithWorker(const std::string& db, const std::string& redis_url,
                                                const std::vector<std::string>& commands, WorkerReport* report) {
  WorkerOptions o = TestWorkerOptions(db, redis_url, "w");
  o.until_empty = false;
  std::atomic<bool> stop{false};
  Status worker_status;
  std::thread worker([&] { worker_status = RunWorker(o, stop, report); });
  std::vector<CommandResult> results;
  for (const std::string& c : commands) results.push_back(RunCommand(c));
  stop = true;
  worker.join();
  EXPECT_TRUE(worker_status.ok()) << worker_status.ToString();
  return results;
}

}  // namespace litrank::testing

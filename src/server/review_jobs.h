// Review jobs of the server: a `litrank review` run in the background, its
// progress readable at any time and streamed as server-sent events, its files
// served when done, cancellable between steps.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "litrank/status.h"

namespace litrank::server {

/// What a job is doing, as a snapshot.
struct JobState {
  std::string id, collection;
  std::string state = "queued";  ///< queued | running | done | failed | cancelled
  std::string step;              ///< the step running (or last run)
  int number = 0, steps = 0;     ///< step number (1-based) of steps
  std::string error;             ///< why it failed
  std::string dir;               ///< where its files are (done)
  uint64_t version = 0;          ///< bumped on every change
};

/// The work of one job: report steps through `step`, poll `cancelled` (also
/// inside long model calls), write its files into `dir`.
using JobWork = std::function<Status(const std::function<void(const std::string&, int, int)>& step,
                                     const std::function<bool()>& cancelled, const std::string& dir)>;

/// Every review job of a server. Thread-safe. At most `max_running` run at
/// once (ResourceExhausted past it); the newest `keep` finished jobs are kept
/// with their files, older ones removed.
class ReviewJobs {
 public:
  ReviewJobs(std::string root, size_t max_running = 2, size_t keep = 32);
  ~ReviewJobs();  ///< cancels and joins every running job, removes the files

  /// Starts `work` in its own thread; returns the job id.
  StatusOr<std::string> Start(const std::string& collection, JobWork work);
  /// The job's state; NotFound for an unknown id.
  StatusOr<JobState> Get(const std::string& id) const;
  /// Waits until the job's version differs from `seen` or `stop()` turns true
  /// (polled every `poll_ms`); the state then. NotFound for an unknown id.
  StatusOr<JobState> WaitChange(const std::string& id, uint64_t seen, const std::function<bool()>& stop,
                                int poll_ms = 200) const;
  /// Asks the job to stop before its next step (and its reranker calls to end);
  /// NotFound for an unknown id.
  Status Cancel(const std::string& id);
  /// Cancel for every job (the server is stopping).
  void CancelAll();

 private:
  struct Job {
    JobState state;
    bool cancel = false;
    std::thread thread;
  };
  void Update(const std::string& id, const std::function<void(JobState&)>& change);
  void Prune();  // under mu_

  std::string root_;
  size_t max_running_, keep_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::map<std::string, std::unique_ptr<Job>> jobs_;
  std::vector<std::string> finished_;  // oldest first
  std::vector<std::thread> retired_;   // threads of pruned jobs, joined by the destructor
  uint64_t counter_ = 0;
};

}  // namespace litrank::server

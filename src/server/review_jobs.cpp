// ReviewJobs: one thread per job, state under one mutex, a condition variable
// for the event streams.
#include "server/review_jobs.h"

#include <chrono>
#include <filesystem>

#include "server/server_state.h"

namespace litrank::server {

ReviewJobs::ReviewJobs(std::string root, size_t max_running, size_t keep)
    : root_(std::move(root)), max_running_(max_running), keep_(keep) {}

ReviewJobs::~ReviewJobs() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, job] : jobs_) {
      job->cancel = true;
      if (job->thread.joinable()) threads.push_back(std::move(job->thread));
    }
    for (std::thread& t : retired_) threads.push_back(std::move(t));
  }
  for (std::thread& t : threads) t.join();
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

StatusOr<std::string> ReviewJobs::Start(const std::string& collection, JobWork work) {
  // Threads of pruned jobs have done their work: joined here, outside the lock.
  std::vector<std::thread> retired;
  {
    std::lock_guard<std::mutex> lock(mu_);
    retired.swap(retired_);
  }
  for (std::thread& t : retired) t.join();
  std::lock_guard<std::mutex> lock(mu_);
  size_t running = 0;
  for (const auto& [id, job] : jobs_) {
    running += job->state.state == "queued" || job->state.state == "running";
  }
  if (running >= max_running_) {
    return Status::ResourceExhausted(std::to_string(running) + " review jobs are running; try again when one ends");
  }
  const std::string id = "review-" + std::to_string(++counter_) + "-" + RequestId("");
  auto job = std::make_unique<Job>();
  job->state.id = id;
  job->state.collection = collection;
  job->state.dir = root_ + "/" + id;
  Job* raw = job.get();
  jobs_[id] = std::move(job);
  raw->thread = std::thread([this, id, dir = raw->state.dir, work = std::move(work)] {
    Update(id, [](JobState& s) { s.state = "running"; });
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    Status st = ec ? Status::IOError("cannot create " + dir + ": " + ec.message())
                   : work([&](const std::string& step, int n, int steps) {
                       Update(id, [&](JobState& s) { s.step = step, s.number = n, s.steps = steps; });
                     },
                     [&] {
                       std::lock_guard<std::mutex> job_lock(mu_);
                       return jobs_.at(id)->cancel;
                     },
                     dir);
    Update(id, [&](JobState& s) {
      s.state = st.ok() ? "done" : st.code() == Status::Code::kCancelled ? "cancelled" : "failed";
      if (!st.ok()) s.error = st.message();
    });
  });
  return id;
}

void ReviewJobs::Update(const std::string& id, const std::function<void(JobState&)>& change) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Job& job = *jobs_.at(id);
    change(job.state);
    ++job.state.version;
    const std::string& s = job.state.state;
    if (s == "done" || s == "failed" || s == "cancelled") {
      finished_.push_back(id);
      Prune();
    }
  }
  changed_.notify_all();
}

void ReviewJobs::Prune() {
  while (finished_.size() > keep_) {
    const std::string old = finished_.front();
    finished_.erase(finished_.begin());
    auto it = jobs_.find(old);
    if (it == jobs_.end()) continue;
    // Its thread has done its work (it is in finished_) but may still be
    // returning from Update: joined later, never under the lock.
    if (it->second->thread.joinable()) retired_.push_back(std::move(it->second->thread));
    std::error_code ec;
    std::filesystem::remove_all(it->second->state.dir, ec);
    jobs_.erase(it);
  }
}

StatusOr<JobState> ReviewJobs::Get(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return Status::NotFound("no review job " + id);
  return it->second->state;
}

StatusOr<JobState> ReviewJobs::WaitChange(const std::string& id, uint64_t seen, const std::function<bool()>& stop,
                                          int poll_ms) const {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return Status::NotFound("no review job " + id);
    if (it->second->state.version != seen || (stop && stop())) return it->second->state;
    changed_.wait_for(lock, std::chrono::milliseconds(poll_ms));
  }
}

void ReviewJobs::CancelAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, job] : jobs_) job->cancel = true;
}

Status ReviewJobs::Cancel(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return Status::NotFound("no review job " + id);
  it->second->cancel = true;
  return Status::Ok();
}

}  // namespace litrank::server

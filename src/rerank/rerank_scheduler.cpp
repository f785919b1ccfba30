// RerankScheduler: continuous batching of concurrent Rerank calls over one engine.
#include "litrank/rerank_scheduler.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "rerank/reranker_impl.h"

namespace litrank {
namespace {

/// One call's pairs while they wait for (or are in) decode rounds. Shared between the
/// calling thread and the scheduler thread, so a cancelled call's tokens outlive
/// the round they are in.
struct Job {
  PendingRerank pending;
  size_t next = 0;      // next todo entry to put into a round
  size_t done = 0;      // todo entries scored
  uint64_t arrival = 0; // order of arrival
  uint64_t served = 0;  // the last round that took one of its pairs (arrival round at first)
  bool cancelled = false;
  Status error;
  bool finished() const { return !error.ok() || done == pending.todo.size(); }
  bool schedulable() const { return !cancelled && error.ok() && next < pending.todo.size(); }
  size_t remaining() const { return pending.todo.size() - next; }
};

/// A round being built: which job each pair came from, and its running costs.
struct Round {
  std::vector<std::shared_ptr<Job>> jobs;  // distinct jobs, in the round
  std::vector<PairRef> pairs;
  struct Owner { Job* job; size_t todo; size_t cost; };
  std::vector<Owner> owner;  // per pair
  size_t tokens = 0, prompt_tokens = 0;
};

/// Calls the caller's progress callback; an exception from it is the caller's business
/// and must not leave the call stuck in the queue.
void Report(const RerankOptions& options, size_t done, size_t total) {
  try {
    options.on_progress(done, total);
  } catch (...) {
  }
}

size_t BucketOf(size_t pairs) {
  size_t b = 0;
  while (b < 9 && (size_t{1} << b) < pairs) ++b;
  return b;
}

class SchedulerImpl final : public RerankScheduler {
 public:
  SchedulerImpl(std::unique_ptr<RerankerImpl> impl, SchedulerConfig config)
      : impl_(std::move(impl)), config_(config), worker_([this] { Loop(); }) {}

  ~SchedulerImpl() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    worker_.join();
  }

  Status Rerank(const std::string& query, const std::vector<std::string>& documents,
                const RerankOptions& options, RerankResult* result) override;
  const ModelInfo& info() const override { return impl_->info(); }
  const std::string& fingerprint() const override { return impl_->fingerprint(); }
  StatusOr<std::vector<int32_t>> PairTokens(const std::string& query, const std::string& document,
                                            const RerankOptions& options) override {
    return impl_->PairTokens(query, document, options);
  }
  void ClearCache() override { impl_->ClearCache(); }
  SchedulerStats stats() const override {
    std::lock_guard<std::mutex> lock(mu_);
    SchedulerStats s = stats_;
    s.queued_pairs = queued_pairs_;
    s.active_calls = active_.size();
    return s;
  }

 private:
  void Loop();
  bool Fill(Round* round);
  bool Fits(const Round& round, const Job& job, const PairRef& pair, const RoundLimits& lim) const;
  Status Wait(const std::shared_ptr<Job>& job, const RerankOptions& options, size_t total);
  void Retire(const std::shared_ptr<Job>& job);

  std::unique_ptr<RerankerImpl> impl_;
  const SchedulerConfig config_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // the scheduler waits for work
  std::condition_variable done_cv_;  // callers wait for their pairs
  std::deque<std::shared_ptr<Job>> active_;
  uint64_t arrivals_ = 0;            // calls queued so far
  size_t queued_pairs_ = 0;
  SchedulerStats stats_;
  bool stop_ = false;
  std::thread worker_;               // last: starts after everything above exists
};

Status SchedulerImpl::Rerank(const std::string& query, const std::vector<std::string>& documents,
                             const RerankOptions& options, RerankResult* result) {
  *result = RerankResult{};
  auto job = std::make_shared<Job>();
  Status st = impl_->Prepare(query, documents, options, &job->pending);
  const size_t n = job->pending.todo.size();
  if (st.ok() && n > 0) {
    std::unique_lock<std::mutex> lock(mu_);
    if (stop_) return Status::Cancelled("the reranker is shutting down");
    if (queued_pairs_ > 0 && queued_pairs_ + n > config_.max_queued_pairs) {
      ++stats_.rejected;
      return Status::ResourceExhausted("the rerank queue is full (" + std::to_string(queued_pairs_) +
                                       " pairs waiting); retry shortly");
    }
    queued_pairs_ += n;
    job->arrival = arrivals_++;
    job->served = stats_.rounds;
    active_.push_back(job);
    lock.unlock();
    work_cv_.notify_one();
    st = Wait(job, options, documents.size());
  }
  if (st.ok()) st = impl_->Finish(&job->pending, options, result);
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.calls;
  if (st.code() == Status::Code::kCancelled) ++stats_.cancelled;
  if (st.ok()) stats_.documents += documents.size(), stats_.cache_hits += result->stats.cache_hits;
  return st;
}

// The caller's side: waits for its pairs, reporting progress and polling `cancelled`.
Status SchedulerImpl::Wait(const std::shared_ptr<Job>& job, const RerankOptions& options, size_t total) {
  const size_t cached = total - job->pending.todo.size();
  size_t reported = 0;
  std::unique_lock<std::mutex> lock(mu_);
  while (!job->finished()) {
    if (stop_) {  // its pairs in the running round are then not counted twice
      job->cancelled = true;
      job->error = Status::Cancelled("the reranker is shutting down");
      break;
    }
    if (options.cancelled) {
      lock.unlock();
      bool gave_up = true;  // a callback that throws counts as giving up
      try {
        gave_up = options.cancelled();
      } catch (...) {
      }
      lock.lock();
      if (gave_up) {
        job->cancelled = true;
        Retire(job);
        return Status::Cancelled("the caller gave up");
      }
    }
    if (options.on_progress && job->done != reported) {
      reported = job->done;
      lock.unlock();
      Report(options, cached + reported, total);
      lock.lock();
      continue;
    }
    done_cv_.wait_for(lock, std::chrono::milliseconds(25));
  }
  if (options.on_progress && reported != job->done && job->error.ok()) {
    lock.unlock();
    Report(options, total, total);
    lock.lock();
  }
  Retire(job);
  return job->error;
}

// Drops a job from the queue (lock held); pairs in the current round finish there.
void SchedulerImpl::Retire(const std::shared_ptr<Job>& job) {
  auto it = std::find(active_.begin(), active_.end(), job);
  if (it == active_.end()) return;
  queued_pairs_ -= job->pending.todo.size() - job->done;
  active_.erase(it);
}

bool SchedulerImpl::Fits(const Round& round, const Job& job, const PairRef& pair, const RoundLimits& lim) const {
  if (round.pairs.empty()) return true;  // a pair alone always fits (the engine grows its cache)
  const bool new_prompt = std::none_of(round.jobs.begin(), round.jobs.end(), [&](auto& j) { return j.get() == &job; });
  const size_t cost = impl_->engine()->PairCost(pair);
  const size_t prompt = new_prompt ? impl_->engine()->PromptCost(*pair.prompt) : 0;
  return round.pairs.size() < lim.round_sequences && round.tokens + cost <= lim.round_tokens &&
         (!new_prompt || round.jobs.size() < lim.prompt_slots) &&
         round.tokens + cost + round.prompt_tokens + prompt <= lim.context_tokens;
}

// Fills a round (lock held): calls with the fewest pairs left go first, so short calls
// finish within a round or two and calls finish one after another rather than all at
// the end; a call that got no pair for kMaxWaitRounds rounds goes first (oldest
// first), so a long call always progresses. Each call contributes pairs until the
// next one does not fit; others may fill what is left. Returns whether it took any.
bool SchedulerImpl::Fill(Round* round) {
  constexpr uint64_t kMaxWaitRounds = 4;
  const RoundLimits lim = impl_->engine()->limits();
  std::vector<std::shared_ptr<Job>> order;
  for (const auto& job : active_) if (job->schedulable()) order.push_back(job);
  const uint64_t now = stats_.rounds;
  auto starving = [&](const Job& j) { return now - j.served >= kMaxWaitRounds; };
  std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    if (starving(*a) != starving(*b)) return starving(*a);
    if (starving(*a)) return a->arrival < b->arrival;
    return a->remaining() != b->remaining() ? a->remaining() < b->remaining() : a->arrival < b->arrival;
  });
  for (const std::shared_ptr<Job>& job : order) {
    while (job->schedulable()) {
      const PairRef pair{&job->pending.prompt, &job->pending.todo[job->next]};
      if (!Fits(*round, *job, pair, lim)) break;
      if (std::find(round->jobs.begin(), round->jobs.end(), job) == round->jobs.end()) {
        round->jobs.push_back(job);
        round->prompt_tokens += impl_->engine()->PromptCost(*pair.prompt);
      }
      const size_t cost = impl_->engine()->PairCost(pair);
      round->tokens += cost;
      round->pairs.push_back(pair);
      round->owner.push_back({job.get(), job->next++, cost});
      job->served = now + 1;
      if (round->tokens >= lim.round_tokens) return true;  // full, or an over-budget lone pair
    }
  }
  return !round->pairs.empty();
}

void SchedulerImpl::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  std::vector<double> logits;
  while (true) {
    Round round;
    work_cv_.wait(lock, [&] {
      return stop_ || std::any_of(active_.begin(), active_.end(), [](auto& j) { return j->schedulable(); });
    });
    if (stop_) break;
    if (config_.before_round) {
      const uint64_t rounds = stats_.rounds;
      lock.unlock();
      config_.before_round(rounds);
      lock.lock();
      if (stop_) break;
    }
    if (!Fill(&round)) continue;
    lock.unlock();
    const auto t0 = std::chrono::steady_clock::now();
    size_t decoded = 0;
    Status st;
    try {  // an exception (bad_alloc) fails this round's calls, not the server
      st = impl_->engine()->ScoreRound(round.pairs, &logits, &decoded);
    } catch (const std::exception& e) {
      st = Status::Internal(std::string("decoding failed: ") + e.what());
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    lock.lock();
    for (size_t i = 0; i < round.owner.size(); ++i) {
      auto [job, k, cost] = round.owner[i];
      if (st.ok()) job->pending.logits[k] = logits[i], job->pending.stats.decoded_tokens += cost;
      else if (job->error.ok()) job->error = st;
      if (!job->cancelled) ++job->done, --queued_pairs_;
    }
    stats_.rounds += 1;
    stats_.pairs += round.pairs.size();
    stats_.mixed_rounds += round.jobs.size() > 1;
    stats_.decoded_tokens += decoded;
    stats_.busy_seconds += secs;
    stats_.round_size_buckets[BucketOf(round.pairs.size())] += 1;
    done_cv_.notify_all();
  }
  for (auto& job : active_) job->error = Status::Cancelled("the reranker is shutting down");
  done_cv_.notify_all();
}

}  // namespace

StatusOr<std::unique_ptr<RerankScheduler>> RerankScheduler::Open(const std::string& model_path,
                                                                 const RerankerConfig& config,
                                                                 const SchedulerConfig& scheduler) {
  auto impl = RerankerImpl::Load(model_path, config);
  if (!impl.ok()) return impl.status();
  return std::unique_ptr<RerankScheduler>(new SchedulerImpl(std::move(impl.value()), scheduler));
}

}  // namespace litrank

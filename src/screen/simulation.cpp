// Replays fully labelled reviews to measure a screening strategy.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <random>
#include <thread>

#include "litrank/screening.h"
#include "screen/active_learner.h"
#include "screen/screen_features.h"

namespace litrank {
namespace {

using screen::LabelVector;
using screen::RelevanceModel;

// Records screened before the model is retrained again.
size_t RetrainStep(size_t screened, double share) {
  return std::max<size_t>(1, static_cast<size_t>(std::floor(static_cast<double>(screened) * share)));
}

Status ReplayOne(const screen::ScreeningFeatures& features, const std::vector<bool>& included, uint64_t seed,
                 const SimulationOptions& options, SimulationRun* run) {
  const auto start = std::chrono::steady_clock::now();
  const size_t n = included.size();
  std::mt19937_64 rng(seed);
  std::vector<uint32_t> pos, neg;
  for (size_t i = 0; i < n; ++i) (included[i] ? pos : neg).push_back(static_cast<uint32_t>(i));
  std::uniform_int_distribution<size_t> pick_pos(0, pos.size() - 1), pick_neg(0, neg.size() - 1);
  std::vector<uint32_t> order = {pos[pick_pos(rng)], neg[pick_neg(rng)]};
  LabelVector labels(n, -1);
  for (uint32_t r : order) labels[r] = included[r] ? 1 : 0;

  RelevanceModel model(features.rows, features.prior, options.model);
  std::vector<double> scores;
  while (order.size() < n) {
    LITRANK_RETURN_IF_ERROR(model.Score(labels, &scores));
    ++run->retrains;
    for (uint32_t r : model.Pick(labels, {}, scores, RetrainStep(order.size(), options.model.retrain_share), rng)) {
      labels[r] = included[r] ? 1 : 0;
      order.push_back(r);
    }
  }

  const int64_t total = std::count(included.begin(), included.end(), true);
  const auto target = static_cast<int64_t>(std::ceil(0.95 * static_cast<double>(total)));
  const auto at_10 = static_cast<size_t>(std::ceil(0.10 * static_cast<double>(n)));
  std::vector<bool> in_order;
  in_order.reserve(n);
  int64_t found = 0;
  run->stop_at = 0;
  for (size_t k = 1; k <= n; ++k) {
    const bool inc = included[order[k - 1]];
    in_order.push_back(inc);
    found += inc ? 1 : 0;
    if (run->screened_at_95 == 0 && found >= target) run->screened_at_95 = static_cast<int64_t>(k);
    if (k == at_10) run->rrf10 = static_cast<double>(found) / static_cast<double>(total);
    if (run->stop_at == 0 && EstimateStopping(in_order, static_cast<int64_t>(n)).suggest_stop) {
      run->stop_at = static_cast<int64_t>(k);
      run->recall_at_stop = static_cast<double>(found) / static_cast<double>(total);
    }
  }
  run->wss95 = static_cast<double>(static_cast<int64_t>(n) - run->screened_at_95) / static_cast<double>(n) - 0.05;
  run->seed = seed;
  if (options.keep_order) run->order = std::move(order);
  run->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Status::Ok();
}

}  // namespace

StatusOr<SimulationResult> SimulateScreening(const std::vector<Document>& docs, const std::vector<bool>& included,
                                             const SimulationOptions& options,
                                             const std::function<void(int, int)>& progress) {
  if (docs.size() != included.size()) return Status::InvalidArgument("one label per record is needed");
  if (options.seeds < 1) return Status::InvalidArgument("--seeds must be at least 1");
  const auto total = std::count(included.begin(), included.end(), true);
  if (total == 0) return Status::InvalidArgument("the labelled file has no included record");
  if (total == static_cast<int64_t>(included.size())) {
    return Status::InvalidArgument("the labelled file has no excluded record");
  }
  StatusOr<screen::ScreeningFeatures> features = screen::BuildScreeningFeatures(docs, options.question, options.model);
  if (!features.ok()) return features.status();

  SimulationResult result;
  result.records = static_cast<int64_t>(docs.size());
  result.included = total;
  result.runs.resize(static_cast<size_t>(options.seeds));
  std::atomic<int> next{0}, done{0};
  std::mutex mu;
  Status first_error;
  auto worker = [&] {
    for (int i = next++; i < options.seeds; i = next++) {
      Status st = ReplayOne(*features, included, options.first_seed + static_cast<uint64_t>(i), options,
                            &result.runs[static_cast<size_t>(i)]);
      std::lock_guard<std::mutex> lock(mu);
      if (!st.ok() && first_error.ok()) first_error = st;
      if (progress) progress(++done, options.seeds);
    }
  };
  const unsigned threads = std::max(1u, std::min<unsigned>(std::thread::hardware_concurrency(),
                                                          static_cast<unsigned>(options.seeds)));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  LITRANK_RETURN_IF_ERROR(first_error);

  double retrain_seconds = 0;
  int retrains = 0;
  for (const SimulationRun& r : result.runs) {
    const double k = 1.0 / options.seeds;
    result.wss95 += k * r.wss95;
    result.rrf10 += k * r.rrf10;
    result.screened_at_95 += k * static_cast<double>(r.screened_at_95);
    result.stop_reached_95 += k * (r.recall_at_stop >= 0.95 ? 1 : 0);
    result.mean_recall_at_stop += k * r.recall_at_stop;
    result.mean_stop_at += k * static_cast<double>(r.stop_at);
    retrain_seconds += r.seconds;
    retrains += r.retrains;
  }
  result.mean_retrain_ms = retrains > 0 ? 1000 * retrain_seconds / retrains : 0;
  return result;
}

}  // namespace litrank

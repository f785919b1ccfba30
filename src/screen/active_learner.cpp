#include "screen/active_learner.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace litrank::screen {

LinearOptions ToLinearOptions(const ScreeningModelOptions& options) {
  LinearOptions out;
  out.learner = options.learner == "logistic" ? Learner::kLogistic : Learner::kSvm;
  out.c = options.c;
  return out;
}

RelevanceModel::RelevanceModel(const SparseRows& x, std::vector<double> prior, ScreeningModelOptions options)
    : x_(x), prior_(std::move(prior)), options_(std::move(options)), trainer_(x) {
  if (prior_.size() != x.rows()) {
    prior_.clear();
    return;
  }
  // Standardise, so prior_weight means the same for BM25 and reranker scores.
  const double n = static_cast<double>(prior_.size());
  const double mean = std::accumulate(prior_.begin(), prior_.end(), 0.0) / n;
  double var = 0;
  for (double p : prior_) var += (p - mean) * (p - mean);
  const double sd = std::sqrt(var / n);
  for (double& p : prior_) p = sd > 0 ? (p - mean) / sd : 0;
}

Status RelevanceModel::Score(const LabelVector& labels, std::vector<double>* scores) {
  std::vector<uint32_t> rows;
  std::vector<bool> relevant;
  size_t includes = 0;
  for (size_t r = 0; r < labels.size(); ++r) {
    if (labels[r] < 0) continue;
    rows.push_back(static_cast<uint32_t>(r));
    relevant.push_back(labels[r] == 1);
    includes += labels[r] == 1 ? 1 : 0;
  }
  scores->assign(x_.rows(), 0.0);
  trained_ = includes > 0 && includes < rows.size();
  if (trained_) {
    StatusOr<LinearModel> model = trainer_.Train(rows, relevant, ToLinearOptions(options_));
    if (!model.ok()) return model.status();
    for (size_t r = 0; r < x_.rows(); ++r) (*scores)[r] = model->Score(x_, r);
  }
  if (!prior_.empty()) {
    // Alone before training; afterwards a signal that fades with each include.
    const double weight = trained_ ? options_.prior_weight / static_cast<double>(std::max<size_t>(1, includes)) : 1.0;
    for (size_t r = 0; r < x_.rows(); ++r) (*scores)[r] += weight * prior_[r];
  }
  return Status::Ok();
}

std::vector<uint32_t> RelevanceModel::Pick(const LabelVector& labels, const std::vector<bool>& skip,
                                           const std::vector<double>& scores, size_t count,
                                           std::mt19937_64& rng) const {
  std::vector<uint32_t> pool;
  for (size_t r = 0; r < labels.size(); ++r) {
    if (labels[r] < 0 && (skip.empty() || !skip[r])) pool.push_back(static_cast<uint32_t>(r));
  }
  count = std::min(count, pool.size());
  // Ties break on the row index, so a run is reproducible.
  auto better = [&](uint32_t a, uint32_t b) {
    double ka = scores[a], kb = scores[b];
    if (options_.strategy == QueryStrategy::kUncertainty && trained_) {
      ka = -std::fabs(ka);
      kb = -std::fabs(kb);
    }
    return ka != kb ? ka > kb : a < b;
  };
  std::vector<uint32_t> picked;
  if (options_.strategy == QueryStrategy::kMixed && options_.random_share > 0) {
    std::bernoulli_distribution coin(options_.random_share);
    std::vector<bool> taken(labels.size(), false);
    std::sort(pool.begin(), pool.end(), better);
    size_t next_best = 0;
    while (picked.size() < count) {
      uint32_t r;
      if (coin(rng)) {
        std::uniform_int_distribution<size_t> any(0, pool.size() - 1);
        do r = pool[any(rng)]; while (taken[r]);
      } else {
        while (taken[pool[next_best]]) ++next_best;
        r = pool[next_best];
      }
      taken[r] = true;
      picked.push_back(r);
    }
    return picked;
  }
  std::partial_sort(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(count), pool.end(), better);
  pool.resize(count);
  return pool;
}

}  // namespace litrank::screen

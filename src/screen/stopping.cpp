// The stopping aid: the knee method of Cormack & Grossman (SIGIR 2016,
// "Engineering quality and reliability in technology-assisted review") with a
// slope-ratio threshold of 30, chosen by simulation on the shared reviews (their
// published adjusted threshold, 156 - min(found, 150), never stopped before the
// last record there). See docs/SCREENING.md for the sweep.
#include <algorithm>
#include <cmath>

#include "litrank/screening.h"

namespace litrank {
namespace {

// The knee method asks for at least this many records screened.
constexpr int64_t kMinScreened = 150;
// Stop once the includes before the knee came this many times faster than after it.
constexpr double kSlopeRatio = 30;

}  // namespace

StoppingEstimate EstimateStopping(const std::vector<bool>& included_in_order, int64_t total) {
  StoppingEstimate e;
  const auto s = static_cast<int64_t>(included_in_order.size());
  e.screened = s;
  std::vector<int64_t> gain(static_cast<size_t>(s) + 1, 0);
  for (int64_t i = 0; i < s; ++i) gain[i + 1] = gain[i] + (included_in_order[i] ? 1 : 0);
  e.found = gain[s];
  if (s == 0) {
    e.estimated_remaining = 0;
    return e;
  }
  // The knee: the point of the gain curve farthest above the chord from (0, 0)
  // to (s, gain(s)).
  int64_t knee = 0;
  double best = -1;
  for (int64_t i = 1; i <= s; ++i) {
    const double d = static_cast<double>(gain[i]) * s - static_cast<double>(e.found) * i;
    if (d > best) { best = d; knee = i; }
  }
  const double rate_before = knee > 0 ? static_cast<double>(gain[knee]) / knee : 0;
  const double rate_after = static_cast<double>(e.found - gain[knee] + 1) / std::max<int64_t>(1, s - knee);
  e.knee_slope_ratio = rate_after > 0 ? rate_before / rate_after : 0;
  // The tail's rate of includes, carried over what is left: an estimate that
  // errs high, since the rate keeps falling as the model runs out of relevant records.
  const double tail_rate = static_cast<double>(e.found - gain[knee]) / std::max<int64_t>(1, s - knee);
  e.estimated_remaining = std::max(0.0, tail_rate * static_cast<double>(total - s));
  e.suggest_stop = s >= std::min(kMinScreened, total) && e.found > 0 && e.knee_slope_ratio >= kSlopeRatio;
  if (s == total) e.suggest_stop = true;
  return e;
}

}  // namespace litrank

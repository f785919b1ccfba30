// Kleinberg's two-state burst automaton over yearly batches (Kleinberg 2002,
// "Bursty and hierarchical structure in streams", section 3, enumerating
// automaton), as CiteSpace applies it to keyword counts.
#include <algorithm>
#include <cmath>
#include <limits>

#include "litrank/trends.h"

namespace litrank {

std::vector<Burst> DetectBursts(const std::string& term, int first_year, const std::vector<size_t>& hits,
                                const std::vector<size_t>& totals, const BurstOptions& options) {
  const size_t n = std::min(hits.size(), totals.size());
  double r_sum = 0, d_sum = 0;
  for (size_t t = 0; t < n; ++t) r_sum += static_cast<double>(hits[t]), d_sum += static_cast<double>(totals[t]);
  if (n == 0 || r_sum == 0 || d_sum == 0) return {};
  const double p0 = std::min(r_sum / d_sum, 0.9999);
  const double p1 = std::min(options.scale * p0, 0.9999);
  if (p1 <= p0) return {};  // a term in (nearly) every document cannot burst
  // -ln of the binomial likelihood without the binomial coefficient (the same in
  // both states, so it cancels in every comparison).
  auto cost = [&](size_t t, double p) {
    const double r = static_cast<double>(hits[t]), d = static_cast<double>(totals[t]);
    return -(r * std::log(p) + (d - r) * std::log(1 - p));
  };
  const double enter = options.gamma * std::log(static_cast<double>(std::max<size_t>(n, 2)));
  // Viterbi over states {0 base, 1 burst}, starting in 0; leaving a burst is free.
  std::vector<double> best0(n), best1(n);
  std::vector<unsigned char> from0(n), from1(n);  // the previous state on the best path
  double prev0 = 0, prev1 = std::numeric_limits<double>::infinity();
  for (size_t t = 0; t < n; ++t) {
    const double c0 = cost(t, p0), c1 = cost(t, p1);
    from0[t] = prev1 < prev0 ? 1 : 0;
    best0[t] = std::min(prev0, prev1) + c0;
    const double via0 = prev0 + enter;
    from1[t] = prev1 <= via0 ? 1 : 0;
    best1[t] = std::min(via0, prev1) + c1;
    prev0 = best0[t];
    prev1 = best1[t];
  }
  std::vector<unsigned char> state(n);
  state[n - 1] = best1[n - 1] < best0[n - 1] ? 1 : 0;
  for (size_t t = n - 1; t > 0; --t) state[t - 1] = state[t] ? from1[t] : from0[t];

  std::vector<Burst> out;
  for (size_t t = 0; t < n;) {
    if (!state[t]) {
      ++t;
      continue;
    }
    Burst b;
    b.term = term;
    b.start = first_year + static_cast<int>(t);
    for (; t < n && state[t]; ++t) {
      b.strength += cost(t, p0) - cost(t, p1);
      b.documents += hits[t];
    }
    b.end = first_year + static_cast<int>(t) - 1;
    if (b.strength >= options.min_strength) out.push_back(std::move(b));
  }
  return out;
}

}  // namespace litrank

#include "analysis/kmeans.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace litrank::analysis {
namespace {

/// Squared distance of every row to every centre (rows × k), from
/// |x|² - 2 x·c + |c|², clamped at 0 against rounding.
Eigen::MatrixXf Distances(const DenseRows& x, const Eigen::VectorXf& row_norms, const DenseRows& c) {
  Eigen::MatrixXf d = -2.0f * (x * c.transpose());
  const Eigen::VectorXf cn = c.rowwise().squaredNorm();
  d.colwise() += row_norms;
  d.rowwise() += cn.transpose();
  return d.cwiseMax(0.0f);
}

/// Greedy k-means++: each new centre is the best (lowest potential) of
/// 2 + ln(k) candidates drawn with probability proportional to D².
DenseRows Seed(const DenseRows& x, const Eigen::VectorXf& norms, int k, std::mt19937_64& rng) {
  const Eigen::Index n = x.rows();
  const int trials = 2 + static_cast<int>(std::log(k));
  DenseRows c(k, x.cols());
  std::uniform_int_distribution<Eigen::Index> any(0, n - 1);
  // Squared distances of every row to row p: |x|² + |x_p|² - 2 x·x_p (one matrix-vector product).
  auto to_row = [&](Eigen::Index p) -> Eigen::VectorXf {
    Eigen::VectorXf d = norms - 2.0f * (x * x.row(p).transpose());
    return (d.array() + norms(p)).cwiseMax(0.0f).matrix();
  };
  const Eigen::Index first = any(rng);
  c.row(0) = x.row(first);
  Eigen::VectorXf closest = to_row(first);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> cumulative(static_cast<size_t>(n));
  for (int j = 1; j < k; ++j) {
    double total = 0;
    for (Eigen::Index i = 0; i < n; ++i) cumulative[i] = total += closest(i);
    Eigen::Index best = -1;
    double best_potential = std::numeric_limits<double>::infinity();
    Eigen::VectorXf best_closest;
    for (int t = 0; t < trials; ++t) {
      Eigen::Index pick;
      if (total <= 0) {
        pick = any(rng);
      } else {
        const double u = unit(rng) * total;
        pick = std::min<Eigen::Index>(std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin(), n - 1);
      }
      Eigen::VectorXf d = to_row(pick).cwiseMin(closest);
      const double potential = d.cast<double>().sum();
      if (potential < best_potential) best_potential = potential, best = pick, best_closest = std::move(d);
    }
    c.row(j) = x.row(best);
    closest = std::move(best_closest);
  }
  return c;
}

KMeansResult Lloyd(const DenseRows& x, const Eigen::VectorXf& norms, DenseRows c, const KMeansOptions& o,
                   double tol) {
  const Eigen::Index n = x.rows();
  const int k = static_cast<int>(c.rows());
  KMeansResult r;
  r.labels.assign(static_cast<size_t>(n), 0);
  Eigen::VectorXf best(n);
  for (int it = 0; it < o.max_iterations; ++it) {
    const Eigen::MatrixXf d = Distances(x, norms, c);
    for (Eigen::Index i = 0; i < n; ++i) {
      Eigen::Index j;
      best(i) = d.row(i).minCoeff(&j);
      r.labels[i] = static_cast<int>(j);
    }
    DenseRows next = DenseRows::Zero(k, x.cols());
    std::vector<int64_t> count(k, 0);
    for (Eigen::Index i = 0; i < n; ++i) next.row(r.labels[i]) += x.row(i), ++count[r.labels[i]];
    for (int j = 0; j < k; ++j) {
      if (count[j] > 0) {
        next.row(j) /= static_cast<float>(count[j]);
      } else {  // an empty cluster restarts at the row farthest from its centre
        Eigen::Index far;
        best.maxCoeff(&far);
        next.row(j) = x.row(far);
        best(far) = 0;
      }
    }
    const double shift = (next - c).squaredNorm();
    c = std::move(next);
    if (shift <= tol) break;
  }
  // Final assignment against the final centres.
  const Eigen::MatrixXf d = Distances(x, norms, c);
  r.inertia = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    Eigen::Index j;
    r.inertia += d.row(i).minCoeff(&j);
    r.labels[i] = static_cast<int>(j);
  }
  r.centroids = std::move(c);
  return r;
}

}  // namespace

KMeansResult KMeans(const DenseRows& x, const KMeansOptions& options) {
  KMeansResult best;
  const int k = static_cast<int>(std::min<Eigen::Index>(options.k, x.rows()));
  if (k <= 0) return best;
  const Eigen::VectorXf norms = x.rowwise().squaredNorm();
  // Tolerance relative to the data's spread, as scikit-learn's.
  const Eigen::RowVectorXf mean = x.colwise().mean();
  const double variance = (x.rowwise() - mean).squaredNorm() / static_cast<double>(x.rows() * std::max<Eigen::Index>(1, x.cols()));
  const double tol = options.tolerance * variance;
  std::mt19937_64 rng(options.seed);
  best.inertia = std::numeric_limits<double>::infinity();
  for (int run = 0; run < std::max(1, options.restarts); ++run) {
    KMeansResult r = Lloyd(x, norms, Seed(x, norms, k, rng), options, tol);
    if (r.inertia < best.inertia) best = std::move(r);
  }
  return best;
}

double MeanSilhouette(const DenseRows& x, const std::vector<int>& labels, int k) {
  const Eigen::Index n = x.rows();
  if (n < 2 || k < 2) return 0;
  std::vector<int64_t> size(k, 0);
  for (int l : labels) ++size[l];
  const Eigen::VectorXf norms = x.rowwise().squaredNorm();
  double total = 0;
  std::vector<double> sum(k);
  for (Eigen::Index i = 0; i < n; ++i) {
    const int own = labels[i];
    if (size[own] < 2) continue;
    std::fill(sum.begin(), sum.end(), 0.0);
    const Eigen::VectorXf dots = x * x.row(i).transpose();
    for (Eigen::Index j = 0; j < n; ++j) {
      if (j == i) continue;
      sum[labels[j]] += std::sqrt(std::max(0.0f, norms(i) + norms(j) - 2 * dots(j)));
    }
    const double a = sum[own] / static_cast<double>(size[own] - 1);
    double b = std::numeric_limits<double>::infinity();
    for (int c = 0; c < k; ++c) {
      if (c != own && size[c] > 0) b = std::min(b, sum[c] / static_cast<double>(size[c]));
    }
    if (std::isfinite(b) && std::max(a, b) > 0) total += (b - a) / std::max(a, b);
  }
  return total / static_cast<double>(n);
}

}  // namespace litrank::analysis

namespace litrank::analysis {

int RefineSpherical(const SparseRows& x, int k, int max_iterations, std::vector<int>* labels) {
  const size_t n = x.rows();
  int rounds = 0;
  std::vector<float> centres(static_cast<size_t>(k) * x.dims);
  std::vector<float> scores(static_cast<size_t>(k));
  std::vector<size_t> size(static_cast<size_t>(k));
  for (; rounds < max_iterations; ++rounds) {
    std::fill(centres.begin(), centres.end(), 0.0f);
    std::fill(size.begin(), size.end(), 0);
    for (size_t r = 0; r < n; ++r) {
      const int l = (*labels)[r];
      if (l < 0) continue;
      ++size[l];
      float* c = &centres[static_cast<size_t>(l) * x.dims];
      for (size_t i = x.offsets[r]; i < x.offsets[r + 1]; ++i) c[x.cols[i]] += x.vals[i];
    }
    for (int l = 0; l < k; ++l) {  // unit centres: the dot product is the cosine
      float* c = &centres[static_cast<size_t>(l) * x.dims];
      double norm = 0;
      for (uint32_t d = 0; d < x.dims; ++d) norm += static_cast<double>(c[d]) * c[d];
      if (norm > 0) {
        const float inv = static_cast<float>(1.0 / std::sqrt(norm));
        for (uint32_t d = 0; d < x.dims; ++d) c[d] *= inv;
      }
    }
    size_t moved = 0;
    for (size_t r = 0; r < n; ++r) {
      const int from = (*labels)[r];
      if (from < 0 || x.offsets[r] == x.offsets[r + 1]) continue;
      int best = from;
      float best_score = -1;
      for (int l = 0; l < k; ++l) {
        const float* c = &centres[static_cast<size_t>(l) * x.dims];
        float s = 0;
        for (size_t i = x.offsets[r]; i < x.offsets[r + 1]; ++i) s += x.vals[i] * c[x.cols[i]];
        if (s > best_score || (s == best_score && l == from)) best_score = s, best = l;
      }
      if (best != from && size[from] > 1) {  // never empty a topic
        --size[from];
        ++size[best];
        (*labels)[r] = best;
        ++moved;
      }
    }
    if (moved == 0) break;
  }
  return rounds;
}

}  // namespace litrank::analysis

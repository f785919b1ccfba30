#include "eval/cluster_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace litrank {
namespace {

/// Contingency table: rows = gold classes, columns = predicted clusters.
std::vector<std::vector<double>> Contingency(const std::vector<std::string>& gold, const std::vector<int>& predicted) {
  std::map<std::string, size_t> classes;
  std::map<int, size_t> clusters;
  for (const std::string& g : gold) classes.emplace(g, classes.size());
  for (int p : predicted) clusters.emplace(p, clusters.size());
  std::vector<std::vector<double>> m(classes.size(), std::vector<double>(clusters.size(), 0));
  for (size_t i = 0; i < gold.size(); ++i) m[classes[gold[i]]][clusters[predicted[i]]] += 1;
  return m;
}

double Entropy(const std::vector<double>& counts, double n) {
  double h = 0;
  for (double c : counts) {
    if (c > 0) h -= c / n * std::log(c / n);
  }
  return h;
}

/// Minimum-cost assignment of rows to columns of a square cost matrix
/// (Hungarian algorithm with potentials, O(n³)); returns the column of each row.
std::vector<size_t> Assign(const std::vector<std::vector<double>>& cost) {
  const size_t n = cost.size();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0), v(n + 1, 0);
  std::vector<size_t> p(n + 1, 0), way(n + 1, 0);  // p[j]: row matched to column j (1-based, 0 = none)
  for (size_t i = 1; i <= n; ++i) {
    p[0] = i;
    size_t j0 = 0;
    std::vector<double> minv(n + 1, inf);
    std::vector<bool> used(n + 1, false);
    do {
      used[j0] = true;
      const size_t i0 = p[j0];
      double delta = inf;
      size_t j1 = 0;
      for (size_t j = 1; j <= n; ++j) {
        if (used[j]) continue;
        const double cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
        if (cur < minv[j]) minv[j] = cur, way[j] = j0;
        if (minv[j] < delta) delta = minv[j], j1 = j;
      }
      for (size_t j = 0; j <= n; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const size_t j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<size_t> column(n, 0);
  for (size_t j = 1; j <= n; ++j) {
    if (p[j] != 0) column[p[j] - 1] = j - 1;
  }
  return column;
}

}  // namespace

double NormalizedMutualInformation(const std::vector<std::string>& gold, const std::vector<int>& predicted) {
  if (gold.empty() || gold.size() != predicted.size()) return 0;
  const auto m = Contingency(gold, predicted);
  const double n = static_cast<double>(gold.size());
  std::vector<double> rows(m.size(), 0), cols(m[0].size(), 0);
  for (size_t i = 0; i < m.size(); ++i) {
    for (size_t j = 0; j < m[i].size(); ++j) rows[i] += m[i][j], cols[j] += m[i][j];
  }
  if (rows.size() == 1 && cols.size() == 1) return 1;  // scikit-learn: both trivially perfect
  double mi = 0;
  for (size_t i = 0; i < m.size(); ++i) {
    for (size_t j = 0; j < m[i].size(); ++j) {
      if (m[i][j] > 0) mi += m[i][j] / n * std::log(m[i][j] * n / (rows[i] * cols[j]));
    }
  }
  const double norm = (Entropy(rows, n) + Entropy(cols, n)) / 2;
  return norm > 0 ? std::clamp(mi / norm, 0.0, 1.0) : 0;
}

double ClusteringAccuracy(const std::vector<std::string>& gold, const std::vector<int>& predicted) {
  if (gold.empty() || gold.size() != predicted.size()) return 0;
  const auto m = Contingency(gold, predicted);
  const size_t size = std::max(m.size(), m[0].size());
  std::vector<std::vector<double>> cost(size, std::vector<double>(size, 0));
  for (size_t i = 0; i < m.size(); ++i) {
    for (size_t j = 0; j < m[i].size(); ++j) cost[i][j] = -m[i][j];
  }
  const std::vector<size_t> column = Assign(cost);
  double hits = 0;
  for (size_t i = 0; i < m.size(); ++i) {
    if (column[i] < m[i].size()) hits += m[i][column[i]];
  }
  return hits / static_cast<double>(gold.size());
}

}  // namespace litrank

// Internal to analysis/: k-means on dense rows (k-means++ seeding, Lloyd's
// iterations, best of several restarts), and the silhouette that picks k.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/lsa.h"

namespace litrank::analysis {

/// How to run k-means. Defaults follow scikit-learn's KMeans (greedy k-means++,
/// 300 iterations, tolerance 1e-4 of the mean feature variance).
struct KMeansOptions {
  int k = 8;
  int restarts = 5;            ///< independent seedings; the lowest inertia wins
  int max_iterations = 300;
  double tolerance = 1e-4;     ///< stop when centres move less (squared, relative)
  uint64_t seed = 42;
};

/// A partition of the rows.
struct KMeansResult {
  std::vector<int> labels;     ///< cluster of each row, 0..k-1
  DenseRows centroids;         ///< k × dims
  double inertia = 0;          ///< sum of squared distances to the assigned centre
};

/// Clusters the rows of `x` into min(k, rows) groups. A cluster left empty
/// during Lloyd's iterations takes the row farthest from its centre, so every
/// cluster ends non-empty when there are at least k distinct rows.
/// Deterministic for a given input and options.
KMeansResult KMeans(const DenseRows& x, const KMeansOptions& options);

/// Mean silhouette (Euclidean) of `labels` over `x`; rows of singleton
/// clusters count 0, as in scikit-learn. O(rows² · dims): pass a sample.
double MeanSilhouette(const DenseRows& x, const std::vector<int>& labels, int k);

/// Spherical k-means on the unit rows of `x`, started from `labels` (one per
/// row, 0..k-1; -1 rows are left alone): each row moves to the centre with the
/// highest cosine, a topic never loses its last member. Returns the rounds run.
int RefineSpherical(const SparseRows& x, int k, int max_iterations, std::vector<int>* labels);

}  // namespace litrank::analysis

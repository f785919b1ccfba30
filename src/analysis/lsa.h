// Internal to analysis/: latent semantic analysis (truncated SVD of TF-IDF rows).
#pragma once

#include <Eigen/Dense>
#include <cstdint>

#include "text/tfidf.h"

namespace litrank::analysis {

/// Dense rows, one per document (row-major, so a row is contiguous).
using DenseRows = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Projects the rows of `x` onto its top `dims` right singular vectors: X·V = U·Σ,
/// what scikit-learn's TruncatedSVD(dims).fit_transform gives (up to the sign of
/// each column). Randomized range finder (Halko, Martinsson & Tropp 2011) with 10
/// extra columns and `power_iterations` QR-normalised power iterations, so it costs
/// O(nnz · dims) per pass, never a dense copy of X. `dims` is clamped to
/// min(rows, columns); zero rows or columns give an empty result. Deterministic for
/// a given input and seed.
DenseRows TruncatedSvd(const SparseRows& x, int dims, uint64_t seed, int power_iterations = 5);

/// Scales each row to unit Euclidean length (a zero row stays zero).
void NormalizeRows(DenseRows* x);

}  // namespace litrank::analysis

#include "analysis/lsa.h"

#include <Eigen/Sparse>
#include <algorithm>
#include <random>

namespace litrank::analysis {
namespace {

using Matrix = Eigen::MatrixXd;
using Sparse = Eigen::SparseMatrix<double, Eigen::RowMajor, int64_t>;

Sparse ToEigen(const SparseRows& x) {
  std::vector<Eigen::Triplet<double, int64_t>> t;
  t.reserve(x.vals.size());
  for (size_t r = 0; r < x.rows(); ++r) {
    for (size_t i = x.offsets[r]; i < x.offsets[r + 1]; ++i) {
      t.emplace_back(static_cast<int64_t>(r), static_cast<int64_t>(x.cols[i]), x.vals[i]);
    }
  }
  Sparse m(static_cast<int64_t>(x.rows()), static_cast<int64_t>(x.dims));
  m.setFromTriplets(t.begin(), t.end());
  return m;
}

/// An orthonormal basis of the columns of `y` (thin Q of its QR decomposition).
Matrix Orthonormal(const Matrix& y) {
  Eigen::HouseholderQR<Matrix> qr(y);
  return qr.householderQ() * Matrix::Identity(y.rows(), y.cols());
}

}  // namespace

DenseRows TruncatedSvd(const SparseRows& x, int dims, uint64_t seed, int power_iterations) {
  const int64_t n = static_cast<int64_t>(x.rows()), m = x.dims;
  dims = static_cast<int>(std::min<int64_t>({dims, n, m}));
  if (dims <= 0) return DenseRows(n, 0);
  const Sparse a = ToEigen(x);
  const int64_t width = std::min<int64_t>({dims + 10, n, m});

  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Matrix omega(m, width);
  for (int64_t j = 0; j < width; ++j) {
    for (int64_t i = 0; i < m; ++i) omega(i, j) = normal(rng);
  }
  Matrix q = Orthonormal(a * omega);
  for (int i = 0; i < power_iterations; ++i) {
    q = Orthonormal(a.transpose() * q);
    q = Orthonormal(a * q);
  }
  // B = Qᵀ A is width × m; with B Bᵀ = W Λ Wᵀ, A ≈ Q B has left singular vectors
  // Q W and singular values √Λ, so A V = U Σ = Q W √Λ.
  const Matrix bt = a.transpose() * q;  // m × width = Bᵀ
  const Matrix gram = bt.transpose() * bt;
  Eigen::SelfAdjointEigenSolver<Matrix> eig(gram);
  DenseRows out(n, dims);
  const Matrix qw = q * eig.eigenvectors();  // eigenvalues ascending: the last columns are the top ones
  for (int c = 0; c < dims; ++c) {
    const int64_t src = width - 1 - c;
    const double sigma = std::sqrt(std::max(0.0, eig.eigenvalues()(src)));
    // Fix the sign so the largest entry of each column is positive (reproducible output).
    Eigen::Index arg = 0;
    qw.col(src).cwiseAbs().maxCoeff(&arg);
    const double sign = qw(arg, src) < 0 ? -1.0 : 1.0;
    out.col(c) = (qw.col(src) * (sigma * sign)).cast<float>();
  }
  return out;
}

void NormalizeRows(DenseRows* x) {
  for (Eigen::Index r = 0; r < x->rows(); ++r) {
    const float norm = x->row(r).norm();
    if (norm > 0) x->row(r) /= norm;
  }
}

}  // namespace litrank::analysis

#include "vector/synthetic_vectors.h"

#include <cmath>
#include <random>

namespace litrank {

std::vector<float> SyntheticEmbeddings(size_t n, uint32_t dims, size_t clusters, uint64_t seed) {
  constexpr uint32_t kLatent = 16;
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::vector<float> centers(clusters * dims), basis(kLatent * dims), out(n * dims);
  for (float& c : centers) c = gauss(rng);
  for (float& b : basis) b = gauss(rng);
  float z[kLatent];
  for (size_t i = 0; i < n; ++i) {
    const float* center = &centers[(rng() % clusters) * dims];
    for (float& x : z) x = 0.5f * gauss(rng);
    float* v = &out[i * dims];
    double norm = 0;
    for (uint32_t j = 0; j < dims; ++j) {
      float x = center[j] + 0.1f * gauss(rng);
      for (uint32_t l = 0; l < kLatent; ++l) x += z[l] * basis[l * dims + j];
      v[j] = x;
      norm += static_cast<double>(x) * x;
    }
    const auto scale = static_cast<float>(1.0 / std::sqrt(norm));
    for (uint32_t j = 0; j < dims; ++j) v[j] *= scale;
  }
  return out;
}

}  // namespace litrank

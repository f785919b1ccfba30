#include "vector/dot.h"

#include <immintrin.h>

namespace litrank {
namespace {

__attribute__((target("avx2,fma"))) float DotAvx2(const float* a, const float* b, uint32_t n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  uint32_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
  }
  __m256 acc = _mm256_add_ps(acc0, acc1);
  __m128 sum = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
  sum = _mm_hadd_ps(sum, sum);
  sum = _mm_hadd_ps(sum, sum);
  float total = _mm_cvtss_f32(sum);
  for (; i < n; ++i) total += a[i] * b[i];
  return total;
}

float DotScalar(const float* a, const float* b, uint32_t n) {
  float total = 0;
  for (uint32_t i = 0; i < n; ++i) total += a[i] * b[i];
  return total;
}

}  // namespace

DotFn BestDot() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? DotAvx2 : DotScalar; }

}  // namespace litrank

// Exact inner-product search over a contiguous matrix.
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <thread>
#include <unordered_map>

#include "vector/index_format.h"

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

using DotFn = float (*)(const float*, const float*, uint32_t);
DotFn PickDot() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? DotAvx2 : DotScalar; }

class FlatIndex final : public VectorIndex {
 public:
  explicit FlatIndex(uint32_t dims) : dims_(dims), dot_(PickDot()) {}

  uint32_t dims() const override { return dims_; }
  size_t size() const override { return ids_.size(); }

  Status Add(const std::vector<int64_t>& ids, const float* vectors) override {
    for (size_t i = 0; i < ids.size(); ++i) {
      const float* v = vectors + i * dims_;
      auto [it, inserted] = slot_.try_emplace(ids[i], ids_.size());
      if (inserted) {
        ids_.push_back(ids[i]);
        data_.insert(data_.end(), v, v + dims_);
      } else {
        std::memcpy(&data_[it->second * dims_], v, dims_ * sizeof(float));
      }
    }
    return Status::Ok();
  }

  Status Remove(int64_t id) override {
    auto it = slot_.find(id);
    if (it == slot_.end()) return Status::NotFound("no vector with id " + std::to_string(id));
    const size_t slot = it->second, last = ids_.size() - 1;
    if (slot != last) {  // move the last row into the hole
      std::memcpy(&data_[slot * dims_], &data_[last * dims_], dims_ * sizeof(float));
      ids_[slot] = ids_[last];
      slot_[ids_[slot]] = slot;
    }
    ids_.pop_back();
    data_.resize(ids_.size() * dims_);
    slot_.erase(it);
    return Status::Ok();
  }

  Status Search(const float* query, size_t k, std::vector<VectorHit>* hits,
                const std::function<bool(int64_t)>& filter) const override {
    hits->clear();
    const size_t n = ids_.size();
    // Big scans are split across cores; each part keeps its own best k.
    const size_t parts = n * dims_ > (1u << 22) ? std::max(1u, std::thread::hardware_concurrency()) : 1;
    std::vector<std::vector<VectorHit>> best(parts);
    auto scan = [&](size_t part) {
      std::vector<VectorHit>& local = best[part];
      for (size_t i = part * n / parts; i < (part + 1) * n / parts; ++i) {
        if (filter && !filter(ids_[i])) continue;
        local.push_back({ids_[i], dot_(query, &data_[i * dims_], dims_)});
        if (local.size() >= 4 * k + 1024) SortAndTruncateHits(k, &local);
      }
      SortAndTruncateHits(k, &local);
    };
    std::vector<std::thread> workers;
    for (size_t p = 1; p < parts; ++p) workers.emplace_back(scan, p);
    scan(0);
    for (auto& w : workers) w.join();
    for (auto& part : best) hits->insert(hits->end(), part.begin(), part.end());
    SortAndTruncateHits(k, hits);
    return Status::Ok();
  }

  Status Save(std::string* blob) const override {
    blob->clear();
    WriteIndexHeader(VectorIndexKind::kFlat, dims_, blob);
    const uint64_t n = ids_.size();
    blob->append(reinterpret_cast<const char*>(&n), sizeof n);
    blob->append(reinterpret_cast<const char*>(ids_.data()), n * sizeof(int64_t));
    blob->append(reinterpret_cast<const char*>(data_.data()), data_.size() * sizeof(float));
    return Status::Ok();
  }

 private:
  uint32_t dims_;
  DotFn dot_;
  std::vector<int64_t> ids_;
  std::vector<float> data_;  // ids_.size() x dims_
  std::unordered_map<int64_t, size_t> slot_;
};

}  // namespace

StatusOr<std::unique_ptr<VectorIndex>> NewFlatIndex(uint32_t dims) {
  if (dims == 0) return Status::InvalidArgument("vector dimensions must be positive");
  return std::unique_ptr<VectorIndex>(new FlatIndex(dims));
}

StatusOr<std::unique_ptr<VectorIndex>> LoadFlatIndex(uint32_t dims, std::string_view payload) {
  uint64_t n = 0;
  if (payload.size() < sizeof n) return Status::Corruption("flat vector index is truncated");
  std::memcpy(&n, payload.data(), sizeof n);
  const uint64_t row = sizeof(int64_t) + uint64_t{dims} * sizeof(float);
  if (n > (payload.size() - sizeof n) / row || payload.size() != sizeof n + n * row) {
    return Status::Corruption("flat vector index has the wrong size for its count");
  }
  std::vector<int64_t> ids(n);
  std::memcpy(ids.data(), payload.data() + sizeof n, n * sizeof(int64_t));
  auto index = std::make_unique<FlatIndex>(dims);
  LITRANK_RETURN_IF_ERROR(index->Add(ids, reinterpret_cast<const float*>(payload.data() + sizeof n + n * sizeof(int64_t))));
  return std::unique_ptr<VectorIndex>(std::move(index));
}

}  // namespace litrank

// Exact inner-product search over a contiguous matrix.
#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "vector/dot.h"
#include "vector/index_format.h"
#include "vector/parallel.h"

namespace litrank {
namespace {

class FlatIndex final : public VectorIndex {
 public:
  explicit FlatIndex(uint32_t dims) : dims_(dims), dot_(BestDot()) {}

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

  void Ids(std::vector<int64_t>* ids) const override {
    *ids = ids_;
    std::sort(ids->begin(), ids->end());
  }

  Status Search(const float* query, size_t k, std::vector<VectorHit>* hits,
                const std::function<bool(int64_t)>& filter) const override {
    hits->clear();
    const size_t n = ids_.size();
    // Big scans are split across cores; each part keeps its own best k.
    const size_t parts = WorkerCount(n * dims_, size_t{1} << 22);
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
    ParallelFor(parts, scan);
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

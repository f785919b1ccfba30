// Approximate inner-product search with hnswlib's HNSW graph.
#include <hnswlib/hnswlib.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "util/hash.h"
#include "vector/index_format.h"

namespace litrank {
namespace {

// hnswlib 0.6 saves and loads through file paths only: go through a private temp file.
class TempFile {
 public:
  TempFile() {
    path_ = (std::filesystem::temp_directory_path() /
             ("litrank-hnsw-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++))).string();
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  static inline std::atomic<uint64_t> counter_{0};
  std::string path_;
};

class HnswIndex final : public VectorIndex {
 public:
  HnswIndex(uint32_t dims, const HnswParams& params) : dims_(dims), params_(params), space_(dims) {}

  Status Init(size_t capacity) {
    try {
      graph_ = std::make_unique<hnswlib::HierarchicalNSW<float>>(&space_, std::max<size_t>(capacity, 1024),
                                                                 params_.m, params_.ef_construction);
    } catch (const std::exception& e) {
      return Status::Internal(std::string("hnswlib: ") + e.what());
    }
    return Status::Ok();
  }

  Status LoadFrom(std::string_view payload) {
    // hnswlib trusts its input: check a SHA-256 of the payload before it sees any byte.
    constexpr size_t kDigest = 32;
    if (payload.size() < kDigest + sizeof(uint64_t) * 3) return Status::Corruption("HNSW index is truncated");
    const std::string_view digest = payload.substr(0, kDigest);
    payload.remove_prefix(kDigest);
    if (Sha256Fields({payload}) != digest) return Status::Corruption("HNSW index is damaged (checksum mismatch)");
    uint64_t fields[3];  // m, ef_construction, ef_search
    std::memcpy(fields, payload.data(), sizeof fields);
    params_ = {fields[0], fields[1], fields[2]};
    TempFile tmp;
    {
      std::ofstream out(tmp.path(), std::ios::binary);
      out.write(payload.data() + sizeof fields, static_cast<std::streamsize>(payload.size() - sizeof fields));
      if (!out) return Status::IOError("cannot write a temporary file for the HNSW index");
    }
    try {
      // The loading constructor of hnswlib 0.6 leaves num_deleted_ uninitialised
      // before counting: start from the plain constructor instead.
      graph_ = std::make_unique<hnswlib::HierarchicalNSW<float>>(&space_);
      graph_->num_deleted_ = 0;
      graph_->cur_element_count = 0;  // so that a failed load destroys cleanly
      graph_->data_level0_memory_ = nullptr;
      graph_->linkLists_ = nullptr;
      graph_->visited_list_pool_ = nullptr;
      graph_->loadIndex(tmp.path(), &space_);
    } catch (const std::exception& e) {
      return Status::Corruption(std::string("HNSW index is damaged: ") + e.what());
    }
    return Status::Ok();
  }

  uint32_t dims() const override { return dims_; }
  size_t size() const override { return graph_->cur_element_count - graph_->num_deleted_; }

  Status Add(const std::vector<int64_t>& ids, const float* vectors) override {
    try {
      const size_t needed = graph_->cur_element_count + ids.size();
      if (needed > graph_->max_elements_) graph_->resizeIndex(std::max(needed, graph_->max_elements_ * 2));
      // hnswlib's addPoint is safe to call concurrently.
      const size_t threads = ids.size() >= 256 ? std::max(1u, std::thread::hardware_concurrency()) : 1;
      std::atomic<size_t> next{0};
      std::string error;
      std::mutex error_mutex;
      auto work = [&] {
        for (size_t i; (i = next++) < ids.size();) {
          try {
            graph_->addPoint(vectors + i * dims_, static_cast<hnswlib::labeltype>(ids[i]));
          } catch (const std::exception& e) {
            std::lock_guard<std::mutex> lock(error_mutex);
            error = e.what();
          }
        }
      };
      std::vector<std::thread> workers;
      for (size_t t = 1; t < threads; ++t) workers.emplace_back(work);
      work();
      for (auto& w : workers) w.join();
      if (!error.empty()) return Status::Internal("hnswlib: " + error);
    } catch (const std::exception& e) {
      return Status::Internal(std::string("hnswlib: ") + e.what());
    }
    return Status::Ok();
  }

  Status Remove(int64_t id) override {
    try {
      graph_->markDelete(static_cast<hnswlib::labeltype>(id));
    } catch (const std::exception&) {
      return Status::NotFound("no vector with id " + std::to_string(id));
    }
    return Status::Ok();
  }

  Status Search(const float* query, size_t k, std::vector<VectorHit>* hits,
                const std::function<bool(int64_t)>& filter) const override {
    hits->clear();
    if (k == 0 || size() == 0) return Status::Ok();
    // No filter support in hnswlib 0.6: widen the beam until enough survive the filter.
    size_t want = filter ? std::max<size_t>(4 * k, 64) : k;
    try {
      while (true) {
        want = std::min(want, size());
        graph_->setEf(std::max(params_.ef_search, want));
        auto found = graph_->searchKnn(query, want);
        hits->clear();
        while (!found.empty()) {
          const auto id = static_cast<int64_t>(found.top().second);
          // InnerProductSpace distance is 1 - dot.
          if (!filter || filter(id)) hits->push_back({id, 1.0f - found.top().first});
          found.pop();
        }
        if (hits->size() >= k || want >= size()) break;
        want *= 4;
      }
    } catch (const std::exception& e) {
      return Status::Internal(std::string("hnswlib: ") + e.what());
    }
    SortAndTruncateHits(k, hits);
    return Status::Ok();
  }

  Status Save(std::string* blob) const override {
    TempFile tmp;
    try {
      graph_->saveIndex(tmp.path());
    } catch (const std::exception& e) {
      return Status::IOError(std::string("hnswlib: ") + e.what());
    }
    std::ifstream in(tmp.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    blob->clear();
    WriteIndexHeader(VectorIndexKind::kHnsw, dims_, blob);
    const uint64_t fields[3] = {params_.m, params_.ef_construction, params_.ef_search};
    std::string payload(reinterpret_cast<const char*>(fields), sizeof fields);
    payload += bytes.str();
    blob->append(Sha256Fields({payload}));
    blob->append(payload);
    return Status::Ok();
  }

 private:
  uint32_t dims_;
  HnswParams params_;
  hnswlib::InnerProductSpace space_;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph_;
};

}  // namespace

StatusOr<std::unique_ptr<VectorIndex>> NewHnswIndex(uint32_t dims, const HnswParams& params) {
  if (dims == 0) return Status::InvalidArgument("vector dimensions must be positive");
  auto index = std::make_unique<HnswIndex>(dims, params);
  LITRANK_RETURN_IF_ERROR(index->Init(1024));
  return std::unique_ptr<VectorIndex>(std::move(index));
}

StatusOr<std::unique_ptr<VectorIndex>> LoadHnswIndex(uint32_t dims, std::string_view payload) {
  auto index = std::make_unique<HnswIndex>(dims, HnswParams{});
  LITRANK_RETURN_IF_ERROR(index->LoadFrom(payload));
  return std::unique_ptr<VectorIndex>(std::move(index));
}

}  // namespace litrank

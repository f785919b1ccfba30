// Approximate inner-product search with hnswlib's HNSW graph.
//
// hnswlib's own SIMD path prefetches one neighbour past the end of each link
// list (a heap over-read ASan reports: nmslib/hnswlib#107, #578), so it is
// compiled without it and measures distance with our runtime-dispatched AVX2
// kernel instead, through DotSpace.
#define NO_MANUAL_VECTORIZATION
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <unordered_map>
#include <unistd.h>

#include "util/hash.h"
#include "vector/dot.h"
#include "vector/index_format.h"
#include "vector/parallel.h"

namespace litrank {
namespace {

// hnswlib 0.6 saves and loads through file paths only: go through a private
// temp file (mkstemp: unique, created 0600, never a pre-planted link).
class TempFile {
 public:
  TempFile() {
    std::error_code ec;
    std::string name = (std::filesystem::temp_directory_path(ec) / "litrank-hnsw-XXXXXX").string();
    const int fd = ec ? -1 : ::mkstemp(name.data());
    if (fd >= 0) {
      ::close(fd);
      path_ = std::move(name);
    }
  }
  ~TempFile() {
    if (!path_.empty()) std::remove(path_.c_str());
  }
  /// Empty when no temp file could be created.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The fixed-size head of hnswlib 0.6's saveIndex output, in file order.
#pragma pack(push, 1)
struct HnswFileHead {
  uint64_t offset_level0, max_elements, count, bytes_per_element, label_offset, data_offset;
  int32_t max_level;
  uint32_t entry_point;
  uint64_t max_m, max_m0, m;
  double mult;
  uint64_t ef_construction;
};
#pragma pack(pop)
static_assert(sizeof(HnswFileHead) == 96);

// hnswlib believes whatever sizes its file states: check the head against the
// layout hnswlib itself would have written for `dims`-d float vectors, so that
// no stated size can make it allocate or read out of bounds. (The per-node
// link lists are guarded by the payload checksum only.)
// `without_vectors`: the SaveGraph layout, where each element lacks its vector.
Status CheckHnswHead(uint32_t dims, std::string_view graph, bool without_vectors, size_t* count) {
  HnswFileHead h;
  if (graph.size() < sizeof h) return Status::Corruption("HNSW graph is truncated");
  std::memcpy(&h, graph.data(), sizeof h);
  const uint64_t links0 = h.max_m0 * sizeof(hnswlib::tableint) + sizeof(hnswlib::linklistsizeint);
  const bool layout_ok = h.offset_level0 == 0 && h.m >= 2 && h.m <= 10000 && h.max_m == h.m &&
                         h.max_m0 == 2 * h.m && h.data_offset == links0 &&
                         h.label_offset == links0 + uint64_t{dims} * sizeof(float) &&
                         h.bytes_per_element == h.label_offset + sizeof(hnswlib::labeltype);
  if (!layout_ok) return Status::Corruption("HNSW graph layout does not match " + std::to_string(dims) + "-d vectors");
  const uint64_t element = h.bytes_per_element - (without_vectors ? uint64_t{dims} * sizeof(float) : 0);
  const uint64_t room = (graph.size() - sizeof h) / element;
  const bool head_ok = h.count <= room && h.count < UINT32_MAX && std::isfinite(h.mult) && h.mult > 0 &&
                       (h.count == 0 || (h.entry_point < h.count && h.max_level >= 0 && h.max_level < 256));
  if (!head_ok) return Status::Corruption("HNSW graph header is inconsistent");
  *count = static_cast<size_t>(h.count);
  return Status::Ok();
}

// Inner-product "distance" 1 - <a, b> for hnswlib, with the fastest dot kernel.
class DotSpace final : public hnswlib::SpaceInterface<float> {
 public:
  explicit DotSpace(uint32_t dims) : param_{dims, BestDot()} {}
  size_t get_data_size() override { return param_.dims * sizeof(float); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return &Distance; }
  void* get_dist_func_param() override { return &param_; }

 private:
  struct Param {
    size_t dims;  // first, as hnswlib reads the parameter as a size_t* in places
    DotFn dot;
  };
  static float Distance(const void* a, const void* b, const void* param) {
    const auto* p = static_cast<const Param*>(param);
    return 1.0f - p->dot(static_cast<const float*>(a), static_cast<const float*>(b), static_cast<uint32_t>(p->dims));
  }
  Param param_;
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
    std::string_view graph;
    LITRANK_RETURN_IF_ERROR(OpenPayload(payload, &graph));
    size_t count = 0;
    LITRANK_RETURN_IF_ERROR(CheckHnswHead(dims_, graph, false, &count));
    TempFile tmp;
    if (tmp.path().empty()) return Status::IOError("cannot create a temporary file for the HNSW index");
    {
      std::ofstream out(tmp.path(), std::ios::binary);
      out.write(graph.data(), static_cast<std::streamsize>(graph.size()));
      if (!out) return Status::IOError("cannot write a temporary file for the HNSW index");
    }
    return LoadFile(tmp.path(), count);
  }

  // Restores a SaveGraph payload: the graph with zero vectors, then `source`'s.
  Status LoadGraphFrom(std::string_view payload, const VectorSource& source) {
    std::string_view graph;
    LITRANK_RETURN_IF_ERROR(OpenPayload(payload, &graph));
    size_t count = 0;
    LITRANK_RETURN_IF_ERROR(CheckHnswHead(dims_, graph, true, &count));
    HnswFileHead h;
    std::memcpy(&h, graph.data(), sizeof h);
    const size_t links0 = h.data_offset, label = sizeof(hnswlib::labeltype), element = links0 + label;
    TempFile tmp;
    if (tmp.path().empty()) return Status::IOError("cannot create a temporary file for the HNSW index");
    {
      std::ofstream out(tmp.path(), std::ios::binary);
      const std::string zeros(dims_ * sizeof(float), '\0');
      out.write(graph.data(), sizeof h);
      const char* at = graph.data() + sizeof h;
      for (size_t i = 0; i < count; ++i, at += element) {
        out.write(at, static_cast<std::streamsize>(links0));
        out.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
        out.write(at + links0, static_cast<std::streamsize>(label));
      }
      out.write(at, static_cast<std::streamsize>(graph.data() + graph.size() - at));
      if (!out) return Status::IOError("cannot write a temporary file for the HNSW index");
    }
    LITRANK_RETURN_IF_ERROR(LoadFile(tmp.path(), count));
    // Every element gets its vector from the source; those it has none for are removed.
    std::vector<char> filled(count, 0);
    LITRANK_RETURN_IF_ERROR(source([&](int64_t id, const float* v) {
      auto it = graph_->label_lookup_.find(static_cast<hnswlib::labeltype>(id));
      if (it == graph_->label_lookup_.end()) return false;
      std::memcpy(graph_->getDataByInternalId(it->second), v, dims_ * sizeof(float));
      if (graph_->isMarkedDeleted(it->second)) graph_->unmarkDeletedInternal(it->second);
      filled[it->second] = 1;
      return true;
    }));
    for (size_t i = 0; i < count; ++i) {
      const auto internal = static_cast<hnswlib::tableint>(i);
      if (!filled[i] && !graph_->isMarkedDeleted(internal)) graph_->markDeletedInternal(internal);
    }
    return Status::Ok();
  }

  uint32_t dims() const override { return dims_; }
  size_t size() const override { return graph_->cur_element_count - graph_->num_deleted_; }

  Status Add(const std::vector<int64_t>& ids, const float* vectors) override {
    try {
      const size_t needed = graph_->cur_element_count + ids.size();
      if (needed > graph_->max_elements_) graph_->resizeIndex(std::max(needed, graph_->max_elements_ * 2));
      // hnswlib's addPoint is safe to call concurrently, but not twice for one new
      // label at once: keep only the last row of an id repeated in the batch.
      std::unordered_map<int64_t, size_t> last;
      for (size_t i = 0; i < ids.size(); ++i) last[ids[i]] = i;
      std::atomic<size_t> next{0};
      std::string error;
      std::mutex error_mutex;
      ParallelFor(WorkerCount(ids.size(), 256), [&](size_t) {
        for (size_t i; (i = next++) < ids.size();) {
          if (last.find(ids[i])->second != i) continue;  // (read-only, safe across threads)
          try {
            graph_->addPoint(vectors + i * dims_, static_cast<hnswlib::labeltype>(ids[i]));
          } catch (const std::exception& e) {
            std::lock_guard<std::mutex> lock(error_mutex);
            error = e.what();
          }
        }
      });
      if (!error.empty()) return Status::Internal("hnswlib: " + error);
    } catch (const std::exception& e) {
      return Status::Internal(std::string("hnswlib: ") + e.what());
    }
    return Status::Ok();
  }

  void set_search_effort(size_t ef) override { params_.ef_search = ef; }

  Status Remove(int64_t id) override {
    try {
      graph_->markDelete(static_cast<hnswlib::labeltype>(id));
    } catch (const std::exception&) {
      return Status::NotFound("no vector with id " + std::to_string(id));
    }
    return Status::Ok();
  }

  void Ids(std::vector<int64_t>* ids) const override {
    ids->clear();
    for (const auto& [label, internal] : graph_->label_lookup_) {
      if (!graph_->isMarkedDeleted(internal)) ids->push_back(static_cast<int64_t>(label));
    }
    std::sort(ids->begin(), ids->end());
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
        std::priority_queue<std::pair<float, hnswlib::labeltype>> found;
        {
          std::lock_guard<std::mutex> lock(search_mutex_);  // ef is graph state
          graph_->setEf(std::max(params_.ef_search ? params_.ef_search : AutoEfSearch(size()), want));
          found = graph_->searchKnn(query, want);
        }
        hits->clear();
        while (!found.empty()) {
          const auto id = static_cast<int64_t>(found.top().second);
          // DotSpace distance is 1 - dot.
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
    std::string file;
    LITRANK_RETURN_IF_ERROR(SaveFile(&file));
    Wrap(VectorIndexKind::kHnsw, file, blob);
    return Status::Ok();
  }

  Status SaveGraph(std::string* blob) const override {
    std::string file;
    LITRANK_RETURN_IF_ERROR(SaveFile(&file));
    size_t count = 0;
    LITRANK_RETURN_IF_ERROR(CheckHnswHead(dims_, file, false, &count));
    HnswFileHead h;
    std::memcpy(&h, file.data(), sizeof h);
    // Drop each element's vector: keep its links (before the data) and label (after).
    std::string graph(file.data(), sizeof h);
    const char* at = file.data() + sizeof h;
    for (size_t i = 0; i < count; ++i, at += h.bytes_per_element) {
      graph.append(at, h.data_offset);
      graph.append(at + h.label_offset, h.bytes_per_element - h.label_offset);
    }
    graph.append(at, static_cast<size_t>(file.data() + file.size() - at));
    Wrap(VectorIndexKind::kHnswGraph, graph, blob);
    return Status::Ok();
  }

 private:
  // Checks the payload's SHA-256 (hnswlib trusts its input: no byte reaches it
  // unchecked), takes the stored parameters, and points *graph at the rest.
  Status OpenPayload(std::string_view payload, std::string_view* graph) {
    constexpr size_t kDigest = 32;
    if (payload.size() < kDigest + sizeof(uint64_t) * 3) return Status::Corruption("HNSW index is truncated");
    const std::string_view digest = payload.substr(0, kDigest);
    payload.remove_prefix(kDigest);
    if (Sha256Fields({payload}) != digest) return Status::Corruption("HNSW index is damaged (checksum mismatch)");
    uint64_t fields[3];  // m, ef_construction, ef_search (query-time: not restored)
    std::memcpy(fields, payload.data(), sizeof fields);
    params_ = {fields[0], fields[1], 0};
    *graph = payload.substr(sizeof fields);
    return Status::Ok();
  }

  // hnswlib's loader on a file whose head CheckHnswHead accepted.
  Status LoadFile(const std::string& path, size_t count) {
    try {
      // The loading constructor of hnswlib 0.6 leaves num_deleted_ uninitialised
      // before counting: start from the plain constructor instead.
      graph_ = std::make_unique<hnswlib::HierarchicalNSW<float>>(&space_);
      graph_->num_deleted_ = 0;
      graph_->cur_element_count = 0;  // so that a failed load destroys cleanly
      graph_->data_level0_memory_ = nullptr;
      graph_->linkLists_ = nullptr;
      graph_->visited_list_pool_ = nullptr;
      // Capacity = the stored count (not the stored capacity); Add grows it.
      graph_->loadIndex(path, &space_, std::max<size_t>(count, 1));
    } catch (const std::exception& e) {
      // loadIndex may throw after reading the element count but before the
      // per-element tables exist: forget the elements so the destructor is safe.
      if (graph_) graph_->cur_element_count = 0;
      graph_.reset();
      return Status::Corruption(std::string("HNSW index is damaged: ") + e.what());
    }
    return Status::Ok();
  }

  // hnswlib's saveIndex output, through a temp file (0.6 writes to paths only).
  Status SaveFile(std::string* bytes) const {
    TempFile tmp;
    if (tmp.path().empty()) return Status::IOError("cannot create a temporary file for the HNSW index");
    try {
      graph_->saveIndex(tmp.path());
    } catch (const std::exception& e) {
      return Status::IOError(std::string("hnswlib: ") + e.what());
    }
    std::ifstream in(tmp.path(), std::ios::binary | std::ios::ate);
    const std::streamoff size = in.tellg();
    if (!in || size < 0) return Status::IOError("cannot read back the HNSW index");
    bytes->resize(static_cast<size_t>(size));
    in.seekg(0);
    in.read(bytes->data(), size);
    if (!in) return Status::IOError("cannot read back the HNSW index");
    return Status::Ok();
  }

  // Header, SHA-256 of the payload, payload (parameters, then `graph`).
  void Wrap(VectorIndexKind kind, std::string_view graph, std::string* blob) const {
    blob->clear();
    WriteIndexHeader(kind, dims_, blob);
    const uint64_t fields[3] = {params_.m, params_.ef_construction, params_.ef_search};
    std::string payload(reinterpret_cast<const char*>(fields), sizeof fields);
    payload.append(graph);
    blob->append(Sha256Fields({payload}));
    blob->append(payload);
  }

  uint32_t dims_;
  HnswParams params_;
  DotSpace space_;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph_;
  mutable std::mutex search_mutex_;
};

}  // namespace

size_t AutoEfSearch(size_t vectors) {
  constexpr size_t kBase = 256, kPer = 100000, kMax = 4096;
  if (vectors <= kPer) return kBase;
  if (vectors >= kMax / kBase * kPer) return kMax;  // and no overflow where size_t is 32 bits
  const size_t scaled = (kBase * vectors / kPer + 16) / 32 * 32;
  return std::min(scaled, kMax);
}

StatusOr<std::unique_ptr<VectorIndex>> NewHnswIndex(uint32_t dims, const HnswParams& params) {
  if (dims == 0) return Status::InvalidArgument("vector dimensions must be positive");
  auto index = std::make_unique<HnswIndex>(dims, params);
  LITRANK_RETURN_IF_ERROR(index->Init(1024));
  return std::unique_ptr<VectorIndex>(std::move(index));
}

StatusOr<std::unique_ptr<VectorIndex>> LoadHnswGraph(uint32_t dims, std::string_view payload,
                                                     const VectorSource& source) {
  auto index = std::make_unique<HnswIndex>(dims, HnswParams{});
  LITRANK_RETURN_IF_ERROR(index->LoadGraphFrom(payload, source));
  return std::unique_ptr<VectorIndex>(std::move(index));
}

StatusOr<std::unique_ptr<VectorIndex>> LoadHnswIndex(uint32_t dims, std::string_view payload) {
  auto index = std::make_unique<HnswIndex>(dims, HnswParams{});
  LITRANK_RETURN_IF_ERROR(index->LoadFrom(payload));
  return std::unique_ptr<VectorIndex>(std::move(index));
}

}  // namespace litrank

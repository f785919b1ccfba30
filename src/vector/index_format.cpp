#include "vector/index_format.h"

#include <algorithm>
#include <cstring>

namespace litrank {
namespace {
constexpr char kMagic[4] = {'L', 'T', 'V', 'I'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kHeaderBytes = 16;
}  // namespace

void WriteIndexHeader(VectorIndexKind kind, uint32_t dims, std::string* out) {
  const uint32_t fields[3] = {kFormatVersion, static_cast<uint32_t>(kind), dims};
  out->append(kMagic, 4);
  out->append(reinterpret_cast<const char*>(fields), sizeof fields);
}

Status ReadIndexHeader(std::string_view blob, VectorIndexKind* kind, uint32_t* dims, std::string_view* payload) {
  if (blob.size() < kHeaderBytes || std::memcmp(blob.data(), kMagic, 4) != 0) {
    return Status::Corruption("not a litrank vector index (bad magic or too short)");
  }
  uint32_t fields[3];
  std::memcpy(fields, blob.data() + 4, sizeof fields);
  if (fields[0] != kFormatVersion) {
    return Status::Corruption("vector index format version " + std::to_string(fields[0]) + " is not supported");
  }
  if (fields[1] < static_cast<uint32_t>(VectorIndexKind::kFlat) ||
      fields[1] > static_cast<uint32_t>(VectorIndexKind::kHnswGraph)) {
    return Status::Corruption("unknown vector index kind " + std::to_string(fields[1]));
  }
  if (fields[2] == 0 || fields[2] > 65536) return Status::Corruption("implausible vector dimensions");
  *kind = static_cast<VectorIndexKind>(fields[1]);
  *dims = fields[2];
  *payload = blob.substr(kHeaderBytes);
  return Status::Ok();
}

void SortAndTruncateHits(size_t k, std::vector<VectorHit>* hits) {
  auto better = [](const VectorHit& a, const VectorHit& b) {
    return a.score != b.score ? a.score > b.score : a.id < b.id;
  };
  const size_t keep = std::min(k, hits->size());
  std::partial_sort(hits->begin(), hits->begin() + static_cast<std::ptrdiff_t>(keep), hits->end(), better);
  hits->resize(keep);
}

StatusOr<std::unique_ptr<VectorIndex>> LoadVectorIndex(const std::string& blob) {
  VectorIndexKind kind;
  uint32_t dims = 0;
  std::string_view payload;
  LITRANK_RETURN_IF_ERROR(ReadIndexHeader(blob, &kind, &dims, &payload));
  if (kind == VectorIndexKind::kHnswGraph) {
    return Status::InvalidArgument("this vector index was saved without its vectors: restore it with LoadVectorGraph");
  }
  return kind == VectorIndexKind::kFlat ? LoadFlatIndex(dims, payload) : LoadHnswIndex(dims, payload);
}

StatusOr<std::unique_ptr<VectorIndex>> LoadVectorGraph(const std::string& blob, uint32_t dims,
                                                       const VectorSource& source) {
  VectorIndexKind kind;
  uint32_t stored_dims = 0;
  std::string_view payload;
  LITRANK_RETURN_IF_ERROR(ReadIndexHeader(blob, &kind, &stored_dims, &payload));
  if (kind != VectorIndexKind::kHnswGraph) return Status::Corruption("not a saved vector graph");
  if (stored_dims != dims) {
    return Status::Corruption("saved vector graph has " + std::to_string(stored_dims) + " dimensions, not " +
                              std::to_string(dims));
  }
  return LoadHnswGraph(dims, payload, source);
}

}  // namespace litrank

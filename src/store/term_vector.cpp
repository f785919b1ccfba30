#include "store/term_vector.h"

#include <algorithm>

namespace litrank {
namespace {

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 35 && !in->empty(); shift += 7) {
    auto byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

}  // namespace

std::string EncodeTermVector(std::vector<TermCount> counts) {
  std::sort(counts.begin(), counts.end());
  std::string out;
  out.reserve(counts.size() * 3);
  uint32_t previous = 0;
  for (const auto& [id, tf] : counts) {
    PutVarint(id - previous, &out);
    PutVarint(tf, &out);
    previous = id;
  }
  return out;
}

bool DecodeTermVector(std::string_view bytes, std::vector<TermCount>* counts) {
  counts->clear();
  uint64_t id = 0;
  while (!bytes.empty()) {
    uint64_t delta = 0, tf = 0;
    if (!GetVarint(&bytes, &delta) || !GetVarint(&bytes, &tf)) return false;
    id += delta;
    if (id > UINT32_MAX || tf > UINT32_MAX) return false;
    counts->emplace_back(static_cast<uint32_t>(id), static_cast<uint32_t>(tf));
  }
  return true;
}

}  // namespace litrank

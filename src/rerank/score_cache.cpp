#include "rerank/score_cache.h"

#include <openssl/evp.h>

namespace litrank {

std::string ScoreCacheKey(const std::string& fingerprint, const std::string& instruction,
                          const std::string& query, const std::string& document) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(md, EVP_sha256(), nullptr);
  for (const std::string* field : {&fingerprint, &instruction, &query, &document}) {
    const uint64_t n = field->size();
    EVP_DigestUpdate(md, &n, sizeof n);  // length prefix: no ambiguity between fields
    EVP_DigestUpdate(md, field->data(), field->size());
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(md, out, &len);
  EVP_MD_CTX_free(md);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::optional<CachedScore> ScoreCache::Get(const std::string& key, uint32_t max_length) {
  auto it = map_.find(key);
  if (it == map_.end()) return std::nullopt;
  const CachedScore& v = it->second->second;
  if ((v.truncated && v.max_length != max_length) || v.tokens > max_length) return std::nullopt;
  order_.splice(order_.begin(), order_, it->second);
  return v;
}

void ScoreCache::Put(const std::string& key, const CachedScore& value) {
  if (capacity_ == 0) return;
  if (auto it = map_.find(key); it != map_.end()) {
    it->second->second = value;
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  order_.emplace_front(key, value);
  map_[key] = order_.begin();
  if (map_.size() > capacity_) {
    map_.erase(order_.back().first);
    order_.pop_back();
  }
}

void ScoreCache::Clear() {
  order_.clear();
  map_.clear();
}

}  // namespace litrank

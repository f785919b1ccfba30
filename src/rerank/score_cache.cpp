#include "rerank/score_cache.h"

#include "util/hash.h"

namespace litrank {

std::string ScoreCacheKey(const std::string& fingerprint, const std::string& instruction,
                          const std::string& query, const std::string& document) {
  return Sha256Fields({fingerprint, instruction, query, document});
}

std::optional<CachedScore> ScoreCache::Get(const std::string& key, uint32_t max_length) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = map_.find(key);
  if (it == map_.end()) return std::nullopt;
  const CachedScore& v = it->second->second;
  if (!UsableAt(v, max_length)) return std::nullopt;
  order_.splice(order_.begin(), order_, it->second);
  return v;
}

void ScoreCache::Put(const std::string& key, const CachedScore& value) {
  if (capacity_ == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
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
  std::lock_guard<std::mutex> lock(mu_);
  order_.clear();
  map_.clear();
}

size_t ScoreCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return map_.size();
}

}  // namespace litrank

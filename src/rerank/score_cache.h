// In-memory LRU cache of reranker scores keyed by a SHA-256 of
// (model fingerprint, instruction, query, document).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "litrank/score_store.h"

namespace litrank {

/// What is remembered about one scored pair (the same record the persistent store keeps).
using CachedScore = PairScore;

/// Cache key of a pair: a 32-byte SHA-256 over length-prefixed fields.
std::string ScoreCacheKey(const std::string& fingerprint, const std::string& instruction,
                          const std::string& query, const std::string& document);

/// Least-recently-used map from ScoreCacheKey to CachedScore. Thread-safe.
class ScoreCache {
 public:
  explicit ScoreCache(size_t capacity) : capacity_(capacity) {}
  /// The entry, if present and valid for `max_length` (a truncated score is only
  /// reused under the same budget). Marks it recently used.
  std::optional<CachedScore> Get(const std::string& key, uint32_t max_length);
  /// Inserts or replaces; evicts the least recently used entry when full.
  void Put(const std::string& key, const CachedScore& value);
  void Clear();
  size_t size() const;

 private:
  using Entry = std::pair<std::string, CachedScore>;
  size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> order_;  // front = most recent
  std::unordered_map<std::string, std::list<Entry>::iterator> map_;
};

}  // namespace litrank

// Rerank scores shared by every replica and worker through Redis: a ScoreStore
// whose entries live under {prefix}:score:<key hex>, so a pair scored by one
// `serve` process is a cache hit on all of them. It fails open: while Redis does
// not answer, lookups miss and writes are dropped (counted), and reranking goes on.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "distributed/redis.h"
#include "litrank/score_store.h"

namespace litrank {

/// A ScoreStore on Redis. Thread-safe (one connection behind a mutex, reopened
/// after a failure at most once per second).
class RedisScoreStore : public ScoreStore {
 public:
  /// Checks the URL (InvalidArgument) and connects; an unreachable Redis is not an
  /// error here (the store starts failing open). `ttl_seconds` 0 = entries never expire.
  static StatusOr<std::unique_ptr<RedisScoreStore>> Open(const std::string& url, const std::string& prefix,
                                                         int64_t ttl_seconds = 0);
  std::optional<PairScore> GetScore(const std::string& key) override;
  /// Always OK: a write Redis did not take is counted in errors(), not returned.
  Status PutScores(const std::vector<std::pair<std::string, PairScore>>& entries) override;

  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  uint64_t errors() const { return errors_; }

 private:
  RedisScoreStore(RedisUrl url, std::string prefix, int64_t ttl) : url_(std::move(url)), prefix_(std::move(prefix)), ttl_(ttl) {}
  // The connection, reopened when broken (nullptr while Redis is unreachable). mu_ held.
  Redis* Connection();

  RedisUrl url_;
  std::string prefix_;
  int64_t ttl_;
  std::mutex mu_;
  std::unique_ptr<Redis> redis_;
  int64_t last_attempt_ms_ = -1000000;
  std::atomic<uint64_t> hits_{0}, misses_{0}, errors_{0};
};

/// Two stores in order: lookups try `first`, then `second` (a hit there is copied
/// into `first`); writes go to both. Neither is owned.
class LayeredScoreStore : public ScoreStore {
 public:
  LayeredScoreStore(ScoreStore* first, ScoreStore* second) : first_(first), second_(second) {}
  std::optional<PairScore> GetScore(const std::string& key) override;
  Status PutScores(const std::vector<std::pair<std::string, PairScore>>& entries) override;

 private:
  ScoreStore* first_;
  ScoreStore* second_;
};

}  // namespace litrank

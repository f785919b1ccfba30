#include "distributed/redis_score_store.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "util/hash.h"

namespace litrank {
namespace {

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// "logit truncated tokens max_length", the logit with every bit kept.
std::string Encode(const PairScore& s) {
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%a %d %u %u", s.logit, s.truncated ? 1 : 0, s.tokens, s.max_length);
  return buf;
}

std::optional<PairScore> Decode(const std::string& v) {
  PairScore s;
  int truncated = 0;
  char* end = nullptr;
  s.logit = std::strtod(v.c_str(), &end);
  if (end == v.c_str()) return std::nullopt;
  if (std::sscanf(end, " %d %u %u", &truncated, &s.tokens, &s.max_length) != 3) return std::nullopt;
  s.truncated = truncated != 0;
  return s;
}

}  // namespace

StatusOr<std::unique_ptr<RedisScoreStore>> RedisScoreStore::Open(const std::string& url, const std::string& prefix,
                                                                 int64_t ttl_seconds) {
  auto parsed = ParseRedisUrl(url);
  if (!parsed.ok()) return parsed.status();
  if (ttl_seconds < 0) return Status::InvalidArgument("the score cache's time to live must be >= 0");
  std::unique_ptr<RedisScoreStore> store(new RedisScoreStore(*parsed, prefix, ttl_seconds));
  std::lock_guard<std::mutex> lock(store->mu_);
  store->Connection();  // early, so the first request does not pay for it
  return store;
}

Redis* RedisScoreStore::Connection() {
  if (redis_ && !redis_->broken()) return redis_.get();
  redis_.reset();
  const int64_t now = SteadyMillis();
  if (now - last_attempt_ms_ < 1000) return nullptr;  // a down Redis is not asked on every pair
  last_attempt_ms_ = now;
  auto opened = Redis::Connect(url_, 500, 1000);  // in a request's path: short waits
  if (opened.ok()) redis_ = std::move(*opened);
  return redis_.get();
}

std::optional<PairScore> RedisScoreStore::GetScore(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  Redis* r = Connection();
  if (r == nullptr) {
    ++errors_;
    ++misses_;
    return std::nullopt;
  }
  auto got = r->Command({"GET", prefix_ + ":score:" + ToHex(key)});
  if (!got.ok()) ++errors_;
  std::optional<PairScore> s = got.ok() && !got->nil() ? Decode(got->str) : std::nullopt;
  ++(s ? hits_ : misses_);
  return s;
}

Status RedisScoreStore::PutScores(const std::vector<std::pair<std::string, PairScore>>& entries) {
  if (entries.empty()) return Status::Ok();
  std::vector<std::vector<std::string>> commands;
  for (const auto& [key, score] : entries) {
    std::vector<std::string> c = {"SET", prefix_ + ":score:" + ToHex(key), Encode(score)};
    if (ttl_ > 0) c.insert(c.end(), {"EX", std::to_string(ttl_)});
    commands.push_back(std::move(c));
  }
  std::lock_guard<std::mutex> lock(mu_);
  Redis* r = Connection();
  std::vector<RedisReply> replies;
  if (r == nullptr || !r->Pipeline(commands, &replies).ok()) errors_ += entries.size();
  return Status::Ok();
}

std::optional<PairScore> LayeredScoreStore::GetScore(const std::string& key) {
  if (auto hit = first_->GetScore(key)) return hit;
  auto hit = second_->GetScore(key);
  if (hit) (void)first_->PutScores({{key, *hit}});
  return hit;
}

Status LayeredScoreStore::PutScores(const std::vector<std::pair<std::string, PairScore>>& entries) {
  LITRANK_RETURN_IF_ERROR(first_->PutScores(entries));
  return second_->PutScores(entries);
}

}  // namespace litrank

// A small RAII client for Redis over hiredis that speaks Status: connect from a
// redis:// URL, run one command given as arguments, read the reply as a tree.
// Nothing here knows about litrank's queues (distributed/work_queue.h does).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "litrank/status.h"

struct redisContext;

namespace litrank {

/// Where a Redis server is: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB].
struct RedisUrl {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;      ///< ACL user (Redis 6+); empty = default
  std::string password;  ///< empty = no AUTH
  int db = 0;
};

/// Parses a redis:// URL (InvalidArgument naming what is wrong). A password may
/// also come from the REDISCLI_AUTH environment variable, as redis-cli reads it.
StatusOr<RedisUrl> ParseRedisUrl(const std::string& url);

/// The URL without its credentials (for logs and /health): redis://HOST:PORT/DB.
std::string RedactedRedisUrl(const std::string& url);

/// One reply: a string (bulk or status), an integer, nil, or an array of replies.
struct RedisReply {
  enum class Type { kNil, kString, kInteger, kArray };
  Type type = Type::kNil;
  std::string str;
  int64_t integer = 0;
  std::vector<RedisReply> elements;

  bool nil() const { return type == Type::kNil; }
};

/// One connection. Not thread-safe; open one per thread. Commands that fail at
/// the connection level return Unavailable (the caller may reconnect and retry);
/// a Redis error reply (WRONGTYPE, NOGROUP...) returns InvalidArgument with its text.
class Redis {
 public:
  /// Connects (timeout `connect_ms`), authenticates and selects the database. A
  /// command whose reply takes longer than `command_ms` fails with Unavailable (and
  /// breaks the connection); keep it above any BLOCK time used.
  static StatusOr<std::unique_ptr<Redis>> Connect(const RedisUrl& url, int connect_ms = 2000, int command_ms = 30000);
  ~Redis();
  Redis(const Redis&) = delete;
  Redis& operator=(const Redis&) = delete;

  /// Runs one command, e.g. {"XADD", "s", "*", "k", "v"}. Binary-safe arguments.
  StatusOr<RedisReply> Command(const std::vector<std::string>& args);
  /// Sends several commands in one round trip (pipelining) and reads their replies
  /// in order; the first failure is returned.
  Status Pipeline(const std::vector<std::vector<std::string>>& commands, std::vector<RedisReply>* replies);
  /// Whether the connection broke (every later command fails; reconnect).
  bool broken() const;

 private:
  explicit Redis(redisContext* c) : c_(c) {}
  redisContext* c_;
};

}  // namespace litrank

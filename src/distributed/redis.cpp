#include "distributed/redis.h"

#include <hiredis/hiredis.h>

#include <cstdlib>

namespace litrank {
namespace {

bool AllDigits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

RedisReply Convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      break;  // nil
  }
  return out;
}

// The reply, or the error it is; frees it.
StatusOr<RedisReply> Take(redisContext* c, redisReply* r) {
  if (r == nullptr) {
    return Status::Unavailable(std::string("redis: ") + (c->err ? c->errstr : "no reply (connection lost)"));
  }
  std::unique_ptr<redisReply, void (*)(void*)> owned(r, freeReplyObject);
  if (r->type == REDIS_REPLY_ERROR) {
    const std::string text(r->str, r->len);
    // A server still loading its data, a replica that cannot take writes, a busy
    // script, a failed save, full memory: passing states, not a bad request.
    for (const char* passing : {"LOADING", "READONLY", "MASTERDOWN", "BUSY", "MISCONF", "OOM", "TRYAGAIN", "CLUSTERDOWN"}) {
      if (text.rfind(passing, 0) == 0) return Status::Unavailable("redis: " + text);
    }
    return Status::InvalidArgument("redis: " + text);
  }
  return Convert(r);
}

void ArgvOf(const std::vector<std::string>& args, std::vector<const char*>* argv, std::vector<size_t>* lens) {
  argv->clear();
  lens->clear();
  for (const std::string& a : args) {
    argv->push_back(a.data());
    lens->push_back(a.size());
  }
}

}  // namespace

std::string RedactedRedisUrl(const std::string& url) {
  auto u = ParseRedisUrl(url);
  if (!u.ok()) return "(invalid Redis URL)";
  return "redis://" + u->host + ":" + std::to_string(u->port) + "/" + std::to_string(u->db);
}

StatusOr<RedisUrl> ParseRedisUrl(const std::string& url) {
  // Messages never repeat the URL: it may hold a password.
  const std::string scheme = "redis://";
  if (url.rfind(scheme, 0) != 0) {
    const size_t colon = url.find("://");
    return Status::InvalidArgument("a Redis URL starts with redis:// (got " +
                                   (colon == std::string::npos ? std::string("no scheme") : url.substr(0, colon) + "://") +
                                   "; rediss:// TLS is not built in)");
  }
  RedisUrl out;
  std::string rest = url.substr(scheme.size());
  const size_t at_sign = rest.rfind('@');  // credentials end here; a password may hold '/' or ':'
  if (const size_t slash = rest.find('/', at_sign == std::string::npos ? 0 : at_sign); slash != std::string::npos) {
    const std::string db = rest.substr(slash + 1);
    rest.resize(slash);
    if (!db.empty()) {
      if (!AllDigits(db) || db.size() > 4) return Status::InvalidArgument("the Redis database number is not a number");
      out.db = std::atoi(db.c_str());
    }
  }
  if (const size_t at = rest.rfind('@'); at != std::string::npos) {
    const std::string auth = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const size_t colon = auth.find(':');
    if (colon == std::string::npos) {
      out.password = auth;
    } else {
      out.user = auth.substr(0, colon);
      out.password = auth.substr(colon + 1);
    }
  }
  if (out.password.empty()) {
    if (const char* env = std::getenv("REDISCLI_AUTH"); env != nullptr) out.password = env;
  }
  std::string host = rest;
  if (const size_t colon = rest.rfind(':'); colon != std::string::npos && rest.find(']') == std::string::npos) {
    const std::string port = rest.substr(colon + 1);
    host = rest.substr(0, colon);
    if (!AllDigits(port) || port.size() > 5 || std::atoi(port.c_str()) < 1 || std::atoi(port.c_str()) > 65535) {
      return Status::InvalidArgument("the Redis port is not a number from 1 to 65535");
    }
    out.port = std::atoi(port.c_str());
  }
  if (!host.empty()) out.host = host;
  return out;
}

StatusOr<std::unique_ptr<Redis>> Redis::Connect(const RedisUrl& url, int connect_ms, int command_ms) {
  timeval tv{connect_ms / 1000, (connect_ms % 1000) * 1000};
  redisContext* c = redisConnectWithTimeout(url.host.c_str(), url.port, tv);
  if (c == nullptr) return Status::Unavailable("redis: cannot allocate a connection");
  if (c->err) {
    const std::string why = c->errstr;
    redisFree(c);
    return Status::Unavailable("redis at " + url.host + ":" + std::to_string(url.port) + ": " + why);
  }
  std::unique_ptr<Redis> redis(new Redis(c));
  // A half-open connection must not hang a worker or a /health probe forever.
  timeval command_tv{command_ms / 1000, (command_ms % 1000) * 1000};
  redisSetTimeout(c, command_tv);
  redisEnableKeepAlive(c);
  if (!url.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!url.user.empty()) auth.push_back(url.user);
    auth.push_back(url.password);
    auto r = redis->Command(auth);
    if (!r.ok() && r.status().code() == Status::Code::kUnavailable) return r.status();
    if (!r.ok()) return Status::InvalidArgument("redis refused the credentials: " + r.status().message());
  }
  if (url.db != 0) {
    auto r = redis->Command({"SELECT", std::to_string(url.db)});
    if (!r.ok()) return r.status();
  }
  return redis;
}

Redis::~Redis() {
  if (c_ != nullptr) redisFree(c_);
}

bool Redis::broken() const { return c_->err != 0; }

StatusOr<RedisReply> Redis::Command(const std::vector<std::string>& args) {
  if (c_->err) return Status::Unavailable(std::string("redis: ") + c_->errstr);
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  ArgvOf(args, &argv, &lens);
  auto* r = static_cast<redisReply*>(redisCommandArgv(c_, static_cast<int>(argv.size()), argv.data(), lens.data()));
  return Take(c_, r);
}

Status Redis::Pipeline(const std::vector<std::vector<std::string>>& commands, std::vector<RedisReply>* replies) {
  replies->clear();
  if (c_->err) return Status::Unavailable(std::string("redis: ") + c_->errstr);
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& args : commands) {
    ArgvOf(args, &argv, &lens);
    if (redisAppendCommandArgv(c_, static_cast<int>(argv.size()), argv.data(), lens.data()) != REDIS_OK) {
      return Status::Unavailable(std::string("redis: ") + c_->errstr);
    }
  }
  Status first;
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(c_, &raw) != REDIS_OK) return Status::Unavailable(std::string("redis: ") + c_->errstr);
    auto r = Take(c_, static_cast<redisReply*>(raw));
    if (!r.ok()) {
      if (first.ok()) first = r.status();
      replies->emplace_back();
    } else {
      replies->push_back(std::move(*r));
    }
  }
  return first;
}

}  // namespace litrank

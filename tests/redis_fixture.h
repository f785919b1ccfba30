// A real redis-server for the tests that need one: started on a free loopback
// port in its own folder, with an append-only file fsynced on every write (so a
// restart keeps the queue), killed when the test ends. Tests skip, saying why,
// where redis-server is not installed (scripts/install-deps.sh installs it).
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "distributed/redis.h"
#include "process_util.h"
#include "synth_fixture.h"

namespace litrank::testing {

inline std::string RedisServerBinary() {
  for (const char* p : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return "";
}

class RedisServer {
 public:
  explicit RedisServer(const std::string& name) : dir_(TempDir() + "/redis-" + name), port_(FreePort()) {
    std::filesystem::remove_all(dir_);  // a fresh, empty server each time (gtest_repeat reuses names)
    std::filesystem::create_directories(dir_);
  }
  /// Starts (or restarts, keeping the data) the server and waits until it answers PING.
  /// False when it does not within 20 s (the caller fails the test).
  bool Start() {
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{RedisServerBinary(), "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                 "--dir", dir_, "--save", "", "--appendonly", "yes", "--appendfsync", "always"},
        dir_ + "/log");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {  // readiness, not a race: every outcome is checked
      RedisUrl url;
      url.port = port_;
      auto r = Redis::Connect(url, 200);
      if (r.ok()) {
        // Ours, not another test's server that took the port first.
        auto info = (*r)->Command({"INFO", "server"});
        return info.ok() && info->str.find("process_id:" + std::to_string(process_->pid()) + "\r\n") != std::string::npos;
      }
      if (!process_->running()) return false;  // it exited: the port was taken
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  /// SIGKILL, as a crash: nothing is flushed beyond what appendfsync already wrote.
  void Kill() {
    if (process_) process_->Signal(SIGKILL);
    process_.reset();
  }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  std::string dir_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace litrank::testing

/// Skips the test when redis-server is absent.
#define LITRANK_NEED_REDIS()                                                                         \
  do {                                                                                               \
    if (::litrank::testing::RedisServerBinary().empty()) {                                           \
      GTEST_SKIP() << "redis-server is not installed (scripts/install-deps.sh installs it)";         \
    }                                                                                                \
  } while (0)

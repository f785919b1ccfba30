// A real redis-server for the tests that need one: started on a free loopback
// port in its own folder (ready once it says so on its output), with an append-only file fsynced on every write (so a
// restart keeps the queue), killed when the test ends. Tests skip, saying why,
// where redis-server is not installed (scripts/install-deps.sh installs it).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

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
  /// Starts (or restarts, keeping the data) the server and waits for its own "Ready
  /// to accept connections" line on a pipe (a latch, no polling). False when it exits
  /// first (the port was taken, say) or says nothing for 60 s (a bound on a hang).
  bool Start() {
    process_.reset();
    log_ = std::make_unique<LinePipe>(dir_ + "/log-" + std::to_string(++starts_));
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{RedisServerBinary(), "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                 "--dir", dir_, "--save", "", "--appendonly", "yes", "--appendfsync", "always",
                                 "--logfile", ""},
        "", log_->write_fd());
    log_->CloseWriteEnd();
    while (auto line = log_->NextLine(60)) {
      if (line->find("Ready to accept connections") != std::string::npos) return true;
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
  int starts_ = 0;
  std::unique_ptr<LinePipe> log_;          // the server's output; outlives the process
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

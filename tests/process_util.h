// Helpers for tests that run programs: a command's output and exit code, and a
// background server process that is killed when the test ends.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "util/loopback.h"

namespace litrank::testing {

/// Output (stdout, plus stderr when `merge_stderr`) and exit status of a shell command.
struct CommandResult {
  std::string output;
  int exit_code = -1;
};

inline CommandResult RunCommand(const std::string& command, bool merge_stderr = false) {
  CommandResult r;
  FILE* p = popen((command + (merge_stderr ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// A free TCP port on 127.0.0.1.
inline int FreePort() { return FreeLoopbackPort(); }

/// A child process started with execv; SIGTERM then SIGKILL on destruction.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv, const std::string& log_path = "/dev/null") {
    pid_ = fork();
    if (pid_ == 0) {
      FILE* log = std::fopen(log_path.c_str(), "w");
      if (log) dup2(fileno(log), 1), dup2(fileno(log), 2);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~ChildProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 50; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      usleep(100000);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  bool running() const { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }
  /// The child's process id (-1 once reaped).
  pid_t pid() const { return pid_; }
  /// Waits up to `seconds` for the child to exit; its exit code, or -1 (still running
  /// or killed by a signal).
  int WaitExit(int seconds) {
    for (int i = 0; pid_ > 0 && i < seconds * 10; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      usleep(100000);
    }
    return -1;
  }
  /// Sends `sig` and, for SIGKILL, reaps the child.
  void Signal(int sig) {
    if (pid_ <= 0) return;
    kill(pid_, sig);
    if (sig == SIGKILL) {
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

 private:
  pid_t pid_ = -1;
};

/// The ingest command's test gate (LITRANK_TEST_INGEST_GATE=PREFIX): the command writes
/// a line to the FIFO PREFIX.ready after its first committed batch, then waits until
/// PREFIX.go is opened and closed. Made here as two FIFOs.
class IngestGate {
 public:
  explicit IngestGate(std::string prefix) : prefix_(std::move(prefix)) {
    EXPECT_EQ(mkfifo((prefix_ + ".ready").c_str(), 0600), 0);
    EXPECT_EQ(mkfifo((prefix_ + ".go").c_str(), 0600), 0);
  }
  const std::string& prefix() const { return prefix_; }
  // Blocks until the process has reached the gate; false if it exited first
  // (the FIFO is polled in slices only to notice that, never to time anything).
  bool WaitReady(ChildProcess& child) {
    const int fd = open((prefix_ + ".ready").c_str(), O_RDONLY | O_NONBLOCK);
    if (fd < 0) return false;
    bool ready = false;
    for (int i = 0; i < 1200 && !ready; ++i) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 100) > 0 && (p.revents & POLLIN)) {
        char c;
        ready = read(fd, &c, 1) == 1;
      } else if (!child.running()) {
        break;
      }
    }
    close(fd);
    return ready;
  }
  // Lets the process go on (it is blocked opening PREFIX.go for reading).
  void Release() { std::ofstream(prefix_ + ".go") << "go" << std::endl; }

 private:
  std::string prefix_;
};

}  // namespace litrank::testing

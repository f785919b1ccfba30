// Helpers for tests that run programs: a command's output and exit code, a
// background process that is killed when the test ends, a pipe read line by line
// (a child's output or status lines), and the FIFO gates of the CLI's test hooks.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

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
  /// The child's stdout and stderr go to `log_path`, or to `output_fd` when that is
  /// given (e.g. LinePipe::write_fd()). Descriptors without FD_CLOEXEC are inherited.
  explicit ChildProcess(const std::vector<std::string>& argv, const std::string& log_path = "/dev/null",
                        int output_fd = -1) {
    pid_ = fork();
    if (pid_ == 0) {
      const int out = output_fd >= 0 ? output_fd : open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (out >= 0) dup2(out, 1), dup2(out, 2);
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
    if (Reap(5)) return;
    kill(pid_, SIGKILL);
    Reap(-1);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  /// The child's process id (-1 once reaped).
  pid_t pid() const { return pid_; }
  /// Whether it has not exited yet (an exited child is reaped here).
  bool running() {
    if (pid_ <= 0) return false;
    if (waitpid(pid_, &status_, WNOHANG) != pid_) return true;
    pid_ = -1;
    return false;
  }
  /// Blocks until the child exits (woken by the exit itself, through a pidfd), at most
  /// `seconds` as a bound on a hang. Its exit code; -1 when it is still running or
  /// was killed by a signal.
  int WaitExit(int seconds) {
    if (pid_ > 0 && !Reap(seconds)) return -1;
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }
  /// Sends `sig` and, for SIGKILL, reaps the child.
  void Signal(int sig) {
    if (pid_ <= 0) return;
    kill(pid_, sig);
    if (sig == SIGKILL) Reap(-1);
  }
  /// A descriptor that polls readable once the child has exited (close it); -1 once
  /// reaped, or on kernels without pidfd_open (Linux < 5.3).
  int OpenPidFd() const { return pid_ > 0 ? static_cast<int>(syscall(SYS_pidfd_open, pid_, 0)) : -1; }

 private:
  // Waits for the exit (seconds < 0: no bound) and reaps; false if still running.
  bool Reap(int seconds) {
    if (pid_ <= 0) return true;
    const int pidfd = OpenPidFd();
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      int r;
      while ((r = poll(&p, 1, seconds < 0 ? -1 : seconds * 1000)) < 0 && errno == EINTR) {
      }
      close(pidfd);
      if (r == 0) return false;
    }  // else a blocking waitpid, bounded by ctest's timeout
    while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return true;
  }

  pid_t pid_ = -1;
  int status_ = -1;  // waitpid's status once reaped
};

/// A pipe read line by line: a child writes into write_fd() (its output, or a
/// --status-fd), and a reader thread copies every line to `log_path` (if given) and
/// hands it to NextLine, until every writer has closed the pipe. Declare it before
/// the ChildProcess that writes to it, so that the child is gone when it is destroyed.
class LinePipe {
 public:
  explicit LinePipe(std::string log_path = "") : log_path_(std::move(log_path)) {
    int fds[2];
    EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
    read_fd_ = fds[0];
    write_fd_ = fds[1];
    fcntl(write_fd_, F_SETFD, 0);  // the write end is inherited by the child
    reader_ = std::thread([this] { ReadAll(); });
  }
  ~LinePipe() {
    CloseWriteEnd();
    reader_.join();
    close(read_fd_);
  }
  LinePipe(const LinePipe&) = delete;
  LinePipe& operator=(const LinePipe&) = delete;

  /// The descriptor to hand to the child.
  int write_fd() const { return write_fd_; }
  /// Closes this process's copy of the write end (call once the child has started),
  /// so that the pipe closes when the child does.
  void CloseWriteEnd() {
    std::lock_guard<std::mutex> lock(mu_);
    if (write_fd_ >= 0) close(write_fd_);
    write_fd_ = -1;
  }
  /// The next line, without its '\n'; nullopt once the pipe is closed and read to the
  /// end, or after `seconds` without a line (a bound on a hang, never a timing).
  std::optional<std::string> NextLine(int seconds = 120) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(seconds), [this] { return !lines_.empty() || closed_; });
    if (lines_.empty()) return std::nullopt;
    std::string line = std::move(lines_.front());
    lines_.pop_front();
    return line;
  }

 private:
  void ReadAll() {
    std::ofstream log;
    if (!log_path_.empty()) log.open(log_path_);
    std::string pending;
    char buf[4096];
    ssize_t n;
    while ((n = read(read_fd_, buf, sizeof buf)) != 0) {
      if (n < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (log.is_open()) log.write(buf, n).flush();
      pending.append(buf, static_cast<size_t>(n));
      for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) {
        std::lock_guard<std::mutex> lock(mu_);
        lines_.push_back(pending.substr(0, nl));
        cv_.notify_all();
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (!pending.empty()) lines_.push_back(pending);
    closed_ = true;
    cv_.notify_all();
  }

  std::string log_path_;
  int read_fd_ = -1;
  int write_fd_ = -1;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> lines_;
  bool closed_ = false;
  std::thread reader_;
};

/// Waits until a llama-server child (its output going to `log`) has loaded its model.
/// llama-server offers no readiness signal besides its log, so each line it logs is
/// the cue to ask GET /health once (no sleeps): it logs "model loaded" right after
/// /health turns 200. False if it exits first (the pipe closes), or after 10000 lines
/// or 120 s without a line (bounds on a hang).
inline bool WaitLlamaServerReady(LinePipe& log, httplib::Client& cli) {
  for (int lines = 0; lines < 10000; ++lines) {
    auto res = cli.Get("/health");
    if (res && res->status == 200) return true;
    if (!log.NextLine()) return false;
  }
  return false;
}

/// A CLI test gate (WaitAtTestGate in src/cli/cli_common.h: LITRANK_TEST_INGEST_GATE
/// after ingest's first committed batch, LITRANK_TEST_SERVE_GATE before serve's first
/// rerank round), made here as two FIFOs: the command writes a line to PREFIX.ready
/// when it reaches the gate, then waits until PREFIX.go is opened and closed.
class CliGate {
 public:
  explicit CliGate(std::string prefix) : prefix_(std::move(prefix)) {
    EXPECT_EQ(mkfifo((prefix_ + ".ready").c_str(), 0600), 0);
    EXPECT_EQ(mkfifo((prefix_ + ".go").c_str(), 0600), 0);
  }
  const std::string& prefix() const { return prefix_; }
  // Blocks until the process has reached the gate; false if it exited first (woken by
  // either event; `seconds` only bounds a hang).
  bool WaitReady(ChildProcess& child, int seconds = 120) {
    const int fd = open((prefix_ + ".ready").c_str(), O_RDONLY | O_NONBLOCK);
    if (fd < 0) return false;
    const int pidfd = child.OpenPidFd();
    bool ready = false;
    while (!ready) {
      // A FIFO no writer has opened yet polls as idle; the pidfd turns readable on exit.
      pollfd p[2] = {{fd, POLLIN, 0}, {pidfd, POLLIN, 0}};
      const int r = poll(p, pidfd >= 0 ? 2 : 1, seconds * 1000);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      if (p[0].revents & POLLIN) {
        char c;
        ready = read(fd, &c, 1) == 1;
      }
      if (!ready) break;  // the writer hung up without a line, or the child exited
    }
    if (pidfd >= 0) close(pidfd);
    close(fd);
    return ready;
  }
  // Lets the process go on (it is blocked opening PREFIX.go for reading).
  void Release() { std::ofstream(prefix_ + ".go") << "go" << std::endl; }

 private:
  std::string prefix_;
};

}  // namespace litrank::testing

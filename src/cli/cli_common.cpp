#include "cli/cli_common.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace litrank::cli {

int Fail(const Status& status, bool model_related) {
  std::fprintf(stderr, "litrank: error: %s\n", status.message().c_str());
  switch (status.code()) {
    case Status::Code::kOk: return kExitOk;
    case Status::Code::kInvalidArgument:
    case Status::Code::kTooLong: return kExitInput;
    case Status::Code::kNetworkError:
    case Status::Code::kChecksumMismatch: return kExitNetwork;
    case Status::Code::kNotFound:
    case Status::Code::kIOError: return model_related ? kExitModel : kExitInput;
    case Status::Code::kCorruption:
    case Status::Code::kUnsupported: return model_related ? kExitModel : kExitInput;
    case Status::Code::kUnavailable: return kExitBusy;
    case Status::Code::kInternal:
    case Status::Code::kResourceExhausted:
    case Status::Code::kCancelled: break;
  }
  return kExitInternal;
}

ProgressBar::ProgressBar(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled && isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()) {}

void ProgressBar::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && done < total && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double frac = total ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
  const int width = 30, filled = static_cast<int>(frac * width);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "\r%s [%s] %llu/%llu (%.0f%%) %.1fs", label_.c_str(), bar.c_str(),
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(total), frac * 100, secs);
  std::fflush(stderr);
}

void ProgressBar::Finish() {
  if (enabled_ && drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
}

std::string DefaultDbPath() {
  const char* env = std::getenv("LITRANK_DB");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string("litrank.db");
}

std::string ModelFromFlagOrEnv(const std::string& flag, const char* env) {
  if (!flag.empty()) return flag;
  const char* value = std::getenv(env);
  return value != nullptr ? std::string(value) : std::string();
}

void WaitAtTestGate(const char* env) {
  const char* prefix = std::getenv(env);
  if (prefix == nullptr || *prefix == '\0') return;
  std::ofstream(std::string(prefix) + ".ready") << "ready" << std::endl;
  std::ifstream go(std::string(prefix) + ".go");
  std::string line;
  while (std::getline(go, line)) {
  }
}

}  // namespace litrank::cli

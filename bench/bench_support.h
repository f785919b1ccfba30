// Helpers for `litrank bench`: synthetic benchmark inputs, timing, memory, and
// driving llama.cpp's own llama-server / llama-bench as the anchors.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "litrank/status.h"

// Where the build put llama.cpp's llama-server and llama-bench (CMake defines both;
// empty when the anchors were not built).
#ifndef LITRANK_LLAMA_SERVER
#define LITRANK_LLAMA_SERVER ""
#define LITRANK_LLAMA_BENCH ""
#endif

namespace litrank::bench {

/// `n` documents of about `tokens` tokens each (Qwen tokenizer of `model`), cut
/// from the sample abstracts so that text looks like real prose.
StatusOr<std::vector<std::string>> MakeDocuments(const std::string& model, const std::string& samples,
                                                 size_t n, size_t tokens);

/// The random-weight Qwen3-0.6B-shape model of `kind` ("reranker", "embedding",
/// "generator") with `type` weights, kept as `models_dir`/synthetic-qwen3-<kind>-0.6b-<type>.gguf
/// and written on first use (saying so on stderr).
StatusOr<std::string> SyntheticModel06B(const std::string& models_dir, const std::string& kind, const std::string& type);

/// Median of the values (0 for none).
double Median(std::vector<double> v);
/// The p-th percentile (0..100, nearest rank) of the values (0 for none).
double Percentile(std::vector<double> v, double p);

/// Writes {"benchmark": name, "records": records_json} to
/// `out_dir`/`name`-<UTC time>.json and returns the path.
std::string WriteBenchJson(const std::string& out_dir, const std::string& name, const std::string& records_json);

/// Peak resident memory of a process in MiB (VmHWM), and a reset of our own peak.
double PeakRssMiB(pid_t pid);
/// Our own resident memory now, in MiB (VmRSS).
double CurrentRssMiB();
void ResetOwnPeakRss();

/// A llama-server on `model` (by default with --rerank; `mode_args` replace that,
/// e.g. {} for completions), 4096 context tokens per slot; killed on destruction.
class LlamaServer {
 public:
  LlamaServer(const std::string& binary, const std::string& model, int threads, int parallel,
              const std::vector<std::string>& mode_args = {"--rerank"});
  ~LlamaServer();
  bool ready() const { return ready_; }
  /// Seconds for one /v1/rerank call, or a negative value on failure.
  double TimeRerank(const std::string& query, const std::vector<std::string>& docs);
  double peak_rss_mib() const { return PeakRssMiB(pid_); }
  /// POSTs JSON `body` to `path`; the HTTP status (0: no connection) and the reply.
  long Post(const std::string& path, const std::string& body, std::string* reply) const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  bool ready_ = false;
};

/// Runs `command` through the shell and puts its stdout in *out. False when it
/// could not start or exited non-zero (*out holds what it wrote anyway).
bool RunCapture(const std::string& command, std::string* out);

/// llama-bench pp512 tokens/s for `model` with `threads` threads (negative on failure).
double LlamaBenchPp512(const std::string& binary, const std::string& model, int threads);

}  // namespace litrank::bench

// Pieces of the loopback load tests (`bench serve`, `bench soak`): keep-alive
// clients sending a weighted mix of rerank, embeddings, search and upload
// requests to an in-process server, with per-kind status counts, latencies,
// shape checks of every 2xx answer, and the server's /metrics around a phase.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace litrank::bench {

using Clock = std::chrono::steady_clock;
/// Seconds since `t`.
inline double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// What every client of a phase sends.
struct LoadSettings {
  size_t docs_per_request = 32;  ///< fresh documents per rerank call
  size_t doc_words = 0;          ///< cut documents to this many words (0 = whole abstract)
  size_t max_requests = 100000;  ///< requests per phase at most
};

/// What a load-test request does.
enum Kind { kRerank = 0, kEmbed = 1, kSearch = 2, kUpload = 3, kKinds = 4 };
inline constexpr const char* kKindNames[kKinds] = {"rerank", "embed", "search", "upload"};
inline constexpr size_t kEmbedInputs = 4, kSearchTopK = 10, kUploadRecords = 5, kUploadCollections = 4;
inline const char* const kQueries[] = {
    "How do solid-state lithium batteries degrade?", "cross-encoder reranking of scientific abstracts",
    "effects of sleep deprivation on memory consolidation", "graph neural networks for molecule property prediction",
    "coral reef bleaching and ocean temperature", "dense retrieval versus BM25 on long documents",
    "CRISPR off-target effects in human cells", "urban heat islands and green roofs"};
inline constexpr size_t kQueryCount = sizeof kQueries / sizeof kQueries[0];

/// What the clients of one phase saw, per request kind.
struct Tally {
  std::vector<double> ms[kKinds];  // latency of answered requests (any status)
  size_t ok[kKinds]{}, client_error[kKinds]{}, throttled[kKinds]{}, server_error[kKinds]{};
  size_t transport[kKinds]{}, bad_shape[kKinds]{}, abandoned[kKinds]{};
  size_t pairs = 0;                // rerank pairs answered with 2xx
  std::vector<std::string> problems;  // first few 5xx / bad-shape / transport details

  void Merge(const Tally& o) {
    for (int k = 0; k < kKinds; ++k) {
      ms[k].insert(ms[k].end(), o.ms[k].begin(), o.ms[k].end());
      ok[k] += o.ok[k], client_error[k] += o.client_error[k], throttled[k] += o.throttled[k];
      server_error[k] += o.server_error[k], transport[k] += o.transport[k], bad_shape[k] += o.bad_shape[k];
      abandoned[k] += o.abandoned[k];
    }
    pairs += o.pairs;
    for (const std::string& p : o.problems) if (problems.size() < 10) problems.push_back(p);
  }
  size_t Sum(const size_t (&v)[kKinds]) const {
    size_t n = 0;
    for (size_t x : v) n += x;
    return n;
  }
  size_t Requests() const {
    size_t n = 0;
    for (const auto& m : ms) n += m.size();
    return n;
  }
  void Note(const std::string& p) { if (problems.size() < 10) problems.push_back(p); }
};


/// Texts the requests are made of: sample abstracts, made unique with a counter.
struct Texts {
  std::vector<std::string> abstracts;
  std::atomic<uint64_t> counter{0};

  /// A document no cache has seen: an abstract (cut to `words` words; 0 = whole) plus a serial number.
  std::string Fresh(size_t seed, size_t words) {
    std::istringstream in(abstracts[seed % abstracts.size()]);
    std::string text;
    size_t n = 0;
    for (std::string w; (words == 0 || n < words) && in >> w; ++n) text += (text.empty() ? "" : " ") + w;
    return text + " [copy " + std::to_string(counter++) + "]";
  }
};

/// One phase: its request mix, deadline and bounds, shared by its clients.
struct Phase {
  double weights[kKinds] = {1, 0, 0};
  Clock::time_point deadline;
  size_t max_requests = 0;
  std::atomic<size_t> started{0};
  std::atomic<bool> stopping{false};  // past the grace period: failures are abandonment
};

/// Checks a 2xx body's shape; "" when right, else what is wrong.

/// What a phase measured.
struct PhaseResult {
  std::string name;
  size_t clients = 0;
  double seconds = 0, pairs_per_s = 0, engine_pairs_per_s = 0;
  Tally tally;
  std::map<std::string, double> before, after;  // /metrics around the phase
  double Delta(const std::string& key) const;
};

/// The server's /metrics as name{labels} -> value.
std::map<std::string, double> ScrapeMetrics(int port);
/// Server-side 5xx answers counted in a /metrics scrape (/health's 503 while loading is no failure).
double Server5xx(const std::map<std::string, double>& m);
/// One series of a scrape (0 when absent).
double MetricValue(const std::map<std::string, double>& m, const std::string& key);

/// Runs `clients` keep-alive clients for `seconds` (then `grace` for answers in
/// flight; later ones are abandoned: the client disconnects, the server cancels).
PhaseResult RunPhase(const LoadSettings& a, int port, Texts* texts, const std::string& name,
                     const double (&weights)[kKinds], size_t clients, double seconds, double grace);
/// A phase as JSON; ratios against `baseline_pairs_per_s`.
nlohmann::json PhaseJson(const PhaseResult& r, double baseline_pairs_per_s);
/// One table row for the phase, and one per request kind.
void PrintPhase(const PhaseResult& r, double baseline);
void PrintKinds(const PhaseResult& r);

}  // namespace litrank::bench

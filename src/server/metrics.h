// Prometheus metrics of the server: request counters kept here, engine counters
// read from the schedulers when /metrics is scraped.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "litrank/rerank_scheduler.h"

namespace litrank::server {

/// Everything /metrics reports besides the request counters, gathered at scrape time.
struct EngineSnapshot {
  bool has_reranker = false;
  SchedulerStats rerank;
  bool has_embedder = false;
  size_t embed_in_flight = 0;
  uint64_t embedded_inputs = 0;
  double reranker_load_seconds = 0, embedder_load_seconds = 0;
  uint64_t body_bytes_in_flight = 0;  ///< request bodies admitted and not yet answered
  uint64_t bodies_refused = 0;        ///< requests refused because that total was full
  bool has_shared_scores = false;     ///< a Redis score cache shared by replicas (--score-cache)
  uint64_t shared_hits = 0, shared_misses = 0, shared_errors = 0;
};

/// Request counters by route and status. Thread-safe.
class Metrics {
 public:
  /// Counts one finished request.
  void Record(const std::string& route, int status, double seconds);
  /// The Prometheus text exposition (version 0.0.4) of the counters and `engines`.
  std::string Render(const EngineSnapshot& engines) const;

 private:
  struct Timing { uint64_t count = 0; double seconds = 0; };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, Timing> timings_;
};

}  // namespace litrank::server

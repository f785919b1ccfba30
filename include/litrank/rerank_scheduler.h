// litrank — RerankScheduler: one reranker shared by many threads (the server).
//
// A scheduler thread owns the model context. Concurrent Rerank calls are prepared
// (validated, looked up in the caches, tokenised) on their own threads; their
// uncached pairs join one queue, and every decode round is filled with pairs of as
// many calls as fit (continuous batching across calls): calls with the fewest pairs
// left first — a short call never waits behind a long one for more than a round, and
// calls finish one after another instead of all at the end — while a call passed over
// for 4 rounds goes first, so none starves. Each query's prefix stays resident in the
// KV cache while its pairs are in flight, so calls keep the shared-prefix saving.
// Scores equal a lone Reranker's within float noise (< 1e-3), and bit for bit with
// RerankerConfig::batch_invariant (CPU).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "litrank/reranker.h"

namespace litrank {

/// Queue limits of a RerankScheduler.
struct SchedulerConfig {
  /// Uncached pairs waiting or in flight, over all calls. A call that would exceed it
  /// fails at once with ResourceExhausted (HTTP 429) — unless the queue is empty.
  size_t max_queued_pairs = 8192;
  /// Test hook (empty in production): runs on the scheduler thread, lock released,
  /// before each round is filled, with the number of rounds run so far. It may block,
  /// which holds the engine between rounds, so tests can order events without sleeps.
  std::function<void(uint64_t rounds_run)> before_round;
};

/// Counters since the scheduler started (for /metrics).
struct SchedulerStats {
  size_t queued_pairs = 0;     ///< pairs waiting or in flight now
  size_t active_calls = 0;     ///< calls waiting for the engine now
  uint64_t calls = 0;          ///< calls finished (any outcome)
  uint64_t rejected = 0;       ///< calls refused because the queue was full
  uint64_t cancelled = 0;      ///< calls whose caller gave up
  uint64_t rounds = 0;         ///< decode rounds run
  uint64_t pairs = 0;          ///< pairs decoded
  uint64_t mixed_rounds = 0;   ///< rounds holding pairs of more than one call
  uint64_t decoded_tokens = 0; ///< tokens run through the model
  uint64_t documents = 0;      ///< documents asked for (cached ones included)
  uint64_t cache_hits = 0;     ///< documents answered from a cache
  double busy_seconds = 0;     ///< time spent decoding
  /// Rounds by pairs per round: bucket i counts rounds of at most 2^i pairs (i < 9), last = more.
  std::vector<uint64_t> round_size_buckets = std::vector<uint64_t>(10, 0);
};

/// A Reranker whose Rerank may be called from many threads at once.
class RerankScheduler : public Reranker {
 public:
  /// Loads `model_path` as Reranker::Open does and starts the scheduler thread.
  static StatusOr<std::unique_ptr<RerankScheduler>> Open(const std::string& model_path,
                                                         const RerankerConfig& config = {},
                                                         const SchedulerConfig& scheduler = {});
  /// Stops the scheduler; calls still waiting fail with Cancelled.
  ~RerankScheduler() override = default;
  /// A snapshot of the counters.
  virtual SchedulerStats stats() const = 0;
};

}  // namespace litrank

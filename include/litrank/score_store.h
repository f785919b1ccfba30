// litrank — ScoreStore: where rerank scores outlive the process.
//
// The reranker keeps an in-memory cache; a ScoreStore is the second level it
// consults on a miss and fills after decoding (the corpus file implements one),
// so a repeated search costs no model time even in a new process.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "litrank/status.h"

namespace litrank {

/// What is remembered about one scored (instruction, query, document) pair.
struct PairScore {
  double logit = 0;         ///< logit_yes - logit_no
  bool truncated = false;   ///< the document was cut to fit
  uint32_t tokens = 0;      ///< tokens of the pair as scored
  uint32_t max_length = 0;  ///< budget it was scored under (matters only when truncated)
};

/// Whether a remembered score is the score a call with `max_length` would compute:
/// a truncated score only under the same budget, and never one over the budget.
inline bool UsableAt(const PairScore& s, uint32_t max_length) {
  return !(s.truncated && s.max_length != max_length) && s.tokens <= max_length;
}

/// A persistent map from the reranker's 32-byte cache key to a PairScore.
class ScoreStore {
 public:
  virtual ~ScoreStore() = default;
  /// The score saved under `key`, if any.
  virtual std::optional<PairScore> GetScore(const std::string& key) = 0;
  /// Saves (replaces) entries, all or none.
  virtual Status PutScores(const std::vector<std::pair<std::string, PairScore>>& entries) = 0;
};

}  // namespace litrank

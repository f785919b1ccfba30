// Internal to screen/: ranks unscreened records by predicted relevance from the
// labels so far (the active-learning step), with a zero-shot prior before the
// first labels and as a decaying extra signal after them.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "litrank/screening.h"
#include "screen/linear_model.h"
#include "text/tfidf.h"

namespace litrank::screen {

/// One record's state in a screening run: -1 unseen, 0 excluded, 1 included.
/// (A "maybe" counts as unseen for training and is never shown again.)
using LabelVector = std::vector<int8_t>;

/// The classifier settings a ScreeningModelOptions names, as liblinear takes them.
LinearOptions ToLinearOptions(const ScreeningModelOptions& options);

/// Scores every record: larger = screen sooner. Keeps the feature rows and the
/// prior; each Score call retrains on the current labels.
class RelevanceModel {
 public:
  /// `prior` is one zero-shot score per row (BM25 of the question, or the
  /// reranker's); empty for none. It is standardised here.
  RelevanceModel(const SparseRows& x, std::vector<double> prior, ScreeningModelOptions options);

  /// Scores for all rows given `labels` (one per row). Before both classes have
  /// a label, the prior alone (all zero without one). Fails only on a learner
  /// error.
  Status Score(const LabelVector& labels, std::vector<double>* scores);

  /// The unseen rows (labels[r] == -1, `skip[r]` false) to show next, best
  /// first, at most `count`, from `scores` and the query strategy; `rng`
  /// drives the random share of the mixed strategy.
  std::vector<uint32_t> Pick(const LabelVector& labels, const std::vector<bool>& skip,
                             const std::vector<double>& scores, size_t count, std::mt19937_64& rng) const;

  /// Whether a classifier is trained (both classes labelled) after the last Score.
  bool trained() const { return trained_; }
  const SparseRows& features() const { return x_; }

 private:
  const SparseRows& x_;
  std::vector<double> prior_;
  ScreeningModelOptions options_;
  LinearTrainer trainer_;
  bool trained_ = false;
};

}  // namespace litrank::screen

// litrank — trends of a document set: papers per year, how each topic is moving,
// and the terms that burst when (Kleinberg's automaton, as CiteSpace uses it).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "litrank/document.h"
#include "litrank/status.h"
#include "litrank/topics.h"

namespace litrank {

/// How bursts are detected: Kleinberg's (2002) two-state automaton over yearly
/// batches. Each term has a base rate p0 (its share of all documents) and a burst
/// rate p1 = min(scale · p0, 0.9999); entering the burst state costs
/// gamma · ln(years). A burst is a maximal run of years in the burst state; its
/// strength is the summed log-likelihood gain of the burst rate over the base
/// rate in those years (Kleinberg's weight, CiteSpace's "Strength").
struct BurstOptions {
  double scale = 2.0;         ///< s: the burst rate over the base rate
  double gamma = 1.0;         ///< cost of entering a burst, times ln(years)
  double min_strength = 3.0;  ///< weaker bursts are not reported
  size_t min_documents = 3;   ///< terms in fewer documents are not examined
};

/// One burst of a term.
struct Burst {
  std::string term;
  int start = 0, end = 0;   ///< first and last year, inclusive
  double strength = 0;
  size_t documents = 0;     ///< documents with the term in start..end
};

/// How trends are found.
struct TrendOptions {
  BurstOptions bursts;
  /// The recent window, in years at the end of the span, that a topic's share is
  /// compared over (see TopicTrend::status).
  int window = 3;
  bool keywords = true;       ///< burst terms include the records' own keywords (normalised)
  bool text_terms = true;     ///< ... and title + abstract words (the topics' vocabulary)
  std::string stemmer = "english";
};

/// How one topic moves over the years.
struct TopicTrend {
  int topic = 0;
  std::vector<size_t> per_year;  ///< papers per year of Trends::first_year..last_year
  double recent_share = 0;       ///< its share of the papers in the recent window
  double earlier_share = 0;      ///< its share of the papers before the window
  /// "emerging": no paper before the window, or more than half of its papers in
  ///   it and recent_share ≥ 2 × earlier_share;
  /// "growing": recent_share ≥ 1.25 × earlier_share; "declining": ≤ 0.8 ×;
  /// "stable" otherwise. With no papers at all in the window and some before:
  /// "declining".
  std::string status;
};

/// Trends of a document set.
struct Trends {
  size_t documents = 0;          ///< all documents given
  size_t missing_year = 0;       ///< documents without a year (left out of every count)
  int first_year = 0, last_year = 0;
  std::vector<size_t> per_year;  ///< papers per year, first_year..last_year
  std::vector<Burst> bursts;     ///< strongest first
  std::vector<TopicTrend> topics;  ///< one per topic of the model given, same order
};

/// Years, bursts and (when `topics` is given, fitted on the same `docs`) topic
/// trends. Deterministic.
/// Errors: InvalidArgument (no documents; none with a year; a topic model of
/// another size; window < 1; scale ≤ 1; gamma < 0).
StatusOr<Trends> FindTrends(const std::vector<Document>& docs, const TrendOptions& options,
                            const TopicModel* topics = nullptr);

/// The bursts of one term: `hits[t]` of `totals[t]` documents in year
/// first_year + t carry it. Exposed for tests and other callers with their own
/// counts. Returns no bursts when the term never occurs or every year is empty.
std::vector<Burst> DetectBursts(const std::string& term, int first_year, const std::vector<size_t>& hits,
                                const std::vector<size_t>& totals, const BurstOptions& options);

}  // namespace litrank

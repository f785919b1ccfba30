// litrank — a review of a document set in one step: topics, trends and bursts,
// the keyword network, the key papers of each topic and an outline, written as
// report.md, a self-contained report.html and the JSON of every step.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "litrank/assess.h"
#include "litrank/document.h"
#include "litrank/keywords.h"
#include "litrank/status.h"
#include "litrank/topics.h"
#include "litrank/trends.h"

namespace litrank {

/// What goes into a review.
struct ReviewOptions {
  std::string question;        ///< "" = none; else key papers and section order follow BM25 of it
  TopicOptions topics;         ///< k = 0: chosen (at most 12 sections unless k is given)
  TrendOptions trends;
  KeywordNetworkOptions keywords;
  size_t key_papers = 5;       ///< per section
  bool assess = true;          ///< judge the papers (Assess): key papers by composite without a question
  AssessOptions assessment;    ///< criteria and seminal count (topic_of is filled from the topics)
  CriterionScorer scorer;      ///< the reranker for the assessment; empty = cue words
  /// Called before each step with its name, its number (1-based) and the count.
  std::function<void(const std::string& step, int number, int steps)> progress;
  /// Polled before each step; true = stop: BuildReview returns Cancelled.
  std::function<bool()> cancelled;
};

/// One section of the outline: a topic and its key papers.
struct ReviewSection {
  int topic = 0;
  std::string title;               ///< the topic's label
  std::vector<std::string> keywords;
  std::string status;              ///< the topic's trend ("" without years)
  double relevance = 0;            ///< mean BM25 of the question over its papers (0 without one)
  std::vector<size_t> key_papers;  ///< input indexes, best first (question score, else the assessment's composite, else centrality)
};

/// A review, ready to write.
struct Review {
  std::string question;
  TopicModel topics;
  std::optional<Trends> trends;        ///< absent when no record has a year
  std::string trends_note;             ///< why it is absent
  std::optional<KeywordNetwork> keywords;
  std::string keywords_note;
  std::vector<double> relevance;       ///< BM25 of the question per document (empty without one)
  std::optional<Assessment> assessment;  ///< absent when options.assess is false
  std::vector<ReviewSection> outline;  ///< by relevance to the question, else by size
};

/// Builds the review of `docs`. Trends and the keyword network are left out,
/// with a note, when the records cannot give them (no years; no keyword or term
/// in two records); topics cannot be left out.
/// Errors: InvalidArgument (no documents, too few with text for two topics),
/// and the steps' own errors.
StatusOr<Review> BuildReview(const std::vector<Document>& docs, const ReviewOptions& options);

/// Writes DIR/report.md, DIR/report.html (inline SVG charts, no script or
/// external request) and DIR/topics.json, trends.json, keywords.json,
/// assessment.json (when assessed), outline.json; creates DIR. `ids[i]` names docs[i].
Status WriteReview(const Review& review, const std::vector<Document>& docs, const std::vector<std::string>& ids,
                   const std::string& dir);

}  // namespace litrank

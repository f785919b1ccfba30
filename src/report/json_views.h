// Internal: the JSON shapes of topics, trends and keyword networks, one copy
// for the CLI commands and the review's files.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "litrank/document.h"
#include "litrank/assess.h"
#include "litrank/cite.h"
#include "litrank/keywords.h"
#include "litrank/topics.h"
#include "litrank/trends.h"

namespace litrank::report {

/// {k, k_chosen, silhouette, features, documents_total, topics: [{id, label,
/// keywords, size, representatives: [{index, id, title}], year_min, year_max}],
/// assignments (input order; -1 = no usable text), ids}.
nlohmann::json TopicsJson(const TopicModel& m, const std::vector<Document>& docs, const std::vector<std::string>& ids);

/// {documents, missing_year, first_year, last_year, papers_per_year: [{year,
/// papers}], bursts: [{term, start, end, strength, documents}], topics: [{id,
/// label, size, status, recent_share, earlier_share, per_year}]}; `model` may
/// be null (then topics is empty).
nlohmann::json TrendsJson(const Trends& t, const TopicModel* model);

/// {documents, documents_with_terms, from_text, clusters, modularity, nodes:
/// [{id, label, occurrences, cluster, links, total_link_strength, betweenness,
/// x, y}], edges: [{source, target, cooccurrences, association}]}.
nlohmann::json KeywordNetworkJson(const KeywordNetwork& net);

/// A document's title, or the start of its abstract when it has none (one line).
std::string DisplayTitle(const Document& d, size_t bytes = 200);

/// `litrank assess --json`: criteria, papers by rank (scores and percentiles by
/// criterion name), per-topic rankings, the citation graph's counts, seminal
/// papers (unknown signals null) and the notes that say what the scores are.
nlohmann::json AssessmentJson(const Assessment& a, const std::vector<Document>& docs,
                              const std::vector<std::string>& ids);

/// `litrank cite -f json`: stages, notes, sentences with their citations
/// (stored documents with score and relative score), references once with the
/// 0-based sentences they support.
nlohmann::json CitationReportJson(const CitationReport& r);

}  // namespace litrank::report

// litrank — quality and importance of papers (`litrank assess`): scores on
// chosen criteria, a weighted composite and its ranking overall and per topic,
// and the seminal papers of the collection's own citation graph.
//
// With a reranker every criterion is an instruction the model judges (P(yes));
// without one a criterion is scored by BM25 of its cue words (a lexical proxy,
// said so in the output). Either way the scores are judgements, not facts.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "litrank/document.h"
#include "litrank/status.h"

namespace litrank {

/// One criterion a paper is judged on.
struct Criterion {
  std::string name;                ///< short key ("rigour"); unique, [A-Za-z0-9_-]
  std::string instruction;         ///< the reranker's instruction (Qwen3 "<Instruct>")
  std::string query;               ///< the reranker's query: what a paper strong on it shows
  std::vector<std::string> cues;   ///< words and phrases for the model-free path ("" = the query's words)
  double weight = 1;               ///< share in the composite, ≥ 0
};

/// The four built-in criteria of a literature review: innovation,
/// practical_value, rigour, impact (in that order).
std::vector<Criterion> BuiltInCriteria();

/// The criteria of a user file, JSON or TOML (by extension .json / .toml, else
/// by its first character). Shape: `criteria` (JSON) or `criterion` (TOML) is a
/// list of {name, instruction, query, cues, weight}; `builtin` (default true)
/// keeps the built-ins, and a user criterion named like a built-in replaces
/// it, fields left out keeping the built-in's (so `{name = "impact", weight = 2}`
/// only re-weights). Errors: InvalidArgument naming the file, the criterion and
/// the field (syntax, unknown keys, wrong types, negative or non-finite weight,
/// duplicate or malformed names, no criteria, all weights zero, more than 32
/// criteria, texts over 2,000 bytes); IOError when unreadable.
StatusOr<std::vector<Criterion>> LoadCriteriaFile(const std::string& path);

/// The same for criteria given as text (`name` stands for the file in messages
/// and, by its extension, picks JSON or TOML), e.g. from a request body.
StatusOr<std::vector<Criterion>> ParseCriteria(const std::string& text, const std::string& name);

/// Scores `texts` against a query under an instruction, one score in [0, 1] per
/// text, in order (the reranker's P(yes)). Long calls report progress through
/// their own means; an error ends the assessment.
using CriterionScorer = std::function<Status(const std::string& query, const std::string& instruction,
                                             const std::vector<std::string>& texts, std::vector<double>* scores)>;

class Reranker;
class ScoreStore;

/// A CriterionScorer on `reranker` (not owned; it must outlive the scorer):
/// P(yes) of each text under the criterion's instruction. `store` (may be null)
/// keeps the scores (a collection: reruns decode only what is missing);
/// `cancelled` (may be empty) ends a call with Cancelled; `progress` (may be
/// empty) hears (done, total) after each decoded round.
CriterionScorer RerankerScorer(Reranker* reranker, ScoreStore* store = nullptr,
                               std::function<bool()> cancelled = {},
                               std::function<void(size_t, size_t)> progress = {});

/// What to assess and how.
struct AssessOptions {
  std::vector<Criterion> criteria = BuiltInCriteria();
  std::vector<int> topic_of;   ///< per document (-1 = none); empty = no per-topic rankings
  size_t seminal = 10;         ///< seminal papers listed, at most
  std::string stemmer = "english";
  /// Called before each criterion (and the seminal step) with its name, number (1-based) and count.
  std::function<void(const std::string& step, int number, int steps)> progress;
};

/// One paper's scores.
struct PaperAssessment {
  size_t index = 0;                 ///< input index
  std::vector<double> scores;       ///< per criterion: P(yes), or BM25 of the cues
  std::vector<double> percentiles;  ///< per criterion: mid-rank percentile in the set, in [0, 1]
  double composite = 0;             ///< weighted mean of the percentiles
  size_t rank = 0;                  ///< 1 = best composite (ties by input order)
  int topic = -1;
};

/// A paper the citation graph (and the model) mark as foundational.
struct SeminalPaper {
  size_t index = 0;
  size_t local_citations = 0;   ///< records of the set that cite it
  double pagerank = 0;          ///< in the set's citation graph (damping 0.85)
  double citations_per_year = -1;  ///< the record's own count over its age; -1 = unknown
  double instruction_score = -1;   ///< the reranker's seminal-work P(yes); -1 = no model
  double score = 0;             ///< mean percentile of the signals present
};

/// An assessment of a document set.
struct Assessment {
  std::vector<Criterion> criteria;
  bool model = false;                      ///< scores are the reranker's (else lexical cues)
  std::vector<PaperAssessment> papers;     ///< by rank (best first)
  std::vector<std::pair<int, std::vector<size_t>>> by_topic;  ///< topic id → input indexes by rank
  size_t references = 0;                   ///< references found in the records
  size_t resolved_references = 0;          ///< of them, to a record of the set (graph edges)
  std::vector<SeminalPaper> seminal;       ///< best first; empty when no signal exists
  std::vector<std::string> notes;          ///< what the scores are, and what was missing
};

/// Assesses `docs`. `scorer` may be empty (model-free path). The reranker sees
/// each document's SearchText. Seminal signals: local citations and PageRank
/// when records carry references (extra_json `references` / `referenced_works`
/// / Crossref `reference` / BibTeX `cites`; matched by id, DOI, PMID or OpenAlex
/// id), citations per year when records carry counts, the seminal-work
/// instruction with a scorer. Errors: InvalidArgument (no documents, no
/// criteria, all weights zero, topic_of not one per document), the scorer's.
StatusOr<Assessment> Assess(const std::vector<Document>& docs, const AssessOptions& options,
                            const CriterionScorer& scorer);

}  // namespace litrank

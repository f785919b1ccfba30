// Assess: criterion scores (reranker or cue BM25), percentiles, composite and
// ranks, per-topic rankings, seminal papers from the citation graph.
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "assess/citation_graph.h"
#include "litrank/assess.h"
#include "litrank/reranker.h"
#include "search/bm25_index.h"
#include "text/tfidf.h"

namespace litrank {
namespace {

/// The seminal-work question put to the reranker.
constexpr const char* kSeminalInstruction =
    "Judge whether this is a seminal work: a foundational paper that introduced ideas, methods or findings its "
    "field builds on";
constexpr const char* kSeminalQuery = "a foundational, seminal work of its field";

/// Mid-rank percentile of each value among `values` in [0, 1] (ties share the
/// mean of their ranks); entries with has[i] false get 0 and are not ranked.
std::vector<double> Percentiles(const std::vector<double>& values, const std::vector<bool>* has = nullptr) {
  std::vector<size_t> order;
  for (size_t i = 0; i < values.size(); ++i) {
    if (has == nullptr || (*has)[i]) order.push_back(i);
  }
  std::vector<double> out(values.size(), 0.0);
  const size_t n = order.size();
  if (n == 1) out[order[0]] = 0.5;
  if (n <= 1) return out;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  for (size_t lo = 0; lo < n;) {
    size_t hi = lo;
    while (hi + 1 < n && values[order[hi + 1]] == values[order[lo]]) ++hi;
    const double mid = (static_cast<double>(lo) + static_cast<double>(hi)) / 2.0 / static_cast<double>(n - 1);
    for (size_t k = lo; k <= hi; ++k) out[order[k]] = mid;
    lo = hi + 1;
  }
  return out;
}

/// BM25 of each criterion's cue words for every document.
StatusOr<std::vector<std::vector<double>>> CueScores(const std::vector<std::string>& texts,
                                                    const std::vector<Criterion>& criteria, const std::string& stemmer) {
  std::vector<std::string> all = texts;
  for (const Criterion& c : criteria) {
    std::string q;
    for (const std::string& cue : c.cues) q += cue + "\n";
    all.push_back(c.cues.empty() ? c.query : q);
  }
  TextTermOptions to;
  to.stemmer = stemmer;
  to.stem = true;
  StatusOr<std::vector<std::vector<std::string>>> terms = AnalyzeTexts(all, to);
  if (!terms.ok()) return terms.status();
  std::vector<std::vector<std::string>> queries(terms->begin() + static_cast<std::ptrdiff_t>(texts.size()), terms->end());
  terms->resize(texts.size());
  std::vector<std::vector<double>> out;
  for (const auto& q : queries) out.push_back(Bm25Scores(*terms, q));
  return out;
}

Status CheckOptions(const std::vector<Document>& docs, const AssessOptions& o) {
  if (docs.empty()) return Status::InvalidArgument("no documents to assess");
  if (o.criteria.empty()) return Status::InvalidArgument("no criteria to assess on");
  double total = 0;
  for (const Criterion& c : o.criteria) {
    if (!std::isfinite(c.weight) || c.weight < 0) {
      return Status::InvalidArgument("criterion " + c.name + ": weight must be finite and ≥ 0");
    }
    total += c.weight;
  }
  if (total <= 0) return Status::InvalidArgument("every criterion weight is zero");
  if (!o.topic_of.empty() && o.topic_of.size() != docs.size()) {
    return Status::InvalidArgument("topic_of has " + std::to_string(o.topic_of.size()) + " entries for " +
                                   std::to_string(docs.size()) + " documents");
  }
  return Status::Ok();
}

/// Seminal papers: the mean percentile of the signals the set has.
Status FindSeminal(const std::vector<Document>& docs, const std::vector<std::string>& texts,
                   const AssessOptions& o, const CriterionScorer& scorer, Assessment* a) {
  const size_t n = docs.size();
  assess::CitationGraph graph = assess::BuildCitationGraph(docs);
  a->references = graph.references;
  a->resolved_references = graph.resolved;
  std::vector<std::vector<double>> signals;
  std::vector<double> pagerank(n, 0.0);
  if (!graph.edges.empty()) {
    StatusOr<std::vector<double>> pr = assess::CitationPageRank(graph, n);
    if (!pr.ok()) return pr.status();
    pagerank = std::move(*pr);
    std::vector<double> degree(graph.in_degree.begin(), graph.in_degree.end());
    signals.push_back(Percentiles(degree));
    signals.push_back(Percentiles(pagerank));
  }
  // Citations per year of age; the age counts to the set's newest year, and a
  // record without a year is given the set's median age.
  std::vector<double> per_year(n, -1);
  std::vector<bool> has_count(n, false);
  int newest = 0;
  std::vector<int> years;
  for (const Document& d : docs) {
    newest = std::max(newest, d.year);
    if (d.year > 0) years.push_back(d.year);
  }
  std::sort(years.begin(), years.end());
  const int median_age = years.empty() ? 1 : newest - years[years.size() / 2] + 1;
  bool any_count = false;
  for (size_t i = 0; i < n; ++i) {
    if (!docs[i].citations || *docs[i].citations < 0) continue;
    const int age = docs[i].year > 0 ? newest - docs[i].year + 1 : median_age;
    per_year[i] = static_cast<double>(*docs[i].citations) / std::max(1, age);
    has_count[i] = any_count = true;
  }
  if (any_count) signals.push_back(Percentiles(per_year, &has_count));
  std::vector<double> instruction(n, -1);
  if (scorer) {
    LITRANK_RETURN_IF_ERROR(scorer(kSeminalQuery, kSeminalInstruction, texts, &instruction));
    signals.push_back(Percentiles(instruction));
  }
  if (graph.references == 0) {
    a->notes.push_back("The records carry no references, so there is no citation graph; give records with "
                       "`references` (ids, DOIs or PMIDs), OpenAlex `referenced_works`, Crossref `reference` or "
                       "BibTeX `cites`.");
  } else {
    a->notes.push_back(std::to_string(graph.references) + " references found in the records, " +
                       std::to_string(graph.resolved) + " of them to records of this set (" +
                       std::to_string(graph.edges.size()) + " citation links).");
  }
  if (signals.empty()) {
    a->notes.push_back("No seminal papers: there are no citation links, no citation counts and no reranker.");
    return Status::Ok();
  }
  if (graph.edges.empty() && !any_count) {
    a->notes.push_back("Seminal papers come from the reranker's seminal-work judgement alone (no citation data).");
  }
  std::vector<SeminalPaper> all(n);
  for (size_t i = 0; i < n; ++i) {
    SeminalPaper& s = all[i];
    s.index = i;
    s.local_citations = graph.in_degree[i];
    s.pagerank = graph.edges.empty() ? 0 : pagerank[i];
    s.citations_per_year = per_year[i];
    s.instruction_score = instruction[i];
    double sum = 0;
    for (const auto& sig : signals) sum += sig[i];
    s.score = sum / static_cast<double>(signals.size());
  }
  std::stable_sort(all.begin(), all.end(), [](const SeminalPaper& x, const SeminalPaper& y) { return x.score > y.score; });
  for (const SeminalPaper& s : all) {
    if (a->seminal.size() >= o.seminal) break;
    const bool evidence = s.local_citations > 0 || s.citations_per_year > 0 || s.instruction_score >= 0;
    if (evidence) a->seminal.push_back(s);
  }
  return Status::Ok();
}

}  // namespace

StatusOr<Assessment> Assess(const std::vector<Document>& docs, const AssessOptions& o, const CriterionScorer& scorer) {
  LITRANK_RETURN_IF_ERROR(CheckOptions(docs, o));
  const size_t n = docs.size();
  const int steps = static_cast<int>(o.criteria.size()) + 1;
  Assessment a;
  a.criteria = o.criteria;
  a.model = static_cast<bool>(scorer);
  std::vector<std::string> texts;
  texts.reserve(n);
  for (const Document& d : docs) texts.push_back(SearchText(d));

  std::vector<std::vector<double>> scores;  // by criterion, by document
  if (scorer) {
    for (size_t c = 0; c < o.criteria.size(); ++c) {
      if (o.progress) o.progress(o.criteria[c].name, static_cast<int>(c) + 1, steps);
      std::vector<double> s;
      LITRANK_RETURN_IF_ERROR(scorer(o.criteria[c].query, o.criteria[c].instruction, texts, &s));
      if (s.size() != n) return Status::Internal("the scorer returned " + std::to_string(s.size()) + " scores");
      scores.push_back(std::move(s));
    }
    a.notes.push_back("Scores are the reranker's judgements (P(yes) for each criterion's instruction), not facts: "
                      "read the papers before relying on a ranking.");
  } else {
    if (o.progress) o.progress("criteria (cue words)", 1, steps);
    StatusOr<std::vector<std::vector<double>>> cue = CueScores(texts, o.criteria, o.stemmer);
    if (!cue.ok()) return cue.status();
    scores = std::move(*cue);
    a.notes.push_back("No reranker: each criterion is scored by BM25 of its cue words, a lexical proxy that sees "
                      "words, not quality. Give a reranker (-r) for model judgements.");
  }
  std::vector<std::vector<double>> pct;
  for (const auto& s : scores) pct.push_back(Percentiles(s));
  double total_weight = 0;
  for (const Criterion& c : o.criteria) total_weight += c.weight;

  a.papers.resize(n);
  for (size_t i = 0; i < n; ++i) {
    PaperAssessment& p = a.papers[i];
    p.index = i;
    p.topic = o.topic_of.empty() ? -1 : o.topic_of[i];
    double sum = 0;
    for (size_t c = 0; c < o.criteria.size(); ++c) {
      p.scores.push_back(scores[c][i]);
      p.percentiles.push_back(pct[c][i]);
      sum += o.criteria[c].weight * pct[c][i];
    }
    p.composite = sum / total_weight;
  }
  std::stable_sort(a.papers.begin(), a.papers.end(),
                   [](const PaperAssessment& x, const PaperAssessment& y) { return x.composite > y.composite; });
  for (size_t r = 0; r < n; ++r) a.papers[r].rank = r + 1;
  if (!o.topic_of.empty()) {
    std::map<int, std::vector<size_t>> topics;
    for (const PaperAssessment& p : a.papers) {
      if (p.topic >= 0) topics[p.topic].push_back(p.index);
    }
    a.by_topic.assign(topics.begin(), topics.end());
  }
  if (o.progress) o.progress("seminal papers", steps, steps);
  LITRANK_RETURN_IF_ERROR(FindSeminal(docs, texts, o, scorer, &a));
  return a;
}

CriterionScorer RerankerScorer(Reranker* reranker, ScoreStore* store, std::function<bool()> cancelled,
                               std::function<void(size_t, size_t)> progress) {
  return [=](const std::string& query, const std::string& instruction, const std::vector<std::string>& texts,
             std::vector<double>* scores) {
    RerankOptions ro;
    ro.instruction = instruction;
    ro.score_store = store;
    ro.cancelled = cancelled;
    ro.on_progress = progress;
    RerankResult result;
    LITRANK_RETURN_IF_ERROR(reranker->Rerank(query, texts, ro, &result));
    scores->assign(texts.size(), 0.0);
    for (const ScoredDocument& d : result.results) (*scores)[d.index] = d.score;
    return Status::Ok();
  };
}

}  // namespace litrank

// SuggestCitations: one two-stage search per sentence of the draft.
#include <algorithm>
#include <map>

#include "litrank/cite.h"
#include "text/sentences.h"
#include "util/utf8.h"

namespace litrank {
namespace {

/// A draft's sentences, each marked searched or not, and how many are.
struct Draft {
  std::vector<CitedSentence> sentences;
  size_t searchable = 0;
};

/// The draft split and checked; the draft errors.
StatusOr<Draft> DraftSentences(const std::string& draft, const CiteOptions& o) {
  if (!IsValidUtf8(draft)) return Status::InvalidArgument("the draft is not valid UTF-8");
  if (o.per_sentence == 0) return Status::InvalidArgument("per_sentence must be at least 1");
  std::vector<CitedSentence> sentences;
  for (Sentence& s : SplitSentences(draft)) {
    CitedSentence c;
    c.text = std::move(s.text);
    c.begin = s.begin;
    c.end = s.end;
    sentences.push_back(std::move(c));
  }
  if (sentences.empty()) return Status::InvalidArgument("the draft is empty");
  if (sentences.size() > o.max_sentences) {
    return Status::InvalidArgument("the draft has " + std::to_string(sentences.size()) + " sentences; at most " +
                                   std::to_string(o.max_sentences) + " are searched");
  }
  size_t searchable = 0;
  for (CitedSentence& c : sentences) {
    c.searched = CountWords(c.text) >= o.min_words;
    searchable += c.searched ? 1 : 0;
  }
  if (searchable == 0) {
    return Status::InvalidArgument("no sentence of the draft has " + std::to_string(o.min_words) +
                                   " words or more to search for");
  }
  return Draft{std::move(sentences), searchable};
}

/// Adds `stages` of one sentence's search to `all`, keeping pipeline order.
void MergeStages(const std::vector<std::string>& stages, std::vector<std::string>* all) {
  static const std::vector<std::string> kOrder = {"bm25", "dense(exact)", "dense(hnsw)", "rrf", "rerank"};
  for (const std::string& s : stages) {
    if (std::find(all->begin(), all->end(), s) == all->end()) all->push_back(s);
  }
  auto rank = [](const std::string& s) {
    return static_cast<size_t>(std::find(kOrder.begin(), kOrder.end(), s) - kOrder.begin());
  };
  std::stable_sort(all->begin(), all->end(), [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
}

/// What the scores are when no reranker judged them.
std::string UnrerankedNote(const std::vector<std::string>& stages) {
  const bool fused = std::find(stages.begin(), stages.end(), "rrf") != stages.end();
  return std::string("the scores are ") +
         (fused ? "fused ranks (RRF of BM25 and dense recall)" : "BM25 lexical matches") +
         ", not judgements of support";
}

}  // namespace

Status CheckDraft(const std::string& draft, const CiteOptions& options) {
  return DraftSentences(draft, options).status();
}


StatusOr<CitationReport> SuggestCitations(Searcher* searcher, const std::string& draft, const CiteOptions& o) {
  if (searcher == nullptr) return Status::InvalidArgument("no collection to cite from");
  StatusOr<Draft> split = DraftSentences(draft, o);
  if (!split.ok()) return split.status();
  CitationReport report;
  report.sentences = std::move(split->sentences);
  const size_t searchable = split->searchable;
  SearchOptions so = o.search;
  so.top_k = o.per_sentence;
  std::map<int64_t, size_t> reference_of;  // rowid -> index in report.references
  size_t done = 0;
  for (size_t i = 0; i < report.sentences.size(); ++i) {
    CitedSentence& c = report.sentences[i];
    if (!c.searched) continue;
    std::vector<SearchHit> hits;
    SearchReport sr;
    LITRANK_RETURN_IF_ERROR(searcher->Search(c.text, so, &hits, &sr));
    MergeStages(sr.stages, &report.stages);
    for (const std::string& note : sr.notes) {
      bool seen = false;
      for (const std::string& n : report.notes) seen = seen || n == note;
      if (!seen) report.notes.push_back(note);
    }
    const double best = hits.empty() ? 0.0 : hits.front().score;
    for (SearchHit& h : hits) {
      SentenceCitation sc;
      sc.score = h.score;
      sc.relative = best > 0 ? h.score / best : 0.0;
      auto [it, added] = reference_of.emplace(h.document.rowid, report.references.size());
      if (added) report.references.push_back({h.document, {}, h.score});
      SuggestedReference& ref = report.references[it->second];
      ref.sentences.push_back(i);
      ref.best_score = std::max(ref.best_score, h.score);
      sc.document = std::move(h.document);
      c.citations.push_back(std::move(sc));
    }
    ++done;
    if (o.progress && !o.progress(done, searchable)) return Status::Cancelled("citation suggestions cancelled");
  }
  if (std::find(report.stages.begin(), report.stages.end(), "rerank") == report.stages.end()) {
    report.notes.push_back(UnrerankedNote(report.stages));
  }
  return report;
}

}  // namespace litrank

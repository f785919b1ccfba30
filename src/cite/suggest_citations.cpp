// SuggestCitations: one two-stage search per sentence of the draft.
#include <map>

#include "litrank/cite.h"
#include "text/sentences.h"
#include "util/utf8.h"

namespace litrank {

StatusOr<CitationReport> SuggestCitations(Searcher* searcher, const std::string& draft, const CiteOptions& o) {
  if (searcher == nullptr) return Status::InvalidArgument("no collection to cite from");
  if (!IsValidUtf8(draft)) return Status::InvalidArgument("the draft is not valid UTF-8");
  if (o.per_sentence == 0) return Status::InvalidArgument("per_sentence must be at least 1");
  CitationReport report;
  for (Sentence& s : SplitSentences(draft)) {
    CitedSentence c;
    c.text = std::move(s.text);
    c.begin = s.begin;
    c.end = s.end;
    c.searched = CountWords(c.text) >= o.min_words;
    report.sentences.push_back(std::move(c));
  }
  if (report.sentences.empty()) return Status::InvalidArgument("the draft is empty");
  if (report.sentences.size() > o.max_sentences) {
    return Status::InvalidArgument("the draft has " + std::to_string(report.sentences.size()) +
                                   " sentences; at most " + std::to_string(o.max_sentences) + " are searched");
  }
  size_t searchable = 0;
  for (const CitedSentence& c : report.sentences) searchable += c.searched ? 1 : 0;
  if (searchable == 0) {
    return Status::InvalidArgument("no sentence of the draft has " + std::to_string(o.min_words) +
                                   " words or more to search for");
  }
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
    if (report.stages.empty()) report.stages = sr.stages;
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
  return report;
}

}  // namespace litrank

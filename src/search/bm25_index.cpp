#include "search/bm25_index.h"
#include "text/tfidf.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "store/term_vector.h"

namespace litrank {
namespace {

// Lucene's idf for a term in `df` of `total` units.
double Idf(double total, double df) { return std::log(1.0 + (total - df + 0.5) / (df + 0.5)); }

// BM25's weight of one term in one unit, its length normalisation precomputed per query.
struct TermWeight {
  TermWeight(const Bm25Params& p, double avg_length)
      : norm_const(p.k1 * (1.0 - p.b)), norm_len(p.k1 * p.b / std::max(avg_length, 1e-9)) {}
  double operator()(double idf, double tf, uint32_t length) const {
    return idf * tf / (tf + norm_const + norm_len * length);
  }
  double norm_const, norm_len;
};

}  // namespace

bool Bm25Index::AddUnit(int64_t rowid, uint32_t length, std::string_view bytes, const Span& span) {
  thread_local std::vector<TermCount> counts;
  if (!DecodeTermVector(bytes, &counts)) return false;
  const auto slot = static_cast<uint32_t>(rowids_.size());
  rowids_.push_back(rowid);
  lengths_.push_back(length);
  spans_.push_back(span);
  dead_.push_back(0);
  live_length_ += length;
  for (const auto& [id, tf] : counts) {
    if (id < postings_.size()) postings_[id].push_back({slot, tf});
  }
  return true;
}

StatusOr<std::unique_ptr<Bm25Index>> Bm25Index::Build(Corpus& corpus, PassageMode mode) {
  auto index = std::unique_ptr<Bm25Index>(new Bm25Index());
  index->mode_ = mode;
  StatusOr<int64_t> generation = corpus.Generation();
  if (!generation.ok()) return generation.status();
  index->generation_ = *generation;
  // Read before the scan: a change committed during it is applied again by CatchUp (harmless).
  StatusOr<int64_t> change = corpus.LastChange();
  if (!change.ok()) return change.status();
  index->change_seq_ = *change;
  LITRANK_RETURN_IF_ERROR(corpus.LoadVocabulary(&index->vocab_));
  uint32_t max_id = 0;
  for (const auto& [term, id] : index->vocab_) max_id = std::max(max_id, id);
  index->max_term_id_ = max_id;
  index->postings_.resize(static_cast<size_t>(max_id) + 1);
  bool corrupt = false;
  // Passages first (long documents), then the whole vectors of every other document.
  if (mode != PassageMode::kWhole) {
    Status st = corpus.ScanPassageVectors([&](const StoredPassage& p, std::string_view bytes) {
      if (mode == PassageMode::kFirst && p.passage != 0) return;
      const auto slot = static_cast<uint32_t>(index->rowids_.size());
      auto [it, inserted] = index->passage_slots_.emplace(p.rowid, std::make_pair(slot, 0u));
      ++it->second.second;
      // An empty span is the record's own words (title, abstract, keywords) beside a full text's windows.
      const Span span = p.begin == p.end ? Span{-1, 0, 0} : Span{static_cast<int32_t>(p.passage), p.begin, p.end};
      if (!index->AddUnit(p.rowid, p.length, bytes, span)) {
        corrupt = true;
      }
    });
    LITRANK_RETURN_IF_ERROR(st);
  }
  Status st = corpus.ScanTermVectors([&](int64_t rowid, uint32_t length, std::string_view bytes) {
    if (index->passage_slots_.count(rowid) > 0) return;
    index->whole_slot_[rowid] = static_cast<uint32_t>(index->rowids_.size());
    if (!index->AddUnit(rowid, length, bytes, Span{-1, 0, 0})) corrupt = true;
  });
  LITRANK_RETURN_IF_ERROR(st);
  if (corrupt) return Status::Corruption("a stored term vector is malformed; re-ingest the collection");
  index->UpdateAverage();
  return index;
}

void Bm25Index::UpdateAverage() {
  const size_t live = size();
  avg_length_ = live > 0 ? live_length_ / static_cast<double>(live) : 0;
}

void Bm25Index::Kill(int64_t rowid) {
  auto mark = [&](uint32_t slot) {
    if (dead_[slot] != 0) return;
    dead_[slot] = 1;
    ++dead_count_;
    live_length_ -= lengths_[slot];
  };
  if (auto it = whole_slot_.find(rowid); it != whole_slot_.end()) {
    mark(it->second);
    whole_slot_.erase(it);
  }
  if (auto it = passage_slots_.find(rowid); it != passage_slots_.end()) {
    for (uint32_t s = it->second.first; s < it->second.first + it->second.second; ++s) mark(s);
    passage_slots_.erase(it);
  }
}

bool Bm25Index::AddDocument(int64_t rowid, const std::vector<std::pair<StoredPassage, std::string>>& passages,
                            uint32_t length, std::string_view whole, bool has_whole) {
  // As Build does: passages (all, or the first only) when the mode reads them, else the whole vector.
  bool added_passage = false;
  if (mode_ != PassageMode::kWhole) {
    for (const auto& [p, bytes] : passages) {
      if (mode_ == PassageMode::kFirst && p.passage != 0) continue;
      const auto slot = static_cast<uint32_t>(rowids_.size());
      auto [it, inserted] = passage_slots_.emplace(rowid, std::make_pair(slot, 0u));
      ++it->second.second;
      const Span span = p.begin == p.end ? Span{-1, 0, 0} : Span{static_cast<int32_t>(p.passage), p.begin, p.end};
      if (!AddUnit(rowid, p.length, bytes, span)) return false;
      added_passage = true;
    }
  }
  if (added_passage || !has_whole) return true;
  whole_slot_[rowid] = static_cast<uint32_t>(rowids_.size());
  return AddUnit(rowid, length, whole, Span{-1, 0, 0});
}

StatusOr<bool> Bm25Index::CatchUp(Corpus& corpus) {
  constexpr size_t kMostChanges = 50000;  // beyond this a rebuild costs about as much
  StatusOr<int64_t> generation = corpus.Generation();
  if (!generation.ok()) return generation.status();
  // The newest change, read with the generation: everything up to it must be applied
  // before this index may say it reflects that generation.
  StatusOr<int64_t> newest = corpus.LastChange();
  if (!newest.ok()) return newest.status();
  std::vector<int64_t> docs;
  int64_t last = change_seq_;
  bool complete = true;
  LITRANK_RETURN_IF_ERROR(corpus.ChangesSince(change_seq_, kMostChanges, &docs, &last, &complete));
  if (!complete || last < *newest || docs.size() >= kMostChanges / 2) return false;
  if ((dead_count_ + docs.size()) * 4 > rowids_.size() + docs.size()) return false;  // compact by rebuilding
  std::unordered_map<std::string, uint32_t> added;
  LITRANK_RETURN_IF_ERROR(corpus.LoadVocabulary(&added, max_term_id_));
  for (const auto& [term, id] : added) {
    vocab_[term] = id;
    max_term_id_ = std::max(max_term_id_, id);
  }
  if (postings_.size() < static_cast<size_t>(max_term_id_) + 1) postings_.resize(static_cast<size_t>(max_term_id_) + 1);
  struct Units {
    std::vector<std::pair<StoredPassage, std::string>> passages;
    uint32_t length = 0;
    std::string whole;
    bool has_whole = false;
  };
  std::map<int64_t, Units> current;  // by rowid: the order Build adds documents in within each kind
  LITRANK_RETURN_IF_ERROR(corpus.ReadTermVectors(
      docs,
      [&](int64_t rowid, uint32_t length, std::string_view bytes) {
        Units& u = current[rowid];
        u.length = length, u.whole = std::string(bytes), u.has_whole = true;
      },
      [&](const StoredPassage& p, std::string_view bytes) { current[p.rowid].passages.emplace_back(p, std::string(bytes)); }));
  for (int64_t rowid : docs) Kill(rowid);
  for (const auto& [rowid, u] : current) {
    if (!AddDocument(rowid, u.passages, u.length, u.whole, u.has_whole)) {
      return Status::Corruption("a stored term vector is malformed; re-ingest the collection");
    }
  }
  UpdateAverage();
  if (dead_count_ > 0) {  // document frequencies are counted again, lazily, per term
    live_df_ = std::make_unique<std::atomic<int32_t>[]>(postings_.size());
    for (size_t t = 0; t < postings_.size(); ++t) live_df_[t].store(-1, std::memory_order_relaxed);
  }
  caught_up_ += docs.size();
  change_seq_ = last;
  generation_ = *generation;
  return true;
}

double Bm25Index::LiveCount(uint32_t term) const {
  const std::vector<Posting>& list = postings_[term];
  if (dead_count_ == 0) return static_cast<double>(list.size());
  int32_t n = live_df_[term].load(std::memory_order_relaxed);
  if (n < 0) {  // first use since the last CatchUp: counted once, then kept
    n = 0;
    for (const Posting& p : list) n += dead_[p.doc] == 0;
    live_df_[term].store(n, std::memory_order_relaxed);
  }
  return static_cast<double>(n);
}

std::unique_ptr<Bm25Index> Bm25Index::FromTerms(const std::vector<std::vector<std::string>>& docs) {
  auto index = std::unique_ptr<Bm25Index>(new Bm25Index());
  double total_length = 0;
  std::unordered_map<uint32_t, uint32_t> tf;
  for (size_t d = 0; d < docs.size(); ++d) {
    tf.clear();
    for (const std::string& term : docs[d]) {
      auto [it, inserted] = index->vocab_.emplace(term, static_cast<uint32_t>(index->vocab_.size()));
      if (inserted) index->postings_.emplace_back();
      ++tf[it->second];
    }
    const auto slot = static_cast<uint32_t>(d);
    for (const auto& [id, n] : tf) index->postings_[id].push_back({slot, n});
    index->rowids_.push_back(static_cast<int64_t>(d));
    index->lengths_.push_back(static_cast<uint32_t>(docs[d].size()));
    index->spans_.push_back(Span{-1, 0, 0});
    total_length += static_cast<double>(docs[d].size());
  }
  index->dead_.assign(docs.size(), 0);
  index->live_length_ = total_length;
  if (!docs.empty()) index->avg_length_ = total_length / static_cast<double>(docs.size());
  return index;
}

void Bm25Index::Search(const std::vector<std::string>& terms, size_t n, const Bm25Params& params,
                       const std::vector<int64_t>* allowed, std::vector<LexicalHit>* hits) const {
  hits->clear();
  if (size() == 0 || n == 0) return;
  const double total = static_cast<double>(size());
  const TermWeight weight(params, avg_length_);
  std::vector<float> scores(rowids_.size(), 0.0f);
  std::vector<uint32_t> touched;
  for (const std::string& term : terms) {
    auto it = vocab_.find(term);
    if (it == vocab_.end()) continue;
    const std::vector<Posting>& list = postings_[it->second];
    const double df = LiveCount(it->second);
    if (df == 0) continue;
    const double idf = Idf(total, df);
    for (const Posting& p : list) {
      if (dead_count_ > 0 && dead_[p.doc] != 0) continue;
      const double contribution = weight(idf, p.tf, lengths_[p.doc]);
      if (scores[p.doc] == 0.0f) touched.push_back(p.doc);
      scores[p.doc] += static_cast<float>(contribution);
    }
  }
  // A document scores as its best unit (ties: the earlier passage).
  std::vector<LexicalHit> candidates;
  candidates.reserve(touched.size());
  std::unordered_map<int64_t, size_t> seen;  // rowid -> index in candidates (long documents)
  for (uint32_t slot : touched) {
    const int64_t rowid = rowids_[slot];
    if (allowed != nullptr && !std::binary_search(allowed->begin(), allowed->end(), rowid)) continue;
    const Span& span = spans_[slot];
    LexicalHit hit{rowid, scores[slot], span.passage, span.begin, span.end};
    if (passage_slots_.empty() || passage_slots_.count(rowid) == 0) {  // one unit: the document
      candidates.push_back(hit);
      continue;
    }
    auto [it, inserted] = seen.emplace(rowid, candidates.size());
    if (inserted) {
      candidates.push_back(hit);
    } else {
      LexicalHit& best = candidates[it->second];
      if (hit.score > best.score || (hit.score == best.score && hit.passage < best.passage)) best = hit;
    }
  }
  auto better = [](const LexicalHit& a, const LexicalHit& b) {
    return a.score != b.score ? a.score > b.score : a.rowid < b.rowid;
  };
  const size_t keep = std::min(n, candidates.size());
  std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(keep),
                    candidates.end(), better);
  candidates.resize(keep);
  *hits = std::move(candidates);
}

double Bm25Index::UnitScore(uint32_t slot, const std::vector<std::string>& terms, const Bm25Params& params) const {
  const double total = static_cast<double>(size());
  const TermWeight weight(params, avg_length_);
  double score = 0;
  for (const std::string& term : terms) {
    auto it = vocab_.find(term);
    if (it == vocab_.end()) continue;
    const std::vector<Posting>& list = postings_[it->second];
    auto p = std::lower_bound(list.begin(), list.end(), slot,
                              [](const Posting& a, uint32_t s) { return a.doc < s; });
    if (p == list.end() || p->doc != slot) continue;
    score += weight(Idf(total, LiveCount(it->second)), p->tf, lengths_[slot]);
  }
  return score;
}

std::vector<LexicalHit> Bm25Index::Passages(const std::vector<std::string>& terms, int64_t rowid,
                                            const Bm25Params& params) const {
  std::vector<LexicalHit> out;
  auto it = passage_slots_.find(rowid);
  if (it == passage_slots_.end()) return out;
  for (uint32_t slot = it->second.first; slot < it->second.first + it->second.second; ++slot) {
    const Span& span = spans_[slot];
    out.push_back({rowid, UnitScore(slot, terms, params), span.passage, span.begin, span.end});
  }
  std::stable_sort(out.begin(), out.end(), [](const LexicalHit& a, const LexicalHit& b) { return a.score > b.score; });
  return out;
}

std::vector<double> Bm25Scores(const std::vector<std::vector<std::string>>& docs,
                               const std::vector<std::string>& query) {
  std::vector<double> scores(docs.size(), 0.0);
  if (query.empty() || docs.empty()) return scores;
  std::unique_ptr<Bm25Index> bm25 = Bm25Index::FromTerms(docs);
  std::vector<LexicalHit> hits;
  bm25->Search(query, docs.size(), Bm25Params{}, nullptr, &hits);
  for (const LexicalHit& h : hits) scores[static_cast<size_t>(h.rowid)] = h.score;
  return scores;
}

StatusOr<std::vector<double>> Bm25OfQuestion(const std::vector<std::string>& texts, const std::string& question,
                                             const std::string& stemmer) {
  std::vector<std::string> all = texts;
  all.push_back(question);
  TextTermOptions to;
  to.stemmer = stemmer;
  to.stem = true;
  StatusOr<std::vector<std::vector<std::string>>> terms = AnalyzeTexts(all, to);
  if (!terms.ok()) return terms.status();
  std::vector<std::string> q = std::move(terms->back());
  terms->pop_back();
  return Bm25Scores(*terms, q);
}

}  // namespace litrank

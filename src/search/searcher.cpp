// Searcher: recall (BM25, dense) -> reciprocal-rank fusion -> rerank -> cut.
#include <algorithm>
#include <chrono>
#include <map>
#include <unordered_map>

#include "litrank/embedder.h"
#include "litrank/reranker.h"
#include "litrank/search.h"
#include "search/bm25_index.h"
#include "search/dense_retriever.h"
#include "distributed/redis_score_store.h"
#include "text/analyzer.h"
#include "text/passages.h"
#include "util/utf8.h"
#include "util/ascii.h"

namespace litrank {

std::vector<std::pair<int64_t, double>> ReciprocalRankFusion(
    const std::vector<std::vector<int64_t>>& ranked_lists, int k) {
  std::unordered_map<int64_t, double> scores;
  for (const auto& list : ranked_lists) {
    for (size_t i = 0; i < list.size(); ++i) scores[list[i]] += 1.0 / (k + static_cast<double>(i + 1));
  }
  std::vector<std::pair<int64_t, double>> fused(scores.begin(), scores.end());
  std::sort(fused.begin(), fused.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  return fused;
}

namespace {


// Per-candidate bookkeeping while the stages run.
struct Candidate {
  StageTrace trace;
  double score = 0;
};

class SearcherImpl final : public Searcher {
 public:
  SearcherImpl(Corpus* corpus, Reranker* reranker, Embedder* embedder, std::unique_ptr<Analyzer> analyzer)
      : corpus_(corpus), reranker_(reranker), embedder_(embedder), analyzer_(std::move(analyzer)) {}

  Status Search(const std::string& query, const SearchOptions& options, std::vector<SearchHit>* hits,
                SearchReport* report) override;

 private:
  Status Lexical(const std::string& query, const SearchOptions& o, const std::vector<int64_t>* allowed,
                 std::vector<int64_t>* ranked, std::map<int64_t, Candidate>* cands, SearchReport* report);
  Status Dense(const std::string& query, const SearchOptions& o, const std::vector<int64_t>* allowed,
               std::vector<int64_t>* ranked, std::map<int64_t, Candidate>* cands, SearchReport* report);
  Status Rerank(const std::string& query, const SearchOptions& o, std::vector<int64_t>* order,
                std::map<int64_t, Candidate>* cands, SearchReport* report);
  // (Re)builds the BM25 index when the collection changed or another passage mode is asked for.
  Status EnsureBm25(PassageMode mode);

  Corpus* corpus_;
  Reranker* reranker_;
  Embedder* embedder_;
  std::unique_ptr<Analyzer> analyzer_;
  Bm25Index* bm25_ = nullptr;          // the index of the mode asked last
  std::map<PassageMode, std::unique_ptr<Bm25Index>> bm25_by_mode_;  // each mode's, rebuilt when stale
  std::unique_ptr<DenseRetriever> dense_;
  std::string dense_key_;     // model + dims the retriever was built for
  int64_t dense_generation_ = -1;
};

Status SearcherImpl::Lexical(const std::string& query, const SearchOptions& o,
                             const std::vector<int64_t>* allowed, std::vector<int64_t>* ranked,
                             std::map<int64_t, Candidate>* cands, SearchReport* report) {
  LITRANK_RETURN_IF_ERROR(EnsureBm25(o.passages));
  std::vector<std::string> terms;
  analyzer_->Analyze(query, &terms);
  if (terms.empty()) report->notes.push_back("the query has no indexable words for BM25");
  std::vector<LexicalHit> found;
  bm25_->Search(terms, o.bm25_candidates, Bm25Params{o.bm25_k1, o.bm25_b}, allowed, &found);
  for (size_t i = 0; i < found.size(); ++i) {
    ranked->push_back(found[i].rowid);
    StageTrace& t = (*cands)[found[i].rowid].trace;
    t.bm25_rank = i + 1;
    t.bm25_score = found[i].score;
    t.passage = found[i].passage;
    t.passage_begin = found[i].begin;
    t.passage_end = found[i].end;
  }
  report->stages.push_back("bm25");
  return Status::Ok();
}

Status SearcherImpl::EnsureBm25(PassageMode mode) {
  StatusOr<int64_t> generation = corpus_->Generation();
  if (!generation.ok()) return generation.status();
  for (auto& [m, stale] : bm25_by_mode_) {  // no outdated copy of another mode stays in memory
    if (m != mode && stale && stale->generation() != *generation) stale.reset();
  }
  std::unique_ptr<Bm25Index>& index = bm25_by_mode_[mode];
  if (index && index->generation() != *generation) {
    // Documents written since (here or by another process): applied from the change log.
    StatusOr<bool> current = index->CatchUp(*corpus_);
    if (!current.ok()) return current.status();
    if (!*current) index.reset();  // too far behind, or too much dead weight: rebuilt below
  }
  if (!index) {
    auto built = Bm25Index::Build(*corpus_, mode);
    if (!built.ok()) return built.status();
    index = std::move(*built);
  }
  bm25_ = index.get();
  return Status::Ok();
}

Status SearcherImpl::Dense(const std::string& query, const SearchOptions& o,
                           const std::vector<int64_t>* allowed, std::vector<int64_t>* ranked,
                           std::map<int64_t, Candidate>* cands, SearchReport* report) {
  if (embedder_ == nullptr) {
    report->notes.push_back("no embedding model: dense recall skipped");
    return Status::Ok();
  }
  const uint32_t dims = o.dims == 0 ? embedder_->width() : o.dims;
  if (dims < 32 || dims > embedder_->width()) {
    return Status::InvalidArgument("dims must be between 32 and " + std::to_string(embedder_->width()));
  }
  StatusOr<int64_t> generation = corpus_->Generation();
  if (!generation.ok()) return generation.status();
  const bool with_passages = o.passages == PassageMode::kMax;
  const std::string key = embedder_->fingerprint() + "/" + std::to_string(dims) + (with_passages ? "/passages" : "");
  if (dense_ && dense_key_ == key) {
    // Documents written, or vectors stored (by `embed` here or a worker anywhere), since it was opened.
    StatusOr<bool> fresh_vectors = dense_->HasNewVectors(*corpus_);
    if (!fresh_vectors.ok()) return fresh_vectors.status();
    if (dense_generation_ != *generation || *fresh_vectors) {
      StatusOr<bool> current = dense_->CatchUp(*corpus_);
      if (!current.ok()) return current.status();
      if (*current) dense_generation_ = *generation;
      else dense_.reset();  // reopened below
    }
  }
  if (!dense_ || dense_key_ != key || dense_generation_ != *generation) {
    dense_.reset();  // never two copies of the vectors in memory
    auto opened = DenseRetriever::Open(*corpus_, embedder_->fingerprint(), dims, o.ann_threshold, with_passages);
    if (!opened.ok()) return opened.status();
    dense_ = std::move(*opened);
    dense_key_ = key;
    dense_generation_ = *generation;
  }
  if (!dense_->note().empty()) report->notes.push_back(dense_->note());
  if (dense_->size() == 0) {
    report->notes.push_back("no documents are embedded for this model yet (run `litrank embed`, or upload with an embedding model loaded); dense recall skipped");
    return Status::Ok();
  }
  StatusOr<int64_t> count = corpus_->Count();
  if (count.ok() && static_cast<int64_t>(dense_->size()) < *count) {
    report->notes.push_back("dense recall covers " + std::to_string(dense_->size()) + " of " +
                            std::to_string(*count) + " documents (`litrank embed` does the rest)");
  }
  EmbedOptions eo;
  eo.dims = dims;
  std::vector<float> qv;
  LITRANK_RETURN_IF_ERROR(embedder_->EmbedQueries({query}, o.embed_task, eo, &qv));
  std::vector<DenseHit> found;
  LITRANK_RETURN_IF_ERROR(dense_->Search(qv.data(), o.dense_candidates, allowed, &found));
  for (size_t i = 0; i < found.size(); ++i) {
    ranked->push_back(found[i].rowid);
    StageTrace& t = (*cands)[found[i].rowid].trace;
    t.dense_rank = i + 1;
    t.dense_score = found[i].score;
    t.dense_passage = found[i].passage;
    if (!t.bm25_rank && found[i].passage >= 0) {  // BM25's passage, when it found the document, stays shown
      t.passage = found[i].passage;
      t.passage_begin = found[i].begin;
      t.passage_end = found[i].end;
    }
  }
  report->stages.push_back(dense_->kind() == "hnsw" ? "dense(hnsw)" : "dense(exact)");
  return Status::Ok();
}

Status SearcherImpl::Rerank(const std::string& query, const SearchOptions& o, std::vector<int64_t>* order,
                            std::map<int64_t, Candidate>* cands, SearchReport* report) {
  if (reranker_ == nullptr) {
    report->notes.push_back("no reranker model: results are in recall order");
    return Status::Ok();
  }
  if (order->size() > o.rerank_candidates) order->resize(o.rerank_candidates);
  if (order->empty()) return Status::Ok();
  std::vector<StoredDocument> docs;
  LITRANK_RETURN_IF_ERROR(corpus_->GetMany(*order, &docs));
  // What the reranker reads: a short document whole; a long one as its best
  // passages by BM25 (title + passage each), the document scoring as its best.
  std::vector<std::string> query_terms;
  if (o.passages != PassageMode::kWhole) {
    LITRANK_RETURN_IF_ERROR(EnsureBm25(o.passages));
    analyzer_->Analyze(query, &query_terms);
  }
  std::vector<std::string> texts;
  std::vector<size_t> owner;            // text -> index in docs
  std::vector<LexicalHit> read_passage; // text -> its passage (passage -1: whole document)
  std::vector<bool> split(docs.size(), false);  // read as units (passages), not whole
  for (size_t d = 0; d < docs.size(); ++d) {
    std::vector<LexicalHit> passages;
    if (o.passages != PassageMode::kWhole) passages = bm25_->Passages(query_terms, docs[d].rowid, Bm25Params{o.bm25_k1, o.bm25_b});
    if (passages.empty()) {
      texts.push_back(SearchText(docs[d].doc));
      owner.push_back(d);
      read_passage.push_back(LexicalHit{docs[d].rowid, 0, -1, 0, 0});
      continue;
    }
    split[d] = true;
    const std::string source = PassageSource(docs[d].doc);
    size_t n = std::min(std::max<size_t>(o.rerank_passages, 1), passages.size());
    // Dense recall's best passage is read too when BM25 ranks it lower.
    const int32_t dense_best = (*cands)[docs[d].rowid].trace.dense_passage;
    auto dense_at = std::find_if(passages.begin(), passages.end(),
                                 [&](const LexicalHit& h) { return dense_best >= 0 && h.passage == dense_best; });
    if (dense_at != passages.end() && static_cast<size_t>(dense_at - passages.begin()) >= n) {
      std::iter_swap(passages.begin() + static_cast<std::ptrdiff_t>(n), dense_at);
      ++n;
    }
    for (size_t i = 0; i < n; ++i) {
      // A unit without a span is the record's own title and abstract.
      texts.push_back(passages[i].passage < 0 ? SearchText(docs[d].doc)
                                               : PassageText(docs[d].doc, source, PassageSpan{passages[i].begin, passages[i].end}));
      owner.push_back(d);
      read_passage.push_back(passages[i]);
    }
  }
  RerankOptions ro;
  ro.instruction = o.instruction;
  ro.max_length = o.max_length;
  ro.cancelled = o.cancelled;
  ro.score_store = corpus_;  // a repeated search costs no model time, even in a new process
  LayeredScoreStore layered(o.shared_scores, corpus_);
  if (o.shared_scores != nullptr) ro.score_store = &layered;  // another replica's scores count too
  RerankResult result;
  LITRANK_RETURN_IF_ERROR(reranker_->Rerank(query, texts, ro, &result));
  // Results come best first: a document's first text is its best.
  std::vector<size_t> reads(docs.size(), 0);  // units read per split document; 0 for one read whole
  for (size_t d : owner) reads[d] += split[d];
  std::vector<bool> placed(docs.size(), false);
  order->clear();
  for (const ScoredDocument& r : result.results) {
    const size_t d = owner[r.index];
    if (placed[d]) continue;
    placed[d] = true;
    const int64_t rowid = docs[d].rowid;
    Candidate& c = (*cands)[rowid];
    c.trace.rerank_rank = order->size() + 1;
    c.trace.rerank_score = r.score;
    c.trace.rerank_cached = r.cached;
    c.trace.truncated = r.truncated;
    c.trace.passages_reranked = reads[d];
    if (read_passage[r.index].passage >= 0) {
      c.trace.passage = read_passage[r.index].passage;
      c.trace.passage_begin = read_passage[r.index].begin;
      c.trace.passage_end = read_passage[r.index].end;
    }
    c.score = r.score;
    order->push_back(rowid);
  }
  report->rerank_cache_hits = result.stats.cache_hits;
  report->rerank_decoded_tokens = result.stats.decoded_tokens;
  report->stages.push_back("rerank");
  return Status::Ok();
}

Status SearcherImpl::Search(const std::string& query, const SearchOptions& o, std::vector<SearchHit>* hits,
                            SearchReport* report) {
  const auto t0 = std::chrono::steady_clock::now();
  hits->clear();
  *report = SearchReport{};
  if (IsBlank(query)) return Status::InvalidArgument("the query is empty");
  if (!IsValidUtf8(query)) return Status::InvalidArgument("the query is not valid UTF-8");
  if (!o.bm25 && !o.dense) return Status::InvalidArgument("at least one recall stage (bm25, dense) must be on");
  std::vector<int64_t> allowed_ids;
  const std::vector<int64_t>* allowed = nullptr;
  if (!o.filter.empty()) {
    LITRANK_RETURN_IF_ERROR(corpus_->FilterRowids(o.filter, &allowed_ids));
    allowed = &allowed_ids;
  }
  std::map<int64_t, Candidate> cands;
  std::vector<std::vector<int64_t>> lists;
  if (o.bm25) {
    lists.emplace_back();
    LITRANK_RETURN_IF_ERROR(Lexical(query, o, allowed, &lists.back(), &cands, report));
  }
  if (o.dense) {
    const size_t stages_before = report->stages.size();
    lists.emplace_back();
    LITRANK_RETURN_IF_ERROR(Dense(query, o, allowed, &lists.back(), &cands, report));
    if (report->stages.size() == stages_before) lists.pop_back();  // skipped, with a note
  }
  if (lists.empty()) {
    return Status::InvalidArgument("no recall stage could run: " +
                                   (report->notes.empty() ? std::string("none enabled") : report->notes.back()));
  }
  std::vector<int64_t> order;
  if (lists.size() == 1) {  // one recall stage: its order and score carry through
    order = lists.front();
    for (int64_t id : order) {
      Candidate& c = cands[id];
      c.score = c.trace.bm25_rank ? c.trace.bm25_score : c.trace.dense_score;
    }
  } else {
    for (const auto& [id, score] : ReciprocalRankFusion(lists, o.rrf_k)) order.push_back(id);
    report->stages.push_back("rrf");
  }
  for (size_t i = 0; i < order.size(); ++i) {
    Candidate& c = cands[order[i]];
    c.trace.fused_rank = i + 1;
    if (lists.size() > 1) {
      c.trace.fused_score = 0;
      for (const auto& list : lists) {
        auto it = std::find(list.begin(), list.end(), order[i]);
        if (it != list.end()) c.trace.fused_score += 1.0 / (o.rrf_k + static_cast<double>(it - list.begin() + 1));
      }
      c.score = c.trace.fused_score;
    } else {
      c.trace.fused_score = c.score;
    }
  }
  if (o.rerank) {
    LITRANK_RETURN_IF_ERROR(Rerank(query, o, &order, &cands, report));
  }
  std::vector<int64_t> kept;
  for (int64_t id : order) {
    if (o.threshold && cands[id].score < *o.threshold) continue;
    kept.push_back(id);
    if (o.top_k > 0 && kept.size() == o.top_k) break;
  }
  std::vector<StoredDocument> docs;
  LITRANK_RETURN_IF_ERROR(corpus_->GetMany(kept, &docs));
  for (StoredDocument& d : docs) {
    const Candidate& c = cands[d.rowid];
    std::string passage;
    if (c.trace.passage >= 0) passage = PassageSlice(PassageSource(d.doc), {c.trace.passage_begin, c.trace.passage_end});
    hits->push_back(SearchHit{std::move(d), c.score, c.trace, std::move(passage)});
  }
  report->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<Searcher>> Searcher::Create(Corpus* corpus, Reranker* reranker, Embedder* embedder) {
  if (corpus == nullptr) return Status::InvalidArgument("Searcher needs a corpus");
  AnalyzerOptions options;
  options.stemmer = corpus->analyzer_stemmer();
  auto analyzer = Analyzer::Create(options);
  if (!analyzer.ok()) return analyzer.status();
  return std::unique_ptr<Searcher>(new SearcherImpl(corpus, reranker, embedder, std::move(*analyzer)));
}

}  // namespace litrank

// litrank — two-stage search over a Corpus.
//
// Stages, each switchable: BM25 top-N and dense (embedding) top-N recall,
// reciprocal-rank fusion, then the reranker on the fused top M, then top-k and
// threshold. Every stage's rank and score is kept per result (--explain).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "litrank/corpus.h"
#include "litrank/status.h"

namespace litrank {

class Reranker;
class Embedder;

/// How documents longer than a passage window (full papers, patents; see
/// text/passages.h) are scored: by their best unit (MaxP, the default; units are
/// the windows, plus the record's own title, abstract and keywords when the windows
/// come from a full text; dense recall likewise takes the best of the document's
/// own embedding and its passages'), by their first unit only (truncation, FirstP), or whole
/// (the record's own vector: title, abstract, keywords; the reranker reads title and
/// abstract cut at its pair budget).
enum class PassageMode { kMax, kFirst, kWhole };

/// "max", "first" or "whole" -> the mode; false for anything else.
bool ParsePassageMode(const std::string& name, PassageMode* mode);
/// The mode's name as ParsePassageMode reads it.
const char* PassageModeName(PassageMode mode);

/// What to search for and how.
struct SearchOptions {
  bool bm25 = true;              ///< lexical recall stage
  bool dense = true;             ///< embedding recall stage (needs an embedder and embeddings)
  bool rerank = true;            ///< reranker stage (needs a reranker)
  size_t bm25_candidates = 100;  ///< N of the BM25 stage
  size_t dense_candidates = 100; ///< N of the dense stage
  size_t rerank_candidates = 50; ///< M: fused results the reranker re-scores
  size_t top_k = 10;             ///< results returned (0 = all that survive)
  std::optional<double> threshold;  ///< drop results whose final score is below
  double bm25_k1 = 0.9;
  double bm25_b = 0.4;
  int rrf_k = 60;                ///< reciprocal-rank fusion constant
  DocumentFilter filter;
  PassageMode passages = PassageMode::kMax;  ///< long documents: see PassageMode
  size_t rerank_passages = 3;    ///< passages of a long document the reranker reads (its best by BM25, plus
                                 ///< dense recall's best when not among them); the best score counts
  std::string instruction;       ///< reranker instruction ("" = its default)
  std::string embed_task;        ///< embedding query task ("" = the default web-search task)
  uint32_t dims = 0;             ///< embedding dimensions (0 = model width; MRL truncation below)
  uint32_t max_length = 8192;    ///< reranker pair budget
  size_t ann_threshold = 20000;  ///< use the ANN index (HNSW) above this many embedded documents
  /// A score store consulted before the collection's own (a Redis cache shared by
  /// replicas); filled with what is scored. Not owned; null = the collection's only.
  ScoreStore* shared_scores = nullptr;
  /// Passed to the reranker stage (RerankOptions::cancelled): true = give up; the
  /// search then fails with Cancelled.
  std::function<bool()> cancelled;
};

/// Where a result stood in each stage (absent: the stage did not run or did not return it).
struct StageTrace {
  std::optional<size_t> bm25_rank;  ///< 1-based
  double bm25_score = 0;
  std::optional<size_t> dense_rank;
  double dense_score = 0;           ///< cosine similarity
  /// The passage whose embedding gave a long document its dense score (MaxP); -1
  /// when it was the document's own embedding (title and abstract).
  int32_t dense_passage = -1;
  std::optional<size_t> fused_rank;
  double fused_score = 0;           ///< RRF score (or the single stage's score)
  std::optional<size_t> rerank_rank;
  double rerank_score = 0;          ///< P(yes)
  bool rerank_cached = false;       ///< the rerank score came from a cache
  bool truncated = false;           ///< the reranker cut the document
  /// The passage that gave a long document its score (the reranker's best when it
  /// ran, else BM25's, else dense recall's); -1 when the document was scored whole.
  int32_t passage = -1;
  uint64_t passage_begin = 0;       ///< byte span of that passage in the passage source
  uint64_t passage_end = 0;
  size_t passages_reranked = 0;     ///< passages of this document the reranker scored
};

/// One result: the document, its final score (the last stage that ran) and the trace.
struct SearchHit {
  StoredDocument document;
  double score = 0;
  StageTrace trace;
  std::string passage;  ///< the best passage's text (trace.passage >= 0), else empty
};

/// What a search did besides finding documents.
struct SearchReport {
  std::vector<std::string> notes;   ///< e.g. "no reranker: results are in fused order"
  std::vector<std::string> stages;  ///< stages that ran, in order ("bm25", "dense", "rrf", "rerank")
  size_t rerank_cache_hits = 0;
  size_t rerank_decoded_tokens = 0; ///< 0 when every score was cached
  double seconds = 0;
};

/// Runs searches over one corpus with optional models. Not thread-safe.
class Searcher {
 public:
  /// `corpus` is required; `reranker` and `embedder` may be null (those stages
  /// are skipped with a note). Nothing is owned.
  static StatusOr<std::unique_ptr<Searcher>> Create(Corpus* corpus, Reranker* reranker,
                                                    Embedder* embedder);
  virtual ~Searcher() = default;
  /// Searches. Errors: empty or invalid UTF-8 query, every recall stage off,
  /// and failures of the models or the file.
  virtual Status Search(const std::string& query, const SearchOptions& options,
                        std::vector<SearchHit>* hits, SearchReport* report) = 0;
};

/// Reciprocal-rank fusion: score(d) = sum over lists of 1 / (k + rank), rank
/// 1-based. Returns (rowid, score) best first, ties by smaller rowid.
std::vector<std::pair<int64_t, double>> ReciprocalRankFusion(
    const std::vector<std::vector<int64_t>>& ranked_lists, int k);

}  // namespace litrank

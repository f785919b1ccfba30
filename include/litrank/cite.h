// litrank — citation suggestions: for each sentence of a draft paragraph or
// abstract, the collection's references it should cite (two-stage search per
// sentence: BM25 + dense recall, fusion, then the reranker when one is given).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "litrank/search.h"
#include "litrank/status.h"

namespace litrank {

/// How to suggest citations.
struct CiteOptions {
  SearchOptions search;          ///< per-sentence search; top_k is ignored (see per_sentence)
  size_t per_sentence = 3;       ///< references suggested per sentence, at most
  size_t min_words = 4;          ///< sentences with fewer words are not searched ("We agree.")
  size_t max_sentences = 200;    ///< a longer draft is an error (one search per sentence)
  /// Called after each sentence with (done, total); return false to cancel (Cancelled).
  std::function<bool(size_t, size_t)> progress;
};

/// One suggested reference for one sentence.
struct SentenceCitation {
  StoredDocument document;
  double score = 0;     ///< the last stage's score: P(yes) when reranked, else fused or BM25
  double relative = 0;  ///< score / the sentence's best score (1 for the best)
};

/// One sentence of the draft and what it should cite (best first; empty when
/// nothing matched or it was too short to search).
struct CitedSentence {
  std::string text;
  size_t begin = 0, end = 0;  ///< byte offsets in the draft
  bool searched = false;      ///< false: fewer than min_words words
  std::vector<SentenceCitation> citations;
};

/// A reference suggested anywhere in the draft, once.
struct SuggestedReference {
  StoredDocument document;
  std::vector<size_t> sentences;  ///< indexes of the sentences it supports, in order
  double best_score = 0;
};

/// The suggestions for a draft.
struct CitationReport {
  std::vector<CitedSentence> sentences;
  std::vector<SuggestedReference> references;  ///< in order of first citation in the draft
  std::vector<std::string> stages;             ///< the search stages that ran
  std::vector<std::string> notes;              ///< e.g. no reranker: what the scores are instead
};

/// Checks `draft` the way SuggestCitations does, without searching, so a caller can
/// refuse a bad draft before it opens a collection or loads models. Same errors as
/// SuggestCitations' draft errors.
Status CheckDraft(const std::string& draft, const CiteOptions& options);

/// Suggests citations for `draft` (UTF-8) from `searcher`'s collection. `stages`
/// lists every stage that ran for any sentence, in pipeline order; without a rerank
/// stage a note says what the scores are. Errors: empty or invalid UTF-8 draft, no sentence long enough to search, more
/// than max_sentences sentences, Cancelled, and the search's own errors.
StatusOr<CitationReport> SuggestCitations(Searcher* searcher, const std::string& draft, const CiteOptions& options);

}  // namespace litrank

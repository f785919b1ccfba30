// In-memory BM25 over a corpus's stored term vectors.
//
// The corpus file keeps one term vector per document (written in the same
// transaction as the document); this index inverts them into posting lists
// once per process and answers queries term-at-a-time. Scoring follows
// Lucene/Anserini: idf = ln(1 + (N - df + 0.5) / (df + 0.5)),
// tf part = tf / (tf + k1 * (1 - b + b * len / avglen)); repeated query terms count repeatedly.
//
// Long documents (text/passages.h) are indexed as their passages: each passage is a
// unit of its own (N, df and avglen count units) and a document scores as its best
// unit (MaxP), or as its first passage only (FirstP, i.e. truncation), or whole.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "litrank/corpus.h"
#include "litrank/search.h"
#include "litrank/status.h"

namespace litrank {

/// BM25 parameters. Defaults are Anserini's for BEIR (k1 0.9, b 0.4).
struct Bm25Params {
  double k1 = 0.9;
  double b = 0.4;
};

/// One lexical hit: a document and, for a long document, the passage that gave its score.
struct LexicalHit {
  int64_t rowid = 0;
  double score = 0;
  int32_t passage = -1;  ///< -1: the document was scored whole
  uint64_t begin = 0;    ///< the passage's byte span in the document's passage source
  uint64_t end = 0;
};

/// Posting lists of a whole corpus. Safe to query from many threads; CatchUp needs
/// the only reference (a searcher lane's own index).
class Bm25Index {
 public:
  /// Reads every term vector of `corpus` and inverts them; long documents as
  /// `mode` says (kMax: every passage a unit; kFirst: the first passage only;
  /// kWhole: the document's own vector).
  static StatusOr<std::unique_ptr<Bm25Index>> Build(Corpus& corpus, PassageMode mode = PassageMode::kMax);
  /// Brings the index up to the corpus's newest change (other processes' writes
  /// too) from its change log: a changed document's old units stop counting and its
  /// current ones are added, so results equal a fresh Build's. False (and the index
  /// unchanged in meaning) when a rebuild is due instead: the log was trimmed past
  /// this index, too much changed at once, or a quarter of the units are dead.
  StatusOr<bool> CatchUp(Corpus& corpus);
  /// An index of documents given as analysed terms; document i gets rowid i.
  static std::unique_ptr<Bm25Index> FromTerms(const std::vector<std::vector<std::string>>& docs);

  /// The `n` best documents for the analysed query `terms`, best first (ties by
  /// smaller rowid). Terms unknown to the corpus are ignored. `allowed` (may be
  /// null) must be sorted; only those rowids are returned.
  void Search(const std::vector<std::string>& terms, size_t n, const Bm25Params& params,
              const std::vector<int64_t>* allowed, std::vector<LexicalHit>* hits) const;

  /// The indexed passages of long document `rowid`, scored for `terms`, best first
  /// (ties by passage number); empty for a document indexed whole or unknown.
  std::vector<LexicalHit> Passages(const std::vector<std::string>& terms, int64_t rowid,
                                   const Bm25Params& params) const;

  /// Units indexed (documents, or passages of long documents).
  size_t size() const { return rowids_.size() - dead_count_; }
  /// Documents CatchUp has re-read so far (0 for a fresh Build).
  size_t caught_up() const { return caught_up_; }
  /// How long documents were indexed.
  PassageMode mode() const { return mode_; }
  /// The corpus generation this index reflects.
  int64_t generation() const { return generation_; }

 private:
  struct Posting {
    uint32_t doc;  // dense slot, index into rowids_/lengths_
    uint32_t tf;
  };
  struct Span {
    int32_t passage;  // -1: a whole document
    uint64_t begin, end;
  };
  // Adds one unit (slot) with its term vector; false when the vector is malformed.
  bool AddUnit(int64_t rowid, uint32_t length, std::string_view bytes, const Span& span);
  // Adds a document's units: its passages (as `mode_` takes them) or else its own vector.
  bool AddDocument(int64_t rowid, const std::vector<std::pair<StoredPassage, std::string>>& passages,
                   uint32_t length, std::string_view whole, bool has_whole);
  // Marks every unit of `rowid` dead.
  void Kill(int64_t rowid);
  // Live postings of term `term`: its list's size when nothing is dead, else counted
  // on first use after a CatchUp and kept (live_df_).
  double LiveCount(uint32_t term) const;
  void UpdateAverage();
  double UnitScore(uint32_t slot, const std::vector<std::string>& terms, const Bm25Params& params) const;

  std::unordered_map<std::string, uint32_t> vocab_;
  std::vector<std::vector<Posting>> postings_;  // by term id, ascending slots
  std::vector<int64_t> rowids_;                 // slot -> rowid
  std::vector<uint32_t> lengths_;               // slot -> terms in the unit
  std::vector<Span> spans_;                     // slot -> passage (empty when no unit is a passage)
  std::unordered_map<int64_t, std::pair<uint32_t, uint32_t>> passage_slots_;  // long doc -> first slot, count
  std::unordered_map<int64_t, uint32_t> whole_slot_;  // document indexed as one unit -> its slot
  std::vector<uint8_t> dead_;                         // slot -> replaced or deleted (CatchUp)
  mutable std::unique_ptr<std::atomic<int32_t>[]> live_df_;  // term -> live postings (-1: not counted yet)
  size_t dead_count_ = 0;
  double live_length_ = 0;                            // terms in live units
  uint32_t max_term_id_ = 0;
  int64_t change_seq_ = 0;                            // the corpus change this index reflects
  size_t caught_up_ = 0;
  double avg_length_ = 0;
  int64_t generation_ = 0;
  PassageMode mode_ = PassageMode::kWhole;
};

/// BM25 (default parameters) of `query` for each of `docs` (analysed terms), in
/// input order; 0 where no query term occurs. Builds a throwaway index.
std::vector<double> Bm25Scores(const std::vector<std::vector<std::string>>& docs,
                               const std::vector<std::string>& query);

/// BM25 of `question` for each of `texts`, both analysed alike (litrank's analyzer,
/// Snowball stems in `stemmer`'s language). Errors: an unknown stemmer.
StatusOr<std::vector<double>> Bm25OfQuestion(const std::vector<std::string>& texts, const std::string& question,
                                             const std::string& stemmer = "english");

}  // namespace litrank

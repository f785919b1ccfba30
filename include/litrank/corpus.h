// litrank — Corpus: one collection of documents in one SQLite file.
//
// The file holds the documents, their lexical term vectors (the source of the
// BM25 index), embeddings per model, the persistent rerank score cache and
// ingest job state. Every write is one transaction: a crash loses at most the
// batch in flight and never corrupts the file (SQLite WAL).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "litrank/document.h"
#include "litrank/score_store.h"
#include "litrank/status.h"

namespace litrank {

/// Largest row a saved vector index snapshot is split into (16 MiB).
inline constexpr size_t kVectorIndexChunkBytes = size_t{16} << 20;

/// What adding one record did.
enum class AddOutcome { kAdded, kUpdated, kUnchanged };

/// A document with its row id in the collection (stable for its lifetime).
struct StoredDocument {
  int64_t rowid = 0;
  Document doc;
};

/// Restricts which documents a search may return. Empty fields restrict nothing.
struct DocumentFilter {
  int year_min = 0;                   ///< 0 = no lower bound
  int year_max = 0;                   ///< 0 = no upper bound
  std::vector<std::string> keywords;  ///< document must carry at least one (case-insensitive)
  std::vector<std::string> languages; ///< e.g. {"en", "zh"}
  bool empty() const { return year_min == 0 && year_max == 0 && keywords.empty() && languages.empty(); }
};

/// One stored passage of a long document (see `ScanPassageVectors`).
struct StoredPassage {
  int64_t rowid = 0;     ///< the document
  uint32_t passage = 0;  ///< 0-based, in text order
  uint64_t begin = 0;    ///< byte span in the document's passage source (its full text or abstract)
  uint64_t end = 0;
  uint32_t length = 0;   ///< terms in the passage (title words included)
};

/// Progress of one ingest job, kept so an interrupted ingest resumes.
struct IngestJob {
  std::string path;
  int64_t size = 0;          ///< file size when the job started
  int64_t mtime = 0;         ///< modification time (seconds) when the job started
  int64_t records_done = 0;  ///< records consumed and committed
  bool finished = false;
};

/// One collection. Not thread-safe; open one per thread or process (SQLite
/// serialises writers across processes). It is also the persistent ScoreStore
/// for rerank scores of its searches.
class Corpus : public ScoreStore {
 public:
  /// Opens or creates the collection at `path`, migrating older schemas.
  /// Errors: NotFound (create=false and no file), Corruption (not a litrank
  /// database, or written by a newer litrank), IOError.
  static StatusOr<std::unique_ptr<Corpus>> Open(const std::string& path, bool create = true);
  virtual ~Corpus() = default;

  /// Adds records in one transaction. Deduplicates on DOI, else on normalised
  /// title + year, else on the text itself; a known record is updated with the
  /// new record's non-empty fields, or left unchanged when nothing differs.
  /// Records need a title or an abstract (else InvalidArgument naming the index).
  /// `outcomes` (may be null) receives one outcome per record.
  virtual Status Add(const std::vector<Document>& docs, std::vector<AddOutcome>* outcomes) = 0;
  /// Same, also recording `job` in the same transaction (resumable ingest).
  virtual Status AddWithJob(const std::vector<Document>& docs, const IngestJob& job,
                            std::vector<AddOutcome>* outcomes) = 0;
  /// The document with `rowid`, or NotFound.
  virtual StatusOr<StoredDocument> Get(int64_t rowid) = 0;
  /// Documents by rowid, in the order given (missing ids are skipped).
  virtual Status GetMany(const std::vector<int64_t>& rowids, std::vector<StoredDocument>* out) = 0;
  /// Number of documents.
  virtual StatusOr<int64_t> Count() = 0;
  /// Row ids accepted by `filter` (all when the filter is empty).
  virtual Status FilterRowids(const DocumentFilter& filter, std::vector<int64_t>* rowids) = 0;

  /// Text analysis settings recorded in the file ("english" stemmer etc.); the
  /// same settings must analyse queries.
  virtual const std::string& analyzer_stemmer() const = 0;
  /// Calls `fn` for every document's lexical term vector (rowid, length in terms,
  /// encoded vector; see store/term_vector.h).
  virtual Status ScanTermVectors(
      const std::function<void(int64_t, uint32_t, std::string_view)>& fn) = 0;
  /// Calls `fn` for every passage of every long document (one whose full text or
  /// abstract is longer than a passage window; see text/passages.h), by document
  /// then passage, with its encoded term vector (title + passage words). Short
  /// documents have none: their ScanTermVectors vector is their only unit.
  virtual Status ScanPassageVectors(const std::function<void(const StoredPassage&, std::string_view)>& fn) = 0;
  /// term -> id for every indexed term with an id above `after_id` (all by default;
  /// ids only grow, so a reader adds the new ones to what it has).
  virtual Status LoadVocabulary(std::unordered_map<std::string, uint32_t>* vocab, uint32_t after_id = 0) = 0;
  /// The newest entry of the change log (0 when it is empty). Read before a full
  /// scan, it is where ChangesSince later picks up.
  virtual StatusOr<int64_t> LastChange() = 0;
  /// The documents whose lexical rows were written after change `after`, each once,
  /// ascending, at most `limit` changes read; `*last` gets the newest change read.
  /// `*complete` is false when the log, trimmed, no longer reaches back to `after`
  /// (the reader must rescan everything).
  virtual Status ChangesSince(int64_t after, size_t limit, std::vector<int64_t>* rowids, int64_t* last,
                              bool* complete) = 0;
  /// The term vectors of just `rowids` (those that still exist): `whole(rowid,
  /// length, vector)` for each document, `passage(passage, vector)` for each
  /// passage of a long one, as ScanTermVectors and ScanPassageVectors give them.
  virtual Status ReadTermVectors(const std::vector<int64_t>& rowids,
                                 const std::function<void(int64_t, uint32_t, std::string_view)>& whole,
                                 const std::function<void(const StoredPassage&, std::string_view)>& passage) = 0;
  /// A random id given to the collection the first time it is asked for (32 hex
  /// digits), the same from every process and machine: names it in a worker pool.
  virtual StatusOr<std::string> CollectionId() = 0;
  /// Bumped by every write that changes documents; lets derived indexes know they are stale.
  virtual StatusOr<int64_t> Generation() = 0;

  /// Stores (replaces) full-width embeddings of `model` (a fingerprint) for
  /// documents, with the text hash they were computed from. Each call gets a new
  /// sequence number, so indexes can pick up what was added since they were built.
  virtual Status PutEmbeddings(const std::string& model, uint32_t dims,
                               const std::vector<int64_t>& rowids, const std::vector<float>& vectors) = 0;
  /// Up to `limit` documents with no current embedding for `model`, or long ones
  /// (with stored passages) whose passages have no embeddings for it, by rowid.
  virtual Status DocumentsNeedingEmbedding(const std::string& model, size_t limit,
                                           std::vector<StoredDocument>* out) = 0;
  /// Calls `fn(rowid, vector, dims)` for every current embedding of `model` stored
  /// with a sequence number above `after_seq` (by document; by sequence number,
  /// then document, when after_seq > 0, which costs O(those rows)); *max_seq (may
  /// be null) receives the largest sequence number seen (or after_seq when none).
  virtual Status ScanEmbeddings(const std::string& model, int64_t after_seq,
                                const std::function<void(int64_t, const float*, uint32_t)>& fn,
                                int64_t* max_seq) = 0;
  /// Calls `fn(rowid, vector, dims)` for the current embedding of `model` of each of
  /// `rowids` that has one (by rowid).
  virtual Status ReadEmbeddings(const std::string& model, const std::vector<int64_t>& rowids,
                                const std::function<void(int64_t, const float*, uint32_t)>& fn) = 0;
  /// Stores the embeddings of long documents' passages for `model` (full width
  /// `dims`): passages[i] (its document, number and byte span, numbered as
  /// ScanPassageVectors numbers them; `length` unused) gets vectors[i*dims, (i+1)*dims).
  /// Every earlier passage embedding of those documents for `model` is replaced; a
  /// document whose stored passages are no longer the ones given (its text changed
  /// while it was embedded) gets none, so it still needs embedding. One transaction. Rewriting a document's passages (an update) deletes its rows,
  /// so the rows present are always current.
  virtual Status PutPassageEmbeddings(const std::string& model, uint32_t dims,
                                      const std::vector<StoredPassage>& passages,
                                      const std::vector<float>& vectors) = 0;
  /// Calls `fn(passage, vector, dims)` for every passage embedding of `model`, by
  /// document then passage (`length` is 0).
  virtual Status ScanPassageEmbeddings(
      const std::string& model, const std::function<void(const StoredPassage&, const float*, uint32_t)>& fn) = 0;
  /// Number of documents with a current embedding for `model`.
  virtual StatusOr<int64_t> CountEmbeddings(const std::string& model) = 0;
  /// Number of current embeddings of `model` stored with a sequence number above
  /// `after_seq` (costs O(that number)).
  virtual StatusOr<int64_t> CountEmbeddingsAfter(const std::string& model, int64_t after_seq) = 0;
  /// A saved ANN index snapshot for (model, dims): its kind, the embedding sequence
  /// number it covers, how many vectors it holds, and its serialised bytes.
  struct SavedIndex {
    std::string kind;
    int64_t max_seq = 0;
    int64_t vectors = 0;
    std::string data;
  };
  /// The saved snapshot, reassembled from its chunks (nullopt when none was saved;
  /// with `with_data` false, only the other fields are read). Corruption when a
  /// chunk is missing or its size disagrees with what was recorded.
  virtual StatusOr<std::optional<SavedIndex>> GetVectorIndex(const std::string& model, uint32_t dims,
                                                             bool with_data = true) = 0;
  /// Replaces the snapshot for (model, dims) in one transaction, stored in rows of
  /// at most kVectorIndexChunkBytes each (no single blob near SQLite's limits).
  virtual Status PutVectorIndex(const std::string& model, uint32_t dims, const SavedIndex& index) = 0;
  /// Bytes this connection has written to the database (its WAL): SQLite's count
  /// of pages written, times the page size. For measuring write amplification.
  virtual uint64_t BytesWritten() = 0;

  /// The recorded state of an ingest job for `path`, if any.
  virtual StatusOr<std::optional<IngestJob>> GetJob(const std::string& path) = 0;
};

}  // namespace litrank

// The lexical rows written with each document, inside the caller's write
// transaction: its term vector (lex_terms), its passages when it is long
// (lex_passages, see text/passages.h), its keywords (doc_keywords), with term ids
// resolved against lex_vocab. Internal to store/.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "litrank/document.h"
#include "litrank/status.h"
#include "store/sql.h"
#include "text/analyzer.h"

namespace litrank {

/// term -> id for every row of lex_vocab with an id above `after_id`.
Status ReadVocabulary(sql::Db& db, std::unordered_map<std::string, uint32_t>* vocab, uint32_t after_id = 0);

/// The words BM25 indexes for a document: title, abstract and keywords.
std::string LexicalText(const Document& doc);

/// Writes one collection's lexical rows. Not thread-safe (one per connection).
class LexicalWriter {
 public:
  /// `db` must outlive the writer; `analyzer` is the collection's.
  LexicalWriter(sql::Db* db, std::unique_ptr<Analyzer> analyzer);

  /// Replaces the lexical rows of document `rowid`. Needs an open write transaction.
  Status IndexDocument(int64_t rowid, const Document& doc);
  /// After the transaction rolled back: forgets the term ids it made (never
  /// committed).
  void Forget();
  /// Splits the long documents stored before schema version 5 into passages, once
  /// (the 'passages_backfill' flag, rechecked under the write lock), in its own
  /// transaction; bumps the generation when it split any.
  Status BackfillPassages();

 private:
  Status IndexPassages(int64_t rowid, const Document& doc);
  StatusOr<uint32_t> TermVector(const std::string& text, std::string* encoded);
  Status ResolveTerms(const std::vector<std::string>& terms);

  sql::Db* db_;
  std::unique_ptr<Analyzer> analyzer_;
  std::unordered_map<std::string, uint32_t> vocab_;
  bool vocab_loaded_ = false;
};

}  // namespace litrank

// LexicalWriter: term vectors, passages and keywords of each written document.
#include "store/lexical_writer.h"

#include <algorithm>
#include <map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "litrank/corpus.h"
#include "store/change_log.h"
#include "store/document_row.h"
#include "store/term_vector.h"
#include "text/passages.h"
#include "util/ascii.h"

namespace litrank {

Status ReadVocabulary(sql::Db& db, std::unordered_map<std::string, uint32_t>* vocab, uint32_t after_id) {
  sql::Stmt stmt(db, "SELECT term, id FROM lex_vocab WHERE id > ?");
  stmt.Bind(1, static_cast<int64_t>(after_id));
  while (stmt.Step()) (*vocab)[stmt.Text(0)] = static_cast<uint32_t>(stmt.Int(1));
  return stmt.status();
}

std::string LexicalText(const Document& doc) {
  std::string text = doc.title + "\n" + doc.abstract;
  for (const std::string& k : doc.keywords) text += "\n" + k;
  return text;
}

LexicalWriter::LexicalWriter(sql::Db* db, std::unique_ptr<Analyzer> analyzer)
    : db_(db), analyzer_(std::move(analyzer)) {}

void LexicalWriter::Forget() {
  vocab_.clear();
  vocab_loaded_ = false;
}

// Analyses `text` and encodes its term vector (term ids resolved inside the open
// write transaction); returns the number of terms.
StatusOr<uint32_t> LexicalWriter::TermVector(const std::string& text, std::string* encoded) {
  std::vector<std::string> terms;
  analyzer_->Analyze(text, &terms);
  LITRANK_RETURN_IF_ERROR(ResolveTerms(terms));
  std::map<uint32_t, uint32_t> counts;
  for (const std::string& term : terms) ++counts[vocab_.at(term)];
  *encoded = EncodeTermVector({counts.begin(), counts.end()});
  return static_cast<uint32_t>(terms.size());
}

Status LexicalWriter::IndexDocument(int64_t rowid, const Document& doc) {
  std::string encoded;
  StatusOr<uint32_t> length = TermVector(LexicalText(doc), &encoded);
  if (!length.ok()) return length.status();
  sql::Stmt put(*db_, "INSERT OR REPLACE INTO lex_terms(doc, length, terms) VALUES (?, ?, ?)");
  put.Bind(1, rowid).Bind(2, static_cast<int64_t>(*length)).BindBlob(3, encoded);
  LITRANK_RETURN_IF_ERROR(put.Run());
  LITRANK_RETURN_IF_ERROR(IndexPassages(rowid, doc));
  LITRANK_RETURN_IF_ERROR(LogChange(*db_, rowid));
  sql::Stmt clear(*db_, "DELETE FROM doc_keywords WHERE doc = ?");
  clear.Bind(1, rowid);
  LITRANK_RETURN_IF_ERROR(clear.Run());
  sql::Stmt keyword(*db_, "INSERT OR IGNORE INTO doc_keywords(keyword, doc) VALUES (?, ?)");
  for (const std::string& k : doc.keywords) {
    keyword.Bind(1, Lower(k)).Bind(2, rowid);
    LITRANK_RETURN_IF_ERROR(keyword.Run());
  }
  return Status::Ok();
}

// Replaces the document's passages: none for a short document; for a long one,
// each window's term vector over the title and the window's words.
Status LexicalWriter::IndexPassages(int64_t rowid, const Document& doc) {
  // Passage embeddings belong to the old passages: gone with them (re-embedded by
  // the next `embed`, which finds the document lacking them).
  for (const char* table : {"lex_passages", "passage_embeddings"}) {
    sql::Stmt clear(*db_, std::string("DELETE FROM ") + table + " WHERE doc = ?");
    clear.Bind(1, rowid);
    LITRANK_RETURN_IF_ERROR(clear.Run());
  }
  const std::string source = PassageSource(doc);
  const std::vector<PassageSpan> spans = LongTextPassages(source);
  if (spans.empty()) return Status::Ok();
  // Units: when the windows are cut from a full text, first the record's own words
  // (title, abstract, keywords: an empty span); then each window with the title, and
  // the keywords when the windows are the abstract itself, so nothing the document's
  // own vector held is lost.
  std::vector<std::pair<PassageSpan, std::string>> units;
  std::string keywords;
  for (const std::string& k : doc.keywords) keywords += "\n" + k;
  const bool from_full_text = FirstWindowUnit(doc, source) == 1;
  if (from_full_text) units.emplace_back(PassageSpan{0, 0}, LexicalText(doc));
  for (const PassageSpan& span : spans) {
    units.emplace_back(span, PassageText(doc, source, span) + (from_full_text ? "" : keywords));
  }
  sql::Stmt put(*db_, "INSERT INTO lex_passages(doc, passage, begin_byte, end_byte, length, terms) VALUES (?, ?, ?, ?, ?, ?)");
  for (size_t i = 0; i < units.size(); ++i) {
    std::string encoded;
    StatusOr<uint32_t> length = TermVector(units[i].second, &encoded);
    if (!length.ok()) return length.status();
    put.Bind(1, rowid).Bind(2, static_cast<int64_t>(i)).Bind(3, static_cast<int64_t>(units[i].first.begin))
        .Bind(4, static_cast<int64_t>(units[i].first.end)).Bind(5, static_cast<int64_t>(*length)).BindBlob(6, encoded);
    LITRANK_RETURN_IF_ERROR(put.Run());
  }
  return Status::Ok();
}

// Documents stored before passages existed (schema < 5): split the long ones in
// one transaction and clear the flag. Short documents need nothing, so only rows
// whose text could be long are read.
Status LexicalWriter::BackfillPassages() {
  auto pending = [&]() -> StatusOr<bool> {
    sql::Stmt flag(*db_, "SELECT 1 FROM meta WHERE key = 'passages_backfill'");
    const bool set = flag.Step();
    LITRANK_RETURN_IF_ERROR(flag.status());
    return set;
  };
  StatusOr<bool> before = pending();  // the common case: nothing to do, no write lock taken
  if (!before.ok()) return before.status();
  if (!*before) return Status::Ok();
  sql::Transaction tx(*db_);
  LITRANK_RETURN_IF_ERROR(tx.status());
  // Another process may have done it while this one waited for the write lock.
  StatusOr<bool> still = pending();
  if (!still.ok()) return still.status();
  if (!*still) return tx.Commit();
  Forget();  // the vocabulary is read again inside the lock: ids another writer added are known
  Status st;
  bool split = false;
  {
    sql::Stmt scan(*db_, std::string("SELECT rowid, ") + kDocumentColumns +
                            " FROM documents WHERE length(abstract) > ? OR extra LIKE '%\"full_text\"%'");
    scan.Bind(1, static_cast<int64_t>(kLongDocumentWords));  // a word takes at least one character
    std::vector<StoredDocument> docs;
    while (scan.Step()) docs.push_back({scan.Int(0), ReadDocumentColumns(scan, 1)});
    st = scan.status();
    for (size_t i = 0; i < docs.size() && st.ok(); ++i) {
      st = IndexPassages(docs[i].rowid, docs[i].doc);
      if (st.ok()) st = LogChange(*db_, docs[i].rowid);
    }
    split = !docs.empty();
  }
  if (st.ok()) st = db_->Exec("DELETE FROM meta WHERE key = 'passages_backfill'");
  if (st.ok() && split) st = BumpGeneration(*db_);
  if (st.ok()) st = tx.Commit();
  if (!st.ok()) Forget();
  return st;
}

// Gives every term of `terms` its id, inside the open write transaction: the
// unknown ones are inserted and read back a chunk at a time (two statements per
// chunk, not two per term: a round trip each on PostgreSQL). Another connection
// may have added a term since vocab_ was loaded, so the insert ignores a conflict
// and the id is read back: whoever committed first owns the id, and a committed id
// never changes, so cached ids stay valid (ids this transaction made are forgotten
// on rollback).
Status LexicalWriter::ResolveTerms(const std::vector<std::string>& terms) {
  constexpr size_t kChunk = 256;
  if (!vocab_loaded_) {
    LITRANK_RETURN_IF_ERROR(ReadVocabulary(*db_, &vocab_));
    vocab_loaded_ = true;
  }
  std::vector<std::string> unknown;  // in first-use order (SQLite numbers them so; PostgreSQL's identity may skip ids)
  std::unordered_set<std::string> seen;
  for (const std::string& t : terms) {
    if (vocab_.count(t) == 0 && seen.insert(t).second) unknown.push_back(t);
  }
  for (size_t first = 0; first < unknown.size(); first += kChunk) {
    const size_t n = std::min(kChunk, unknown.size() - first);
    std::string marks = "(?)", list = "?";
    for (size_t i = 1; i < n; ++i) marks += ", (?)", list += ", ?";
    sql::Stmt insert(*db_, "INSERT OR IGNORE INTO lex_vocab(term) VALUES " + marks);
    sql::Stmt select(*db_, "SELECT term, id FROM lex_vocab WHERE term IN (" + list + ")");
    for (size_t i = 0; i < n; ++i) {
      insert.Bind(static_cast<int>(i + 1), unknown[first + i]);
      select.Bind(static_cast<int>(i + 1), unknown[first + i]);
    }
    LITRANK_RETURN_IF_ERROR(insert.Run());
    size_t found = 0;
    while (select.Step()) found += vocab_.emplace(select.Text(0), static_cast<uint32_t>(select.Int(1))).second;
    LITRANK_RETURN_IF_ERROR(select.status());
    if (found != n) return Status::Internal("terms vanished from lex_vocab while being added");
  }
  return Status::Ok();
}

}  // namespace litrank

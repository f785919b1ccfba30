// LexicalWriter: term vectors, passages and keywords of each written document.
#include "store/lexical_writer.h"

#include <map>
#include <utility>
#include <vector>

#include "litrank/corpus.h"
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

Status LogChange(sql::Db& db, int64_t rowid) {
  sql::Stmt log(db, "INSERT INTO changes(doc) VALUES (?)");
  return log.Bind(1, rowid).Run();
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
  insert_term_.reset();
  select_term_.reset();
}

// Analyses `text` and encodes its term vector (term ids resolved inside the open
// write transaction); returns the number of terms.
StatusOr<uint32_t> LexicalWriter::TermVector(const std::string& text, std::string* encoded) {
  std::vector<std::string> terms;
  analyzer_->Analyze(text, &terms);
  std::map<uint32_t, uint32_t> counts;
  for (const std::string& term : terms) {
    StatusOr<uint32_t> id = TermId(term);
    if (!id.ok()) return id.status();
    ++counts[*id];
  }
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
                            " FROM documents WHERE length(abstract) > ? OR instr(extra, '\"full_text\"') > 0");
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
  if (st.ok() && split) st = db_->Exec("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'");
  if (st.ok()) st = tx.Commit();
  if (!st.ok()) Forget();
  return st;
}

// Resolves `term` inside the open write transaction. Another connection may have
// added it since vocab_ was loaded, so the insert ignores a conflict and the id is
// read back: whoever committed first owns the id, and a committed id never changes,
// so cached hits stay valid (ids this transaction made are forgotten on rollback).
StatusOr<uint32_t> LexicalWriter::TermId(const std::string& term) {
  if (!vocab_loaded_) {
    LITRANK_RETURN_IF_ERROR(ReadVocabulary(*db_, &vocab_));
    vocab_loaded_ = true;
  }
  auto it = vocab_.find(term);
  if (it != vocab_.end()) return it->second;
  if (!insert_term_) {
    insert_term_ = std::make_unique<sql::Stmt>(*db_, "INSERT OR IGNORE INTO lex_vocab(term) VALUES (?)");
    select_term_ = std::make_unique<sql::Stmt>(*db_, "SELECT id FROM lex_vocab WHERE term = ?");
  }
  insert_term_->Bind(1, term);
  LITRANK_RETURN_IF_ERROR(insert_term_->Run());
  sql::Stmt& select = *select_term_;
  select.Bind(1, term);
  const bool found = select.Step();
  const auto id = static_cast<uint32_t>(found ? select.Int(0) : 0);
  Status st = select.status();
  select.Reset();
  LITRANK_RETURN_IF_ERROR(st);
  if (!found) return Status::Internal("term \"" + term + "\" vanished from lex_vocab");
  vocab_.emplace(term, id);
  return id;
}

}  // namespace litrank

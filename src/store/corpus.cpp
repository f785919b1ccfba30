// Corpus on SQLite or PostgreSQL (store/sql.h): documents, term vectors, embeddings, score cache, jobs.
#include "litrank/corpus.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <random>
#include <unordered_map>

#include "store/change_log.h"
#include "store/document_row.h"
#include "store/lexical_writer.h"
#include "store/schema.h"
#include "store/sql.h"
#include "store/vector_store.h"
#include "text/analyzer.h"
#include "util/ascii.h"
#include "util/hash.h"
#include "util/utf8.h"

namespace litrank {
namespace {

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Ids per SELECT in GetMany: well under SQLite's bound-parameter limit.
constexpr size_t kGetManyBatch = 500;

// `bytes` random bytes as lowercase hex: a collection's id.
std::string RandomHex(size_t bytes) {
  std::random_device rd;
  std::string raw;
  for (size_t i = 0; i < bytes; ++i) raw += static_cast<char>(rd() & 0xffu);
  return ToHex(raw);
}

std::string TextHash(const Document& doc) { return Sha256Fields({SearchText(doc)}); }

class SqlCorpus final : public Corpus {
 public:
  SqlCorpus(sql::Db db, std::string stemmer, std::unique_ptr<Analyzer> analyzer)
      : db_(std::move(db)), stemmer_(std::move(stemmer)), lexical_(&db_, std::move(analyzer)) {}

  /// Splits the long documents stored before schema version 5 into passages, once.
  Status BackfillPassages() { return lexical_.BackfillPassages(); }

  Status Add(const std::vector<Document>& docs, std::vector<AddOutcome>* outcomes) override {
    return AddImpl(docs, nullptr, outcomes);
  }
  Status AddWithJob(const std::vector<Document>& docs, const IngestJob& job,
                    std::vector<AddOutcome>* outcomes) override {
    return AddImpl(docs, &job, outcomes);
  }

  StatusOr<StoredDocument> Get(int64_t rowid) override {
    std::vector<StoredDocument> out;
    LITRANK_RETURN_IF_ERROR(GetMany({rowid}, &out));
    if (out.empty()) return Status::NotFound("no document with id " + std::to_string(rowid));
    return std::move(out.front());
  }

  // One SELECT per kGetManyBatch ids (a bounded IN list), results in the order asked.
  Status GetMany(const std::vector<int64_t>& rowids, std::vector<StoredDocument>* out) override {
    std::unordered_map<int64_t, Document> found;
    for (size_t first = 0; first < rowids.size(); first += kGetManyBatch) {
      const size_t n = std::min(kGetManyBatch, rowids.size() - first);
      std::string sql = std::string("SELECT rowid, ") + kDocumentColumns + " FROM documents WHERE rowid IN (?";
      for (size_t i = 1; i < n; ++i) sql += ", ?";
      sql::Stmt stmt(db_, sql + ")");
      for (size_t i = 0; i < n; ++i) stmt.Bind(static_cast<int>(i + 1), rowids[first + i]);
      while (stmt.Step()) found.emplace(stmt.Int(0), ReadDocumentColumns(stmt, 1));
      LITRANK_RETURN_IF_ERROR(stmt.status());
    }
    for (int64_t id : rowids) {
      if (auto it = found.find(id); it != found.end()) out->push_back({id, it->second});
    }
    return Status::Ok();
  }

  StatusOr<int64_t> Count() override { return CountQuery("SELECT count(*) FROM documents", ""); }

  Status FilterRowids(const DocumentFilter& filter, std::vector<int64_t>* rowids) override {
    std::string sql = "SELECT rowid FROM documents d WHERE 1 = 1";
    std::vector<std::string> params;
    if (filter.year_min != 0) sql += " AND year >= " + std::to_string(filter.year_min);
    if (filter.year_max != 0) sql += " AND year <= " + std::to_string(filter.year_max);
    auto in_list = [&](const std::vector<std::string>& values) {
      std::string list;
      for (const std::string& v : values) {
        list += list.empty() ? "?" : ", ?";
        params.push_back(Lower(v));
      }
      return "(" + list + ")";
    };
    if (!filter.languages.empty()) sql += " AND language IN " + in_list(filter.languages);
    if (!filter.keywords.empty()) {
      sql += " AND EXISTS (SELECT 1 FROM doc_keywords k WHERE k.doc = d.rowid AND k.keyword IN " +
             in_list(filter.keywords) + ")";
    }
    sql::Stmt stmt(db_, sql + " ORDER BY rowid");
    for (size_t i = 0; i < params.size(); ++i) stmt.Bind(static_cast<int>(i + 1), params[i]);
    while (stmt.Step()) rowids->push_back(stmt.Int(0));
    return stmt.status();
  }

  const std::string& analyzer_stemmer() const override { return stemmer_; }

  Status ScanTermVectors(const std::function<void(int64_t, uint32_t, std::string_view)>& fn) override {
    sql::Stmt stmt(db_, "SELECT doc, length, terms FROM lex_terms ORDER BY doc");
    while (stmt.Step()) fn(stmt.Int(0), static_cast<uint32_t>(stmt.Int(1)), stmt.Blob(2));
    return stmt.status();
  }

  Status ScanPassageVectors(const std::function<void(const StoredPassage&, std::string_view)>& fn) override {
    sql::Stmt stmt(db_, "SELECT doc, passage, begin_byte, end_byte, length, terms FROM lex_passages ORDER BY doc, passage");
    while (stmt.Step()) {
      const StoredPassage p{stmt.Int(0), static_cast<uint32_t>(stmt.Int(1)), static_cast<uint64_t>(stmt.Int(2)),
                            static_cast<uint64_t>(stmt.Int(3)), static_cast<uint32_t>(stmt.Int(4))};
      fn(p, stmt.Blob(5));
    }
    return stmt.status();
  }

  Status LoadVocabulary(std::unordered_map<std::string, uint32_t>* vocab, uint32_t after_id) override {
    return ReadVocabulary(db_, vocab, after_id);
  }

  StatusOr<int64_t> LastChange() override { return litrank::LastChange(db_); }

  Status ChangesSince(int64_t after, size_t limit, std::vector<int64_t>* rowids, int64_t* last,
                      bool* complete) override {
    return litrank::ChangesSince(db_, after, limit, rowids, last, complete);
  }

  Status ReadTermVectors(const std::vector<int64_t>& rowids,
                         const std::function<void(int64_t, uint32_t, std::string_view)>& whole,
                         const std::function<void(const StoredPassage&, std::string_view)>& passage) override {
    sql::Stmt terms(db_, "SELECT length, terms FROM lex_terms WHERE doc = ?");
    sql::Stmt passages(db_, "SELECT passage, begin_byte, end_byte, length, terms FROM lex_passages WHERE doc = ? ORDER BY passage");
    for (int64_t id : rowids) {
      terms.Bind(1, id);
      if (terms.Step()) whole(id, static_cast<uint32_t>(terms.Int(0)), terms.Blob(1));
      LITRANK_RETURN_IF_ERROR(terms.status());
      terms.Reset();
      passages.Bind(1, id);
      while (passages.Step()) {
        const StoredPassage p{id, static_cast<uint32_t>(passages.Int(0)), static_cast<uint64_t>(passages.Int(1)),
                              static_cast<uint64_t>(passages.Int(2)), static_cast<uint32_t>(passages.Int(3))};
        passage(p, passages.Blob(4));
      }
      LITRANK_RETURN_IF_ERROR(passages.status());
      passages.Reset();
    }
    return Status::Ok();
  }

  StatusOr<std::string> CollectionId() override {
    sql::Stmt put(db_, "INSERT OR IGNORE INTO meta VALUES('collection_id', ?)");
    LITRANK_RETURN_IF_ERROR(put.Bind(1, RandomHex(16)).Run());
    sql::Stmt stmt(db_, "SELECT value FROM meta WHERE key = 'collection_id'");
    if (!stmt.Step()) return stmt.status().ok() ? Status::Corruption("no collection id") : stmt.status();
    return stmt.Text(0);
  }

  StatusOr<int64_t> Generation() override {
    return CountQuery("SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'generation'", "");
  }

  Status PutEmbeddings(const std::string& model, uint32_t dims, const std::vector<int64_t>& rowids,
                       const std::vector<float>& vectors) override {
    if (vectors.size() != rowids.size() * dims) {
      return Status::InvalidArgument("PutEmbeddings: vectors do not match rowids x dims");
    }
    sql::Transaction tx(db_);
    LITRANK_RETURN_IF_ERROR(tx.status());
    StatusOr<int64_t> seq = CountQuery("SELECT coalesce(max(seq), 0) + 1 FROM embeddings WHERE model = ?", model);
    if (!seq.ok()) return seq.status();
    sql::Stmt put(db_,
                  "INSERT OR REPLACE INTO embeddings(doc, model, dims, text_hash, vector, seq) "
                  "SELECT rowid, ?, ?, text_hash, ?, ? FROM documents WHERE rowid = ?");
    for (size_t i = 0; i < rowids.size(); ++i) {
      std::string_view bytes(reinterpret_cast<const char*>(vectors.data() + i * dims),
                             dims * sizeof(float));
      put.Bind(1, model).Bind(2, static_cast<int64_t>(dims)).BindBlob(3, bytes).Bind(4, *seq)
          .Bind(5, rowids[i]);
      LITRANK_RETURN_IF_ERROR(put.Run());
    }
    return tx.Commit();
  }

  Status DocumentsNeedingEmbedding(const std::string& model, size_t limit,
                                   std::vector<StoredDocument>* out) override {
    sql::Stmt stmt(db_, std::string("SELECT d.rowid, ") + kDocumentColumns +
                            " FROM documents d LEFT JOIN embeddings e ON e.model = ? AND e.doc = d.rowid"
                            " WHERE e.doc IS NULL OR e.text_hash != d.text_hash"
                            " OR (EXISTS (SELECT 1 FROM lex_passages p WHERE p.doc = d.rowid)"
                            " AND NOT EXISTS (SELECT 1 FROM passage_embeddings q WHERE q.model = ? AND q.doc = d.rowid))"
                            " ORDER BY d.rowid LIMIT ?");
    stmt.Bind(1, model).Bind(2, model).Bind(3, static_cast<int64_t>(limit));
    while (stmt.Step()) out->push_back({stmt.Int(0), ReadDocumentColumns(stmt, 1)});
    return stmt.status();
  }

  Status PutPassageEmbeddings(const std::string& model, uint32_t dims, const std::vector<StoredPassage>& passages,
                              const std::vector<float>& vectors) override {
    return WritePassageEmbeddings(db_, model, dims, passages, vectors);
  }

  Status ScanPassageEmbeddings(
      const std::string& model,
      const std::function<void(const StoredPassage&, const float*, uint32_t)>& fn) override {
    return ReadPassageEmbeddings(db_, model, fn);
  }

  Status ScanEmbeddings(const std::string& model, int64_t after_seq,
                        const std::function<void(int64_t, const float*, uint32_t)>& fn,
                        int64_t* max_seq) override {
    // A tail (after_seq > 0) is read through the (model, seq) index, so it costs
    // O(its size); ordering it by document would scan every row of the model.
    sql::Stmt stmt(db_, std::string("SELECT e.doc, e.dims, e.vector, e.seq FROM embeddings e JOIN documents d"
                                    " ON d.rowid = e.doc WHERE e.model = ? AND e.seq > ? AND e.text_hash = d.text_hash") +
                            (after_seq > 0 ? " ORDER BY e.seq, e.doc" : " ORDER BY e.doc"));
    stmt.Bind(1, model).Bind(2, after_seq);
    if (max_seq != nullptr) *max_seq = after_seq;
    return EmitEmbeddings(stmt, fn, max_seq);
  }

  Status ReadEmbeddings(const std::string& model, const std::vector<int64_t>& rowids,
                        const std::function<void(int64_t, const float*, uint32_t)>& fn) override {
    for (size_t first = 0; first < rowids.size(); first += kGetManyBatch) {
      const size_t n = std::min(kGetManyBatch, rowids.size() - first);
      std::string sql = "SELECT e.doc, e.dims, e.vector, e.seq FROM embeddings e JOIN documents d ON d.rowid = e.doc"
                        " WHERE e.model = ? AND e.text_hash = d.text_hash AND e.doc IN (?";
      for (size_t i = 1; i < n; ++i) sql += ", ?";
      sql::Stmt stmt(db_, sql + ") ORDER BY e.doc");
      stmt.Bind(1, model);
      for (size_t i = 0; i < n; ++i) stmt.Bind(static_cast<int>(i + 2), rowids[first + i]);
      LITRANK_RETURN_IF_ERROR(EmitEmbeddings(stmt, fn, nullptr));
    }
    return Status::Ok();
  }

  // Calls `fn` for each (doc, dims, vector, seq) row of `stmt`, checking each vector's size.
  static Status EmitEmbeddings(sql::Stmt& stmt, const std::function<void(int64_t, const float*, uint32_t)>& fn,
                               int64_t* max_seq) {
    std::vector<float> buffer;
    while (stmt.Step()) {
      auto dims = static_cast<uint32_t>(stmt.Int(1));
      std::string_view bytes = stmt.Blob(2);
      if (bytes.size() != dims * sizeof(float)) {
        return Status::Corruption("embedding of document " + std::to_string(stmt.Int(0)) +
                                  " has the wrong size");
      }
      buffer.resize(dims);
      std::memcpy(buffer.data(), bytes.data(), bytes.size());
      fn(stmt.Int(0), buffer.data(), dims);
      if (max_seq != nullptr) *max_seq = std::max(*max_seq, stmt.Int(3));
    }
    return stmt.status();
  }

  StatusOr<int64_t> CountEmbeddingsAfter(const std::string& model, int64_t after_seq) override {
    sql::Stmt stmt(db_,
                   "SELECT count(*) FROM embeddings e JOIN documents d ON d.rowid = e.doc"
                   " WHERE e.model = ? AND e.seq > ? AND e.text_hash = d.text_hash");
    stmt.Bind(1, model).Bind(2, after_seq);
    if (!stmt.Step()) return stmt.status().ok() ? Status::Internal("count returned no row") : stmt.status();
    return stmt.Int(0);
  }

  StatusOr<std::optional<SavedIndex>> GetVectorIndex(const std::string& model, uint32_t dims,
                                                     bool with_data) override {
    return ReadVectorSnapshot(db_, model, dims, with_data);
  }

  Status PutVectorIndex(const std::string& model, uint32_t dims, const SavedIndex& index) override {
    return WriteVectorSnapshot(db_, model, dims, index, kVectorIndexChunkBytes);
  }

  uint64_t BytesWritten() override {
    return db_.BytesWritten();
  }

  StatusOr<int64_t> CountEmbeddings(const std::string& model) override {
    return CountQuery(
        "SELECT count(*) FROM embeddings e JOIN documents d ON d.rowid = e.doc"
        " WHERE e.model = ? AND e.text_hash = d.text_hash",
        model);
  }

  std::optional<PairScore> GetScore(const std::string& key) override {
    if (!get_score_) {
      get_score_ = std::make_unique<sql::Stmt>(
          db_, "SELECT logit, truncated, tokens, max_length FROM score_cache WHERE key = ?");
    }
    sql::Stmt& stmt = *get_score_;
    stmt.BindBlob(1, key);
    std::optional<PairScore> found;
    if (stmt.Step()) {
      found = PairScore{stmt.Real(0), stmt.Int(1) != 0, static_cast<uint32_t>(stmt.Int(2)),
                             static_cast<uint32_t>(stmt.Int(3))};
    }
    stmt.Reset();
    return found;
  }

  Status PutScores(const std::vector<std::pair<std::string, PairScore>>& entries) override {
    if (entries.empty()) return Status::Ok();
    sql::Transaction tx(db_);
    LITRANK_RETURN_IF_ERROR(tx.status());
    sql::Stmt put(db_, "INSERT OR REPLACE INTO score_cache VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& [key, s] : entries) {
      put.BindBlob(1, key).Bind(2, s.logit).Bind(3, static_cast<int64_t>(s.truncated))
          .Bind(4, static_cast<int64_t>(s.tokens)).Bind(5, static_cast<int64_t>(s.max_length))
          .Bind(6, Now());
      LITRANK_RETURN_IF_ERROR(put.Run());
    }
    return tx.Commit();
  }

  StatusOr<std::optional<IngestJob>> GetJob(const std::string& path) override {
    sql::Stmt stmt(db_, "SELECT size, mtime, records_done, finished FROM ingest_jobs WHERE path = ?");
    stmt.Bind(1, path);
    std::optional<IngestJob> job;
    if (stmt.Step()) job = IngestJob{path, stmt.Int(0), stmt.Int(1), stmt.Int(2), stmt.Int(3) != 0};
    LITRANK_RETURN_IF_ERROR(stmt.status());
    return job;
  }

 private:
  StatusOr<int64_t> CountQuery(const char* sql, const std::string& param) {
    sql::Stmt stmt(db_, sql);
    if (!param.empty()) stmt.Bind(1, param);
    int64_t n = stmt.Step() ? stmt.Int(0) : 0;
    LITRANK_RETURN_IF_ERROR(stmt.status());
    return n;
  }

  Status AddImpl(const std::vector<Document>& docs, const IngestJob* job,
                 std::vector<AddOutcome>* outcomes);
  Status AddOne(const Document& incoming, AddOutcome* outcome);
  StatusOr<std::optional<StoredDocument>> FindExisting(const Document& doc, std::string* key);

  sql::Db db_;
  std::string stemmer_;
  LexicalWriter lexical_;  // term vectors, passages and keywords of each written document
  std::unique_ptr<sql::Stmt> get_score_;
};

Status SqlCorpus::AddImpl(const std::vector<Document>& docs, const IngestJob* job,
                             std::vector<AddOutcome>* outcomes) {
  for (size_t i = 0; i < docs.size(); ++i) {
    const Document& d = docs[i];
    if (d.title.empty() && d.abstract.empty()) {
      return Status::InvalidArgument("record " + std::to_string(i) + " has neither title nor abstract");
    }
    for (const std::string* field : {&d.title, &d.abstract, &d.id, &d.venue, &d.doi}) {
      if (!IsValidUtf8(*field)) {
        return Status::InvalidArgument("record " + std::to_string(i) + " is not valid UTF-8");
      }
    }
  }
  sql::Transaction tx(db_);
  LITRANK_RETURN_IF_ERROR(tx.status());
  std::vector<AddOutcome> local(docs.size(), AddOutcome::kUnchanged);
  bool changed = false;
  Status st;
  for (size_t i = 0; i < docs.size() && st.ok(); ++i) {
    st = AddOne(docs[i], &local[i]);
    changed |= local[i] != AddOutcome::kUnchanged;
  }
  if (st.ok() && changed) {
    st = BumpGeneration(db_);
  }
  if (st.ok() && changed) st = TrimChanges(db_);
  if (st.ok() && job != nullptr) {
    sql::Stmt put(db_, "INSERT OR REPLACE INTO ingest_jobs VALUES (?, ?, ?, ?, ?, ?)");
    put.Bind(1, job->path).Bind(2, job->size).Bind(3, job->mtime).Bind(4, job->records_done)
        .Bind(5, static_cast<int64_t>(job->finished)).Bind(6, Now());
    st = put.Run();
  }
  if (st.ok()) st = tx.Commit();
  if (!st.ok()) {
    lexical_.Forget();  // the transaction rolled back: term ids it made were never committed
    return st;
  }
  if (outcomes != nullptr) *outcomes = std::move(local);
  return Status::Ok();
}

// Finds the stored record `doc` is a version of: first by its own id-qualified
// key (a record that once collided), then by its dedupe key unless the stored
// record there is clearly a different work (see ConflictingRecords). *key gets
// the key `doc` is (or will be) stored under.
StatusOr<std::optional<StoredDocument>> SqlCorpus::FindExisting(const Document& doc, std::string* key) {
  const std::string base = DedupeKey(doc);
  sql::Stmt find(db_, std::string("SELECT rowid, ") + kDocumentColumns + " FROM documents WHERE dedupe_key = ?");
  auto lookup = [&](const std::string& k) -> std::optional<StoredDocument> {
    find.Bind(1, k);
    std::optional<StoredDocument> found;
    if (find.Step()) found = StoredDocument{find.Int(0), ReadDocumentColumns(find, 1)};
    find.Reset();
    return found;
  };
  const std::string qualified = QualifiedDedupeKey(base, doc);
  if (auto hit = lookup(qualified)) {
    *key = qualified;
    return hit;
  }
  auto hit = lookup(base);
  LITRANK_RETURN_IF_ERROR(find.status());
  if (hit && ConflictingRecords(hit->doc, doc)) {
    *key = qualified;
    return std::optional<StoredDocument>();
  }
  *key = base;
  return hit;
}

Status SqlCorpus::AddOne(const Document& incoming, AddOutcome* outcome) {
  Document doc = incoming;
  if (doc.language.empty()) doc.language = DetectLanguage(SearchText(doc));
  doc.language = Lower(doc.language);
  std::string key;
  auto existing = FindExisting(doc, &key);
  if (!existing.ok()) return existing.status();
  const int64_t now = Now();
  if (existing->has_value()) {
    const int64_t rowid = (*existing)->rowid;
    Document merged = (*existing)->doc;
    MergeDocument(doc, &merged);
    if (SameContent((*existing)->doc, merged)) {
      *outcome = AddOutcome::kUnchanged;
      return Status::Ok();
    }
    sql::Stmt update(db_,
                     "UPDATE documents SET ext_id = ?, title = ?, abstract = ?, year = ?, authors = ?, "
                     "venue = ?, doi = ?, keywords = ?, language = ?, source = ?, citations = ?, url = ?, "
                     "extra = ?, text_hash = ?, updated_at = ? WHERE rowid = ?");
    BindDocumentColumns(update, 1, merged);
    update.BindBlob(14, TextHash(merged)).Bind(15, now).Bind(16, rowid);
    LITRANK_RETURN_IF_ERROR(update.Run());
    *outcome = AddOutcome::kUpdated;
    return lexical_.IndexDocument(rowid, merged);
  }
  sql::Stmt insert(db_, std::string("INSERT INTO documents(") + kDocumentColumns +
                            ", dedupe_key, text_hash, added_at, updated_at) VALUES "
                            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING rowid");
  BindDocumentColumns(insert, 1, doc);
  insert.Bind(14, key).BindBlob(15, TextHash(doc)).Bind(16, now).Bind(17, now);
  if (!insert.Step()) return insert.status().ok() ? Status::Internal("INSERT ... RETURNING gave no row") : insert.status();
  const int64_t added = insert.Int(0);
  insert.Reset();
  *outcome = AddOutcome::kAdded;
  return lexical_.IndexDocument(added, doc);
}

}  // namespace

StatusOr<std::unique_ptr<Corpus>> Corpus::Open(const std::string& path, bool create) {
  StatusOr<sql::Db> db = sql::Db::Open(path, create);
  if (!db.ok()) return db.status();
  LITRANK_RETURN_IF_ERROR(MigrateCorpusSchema(*db));
  std::string stemmer = "english";
  {
    sql::Stmt stmt(*db, "SELECT value FROM meta WHERE key = 'stemmer'");
    if (stmt.Step()) stemmer = stmt.Text(0);
  }
  AnalyzerOptions options;
  options.stemmer = stemmer;
  StatusOr<std::unique_ptr<Analyzer>> analyzer = Analyzer::Create(options);
  if (!analyzer.ok()) return analyzer.status();
  auto corpus = std::make_unique<SqlCorpus>(std::move(*db), std::move(stemmer), std::move(*analyzer));
  LITRANK_RETURN_IF_ERROR(corpus->BackfillPassages());
  return std::unique_ptr<Corpus>(std::move(corpus));
}

}  // namespace litrank

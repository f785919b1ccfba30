#include "store/schema.h"

#include <string>

namespace litrank {
namespace {

// Migration i brings the schema from version i to i + 1. Never edit a shipped
// migration; append a new one.
constexpr const char* kMigrations[] = {
    // 0 -> 1: documents, lexical term vectors, embeddings, score cache, jobs.
    R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents(
  rowid       INTEGER PRIMARY KEY,
  ext_id      TEXT NOT NULL DEFAULT '',
  title       TEXT NOT NULL DEFAULT '',
  abstract    TEXT NOT NULL DEFAULT '',
  year        INTEGER NOT NULL DEFAULT 0,
  authors     TEXT NOT NULL DEFAULT '[]',
  venue       TEXT NOT NULL DEFAULT '',
  doi         TEXT NOT NULL DEFAULT '',
  keywords    TEXT NOT NULL DEFAULT '[]',
  language    TEXT NOT NULL DEFAULT '',
  source      TEXT NOT NULL DEFAULT '',
  citations   INTEGER,
  url         TEXT NOT NULL DEFAULT '',
  extra       TEXT NOT NULL DEFAULT '{}',
  dedupe_key  TEXT NOT NULL UNIQUE,
  text_hash   BLOB NOT NULL,
  added_at    INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL);
CREATE INDEX documents_year ON documents(year);
CREATE INDEX documents_language ON documents(language);
CREATE INDEX documents_ext_id ON documents(ext_id);
CREATE TABLE doc_keywords(keyword TEXT NOT NULL, doc INTEGER NOT NULL REFERENCES documents ON DELETE CASCADE,
  PRIMARY KEY(keyword, doc)) WITHOUT ROWID;
CREATE TABLE lex_vocab(id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE);
CREATE TABLE lex_terms(doc INTEGER PRIMARY KEY REFERENCES documents ON DELETE CASCADE,
  length INTEGER NOT NULL, terms BLOB NOT NULL);
CREATE TABLE embeddings(doc INTEGER NOT NULL REFERENCES documents ON DELETE CASCADE,
  model TEXT NOT NULL, dims INTEGER NOT NULL, text_hash BLOB NOT NULL, vector BLOB NOT NULL,
  seq INTEGER NOT NULL, PRIMARY KEY(model, doc)) WITHOUT ROWID;
CREATE INDEX embeddings_seq ON embeddings(model, seq);
CREATE TABLE vector_indexes(model TEXT NOT NULL, dims INTEGER NOT NULL, kind TEXT NOT NULL,
  max_seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(model, dims)) WITHOUT ROWID;
CREATE TABLE score_cache(key BLOB PRIMARY KEY, logit REAL NOT NULL, truncated INTEGER NOT NULL,
  tokens INTEGER NOT NULL, max_length INTEGER NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE ingest_jobs(path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime INTEGER NOT NULL,
  records_done INTEGER NOT NULL, finished INTEGER NOT NULL, updated_at INTEGER NOT NULL);
INSERT INTO meta VALUES('generation', '0'), ('stemmer', 'english'), ('created_by', 'litrank');
)sql",
    // 1 -> 2: screening projects (issue #10): settings, labels, the order
    // records were shown and labelled, zero-shot prior scores, model state.
    R"sql(
CREATE TABLE screen_projects(name TEXT PRIMARY KEY, question TEXT NOT NULL, criteria TEXT NOT NULL,
  settings TEXT NOT NULL, prior TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE screen_labels(project TEXT NOT NULL REFERENCES screen_projects ON DELETE CASCADE,
  doc INTEGER NOT NULL REFERENCES documents ON DELETE CASCADE, label INTEGER NOT NULL,
  source TEXT NOT NULL, seq INTEGER NOT NULL, labelled_at INTEGER NOT NULL,
  PRIMARY KEY(project, doc)) WITHOUT ROWID;
CREATE TABLE screen_events(seq INTEGER PRIMARY KEY, project TEXT NOT NULL, doc INTEGER NOT NULL,
  event TEXT NOT NULL, label INTEGER, source TEXT NOT NULL DEFAULT '', score REAL, at INTEGER NOT NULL);
CREATE INDEX screen_events_project ON screen_events(project, seq);
CREATE TABLE screen_prior(project TEXT NOT NULL REFERENCES screen_projects ON DELETE CASCADE,
  doc INTEGER NOT NULL, score REAL NOT NULL, PRIMARY KEY(project, doc)) WITHOUT ROWID;
CREATE TABLE screen_model(project TEXT PRIMARY KEY REFERENCES screen_projects ON DELETE CASCADE,
  labels INTEGER NOT NULL, trained INTEGER NOT NULL, queue BLOB NOT NULL, updated_at INTEGER NOT NULL);
)sql",
    // 2 -> 3: vector index snapshots in bounded chunks (issue #9): one header row
    // per (model, dims) and the serialised bytes split over rows of at most
    // kVectorIndexChunkBytes, instead of one unbounded blob. Old one-blob indexes
    // are dropped; they are rebuilt from the embeddings.
    R"sql(
DROP TABLE vector_indexes;
CREATE TABLE vector_snapshots(model TEXT NOT NULL, dims INTEGER NOT NULL, kind TEXT NOT NULL,
  max_seq INTEGER NOT NULL, vectors INTEGER NOT NULL, chunks INTEGER NOT NULL, bytes INTEGER NOT NULL,
  PRIMARY KEY(model, dims)) WITHOUT ROWID;
CREATE TABLE vector_snapshot_chunks(id INTEGER PRIMARY KEY, model TEXT NOT NULL, dims INTEGER NOT NULL,
  chunk INTEGER NOT NULL, data BLOB NOT NULL, UNIQUE(model, dims, chunk));
)sql",
    // 3 -> 4: extractions (issue #12): one validated answer per document and key
    // (model fingerprint, schema, prompt version, options and text hashed), so a
    // repeated run decodes nothing.
    R"sql(
CREATE TABLE extractions(doc INTEGER NOT NULL REFERENCES documents ON DELETE CASCADE, key TEXT NOT NULL,
  model TEXT NOT NULL, schema_hash TEXT NOT NULL, prompt_version TEXT NOT NULL, text_hash TEXT NOT NULL,
  json TEXT NOT NULL, complete INTEGER NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY(doc, key)) WITHOUT ROWID;
CREATE INDEX extractions_by_time ON extractions(doc, created_at);
)sql",
    // 4 -> 5: passages of long documents (issue #12): one term vector per word
    // window (text/passages.h) of a document whose text is long, with the window's
    // byte span in the passage source. Documents stored before this version are
    // split when the collection is next opened ('passages_backfill').
    R"sql(
CREATE TABLE lex_passages(doc INTEGER NOT NULL REFERENCES documents ON DELETE CASCADE,
  passage INTEGER NOT NULL, begin_byte INTEGER NOT NULL, end_byte INTEGER NOT NULL, length INTEGER NOT NULL,
  terms BLOB NOT NULL, PRIMARY KEY(doc, passage)) WITHOUT ROWID;
INSERT INTO meta VALUES('passages_backfill', '1');
)sql",
    // 5 -> 6: embeddings of the passages of long documents (dense MaxP), numbered as
    // lex_passages numbers them, with their byte spans. A document's rows are
    // deleted whenever its passages are rewritten, so the rows present are current.
    R"sql(
CREATE TABLE passage_embeddings(model TEXT NOT NULL, doc INTEGER NOT NULL REFERENCES documents ON DELETE CASCADE,
  passage INTEGER NOT NULL, begin_byte INTEGER NOT NULL, end_byte INTEGER NOT NULL, dims INTEGER NOT NULL,
  vector BLOB NOT NULL, PRIMARY KEY(model, doc, passage)) WITHOUT ROWID;
CREATE INDEX passage_embeddings_doc ON passage_embeddings(doc);
)sql",
};
constexpr int kMigrationCount = sizeof(kMigrations) / sizeof(kMigrations[0]);
static_assert(kMigrationCount == kCorpusSchemaVersion, "one migration per schema version");

}  // namespace

Status MigrateCorpusSchema(sql::Db& db) {
  sql::Stmt get(db, "PRAGMA user_version");
  if (!get.Step()) return get.status().ok() ? Status::Corruption("no user_version") : get.status();
  int version = static_cast<int>(get.Int(0));
  get.Reset();  // no read transaction may stay open across BEGIN IMMEDIATE below
  if (version > kCorpusSchemaVersion) {
    return Status::Corruption("database schema version " + std::to_string(version) +
                              " is newer than this litrank understands (" +
                              std::to_string(kCorpusSchemaVersion) + "); upgrade litrank");
  }
  if (version == 0) {
    // A non-empty file without our schema is somebody else's database.
    sql::Stmt tables(db, "SELECT count(*) FROM sqlite_master");
    const bool foreign = tables.Step() && tables.Int(0) > 0;
    tables.Reset();
    // Tables without a version: somebody else's database, unless another litrank
    // process is creating the schema right now (then user_version is set below).
    if (foreign) {
      sql::Transaction wait_for_writer(db);
      LITRANK_RETURN_IF_ERROR(wait_for_writer.status());
      sql::Stmt recheck(db, "PRAGMA user_version");
      const bool versioned = recheck.Step() && recheck.Int(0) > 0;
      recheck.Reset();
      LITRANK_RETURN_IF_ERROR(wait_for_writer.Commit());
      if (!versioned) return Status::Corruption("this SQLite file is not a litrank collection");
    }
  }
  for (int v = version; v < kCorpusSchemaVersion; ++v) {
    sql::Transaction tx(db);
    LITRANK_RETURN_IF_ERROR(tx.status());
    // Another process may have migrated the file while this one waited for the lock.
    sql::Stmt again(db, "PRAGMA user_version");
    if (!again.Step()) return again.status().ok() ? Status::Corruption("no user_version") : again.status();
    const int now = static_cast<int>(again.Int(0));
    again.Reset();
    if (now > v) {
      v = now - 1;
      LITRANK_RETURN_IF_ERROR(tx.Commit());
      continue;
    }
    LITRANK_RETURN_IF_ERROR(db.Exec(kMigrations[v]));
    LITRANK_RETURN_IF_ERROR(db.Exec("PRAGMA user_version = " + std::to_string(v + 1)));
    LITRANK_RETURN_IF_ERROR(tx.Commit());
  }
  return Status::Ok();
}

}  // namespace litrank

#include "store/schema.h"

#include <string>
#include <string_view>
#include <vector>

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
    // 6 -> 7: the change log (issue #13): one row per write of a document's lexical
    // rows, in commit order, so a reader's in-memory indexes catch up with the
    // documents written since (by any process) instead of reloading everything.
    // Old rows are trimmed; a reader that fell behind the oldest one rebuilds.
    R"sql(
CREATE TABLE changes(seq INTEGER PRIMARY KEY AUTOINCREMENT, doc INTEGER NOT NULL);
)sql",
};
constexpr int kMigrationCount = sizeof(kMigrations) / sizeof(kMigrations[0]);
static_assert(kMigrationCount == kCorpusSchemaVersion, "one migration per schema version");

// PostgreSQL collections start at schema version kPgBaseVersion with the tables the
// SQLite migrations above had built by then, in PostgreSQL's types (INTEGER ->
// BIGINT, BLOB -> BYTEA, REAL -> DOUBLE PRECISION, an integer key -> an identity).
// Later versions append a migration to both lists.
constexpr int kPgBaseVersion = 6;
constexpr const char* kPgBaseline = R"sql(
CREATE TABLE litrank_schema(version BIGINT NOT NULL);
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents(
  rowid       BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  ext_id      TEXT NOT NULL DEFAULT '',
  title       TEXT NOT NULL DEFAULT '',
  abstract    TEXT NOT NULL DEFAULT '',
  year        BIGINT NOT NULL DEFAULT 0,
  authors     TEXT NOT NULL DEFAULT '[]',
  venue       TEXT NOT NULL DEFAULT '',
  doi         TEXT NOT NULL DEFAULT '',
  keywords    TEXT NOT NULL DEFAULT '[]',
  language    TEXT NOT NULL DEFAULT '',
  source      TEXT NOT NULL DEFAULT '',
  citations   BIGINT,
  url         TEXT NOT NULL DEFAULT '',
  extra       TEXT NOT NULL DEFAULT '{}',
  dedupe_key  TEXT NOT NULL UNIQUE,
  text_hash   BYTEA NOT NULL,
  added_at    BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL);
CREATE INDEX documents_year ON documents(year);
CREATE INDEX documents_language ON documents(language);
CREATE INDEX documents_ext_id ON documents(ext_id);
CREATE TABLE doc_keywords(keyword TEXT NOT NULL, doc BIGINT NOT NULL REFERENCES documents ON DELETE CASCADE,
  PRIMARY KEY(keyword, doc));
CREATE INDEX doc_keywords_doc ON doc_keywords(doc);
CREATE TABLE lex_vocab(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, term TEXT NOT NULL UNIQUE);
CREATE TABLE lex_terms(doc BIGINT PRIMARY KEY REFERENCES documents ON DELETE CASCADE,
  length BIGINT NOT NULL, terms BYTEA NOT NULL);
CREATE TABLE embeddings(doc BIGINT NOT NULL REFERENCES documents ON DELETE CASCADE,
  model TEXT NOT NULL, dims BIGINT NOT NULL, text_hash BYTEA NOT NULL, vector BYTEA NOT NULL,
  seq BIGINT NOT NULL, PRIMARY KEY(model, doc));
CREATE INDEX embeddings_seq ON embeddings(model, seq);
CREATE INDEX embeddings_doc ON embeddings(doc);
CREATE TABLE score_cache(key BYTEA PRIMARY KEY, logit DOUBLE PRECISION NOT NULL, truncated BIGINT NOT NULL,
  tokens BIGINT NOT NULL, max_length BIGINT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE ingest_jobs(path TEXT PRIMARY KEY, size BIGINT NOT NULL, mtime BIGINT NOT NULL,
  records_done BIGINT NOT NULL, finished BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE screen_projects(name TEXT PRIMARY KEY, question TEXT NOT NULL, criteria TEXT NOT NULL,
  settings TEXT NOT NULL, prior TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE screen_labels(project TEXT NOT NULL REFERENCES screen_projects ON DELETE CASCADE,
  doc BIGINT NOT NULL REFERENCES documents ON DELETE CASCADE, label BIGINT NOT NULL,
  source TEXT NOT NULL, seq BIGINT NOT NULL, labelled_at BIGINT NOT NULL, PRIMARY KEY(project, doc));
CREATE TABLE screen_events(seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, project TEXT NOT NULL,
  doc BIGINT NOT NULL, event TEXT NOT NULL, label BIGINT, source TEXT NOT NULL DEFAULT '',
  score DOUBLE PRECISION, at BIGINT NOT NULL);
CREATE INDEX screen_events_project ON screen_events(project, seq);
CREATE TABLE screen_prior(project TEXT NOT NULL REFERENCES screen_projects ON DELETE CASCADE,
  doc BIGINT NOT NULL, score DOUBLE PRECISION NOT NULL, PRIMARY KEY(project, doc));
CREATE TABLE screen_model(project TEXT PRIMARY KEY REFERENCES screen_projects ON DELETE CASCADE,
  labels BIGINT NOT NULL, trained BIGINT NOT NULL, queue BYTEA NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE vector_snapshots(model TEXT NOT NULL, dims BIGINT NOT NULL, kind TEXT NOT NULL,
  max_seq BIGINT NOT NULL, vectors BIGINT NOT NULL, chunks BIGINT NOT NULL, bytes BIGINT NOT NULL,
  PRIMARY KEY(model, dims));
CREATE TABLE vector_snapshot_chunks(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, model TEXT NOT NULL,
  dims BIGINT NOT NULL, chunk BIGINT NOT NULL, data BYTEA NOT NULL, UNIQUE(model, dims, chunk));
CREATE TABLE extractions(doc BIGINT NOT NULL REFERENCES documents ON DELETE CASCADE, key TEXT NOT NULL,
  model TEXT NOT NULL, schema_hash TEXT NOT NULL, prompt_version TEXT NOT NULL, text_hash TEXT NOT NULL,
  json TEXT NOT NULL, complete BIGINT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY(doc, key));
CREATE INDEX extractions_by_time ON extractions(doc, created_at);
CREATE TABLE lex_passages(doc BIGINT NOT NULL REFERENCES documents ON DELETE CASCADE,
  passage BIGINT NOT NULL, begin_byte BIGINT NOT NULL, end_byte BIGINT NOT NULL, length BIGINT NOT NULL,
  terms BYTEA NOT NULL, PRIMARY KEY(doc, passage));
CREATE TABLE passage_embeddings(model TEXT NOT NULL, doc BIGINT NOT NULL REFERENCES documents ON DELETE CASCADE,
  passage BIGINT NOT NULL, begin_byte BIGINT NOT NULL, end_byte BIGINT NOT NULL, dims BIGINT NOT NULL,
  vector BYTEA NOT NULL, PRIMARY KEY(model, doc, passage));
CREATE INDEX passage_embeddings_doc ON passage_embeddings(doc);
INSERT INTO meta VALUES('generation', '0'), ('stemmer', 'english'), ('created_by', 'litrank');
INSERT INTO litrank_schema VALUES(6);
)sql";
// Migration i brings a PostgreSQL collection from kPgBaseVersion + i to + i + 1
// (append one here with every SQLite migration after version 6).
const std::vector<std::string_view>& PgMigrations() {
  static const std::vector<std::string_view> migrations = {
      // 6 -> 7: the change log.
      "CREATE TABLE changes(seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, doc BIGINT NOT NULL);",
  };
  return migrations;
}

// PostgreSQL: the version lives in litrank_schema; a database with tables but no
// litrank_schema is somebody else's. Migrations run under the writers' lock.
Status MigratePostgres(sql::Db& db) {
  {  // the common case, current already: no writer lock taken (opens never queue behind writes)
    sql::Stmt has(db, "SELECT to_regclass('litrank_schema') IS NOT NULL");
    const bool ours = has.Step() && has.Text(0) == "t";
    LITRANK_RETURN_IF_ERROR(has.status());
    if (ours) {
      sql::Stmt get(db, "SELECT max(version) FROM litrank_schema");
      if (get.Step() && get.Int(0) == kCorpusSchemaVersion) return Status::Ok();
      LITRANK_RETURN_IF_ERROR(get.status());
    }
  }
  sql::Transaction tx(db);
  LITRANK_RETURN_IF_ERROR(tx.status());
  sql::Stmt has(db, "SELECT to_regclass('litrank_schema') IS NOT NULL, "
                    "(SELECT count(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace)");
  if (!has.Step()) return has.status().ok() ? Status::Internal("catalog query returned nothing") : has.status();
  const bool ours = has.Text(0) == "t";
  const int64_t relations = has.Int(1);
  has.Reset();
  int version = 0;
  if (!ours) {
    if (relations > 0) return Status::Corruption("this PostgreSQL database (schema) is not a litrank collection");
    LITRANK_RETURN_IF_ERROR(db.Exec(kPgBaseline));
    version = kPgBaseVersion;
  } else {
    sql::Stmt get(db, "SELECT max(version) FROM litrank_schema");
    if (!get.Step()) return get.status().ok() ? Status::Corruption("no schema version") : get.status();
    version = static_cast<int>(get.Int(0));
  }
  if (version > kCorpusSchemaVersion) {
    return Status::Corruption("database schema version " + std::to_string(version) +
                              " is newer than this litrank understands (" +
                              std::to_string(kCorpusSchemaVersion) + "); upgrade litrank");
  }
  if (kPgBaseVersion + static_cast<int>(PgMigrations().size()) != kCorpusSchemaVersion) {
    return Status::Internal("a schema version has no PostgreSQL migration");
  }
  for (int v = version; v < kCorpusSchemaVersion; ++v) {
    LITRANK_RETURN_IF_ERROR(db.Exec(PgMigrations()[v - kPgBaseVersion]));
    sql::Stmt put(db, "UPDATE litrank_schema SET version = ?");
    LITRANK_RETURN_IF_ERROR(put.Bind(1, static_cast<int64_t>(v + 1)).Run());
  }
  return tx.Commit();
}

}  // namespace

Status MigrateCorpusSchema(sql::Db& db) {
  if (db.dialect() == sql::Dialect::kPostgres) return MigratePostgres(db);
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

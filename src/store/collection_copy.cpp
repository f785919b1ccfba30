#include "store/collection_copy.h"

#include <nlohmann/json.hpp>

#include "litrank/corpus.h"
#include "store/change_log.h"
#include "store/schema.h"
#include "store/sql.h"
#include "util/hash.h"

namespace litrank {
namespace {

// Every table of schema version 7, parents before children, with the key it is
// copied in the order of. A new table in a later migration is added here.
struct TableSpec {
  const char* name;
  std::vector<const char*> key;
};
const std::vector<TableSpec>& Tables() {
  static const std::vector<TableSpec> tables = {
      {"meta", {"key"}},
      {"documents", {"rowid"}},
      {"doc_keywords", {"keyword", "doc"}},
      {"lex_vocab", {"id"}},
      {"lex_terms", {"doc"}},
      {"lex_passages", {"doc", "passage"}},
      {"embeddings", {"model", "doc"}},
      {"passage_embeddings", {"model", "doc", "passage"}},
      {"score_cache", {"key"}},
      {"ingest_jobs", {"path"}},
      {"screen_projects", {"name"}},
      {"screen_labels", {"project", "doc"}},
      {"screen_events", {"seq"}},
      {"screen_prior", {"project", "doc"}},
      {"screen_model", {"project"}},
      {"vector_snapshots", {"model", "dims"}},
      {"vector_snapshot_chunks", {"id"}},
      {"extractions", {"doc", "key"}},
      {"changes", {"seq"}},
  };
  return tables;
}

// Integer keys PostgreSQL generates: after rows arrive with explicit values, the
// sequence behind each must start past them.
constexpr const char* kIdentities[][2] = {
    {"documents", "rowid"}, {"lex_vocab", "id"}, {"screen_events", "seq"}, {"vector_snapshot_chunks", "id"},
    {"changes", "seq"}};

constexpr size_t kBatchBytes = 32u << 20;

// One value read from a row, as its back end typed it.
struct Value {
  sql::ValueType type = sql::ValueType::kNull;
  int64_t i = 0;
  double d = 0;
  std::string s;
};

Value Read(const sql::Stmt& stmt, int col) {
  Value v;
  v.type = stmt.Type(col);
  switch (v.type) {
    case sql::ValueType::kInt: v.i = stmt.Int(col); break;
    case sql::ValueType::kReal: v.d = stmt.Real(col); break;
    case sql::ValueType::kText: v.s = stmt.Text(col); break;
    case sql::ValueType::kBlob: v.s = std::string(stmt.Blob(col)); break;
    case sql::ValueType::kNull: break;
  }
  return v;
}

void Bind(sql::Stmt& stmt, int i, const Value& v) {
  switch (v.type) {
    case sql::ValueType::kInt: stmt.Bind(i, v.i); break;
    case sql::ValueType::kReal: stmt.Bind(i, v.d); break;
    case sql::ValueType::kText: stmt.Bind(i, std::string_view(v.s)); break;
    case sql::ValueType::kBlob: stmt.BindBlob(i, v.s); break;
    case sql::ValueType::kNull: stmt.BindNull(i); break;
  }
}

// A key as stored in the destination's meta between batches: JSON, bytes in hex.
std::string KeyToText(const std::vector<Value>& key) {
  nlohmann::json out = nlohmann::json::array();
  for (const Value& v : key) out.push_back({static_cast<int>(v.type), v.i, v.d, ToHex(v.s)});
  return out.dump();
}

int Nibble(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

std::vector<Value> KeyFromText(const std::string& text) {
  std::vector<Value> key;
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return key;
  for (const auto& e : j) {
    if (!e.is_array() || e.size() != 4) return {};
    Value v;
    v.type = static_cast<sql::ValueType>(e[0].get<int>());
    v.i = e[1].get<int64_t>();
    v.d = e[2].get<double>();
    const std::string hex = e[3].get<std::string>();
    for (size_t i = 0; i + 1 < hex.size(); i += 2) v.s += static_cast<char>(Nibble(hex[i]) * 16 + Nibble(hex[i + 1]));
    key.push_back(std::move(v));
  }
  return key;
}

// The rows of `table` that belong to the collection: all, bar a copy's bookkeeping in meta.
std::string OwnRows(const std::string& table) {
  return table == "meta" ? " WHERE substr(key, 1, 5) <> 'copy_'" : "";
}

std::string Join(const std::vector<const char*>& names) {
  std::string out;
  for (const char* n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

StatusOr<int64_t> Count(sql::Db& db, const std::string& sql) {
  sql::Stmt stmt(db, sql);
  if (!stmt.Step()) return stmt.status().ok() ? Status::Internal("no row for " + sql) : stmt.status();
  return stmt.Int(0);
}

StatusOr<std::string> MetaValue(sql::Db& db, const std::string& key) {
  sql::Stmt stmt(db, "SELECT value FROM meta WHERE key = ?");
  stmt.Bind(1, std::string_view(key));
  if (stmt.Step()) return stmt.Text(0);
  LITRANK_RETURN_IF_ERROR(stmt.status());
  return std::string();
}

Status PutMeta(sql::Db& db, const std::string& key, const std::string& value) {
  sql::Stmt stmt(db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)");
  return stmt.Bind(1, std::string_view(key)).Bind(2, std::string_view(value)).Run();
}

// Copies one table from where the destination's meta says it stopped.
Status CopyTable(sql::Db& src, sql::Db& dst, const TableSpec& t, const CopyOptions& o, int64_t* batches,
                 CopiedTable* out) {
  const std::string state_key = std::string("copy_state:") + t.name;
  StatusOr<std::string> state = MetaValue(dst, state_key);
  if (!state.ok()) return state.status();
  if (*state == "done") return Status::Ok();
  std::vector<Value> last = state->empty() ? std::vector<Value>{} : KeyFromText(*state);
  if (!state->empty() && last.size() != t.key.size()) {
    return Status::Corruption(std::string("the copy's progress for ") + t.name + " is unreadable; copy into an empty destination");
  }
  const std::string order = Join(t.key);
  const bool is_meta = std::string(t.name) == "meta";
  StatusOr<int64_t> done = Count(dst, std::string("SELECT count(*) FROM ") + t.name + OwnRows(t.name));
  if (!done.ok()) return done.status();
  while (true) {
    if (o.cancel != nullptr && o.cancel->load()) return Status::Cancelled("copy interrupted; run it again to resume");
    if (o.stop_after_batches > 0 && *batches >= o.stop_after_batches) {
      return Status::Cancelled("copy stopped after " + std::to_string(*batches) + " batches (test hook)");
    }
    std::string select = std::string("SELECT * FROM ") + t.name;
    if (!last.empty()) {
      std::string marks;
      for (size_t i = 0; i < last.size(); ++i) marks += i ? ", ?" : "?";
      select += " WHERE (" + order + ") > (" + marks + ")";
    }
    select += " ORDER BY " + order + " LIMIT " + std::to_string(o.batch_rows);
    sql::Stmt read(src, select);
    for (size_t i = 0; i < last.size(); ++i) Bind(read, static_cast<int>(i + 1), last[i]);
    std::vector<std::string> columns;
    std::vector<std::vector<Value>> rows;
    std::vector<int> key_cols;
    size_t bytes = 0;
    while (bytes < kBatchBytes && read.Step()) {
      if (columns.empty()) {
        for (int c = 0; c < read.ColumnCount(); ++c) columns.push_back(read.ColumnName(c));
        for (const char* k : t.key) {
          for (size_t c = 0; c < columns.size(); ++c) {
            if (columns[c] == k) key_cols.push_back(static_cast<int>(c));
          }
        }
        if (key_cols.size() != t.key.size()) return Status::Corruption(std::string("table ") + t.name + " lacks its key columns");
      }
      std::vector<Value> row;
      for (int c = 0; c < static_cast<int>(columns.size()); ++c) {
        row.push_back(Read(read, c));
        bytes += row.back().s.size() + 16;
      }
      rows.push_back(std::move(row));
    }
    LITRANK_RETURN_IF_ERROR(read.status());
    if (rows.empty()) break;
    const bool first_batch = last.empty();  // of this table, over every run
    // Meta is the source's (its stemmer, generation, id), bar this copy's own bookkeeping.
    std::string insert = std::string(is_meta ? "INSERT OR REPLACE INTO " : "INSERT OR IGNORE INTO ") + t.name + "(";
    std::string marks;
    for (size_t c = 0; c < columns.size(); ++c) {
      insert += (c ? ", " : "") + columns[c];
      marks += c ? ", ?" : "?";
    }
    insert += ") VALUES (" + marks + ")";
    sql::Transaction tx(dst);
    LITRANK_RETURN_IF_ERROR(tx.status());
    if (is_meta && first_batch) {  // the source's meta replaces the destination's defaults
      LITRANK_RETURN_IF_ERROR(dst.Exec("DELETE FROM meta WHERE substr(key, 1, 5) <> 'copy_'"));
    }
    sql::Stmt put(dst, insert);
    for (const auto& row : rows) {
      if (is_meta && row[0].s.rfind("copy_", 0) == 0) continue;
      for (size_t c = 0; c < row.size(); ++c) Bind(put, static_cast<int>(c + 1), row[c]);
      LITRANK_RETURN_IF_ERROR(put.Run());  // the message names the statement, so the table
    }
    last.clear();
    for (int c : key_cols) last.push_back(rows.back()[c]);
    LITRANK_RETURN_IF_ERROR(PutMeta(dst, state_key, KeyToText(last)));
    LITRANK_RETURN_IF_ERROR(tx.Commit());
    ++*batches;
    *done += static_cast<int64_t>(rows.size());
    if (o.progress) o.progress(t.name, *done, out->source_rows);
    if (static_cast<int64_t>(rows.size()) < o.batch_rows && bytes < kBatchBytes) break;
  }
  return PutMeta(dst, state_key, "done");
}

// What a resumed copy checks the source against, besides its generation (which only
// document writes move): every table's row count and the newest sequence numbers
// (embeddings re-stored, screening events, the change log). A write that replaces a
// row in place with the same sequence numbers is not seen: copy a collection nobody
// writes to meanwhile.
StatusOr<std::string> SourceShape(sql::Db& src) {
  std::string shape;
  for (const TableSpec& t : Tables()) {
    StatusOr<int64_t> n = Count(src, std::string("SELECT count(*) FROM ") + t.name + OwnRows(t.name));
    if (!n.ok()) return n.status();
    shape += std::to_string(*n) + ",";
  }
  for (const char* newest : {"SELECT coalesce(max(seq), 0) FROM embeddings", "SELECT coalesce(max(seq), 0) FROM screen_events",
                             "SELECT coalesce(max(seq), 0) FROM changes", "SELECT coalesce(max(created_at), 0) FROM extractions",
                             "SELECT coalesce(max(updated_at), 0) FROM screen_model"}) {
    StatusOr<int64_t> n = Count(src, newest);
    if (!n.ok()) return n.status();
    shape += std::to_string(*n) + ",";
  }
  return shape;
}

}  // namespace

Status CopyCollection(const std::string& from, const std::string& to, const CopyOptions& o, CopyReport* report) {
  *report = CopyReport{};
  if (o.batch_rows < 1) return Status::InvalidArgument("db copy: the batch must hold at least one row");
  if (from == to) return Status::InvalidArgument("db copy: the source and the destination are the same");
  std::string source_id;
  {
    // Opened as a collection first: migrated to this version, passages backfilled, an id made.
    auto corpus = Corpus::Open(from, /*create=*/false);
    if (!corpus.ok()) return corpus.status();
    auto id = (*corpus)->CollectionId();
    if (!id.ok()) return id.status();
    source_id = *id;
  }
  auto src = sql::Db::Open(from, false);
  if (!src.ok()) return src.status();
  auto dst = sql::Db::Open(to, /*create=*/true);
  if (!dst.ok()) return dst.status();
  LITRANK_RETURN_IF_ERROR(MigrateCorpusSchema(*dst));
  // One snapshot of the source for the whole run (writers to it go on meanwhile).
  LITRANK_RETURN_IF_ERROR(src->Exec("BEGIN DEFERRED"));
  StatusOr<std::string> generation = MetaValue(*src, "generation");
  if (!generation.ok()) return generation.status();
  StatusOr<std::string> shape = SourceShape(*src);
  if (!shape.ok()) return shape.status();
  const std::string stamp = source_id + " " + *generation + "/" + *shape;
  StatusOr<std::string> begun = MetaValue(*dst, "copy_source");
  if (!begun.ok()) return begun.status();
  StatusOr<std::string> finished = MetaValue(*dst, "copy_done");
  if (!finished.ok()) return finished.status();
  if (!begun->empty()) {
    if (begun->substr(0, begun->find(' ')) != source_id) {
      return Status::InvalidArgument("the destination holds a copy of another collection; copy into an empty one");
    }
    if (*begun != stamp) {
      return Status::InvalidArgument("the source changed since this copy began (its generation, or the rows or "
                                     "newest sequence numbers of its tables); copy into an empty destination");
    }
    report->resumed = finished->empty();
    report->already_complete = !finished->empty();
  } else {
    StatusOr<int64_t> docs = Count(*dst, "SELECT count(*) FROM documents");
    if (!docs.ok()) return docs.status();
    if (*docs > 0) return Status::InvalidArgument("the destination already holds a collection; copy into an empty one");
    LITRANK_RETURN_IF_ERROR(PutMeta(*dst, "copy_source", stamp));
  }
  int64_t batches = 0;
  for (const TableSpec& t : Tables()) {
    CopiedTable ct;
    ct.table = t.name;
    StatusOr<int64_t> total = Count(*src, std::string("SELECT count(*) FROM ") + t.name + OwnRows(t.name));
    if (!total.ok()) return total.status();
    ct.source_rows = *total;
    if (!report->already_complete) LITRANK_RETURN_IF_ERROR(CopyTable(*src, *dst, t, o, &batches, &ct));
    report->tables.push_back(ct);
  }
  LITRANK_RETURN_IF_ERROR(src->Exec("COMMIT"));
  // Verify, then make the destination's generated keys start past the copied ones.
  sql::Transaction tx(*dst);
  LITRANK_RETURN_IF_ERROR(tx.status());
  for (CopiedTable& ct : report->tables) {
    StatusOr<int64_t> n = Count(*dst, "SELECT count(*) FROM " + ct.table + OwnRows(ct.table));
    if (!n.ok()) return n.status();
    ct.copied_rows = *n;
    if (ct.copied_rows != ct.source_rows) {
      return Status::Corruption("table " + ct.table + " has " + std::to_string(ct.copied_rows) + " rows after the copy, the source " +
                                std::to_string(ct.source_rows));
    }
  }
  if (dst->dialect() == sql::Dialect::kPostgres) {
    for (const auto& [table, column] : kIdentities) {
      const std::string sql = std::string("SELECT setval(pg_get_serial_sequence('") + table + "', '" + column +
                              "'), coalesce(max(" + column + "), 0) + 1, false) FROM " + table;
      sql::Stmt reset(*dst, sql);
      reset.Step();
      LITRANK_RETURN_IF_ERROR(reset.status());
    }
  }
  if (!report->already_complete) {
    LITRANK_RETURN_IF_ERROR(PutMeta(*dst, "copy_done", "1"));
    // Readers of the destination (a server already on it) reload.
    LITRANK_RETURN_IF_ERROR(BumpGeneration(*dst));
  }
  return tx.Commit();
}

}  // namespace litrank

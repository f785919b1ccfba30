// The SQLite back end of store/sql.h: one file, WAL mode, a busy timeout.
#include <sqlite3.h>

#include <utility>

#include "store/sql_backend.h"

namespace litrank::sql {
namespace {

class SqliteConnection;

// A Status built from the connection's current error, prefixed with `what`:
// Unavailable for a lock held past the busy timeout, Corruption for a damaged
// file, InvalidArgument for a constraint, else IOError.
Status SqliteError(sqlite3* db, std::string_view what) {
  int code = sqlite3_errcode(db) & 0xff;
  std::string msg = std::string(what) + " (" + sqlite3_errmsg(db) + ")";
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return Status::Corruption(msg);
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
    return Status::Unavailable(msg + ": the collection stayed locked by another writer for " +
                               std::to_string(kBusyTimeoutMs / 1000) + " s; try again");
  }
  if (code == SQLITE_CONSTRAINT || code == SQLITE_MISMATCH) return Status::InvalidArgument(msg);
  return Status::IOError(msg);
}

class SqliteCursor final : public Cursor {
 public:
  SqliteCursor(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteCursor() override { sqlite3_finalize(stmt_); }

  void BindInt(int i, int64_t v) override { sqlite3_bind_int64(stmt_, i, v); }
  void BindReal(int i, double v) override { sqlite3_bind_double(stmt_, i, v); }
  void BindText(int i, std::string_view v) override {
    sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }
  void BindBlob(int i, std::string_view v) override {
    sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT);
  }
  void BindNull(int i) override { sqlite3_bind_null(stmt_, i); }

  Status Step(bool* row) override {
    int rc = sqlite3_step(stmt_);
    *row = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) return Status::Ok();
    return SqliteError(db_, "step");
  }
  void Reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  int ColumnCount() const override { return sqlite3_column_count(stmt_); }
  std::string ColumnName(int col) const override {
    const char* name = sqlite3_column_name(stmt_, col);
    return name != nullptr ? name : "";
  }
  ValueType Type(int col) const override {
    switch (sqlite3_column_type(stmt_, col)) {
      case SQLITE_INTEGER: return ValueType::kInt;
      case SQLITE_FLOAT: return ValueType::kReal;
      case SQLITE_TEXT: return ValueType::kText;
      case SQLITE_BLOB: return ValueType::kBlob;
      default: return ValueType::kNull;
    }
  }
  bool IsNull(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t Int(int col) const override { return sqlite3_column_int64(stmt_, col); }
  double Real(int col) const override { return sqlite3_column_double(stmt_, col); }
  std::string Text(int col) const override {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col));
  }
  std::string_view Blob(int col) const override {
    const void* p = sqlite3_column_blob(stmt_, col);
    return p == nullptr ? std::string_view()
                        : std::string_view(static_cast<const char*>(p), sqlite3_column_bytes(stmt_, col));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override { sqlite3_close_v2(db_); }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Status Exec(std::string_view sql) override {
    char* err = nullptr;
    std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err != nullptr ? err : "unknown error";
      sqlite3_free(err);
      return SqliteError(db_, "sql: " + msg);
    }
    return Status::Ok();
  }

  StatusOr<std::unique_ptr<Cursor>> Prepare(std::string_view sql) override {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return SqliteError(db_, "prepare: " + std::string(sql.substr(0, 60)));
    }
    return std::unique_ptr<Cursor>(std::make_unique<SqliteCursor>(db_, stmt));
  }

  Status BeginWrite() override { return Exec("BEGIN IMMEDIATE"); }

  uint64_t BytesWritten() override {
    int current = 0, high = 0;
    sqlite3_db_status(db_, SQLITE_DBSTATUS_CACHE_WRITE, &current, &high, 0);
    int64_t page = 4096;
    if (StatusOr<std::unique_ptr<Cursor>> c = Prepare("PRAGMA page_size"); c.ok()) {
      bool row = false;
      if ((*c)->Step(&row).ok() && row) page = (*c)->Int(0);
    }
    return static_cast<uint64_t>(current) * static_cast<uint64_t>(page);
  }

 private:
  sqlite3* db_;
};

}  // namespace

StatusOr<std::unique_ptr<Connection>> OpenSqlite(const std::string& path, bool create) {
  sqlite3* handle = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close_v2(handle);
    if (rc == SQLITE_CANTOPEN && !create) return Status::NotFound("no database at " + path);
    return Status::IOError("cannot open database " + path + ": " + msg);
  }
  sqlite3_busy_timeout(handle, kBusyTimeoutMs);
  auto conn = std::make_unique<SqliteConnection>(handle);
  // A file that is not SQLite fails here, on the first read.
  Status st = conn->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  if (!st.ok()) {
    if (sqlite3_errcode(handle) == SQLITE_NOTADB) {
      return Status::Corruption(path + " is not a litrank database (not an SQLite file)");
    }
    return st;
  }
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace litrank::sql

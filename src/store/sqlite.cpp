#include "store/sqlite.h"

#include <utility>

namespace litrank::sql {

Db::Db(Db&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Db::~Db() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

StatusOr<Db> Db::Open(const std::string& path, bool create) {
  Db db;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db.db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db.db_ != nullptr ? sqlite3_errmsg(db.db_) : sqlite3_errstr(rc);
    if (rc == SQLITE_CANTOPEN && !create) return Status::NotFound("no database at " + path);
    return Status::IOError("cannot open database " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db.db_, kBusyTimeoutMs);
  // A file that is not SQLite fails here, on the first read.
  Status st = db.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  if (!st.ok()) {
    if (sqlite3_errcode(db.db_) == SQLITE_NOTADB) {
      return Status::Corruption(path + " is not a litrank database (not an SQLite file)");
    }
    return st;
  }
  return db;
}

Status Db::Exec(std::string_view sql) {
  char* err = nullptr;
  std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    return Error("sql: " + msg);
  }
  return Status::Ok();
}

Status Db::Error(std::string_view what) const {
  int code = sqlite3_errcode(db_) & 0xff;
  std::string msg = std::string(what) + " (" + sqlite3_errmsg(db_) + ")";
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return Status::Corruption(msg);
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
    return Status::Unavailable(msg + ": the collection stayed locked by another writer for " +
                               std::to_string(kBusyTimeoutMs / 1000) + " s; try again");
  }
  if (code == SQLITE_CONSTRAINT || code == SQLITE_MISMATCH) return Status::InvalidArgument(msg);
  return Status::IOError(msg);
}

Stmt::Stmt(Db& db, std::string_view sql) : db_(&db) {
  if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    status_ = db.Error("prepare: " + std::string(sql.substr(0, 60)));
    stmt_ = nullptr;
  }
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::Bind(int i, int64_t v) {
  if (stmt_ != nullptr) sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, double v) {
  if (stmt_ != nullptr) sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, std::string_view text) {
  if (stmt_ != nullptr) {
    sqlite3_bind_text64(stmt_, i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }
  return *this;
}
Stmt& Stmt::BindBlob(int i, std::string_view bytes) {
  if (stmt_ != nullptr) sqlite3_bind_blob64(stmt_, i, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindNull(int i) {
  if (stmt_ != nullptr) sqlite3_bind_null(stmt_, i);
  return *this;
}

bool Stmt::Step() {
  if (stmt_ == nullptr) return false;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) status_ = db_->Error("step");
  return false;
}

Status Stmt::Run() {
  if (stmt_ == nullptr) return status_;
  Step();
  Status st = status_;
  Reset();
  if (st.ok()) status_ = Status::Ok();
  return st;
}

void Stmt::Reset() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Stmt::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Stmt::Real(int col) const { return sqlite3_column_double(stmt_, col); }
std::string Stmt::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p),
                                                    sqlite3_column_bytes(stmt_, col));
}
std::string_view Stmt::Blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  return p == nullptr ? std::string_view()
                      : std::string_view(static_cast<const char*>(p), sqlite3_column_bytes(stmt_, col));
}

Transaction::Transaction(Db& db) : db_(db) {
  status_ = db_.Exec("BEGIN IMMEDIATE");
  open_ = status_.ok();
}

Transaction::~Transaction() {
  if (open_) (void)db_.Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (!open_) return status_.ok() ? Status::Internal("transaction already finished") : status_;
  open_ = false;
  return db_.Exec("COMMIT");
}

}  // namespace litrank::sql

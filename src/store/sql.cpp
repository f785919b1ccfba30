#include "store/sql.h"

#include <utility>

#include "store/sql_backend.h"

namespace litrank::sql {

bool IsPostgresUrl(std::string_view location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

Db::Db() = default;
Db::Db(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}
Db::Db(Db&& other) noexcept = default;
Db& Db::operator=(Db&& other) noexcept = default;
Db::~Db() = default;

StatusOr<Db> Db::Open(const std::string& location, bool create) {
  StatusOr<std::unique_ptr<Connection>> conn =
      IsPostgresUrl(location) ? OpenPostgres(location, create) : OpenSqlite(location, create);
  if (!conn.ok()) return conn.status();
  return Db(std::move(*conn));
}

Status Db::Exec(std::string_view sql) {
  return conn_ ? conn_->Exec(sql) : Status::Internal("database not open");
}
Dialect Db::dialect() const { return conn_ ? conn_->dialect() : Dialect::kSqlite; }
Status Db::BeginWrite() { return conn_ ? conn_->BeginWrite() : Status::Internal("database not open"); }
uint64_t Db::BytesWritten() { return conn_ ? conn_->BytesWritten() : 0; }

Stmt::Stmt(Db& db, std::string_view sql) {
  if (db.connection() == nullptr) {
    status_ = Status::Internal("database not open");
    return;
  }
  StatusOr<std::unique_ptr<Cursor>> cursor = db.connection()->Prepare(sql);
  if (cursor.ok()) cursor_ = std::move(*cursor);
  else status_ = cursor.status();
}

Stmt::~Stmt() = default;

Stmt& Stmt::Bind(int i, int64_t v) {
  if (cursor_) cursor_->BindInt(i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, double v) {
  if (cursor_) cursor_->BindReal(i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, std::string_view text) {
  if (cursor_) cursor_->BindText(i, text);
  return *this;
}
Stmt& Stmt::BindBlob(int i, std::string_view bytes) {
  if (cursor_) cursor_->BindBlob(i, bytes);
  return *this;
}
Stmt& Stmt::BindNull(int i) {
  if (cursor_) cursor_->BindNull(i);
  return *this;
}

bool Stmt::Step() {
  if (!cursor_) return false;
  bool row = false;
  Status st = cursor_->Step(&row);
  if (!st.ok()) status_ = std::move(st);
  return row;
}

Status Stmt::Run() {
  if (!cursor_) return status_;
  Step();
  Status st = status_;
  Reset();
  if (st.ok()) status_ = Status::Ok();
  return st;
}

void Stmt::Reset() {
  if (cursor_) cursor_->Reset();
}

int Stmt::ColumnCount() const { return cursor_ ? cursor_->ColumnCount() : 0; }
std::string Stmt::ColumnName(int col) const { return cursor_ ? cursor_->ColumnName(col) : std::string(); }
ValueType Stmt::Type(int col) const { return cursor_ ? cursor_->Type(col) : ValueType::kNull; }
bool Stmt::IsNull(int col) const { return cursor_ ? cursor_->IsNull(col) : true; }
int64_t Stmt::Int(int col) const { return cursor_ ? cursor_->Int(col) : 0; }
double Stmt::Real(int col) const { return cursor_ ? cursor_->Real(col) : 0.0; }
std::string Stmt::Text(int col) const { return cursor_ ? cursor_->Text(col) : std::string(); }
std::string_view Stmt::Blob(int col) const { return cursor_ ? cursor_->Blob(col) : std::string_view(); }

Transaction::Transaction(Db& db) : db_(db) {
  status_ = db_.BeginWrite();
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

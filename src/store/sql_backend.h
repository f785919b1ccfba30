// What a database back end implements for store/sql.h: a connection and its
// prepared statements. Internal to store/; callers use sql::Db and sql::Stmt.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/sql.h"

namespace litrank::sql {

/// One prepared statement of a back end. Parameters are 1-based, columns 0-based.
class Cursor {
 public:
  virtual ~Cursor() = default;
  virtual void BindInt(int i, int64_t v) = 0;
  virtual void BindReal(int i, double v) = 0;
  virtual void BindText(int i, std::string_view v) = 0;
  virtual void BindBlob(int i, std::string_view v) = 0;
  virtual void BindNull(int i) = 0;
  /// Runs the statement on the first call and advances a row on each call;
  /// `*row` says whether one is available.
  virtual Status Step(bool* row) = 0;
  /// Clears bindings and results for another execution.
  virtual void Reset() = 0;
  virtual int ColumnCount() const = 0;
  virtual std::string ColumnName(int col) const = 0;
  virtual ValueType Type(int col) const = 0;
  virtual bool IsNull(int col) const = 0;
  virtual int64_t Int(int col) const = 0;
  virtual double Real(int col) const = 0;
  virtual std::string Text(int col) const = 0;
  virtual std::string_view Blob(int col) const = 0;
};

/// One open connection of a back end.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  virtual Status Exec(std::string_view sql) = 0;
  virtual StatusOr<std::unique_ptr<Cursor>> Prepare(std::string_view sql) = 0;
  virtual Status BeginWrite() = 0;
  virtual uint64_t BytesWritten() = 0;
};

/// A SQLite file (store/sqlite_backend.cpp).
StatusOr<std::unique_ptr<Connection>> OpenSqlite(const std::string& path, bool create);
/// A PostgreSQL database (store/postgres_backend.cpp).
StatusOr<std::unique_ptr<Connection>> OpenPostgres(const std::string& url, bool create);

}  // namespace litrank::sql

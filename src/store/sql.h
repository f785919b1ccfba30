// A thin RAII layer over a SQL database that speaks Status: one interface, two
// back ends (store/sql_backend.h). A SQLite file for one machine; a PostgreSQL
// database (libpq) when several machines share a collection. Callers write
// SQLite's dialect with `?` parameters; the PostgreSQL back end translates the few
// differences (store/postgres_sql.h). Nothing here knows about documents.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "litrank/status.h"

namespace litrank::sql {

/// How long a connection waits for another connection's write lock (SQLite's busy
/// handler, PostgreSQL's lock_timeout) before a statement fails with Status::Unavailable.
constexpr int kBusyTimeoutMs = 10000;

/// Which database a connection speaks to.
enum class Dialect { kSqlite, kPostgres };

/// The kind of value in a result column of the current row.
enum class ValueType { kNull, kInt, kReal, kText, kBlob };

/// Whether `location` names a PostgreSQL database (postgresql:// or postgres://)
/// rather than a SQLite file.
bool IsPostgresUrl(std::string_view location);

/// `location` fit to print or log: a PostgreSQL URL without its password (user,
/// host, port and database only); a file path as it is.
std::string DisplayLocation(const std::string& location);

/// The database name of a PostgreSQL URL ("" when it names none or is not one).
std::string PostgresDatabaseName(const std::string& location);

class Connection;
class Cursor;

/// An open database connection. Move-only; closes on destruction.
class Db {
 public:
  Db();
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  /// Opens `location`: a PostgreSQL URL (IsPostgresUrl; the database must exist,
  /// and without `create` it must already hold a collection) or a SQLite file
  /// (created if asked; WAL mode, foreign keys on). Either way a second writer
  /// waits up to kBusyTimeoutMs for the first instead of failing at once.
  static StatusOr<Db> Open(const std::string& location, bool create);
  /// Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  /// Which back end this is (for the few statements that differ: schema, catalog).
  Dialect dialect() const;
  /// Starts a write transaction: at most one at a time per collection, so every
  /// read-then-write inside it sees no other writer (SQLite's BEGIN IMMEDIATE; an
  /// advisory lock on PostgreSQL).
  Status BeginWrite();
  /// Bytes this connection has written to the database, as far as the back end can tell.
  uint64_t BytesWritten();
  /// The back end, for Stmt.
  Connection* connection() const { return conn_.get(); }

 private:
  explicit Db(std::unique_ptr<Connection> conn);
  std::unique_ptr<Connection> conn_;
};

/// A prepared statement. Bind with 1-based indexes; Step until it returns false.
class Stmt {
 public:
  Stmt(Db& db, std::string_view sql);
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  /// Whether preparation or the last step failed (then every call returns that error).
  const Status& status() const { return status_; }
  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, double v);
  Stmt& Bind(int i, std::string_view text);          ///< TEXT (copied)
  Stmt& BindBlob(int i, std::string_view bytes);     ///< BLOB (copied)
  Stmt& BindNull(int i);
  /// Advances: true with a row available, false when done or on error (see status()).
  bool Step();
  /// Runs a statement that returns no rows; resets it for reuse.
  Status Run();
  /// Clears bindings and rewinds for another execution.
  void Reset();

  /// Columns of the result, their names, and the kind of value in the current row.
  int ColumnCount() const;
  std::string ColumnName(int col) const;
  ValueType Type(int col) const;
  bool IsNull(int col) const;
  int64_t Int(int col) const;
  double Real(int col) const;
  std::string Text(int col) const;
  std::string_view Blob(int col) const;  ///< valid until the next Step/Reset

 private:
  std::unique_ptr<Cursor> cursor_;
  Status status_;
};

/// A write transaction (Db::BeginWrite) on construction; ROLLBACK on destruction
/// unless Commit() ran.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  const Status& status() const { return status_; }
  Status Commit();

 private:
  Db& db_;
  Status status_;
  bool open_ = false;
};

}  // namespace litrank::sql

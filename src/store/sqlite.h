// A thin RAII layer over the SQLite C API that speaks Status. Nothing here
// knows about documents; the corpus store builds on it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "litrank/status.h"

namespace litrank::sql {

/// How long a connection waits for another connection's write lock (SQLite's busy
/// handler) before a statement fails with Status::Unavailable.
constexpr int kBusyTimeoutMs = 10000;

/// An open database connection. Move-only; closes on destruction.
class Db {
 public:
  Db() = default;
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  /// Opens (creating if asked) `path` in WAL mode with foreign keys on and a
  /// busy timeout (kBusyTimeoutMs), so a second writer waits instead of failing at once.
  static StatusOr<Db> Open(const std::string& path, bool create);
  /// Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  /// The underlying handle, for Stmt.
  sqlite3* handle() const { return db_; }
  /// Rowid of the last INSERT on this connection.
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  /// A Status built from the connection's current error, prefixed with `what`:
  /// Unavailable for a lock held past the busy timeout, Corruption for a damaged
  /// file, InvalidArgument for a constraint, else IOError.
  Status Error(std::string_view what) const;

 private:
  sqlite3* db_ = nullptr;
};

/// A prepared statement. Bind with 1-based indexes; Step until it returns false.
class Stmt {
 public:
  Stmt(Db& db, std::string_view sql);
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  /// Whether preparation failed (then every call returns that error).
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

  bool IsNull(int col) const;
  int64_t Int(int col) const;
  double Real(int col) const;
  std::string Text(int col) const;
  std::string_view Blob(int col) const;  ///< valid until the next Step/Reset

 private:
  Db* db_;
  sqlite3_stmt* stmt_ = nullptr;
  Status status_;
};

/// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless Commit() ran.
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

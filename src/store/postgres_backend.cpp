// The PostgreSQL back end of store/sql.h, on libpq. Statements arrive in SQLite's
// dialect and are translated once (store/postgres_sql.h). Writers take one
// transaction-scoped advisory lock per database, so write transactions behave as
// SQLite's BEGIN IMMEDIATE does: one at a time, readers never blocked. A lost
// connection is reopened before the next statement, never inside a transaction
// (that transaction fails as a whole, with Unavailable).
#include <libpq-fe.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "store/postgres_sql.h"
#include "store/sql_backend.h"

namespace litrank::sql {
namespace {

// Type OIDs from PostgreSQL's pg_type.dat (stable across versions).
constexpr Oid kInt8Oid = 20;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kByteaOid = 17;

// The advisory lock key every writer of a litrank database takes ("litrank" in ASCII).
constexpr const char* kWriterLock = "SELECT pg_advisory_xact_lock(7235441041773153646)";

// What a failed statement means for the caller, from its SQLSTATE: the server gone,
// shutting down, out of resources or a lock wait timed out → Unavailable (try again);
// a constraint → InvalidArgument; damaged data → Corruption; else IOError.
Status PgError(const PGresult* res, PGconn* conn, std::string_view what) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = res != nullptr ? PQresultErrorMessage(res) : "";
  if (msg.empty()) msg = PQerrorMessage(conn);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  msg = std::string(what) + " (" + msg + ")";
  const std::string code = state != nullptr ? state : "";
  if (PQstatus(conn) == CONNECTION_BAD || code.rfind("08", 0) == 0 || code.rfind("53", 0) == 0 ||
      code.rfind("57P", 0) == 0 || code == "55P03" || code == "40001" || code == "40P01" || code == "57014") {
    return Status::Unavailable(msg + ": PostgreSQL is unreachable or busy; try again");
  }
  if (code.rfind("23", 0) == 0 || code.rfind("22", 0) == 0) return Status::InvalidArgument(msg);
  if (code.rfind("XX00", 0) == 0) return Status::Corruption(msg);
  return Status::IOError(msg);
}

class PgConnection;

class PgCursor final : public Cursor {
 public:
  PgCursor(PgConnection* conn, std::string sql, int params) : conn_(conn), sql_(std::move(sql)), params_(params) {}
  ~PgCursor() override { Clear(); }

  void BindInt(int i, int64_t v) override { Set(i, kInt8Oid, std::to_string(v), 0); }
  void BindReal(int i, double v) override {
    char buf[40];
    if (std::isnan(v)) std::snprintf(buf, sizeof buf, "NaN");
    else if (std::isinf(v)) std::snprintf(buf, sizeof buf, v > 0 ? "Infinity" : "-Infinity");
    else std::snprintf(buf, sizeof buf, "%.17g", v);
    Set(i, kFloat8Oid, buf, 0);
  }
  void BindText(int i, std::string_view v) override {
    // A text parameter ends at its first NUL in libpq: refuse rather than cut it.
    if (v.find('\0') != std::string_view::npos) bind_error_ = Status::InvalidArgument(
        "a text with a NUL character cannot be stored in PostgreSQL (parameter " + std::to_string(i) + ")");
    Set(i, 0, std::string(v), 0);
  }
  void BindBlob(int i, std::string_view v) override { Set(i, kByteaOid, std::string(v), 1); }
  void BindNull(int i) override {
    if (Slot* s = At(i)) *s = Slot{};
  }

  Status Step(bool* row) override;
  void Reset() override {
    Clear();
    for (Slot& s : slots_) s = Slot{};
    bind_error_ = Status::Ok();
  }

  int ColumnCount() const override { return result_ != nullptr ? PQnfields(result_) : 0; }
  std::string ColumnName(int col) const override {
    const char* name = result_ != nullptr ? PQfname(result_, col) : nullptr;
    return name != nullptr ? name : "";
  }
  ValueType Type(int col) const override {
    if (PQgetisnull(result_, row_, col) != 0) return ValueType::kNull;
    switch (PQftype(result_, col)) {
      case 20: case 21: case 23: return ValueType::kInt;   // int8, int2, int4
      case 700: case 701: case 1700: return ValueType::kReal;  // float4, float8, numeric
      case kByteaOid: return ValueType::kBlob;
      default: return ValueType::kText;
    }
  }
  bool IsNull(int col) const override { return PQgetisnull(result_, row_, col) != 0; }
  int64_t Int(int col) const override { return std::strtoll(PQgetvalue(result_, row_, col), nullptr, 10); }
  double Real(int col) const override { return std::strtod(PQgetvalue(result_, row_, col), nullptr); }
  std::string Text(int col) const override {
    return std::string(PQgetvalue(result_, row_, col), PQgetlength(result_, row_, col));
  }
  std::string_view Blob(int col) const override;

 private:
  struct Slot {
    Oid type = 0;
    std::string value;
    int format = 0;
    bool null = true;
  };
  Slot* At(int i) {
    if (i < 1 || i > params_) return nullptr;
    if (slots_.size() < static_cast<size_t>(params_)) slots_.resize(params_);
    return &slots_[i - 1];
  }
  void Set(int i, Oid type, std::string value, int format) {
    if (Slot* s = At(i)) *s = Slot{type, std::move(value), format, false};
  }
  void Clear() {
    if (result_ != nullptr) PQclear(result_);
    result_ = nullptr;
    row_ = -1;
    blobs_.clear();
  }

  PgConnection* conn_;
  std::string sql_;
  int params_;
  std::vector<Slot> slots_;
  PGresult* result_ = nullptr;
  int row_ = -1;
  mutable std::map<int, std::string> blobs_;  // bytea columns of the current row, decoded
  Status bind_error_;                         // a value PostgreSQL cannot take, found when bound
};

class PgConnection final : public Connection {
 public:
  PgConnection(PGconn* conn, std::string url) : conn_(conn), url_(std::move(url)) {}
  ~PgConnection() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Status Exec(std::string_view sql) override {
    std::string text(sql);
    if (text == "BEGIN DEFERRED") text = "BEGIN ISOLATION LEVEL REPEATABLE READ";
    const bool begins = text.rfind("BEGIN", 0) == 0;
    const bool commits = text == "COMMIT";
    const bool ends = commits || text == "ROLLBACK";
    if (begins && PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      return Status::Internal("a transaction is already open on this connection");
    }
    // Outside a transaction (a BEGIN included) a statement that meets a dropped
    // connection is sent again once on a new one; inside one it never is.
    const bool retry = !in_transaction_ && !ends;
    PGresult* res = nullptr;
    Status st = WithConnection(retry, [&] { return PQexec(conn_, text.c_str()); }, &res);
    if (st.ok()) st = Check(res, "sql");
    // COMMIT of a transaction in which a statement failed rolls it back and says so.
    if (st.ok() && commits && std::strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
      st = Status::IOError("the transaction had failed and was rolled back: nothing of it was written");
    }
    PQclear(res);
    TrackTransaction(ends);
    return st;
  }

  StatusOr<std::unique_ptr<Cursor>> Prepare(std::string_view sql) override {
    int params = 0;
    catalog_error_ = Status::Ok();
    StatusOr<std::string> text =
        TranslateToPostgres(sql, [this](const std::string& t) { return Table(t); }, &params);
    if (!text.ok()) return catalog_error_.ok() ? text.status() : catalog_error_;
    return std::unique_ptr<Cursor>(std::make_unique<PgCursor>(this, std::move(*text), params));
  }

  Status BeginWrite() override {
    LITRANK_RETURN_IF_ERROR(Exec("BEGIN"));
    Status st = Exec(kWriterLock);
    if (!st.ok()) (void)Exec("ROLLBACK");
    return st;
  }

  uint64_t BytesWritten() override { return bytes_written_; }

  /// The session's settings, on every (re)connect: lock waits bounded as SQLite's
  /// busy timeout is; notices kept off stderr.
  Status Configure() {
    PGresult* res = PQexec(conn_, ("SET lock_timeout = '" + std::to_string(kBusyTimeoutMs) +
                                   "ms'; SET client_min_messages = warning").c_str());
    Status st = Check(res, "configure the session");
    PQclear(res);
    return st;
  }

  /// Runs one translated statement with its parameters.
  StatusOr<PGresult*> Run(const std::string& sql, int n, const Oid* types, const char* const* values,
                          const int* lengths, const int* formats) {
    for (int i = 0; i < n; ++i) bytes_written_ += values[i] != nullptr ? lengths[i] : 0;
    std::string key = sql;
    key += '\0';
    for (int i = 0; i < n; ++i) key += std::to_string(types[i]) + ",";
    PGresult* res = nullptr;
    Status st = WithConnection(!in_transaction_, [&]() -> PGresult* {
      // Prepared once per session (and parameter types), then executed by name: the
      // server parses and plans a statement the store runs again and again once.
      auto it = prepared_.find(key);
      if (it == prepared_.end() && prepared_.size() < kMostPrepared) {
        const std::string name = "litrank_" + std::to_string(++statements_);
        PGresult* made = PQprepare(conn_, name.c_str(), sql.c_str(), n, types);
        if (PQresultStatus(made) != PGRES_COMMAND_OK) return made;  // its error is the statement's
        PQclear(made);
        it = prepared_.emplace(key, name).first;
      }
      return it != prepared_.end() ? PQexecPrepared(conn_, it->second.c_str(), n, values, lengths, formats, 0)
                                   : PQexecParams(conn_, sql.c_str(), n, types, values, lengths, formats, 0);
    }, &res);
    if (st.ok()) st = Check(res, "sql: " + sql.substr(0, 60));
    TrackTransaction(false);
    if (!st.ok()) {
      PQclear(res);
      return st;
    }
    return res;
  }

  /// Catalog entry of `table` in the connection's schema (loaded once).
  const PgTable* Table(const std::string& table) {
    std::lock_guard<std::mutex> lock(catalog_mu_);
    if (auto it = catalog_.find(table); it != catalog_.end()) return &it->second;
    PGresult* res = nullptr;
    catalog_error_ = WithConnection(!in_transaction_, [&] {
      return PQexec(conn_,
          "SELECT c.relname, a.attname, coalesce(a.attnum = ANY(i.indkey), false) "
          "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
          "LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary "
          "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' "
          "ORDER BY c.relname, a.attnum");
    }, &res);
    if (catalog_error_.ok()) catalog_error_ = Check(res, "read the catalog");
    if (catalog_error_.ok()) {
      catalog_.clear();
      for (int r = 0; r < PQntuples(res); ++r) {
        PgTable& t = catalog_[PQgetvalue(res, r, 0)];
        t.columns.push_back(PQgetvalue(res, r, 1));
        if (PQgetvalue(res, r, 2)[0] == 't') t.key.push_back(PQgetvalue(res, r, 1));
      }
    }
    PQclear(res);
    auto it = catalog_.find(table);
    return it == catalog_.end() ? nullptr : &it->second;
  }

 private:
  // Runs `send` (one round trip; its result is the caller's to clear) on a usable
  // connection. A connection lost between transactions is reopened first; and when
  // the round trip itself finds it dropped (a server restarted while this one was
  // idle), it is reopened and `send` runs once more if `retry` allows (never inside
  // a transaction: that one is gone with the connection, and every statement fails
  // Unavailable until the caller rolls back).
  template <typename Send>
  Status WithConnection(bool retry, const Send& send, PGresult** out) {
    for (int attempt = 0;; ++attempt) {
      if (PQstatus(conn_) != CONNECTION_OK) {
        if (in_transaction_) {
          return Status::Unavailable("the connection to PostgreSQL was lost inside a transaction; it was rolled back");
        }
        LITRANK_RETURN_IF_ERROR(Reconnect());
      }
      *out = send();
      if (PQstatus(conn_) == CONNECTION_OK || !retry || attempt > 0) return Status::Ok();
      PQclear(*out);
      *out = nullptr;
    }
  }

  Status Reconnect() {
    prepared_.clear();  // a new session has none
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) return PgError(nullptr, conn_, "reconnect");
    return Configure();
  }

  // Whether a transaction is open, as the server says after each round trip; with the
  // connection gone it stays as it was (so the lost transaction is not forgotten)
  // until the caller's COMMIT or ROLLBACK.
  void TrackTransaction(bool ended) {
    if (ended) {
      in_transaction_ = false;
    } else if (PQstatus(conn_) == CONNECTION_OK) {
      const PGTransactionStatusType t = PQtransactionStatus(conn_);
      in_transaction_ = t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
    }
  }

  Status Check(PGresult* res, std::string_view what) {
    const ExecStatusType s = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return Status::Ok();
    return PgError(res, conn_, what);
  }

  PGconn* conn_;
  std::string url_;
  bool in_transaction_ = false;
  Status catalog_error_;  // why the last catalog read failed (a lost server, say)
  uint64_t bytes_written_ = 0;
  // Statements prepared on this session: SQL and parameter types -> name. Bounded:
  // statements built per call (IN lists of any length) beyond it run unprepared.
  static constexpr size_t kMostPrepared = 256;
  std::map<std::string, std::string> prepared_;
  uint64_t statements_ = 0;
  std::mutex catalog_mu_;
  std::map<std::string, PgTable> catalog_;
};

Status PgCursor::Step(bool* row) {
  *row = false;
  LITRANK_RETURN_IF_ERROR(bind_error_);
  if (result_ == nullptr) {
    std::vector<Oid> types(params_);
    std::vector<const char*> values(params_, nullptr);
    std::vector<int> lengths(params_, 0), formats(params_, 0);
    slots_.resize(params_);
    for (int i = 0; i < params_; ++i) {
      const Slot& s = slots_[i];
      types[i] = s.type;
      formats[i] = s.format;
      if (!s.null) values[i] = s.value.data(), lengths[i] = static_cast<int>(s.value.size());
    }
    StatusOr<PGresult*> res = conn_->Run(sql_, params_, types.data(), values.data(), lengths.data(), formats.data());
    if (!res.ok()) return res.status();
    result_ = *res;
    row_ = -1;
  }
  blobs_.clear();
  if (row_ + 1 >= PQntuples(result_)) {
    row_ = PQntuples(result_);
    return Status::Ok();
  }
  ++row_;
  *row = true;
  return Status::Ok();
}

std::string_view PgCursor::Blob(int col) const {
  if (PQgetisnull(result_, row_, col) != 0) return {};
  auto it = blobs_.find(col);
  if (it == blobs_.end()) {
    size_t n = 0;
    unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row_, col)), &n);
    std::string bytes = raw != nullptr ? std::string(reinterpret_cast<const char*>(raw), n) : std::string();
    PQfreemem(raw);
    it = blobs_.emplace(col, std::move(bytes)).first;
  }
  return it->second;
}

// The URL's parts as libpq reads them (empty when it cannot).
std::map<std::string, std::string> ConnectionParts(const std::string& url) {
  std::map<std::string, std::string> parts;
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  PQfreemem(err);
  if (opts == nullptr) return parts;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val != nullptr) parts[o->keyword] = o->val;
  }
  PQconninfoFree(opts);
  return parts;
}

}  // namespace

std::string DisplayLocation(const std::string& location) {
  if (!IsPostgresUrl(location)) return location;
  auto parts = ConnectionParts(location);
  if (parts.empty()) return "(invalid PostgreSQL URL)";
  std::string out = "postgresql://";
  if (!parts["user"].empty()) out += parts["user"] + "@";
  out += parts["host"].empty() ? std::string("localhost") : parts["host"];
  if (!parts["port"].empty()) out += ":" + parts["port"];
  return out + "/" + parts["dbname"];
}

std::string PostgresDatabaseName(const std::string& location) {
  return IsPostgresUrl(location) ? ConnectionParts(location)["dbname"] : std::string();
}

StatusOr<std::unique_ptr<Connection>> OpenPostgres(const std::string& url, bool create) {
  // libpq reads the URL and its own environment (PGPASSWORD, PGSSLMODE, ~/.pgpass,
  // sslrootcert, ...); defaults below apply only where neither says otherwise.
  // Keepalives: a host that vanishes (rather than a server that restarts) is noticed
  // within about a minute instead of the kernel's many.
  const char* keys[] = {"dbname", "connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count",
                        "application_name", nullptr};
  const char* values[] = {url.c_str(), "10", "30", "10", "3", "litrank", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status::Unavailable("cannot connect to PostgreSQL: out of memory");
  auto c = std::make_unique<PgConnection>(conn, url);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    const bool missing = msg.find("does not exist") != std::string::npos;
    std::string where = std::string(PQhost(conn) ? PQhost(conn) : "?") + ":" + (PQport(conn) ? PQport(conn) : "?") +
                        "/" + (PQdb(conn) ? PQdb(conn) : "?");
    if (missing) return Status::NotFound("PostgreSQL database " + where + " does not exist (" + msg + "); create it with createdb");
    return Status::Unavailable("cannot connect to PostgreSQL at " + where + ": " + msg);
  }
  if (std::strcmp(PQparameterStatus(conn, "server_encoding") ? PQparameterStatus(conn, "server_encoding") : "", "UTF8") != 0) {
    return Status::InvalidArgument(std::string("PostgreSQL database ") + PQdb(conn) +
                                   " is not UTF8-encoded; create it with createdb -E UTF8 -T template0");
  }
  LITRANK_RETURN_IF_ERROR(c->Configure());
  if (!create) {
    StatusOr<std::unique_ptr<Cursor>> probe = c->Prepare("SELECT to_regclass('litrank_schema') IS NOT NULL");
    if (!probe.ok()) return probe.status();
    bool row = false;
    LITRANK_RETURN_IF_ERROR((*probe)->Step(&row));
    if (!row || (*probe)->Text(0) != "t") {
      return Status::NotFound(std::string("PostgreSQL database ") + PQdb(conn) + " holds no litrank collection");
    }
  }
  return std::unique_ptr<Connection>(std::move(c));
}

}  // namespace litrank::sql

#include "store/change_log.h"

#include <algorithm>
#include <string>

namespace litrank {
namespace {

// The log keeps about this many newest entries; a reader further behind rescans.
constexpr int64_t kChangesKept = 100000;

StatusOr<int64_t> Scalar(sql::Db& db, const char* sql) {
  sql::Stmt stmt(db, sql);
  const int64_t n = stmt.Step() ? stmt.Int(0) : 0;
  LITRANK_RETURN_IF_ERROR(stmt.status());
  return n;
}

// How far the log was trimmed (0: never).
StatusOr<int64_t> TrimmedTo(sql::Db& db) {
  return Scalar(db, "SELECT coalesce((SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'changes_trimmed_to'), 0)");
}

}  // namespace

Status LogChange(sql::Db& db, int64_t rowid) {
  sql::Stmt log(db, "INSERT INTO changes(doc) VALUES (?)");
  return log.Bind(1, rowid).Run();
}

Status BumpGeneration(sql::Db& db) {
  return db.Exec("UPDATE meta SET value = CAST(value AS BIGINT) + 1 WHERE key = 'generation'");
}

StatusOr<int64_t> LastChange(sql::Db& db) { return Scalar(db, "SELECT coalesce(max(seq), 0) FROM changes"); }

Status ChangesSince(sql::Db& db, int64_t after, size_t limit, std::vector<int64_t>* rowids, int64_t* last,
                    bool* complete) {
  *last = after;
  sql::Stmt stmt(db, "SELECT seq, doc FROM changes WHERE seq > ? ORDER BY seq LIMIT ?");
  stmt.Bind(1, after).Bind(2, static_cast<int64_t>(limit));
  std::vector<int64_t> docs;
  while (stmt.Step()) {
    *last = stmt.Int(0);
    docs.push_back(stmt.Int(1));
  }
  LITRANK_RETURN_IF_ERROR(stmt.status());
  std::sort(docs.begin(), docs.end());
  docs.erase(std::unique(docs.begin(), docs.end()), docs.end());
  *rowids = std::move(docs);
  // Read after the rows: a trim that committed before them shows here, so rows it
  // took are never mistaken for "no change".
  StatusOr<int64_t> trimmed = TrimmedTo(db);
  if (!trimmed.ok()) return trimmed.status();
  *complete = after >= *trimmed;
  return Status::Ok();
}

Status TrimChanges(sql::Db& db) {
  StatusOr<int64_t> newest = LastChange(db);
  if (!newest.ok()) return newest.status();
  StatusOr<int64_t> trimmed = TrimmedTo(db);
  if (!trimmed.ok()) return trimmed.status();
  const int64_t cut = *newest - kChangesKept;
  if (cut <= *trimmed + kChangesKept) return Status::Ok();
  sql::Stmt drop(db, "DELETE FROM changes WHERE seq <= ?");
  LITRANK_RETURN_IF_ERROR(drop.Bind(1, cut).Run());
  sql::Stmt mark(db, "INSERT OR REPLACE INTO meta VALUES ('changes_trimmed_to', ?)");
  return mark.Bind(1, std::to_string(cut)).Run();
}

}  // namespace litrank

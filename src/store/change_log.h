// The collection's change log and generation (schema v7 `changes`, meta
// 'generation'): what a writer records in its transaction so that readers' in-memory
// indexes (search/bm25_index, search/dense_retriever) know what to catch up on.
#pragma once

#include <cstdint>
#include <vector>

#include "litrank/status.h"
#include "store/sql.h"

namespace litrank {

/// Appends document `rowid` to the change log (its lexical rows were rewritten).
/// Needs an open write transaction.
Status LogChange(sql::Db& db, int64_t rowid);

/// Moves the collection's generation on (documents changed: derived indexes are
/// stale). Needs an open write transaction.
Status BumpGeneration(sql::Db& db);

/// The newest entry of the change log (0 when empty).
StatusOr<int64_t> LastChange(sql::Db& db);

/// Corpus::ChangesSince: the documents changed after `after` (at most `limit`
/// entries read), the newest entry read, and whether the log still reached back.
Status ChangesSince(sql::Db& db, int64_t after, size_t limit, std::vector<int64_t>* rowids, int64_t* last,
                    bool* complete);

/// Drops the oldest entries once the log holds twice the kept number (so a write
/// seldom pays for it), recording how far it trimmed. Needs an open write transaction.
Status TrimChanges(sql::Db& db);

}  // namespace litrank

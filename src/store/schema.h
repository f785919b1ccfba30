// The corpus file's schema and its migrations (PRAGMA user_version).
#pragma once

#include "litrank/status.h"
#include "store/sql.h"

namespace litrank {

/// The schema version this build writes.
inline constexpr int kCorpusSchemaVersion = 7;

/// Brings `db` to kCorpusSchemaVersion, one migration per version, each in its
/// own transaction. Refuses (Corruption) a file from a newer litrank.
Status MigrateCorpusSchema(sql::Db& db);

}  // namespace litrank

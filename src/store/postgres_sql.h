// Translation of the SQLite dialect the store writes into PostgreSQL's: `?`
// parameters become $1..$n, INSERT OR IGNORE becomes ON CONFLICT DO NOTHING, and
// INSERT OR REPLACE becomes an upsert on the table's primary key. Pure functions,
// so they are tested without a server.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "litrank/status.h"

namespace litrank::sql {

/// A table's columns in order and its primary key, as PostgreSQL's catalog lists them.
struct PgTable {
  std::vector<std::string> columns;
  std::vector<std::string> key;
};

/// Looks a table up by name; nullptr when there is no such table.
using PgCatalog = std::function<const PgTable*(const std::string& table)>;

/// `sql` (one statement in SQLite's dialect) in PostgreSQL's; `*params` receives
/// the number of parameters. InvalidArgument for INSERT OR REPLACE into a table the
/// catalog does not know or that has no primary key.
StatusOr<std::string> TranslateToPostgres(std::string_view sql, const PgCatalog& catalog, int* params);

}  // namespace litrank::sql

#include "store/postgres_sql.h"

#include <cctype>

#include "util/ascii.h"

namespace litrank::sql {
namespace {

bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// `?` outside quoted strings and identifiers replaced by $1, $2, ...
std::string NumberParameters(std::string_view sql, int* params) {
  std::string out;
  out.reserve(sql.size() + 16);
  char quote = 0;
  int n = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$' + std::to_string(++n);
    } else {
      out += c;
    }
  }
  *params = n;
  return out;
}

// Whether `s` starts (after spaces) with `prefix`, ignoring case; `*rest` gets what follows.
bool StartsWithWords(std::string_view s, std::string_view prefix, std::string_view* rest) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])) != 0) ++i;
  if (s.size() - i < prefix.size() || Lower(std::string(s.substr(i, prefix.size()))) != prefix) return false;
  *rest = s.substr(i + prefix.size());
  return true;
}

std::string_view TrimEnd(std::string_view s) {
  while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.back())) != 0 || s.back() == ';')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view SkipSpaces(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  return s;
}

// The identifier at the start of `*s` (lowercased), advancing past it.
std::string TakeIdentifier(std::string_view* s) {
  *s = SkipSpaces(*s);
  size_t n = 0;
  while (n < s->size() && IsIdentChar((*s)[n])) ++n;
  std::string id = Lower(std::string(s->substr(0, n)));
  s->remove_prefix(n);
  return id;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

StatusOr<std::string> TranslateToPostgres(std::string_view sql, const PgCatalog& catalog, int* params) {
  std::string_view rest;
  if (StartsWithWords(sql, "insert or ignore into", &rest)) {
    return NumberParameters("INSERT INTO" + std::string(TrimEnd(rest)) + " ON CONFLICT DO NOTHING", params);
  }
  if (!StartsWithWords(sql, "insert or replace into", &rest)) return NumberParameters(sql, params);
  std::string_view after = rest;
  const std::string table = TakeIdentifier(&after);
  const PgTable* t = table.empty() ? nullptr : catalog(table);
  if (t == nullptr) return Status::InvalidArgument("INSERT OR REPLACE into an unknown table \"" + table + "\"");
  if (t->key.empty()) return Status::InvalidArgument("INSERT OR REPLACE into \"" + table + "\", which has no primary key");
  std::vector<std::string> columns = t->columns;
  after = SkipSpaces(after);
  if (!after.empty() && after.front() == '(') {  // an explicit column list
    columns.clear();
    after.remove_prefix(1);
    while (true) {
      std::string c = TakeIdentifier(&after);
      if (c.empty()) return Status::InvalidArgument("INSERT OR REPLACE: cannot read the column list of " + table);
      columns.push_back(c);
      after = SkipSpaces(after);
      if (after.empty()) return Status::InvalidArgument("INSERT OR REPLACE: unterminated column list");
      const char sep = after.front();
      after.remove_prefix(1);
      if (sep == ')') break;
      if (sep != ',') return Status::InvalidArgument("INSERT OR REPLACE: cannot read the column list of " + table);
    }
  }
  std::vector<std::string> updates;
  for (const std::string& c : columns) {
    bool in_key = false;
    for (const std::string& k : t->key) in_key = in_key || k == c;
    if (!in_key) updates.push_back(c + " = EXCLUDED." + c);
  }
  std::string out = "INSERT INTO" + std::string(TrimEnd(rest)) + " ON CONFLICT (" + Join(t->key) + ") DO ";
  out += updates.empty() ? "NOTHING" : "UPDATE SET " + Join(updates);
  return NumberParameters(out, params);
}

}  // namespace litrank::sql

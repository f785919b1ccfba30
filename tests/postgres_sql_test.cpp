// The SQLite-to-PostgreSQL statement translation (no server needed).
#include <gtest/gtest.h>

#include "store/postgres_sql.h"

namespace litrank::sql {
namespace {

const PgTable kEmbeddings{{"doc", "model", "dims", "text_hash", "vector", "seq"}, {"model", "doc"}};
const PgTable kScores{{"key", "logit"}, {"key"}};
const PgTable kNoKey{{"a", "b"}, {}};

const PgTable* Catalog(const std::string& t) {
  if (t == "embeddings") return &kEmbeddings;
  if (t == "score_cache") return &kScores;
  if (t == "nokey") return &kNoKey;
  return nullptr;
}

std::string Translate(const std::string& sql, int* n) {
  StatusOr<std::string> out = TranslateToPostgres(sql, Catalog, n);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : "";
}

TEST(PostgresSqlTest, NumbersParametersOutsideQuotes) {
  int n = 0;
  EXPECT_EQ(Translate("SELECT a FROM t WHERE b = ? AND c = '?' AND \"d?\" IN (?, ?)", &n),
            "SELECT a FROM t WHERE b = $1 AND c = '?' AND \"d?\" IN ($2, $3)");
  EXPECT_EQ(n, 3);
  EXPECT_EQ(Translate("SELECT 1", &n), "SELECT 1");
  EXPECT_EQ(n, 0);
}

TEST(PostgresSqlTest, InsertOrIgnoreDoesNothingOnConflict) {
  int n = 0;
  EXPECT_EQ(Translate("insert or ignore INTO lex_vocab(term) VALUES (?);", &n),
            "INSERT INTO lex_vocab(term) VALUES ($1) ON CONFLICT DO NOTHING");
  EXPECT_EQ(n, 1);
}

TEST(PostgresSqlTest, InsertOrReplaceUpsertsOnThePrimaryKey) {
  int n = 0;
  // An explicit column list: the key columns are matched, the others replaced.
  EXPECT_EQ(Translate("INSERT OR REPLACE INTO embeddings(doc, model, dims, text_hash, vector, seq) "
                      "SELECT rowid, ?, ?, text_hash, ?, ? FROM documents WHERE rowid = ?", &n),
            "INSERT INTO embeddings(doc, model, dims, text_hash, vector, seq) "
            "SELECT rowid, $1, $2, text_hash, $3, $4 FROM documents WHERE rowid = $5 "
            "ON CONFLICT (model, doc) DO UPDATE SET dims = EXCLUDED.dims, text_hash = EXCLUDED.text_hash, "
            "vector = EXCLUDED.vector, seq = EXCLUDED.seq");
  EXPECT_EQ(n, 5);
  // No column list: every column of the table, in the catalog's order.
  EXPECT_EQ(Translate("INSERT OR REPLACE INTO score_cache VALUES (?, ?)", &n),
            "INSERT INTO score_cache VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET logit = EXCLUDED.logit");
  // Only key columns given: nothing to replace.
  EXPECT_EQ(Translate("INSERT OR REPLACE INTO score_cache(key) VALUES (?)", &n),
            "INSERT INTO score_cache(key) VALUES ($1) ON CONFLICT (key) DO NOTHING");
}

TEST(PostgresSqlTest, RefusesWhatItCannotTranslate) {
  int n = 0;
  EXPECT_EQ(TranslateToPostgres("INSERT OR REPLACE INTO missing VALUES (?)", Catalog, &n).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(TranslateToPostgres("INSERT OR REPLACE INTO nokey VALUES (?, ?)", Catalog, &n).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(TranslateToPostgres("INSERT OR REPLACE INTO score_cache(key, logit VALUES (?)", Catalog, &n).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(TranslateToPostgres("INSERT OR REPLACE INTO score_cache(", Catalog, &n).status().code(),
            Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace litrank::sql

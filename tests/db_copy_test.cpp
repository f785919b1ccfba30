// `db copy`: a collection with something in every table goes from a SQLite file to
// PostgreSQL and back unchanged, resumes where an interrupted copy stopped, keeps
// ids and search results, and refuses what it must not overwrite or mix.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "litrank/corpus.h"
#include "litrank/extract.h"
#include "litrank/reranker.h"
#include "litrank/screening.h"
#include "litrank/search.h"
#include "postgres_fixture.h"
#include "search/vector_persistence.h"
#include "store/collection_copy.h"
#include "store/sql.h"
#include "synth_fixture.h"
#include "util/hash.h"
#include "vector/synthetic_vectors.h"

namespace litrank {
namespace {

using testing::PostgresServer;

// Every table of the collection and the order its rows are compared in (written
// from the schema, independently of the copy's own list).
const std::map<std::string, std::string> kTables = {
    {"meta", "key"}, {"documents", "rowid"}, {"doc_keywords", "keyword, doc"}, {"lex_vocab", "id"},
    {"lex_terms", "doc"}, {"lex_passages", "doc, passage"}, {"embeddings", "model, doc"},
    {"passage_embeddings", "model, doc, passage"}, {"score_cache", "key"}, {"ingest_jobs", "path"},
    {"screen_projects", "name"}, {"screen_labels", "project, doc"}, {"screen_events", "seq"},
    {"screen_prior", "project, doc"}, {"screen_model", "project"}, {"vector_snapshots", "model, dims"},
    {"vector_snapshot_chunks", "id"}, {"extractions", "doc, key"}, {"changes", "seq"}};

// A table's rows as text: each value tagged with its kind, reals to 17 digits, bytes in hex.
std::vector<std::string> Dump(const std::string& where, const std::string& table) {
  auto db = sql::Db::Open(where, false);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  std::string sql = "SELECT * FROM " + table;
  if (table == "meta") sql += " WHERE substr(key, 1, 5) <> 'copy_' AND key <> 'generation'";
  sql::Stmt stmt(*db, sql + " ORDER BY " + kTables.at(table));
  std::vector<std::string> rows;
  while (stmt.Step()) {
    std::string row;
    for (int c = 0; c < stmt.ColumnCount(); ++c) {
      char real[40];
      switch (stmt.Type(c)) {
        case sql::ValueType::kNull: row += "null|"; break;
        case sql::ValueType::kInt: row += "i" + std::to_string(stmt.Int(c)) + "|"; break;
        case sql::ValueType::kReal: std::snprintf(real, sizeof real, "r%.17g|", stmt.Real(c)); row += real; break;
        case sql::ValueType::kText: row += "t" + stmt.Text(c) + "|"; break;
        case sql::ValueType::kBlob: row += "b" + ToHex(stmt.Blob(c)) + "|"; break;
      }
    }
    rows.push_back(row);
  }
  EXPECT_TRUE(stmt.status().ok()) << table << ": " << stmt.status().ToString();
  return rows;
}

int64_t Generation(const std::string& where) {
  auto c = Corpus::Open(where, false);
  EXPECT_TRUE(c.ok());
  return c.ok() ? *(*c)->Generation() : -1;
}

// A SQLite collection with rows in every table.
std::string FullCollection() {
  const std::string path = testing::TempDir() + "/copy-source.db";
  for (const char* s : {"", "-wal", "-shm"}) std::remove((path + s).c_str());
  auto corpus = Corpus::Open(path);
  EXPECT_TRUE(corpus.ok());
  Corpus& c = **corpus;
  std::vector<Document> docs;
  for (int i = 0; i < 40; ++i) {
    Document d;
    d.title = (i % 5 == 0 ? "Statin therapy and dementia, cohort " : "Crop yields under drought, site ") + std::to_string(i);
    d.abstract = "Measured outcome " + std::to_string(i) + " in a sample of older adults.";
    d.year = 2000 + i % 20;
    d.keywords = {"kw" + std::to_string(i % 3)};
    d.citations = i % 4 == 0 ? std::optional<int64_t>() : std::optional<int64_t>(i * 3);
    docs.push_back(d);
  }
  Document long_doc;
  long_doc.title = "A long report";
  for (int w = 0; w < 700; ++w) long_doc.abstract += "word" + std::to_string(w) + " ";
  docs.push_back(long_doc);
  EXPECT_TRUE(c.AddWithJob(docs, IngestJob{"/data/in.jsonl", 100, 7, 41, true}, nullptr).ok());
  const uint32_t dims = 32;
  std::vector<int64_t> ids;
  for (int64_t i = 1; i <= 41; ++i) ids.push_back(i);
  EXPECT_TRUE(c.PutEmbeddings("m", dims, ids, SyntheticEmbeddings(41, dims, 4, 7)).ok());
  std::vector<StoredPassage> passages;
  EXPECT_TRUE(c.ScanPassageVectors([&](const StoredPassage& p, std::string_view) { passages.push_back(p); }).ok());
  EXPECT_FALSE(passages.empty());
  EXPECT_TRUE(c.PutPassageEmbeddings("m", dims, passages, SyntheticEmbeddings(passages.size(), dims, 4, 8)).ok());
  SnapshotPolicy policy;
  policy.min_vectors = 10;
  bool written = false;
  EXPECT_TRUE(MaintainVectorSnapshot(c, "m", dims, policy, &written).ok());
  EXPECT_TRUE(written);
  EXPECT_TRUE(c.PutScores({{"k1", PairScore{1.25, false, 30, 512}}, {std::string("\x00\xff", 2), PairScore{-3.5, true, 512, 512}}}).ok());
  ScreeningSettings settings;
  settings.question = "statins and dementia";
  auto project = ScreeningProject::Create(path, "p", settings, nullptr);
  EXPECT_TRUE(project.ok()) << project.status().ToString();
  auto reranker = Reranker::Open(testing::TinyModel("reranker"));
  EXPECT_TRUE(reranker.ok());
  EXPECT_TRUE((*project)->ComputeRerankerPrior(**reranker, 16, {}, {}).ok());
  EXPECT_TRUE((*project)->Next(3).ok());  // shown events and the saved ranking
  EXPECT_TRUE((*project)->Label(1, ScreenDecision::kInclude, "test").ok());
  EXPECT_TRUE((*project)->Label(2, ScreenDecision::kExclude, "test").ok());
  auto store = ExtractionStore::Open(path);
  EXPECT_TRUE(store.ok());
  Extraction e;
  e.json = R"({"problem":"dementia risk"})";
  EXPECT_TRUE((*store)->Put(1, ExtractionKey{"m", "s", "v", "t", "o"}, e).ok());
  return path;
}

TEST(DbCopyTest, RoundTripThroughPostgresKeepsEveryRowAndResumes) {
  LITRANK_NEED_POSTGRES();
  PostgresServer pg("copy");
  ASSERT_TRUE(pg.Start());
  const std::string source = FullCollection();
  for (const auto& [table, key] : kTables) EXPECT_FALSE(Dump(source, table).empty()) << table << " has no rows to copy";
  const std::string url = pg.NewDatabase("copy");
  CopyOptions o;
  o.batch_rows = 7;
  o.stop_after_batches = 5;  // interrupted inside a table
  CopyReport report;
  EXPECT_EQ(CopyCollection(source, url, o, &report).code(), Status::Code::kCancelled);
  o.stop_after_batches = 0;
  ASSERT_TRUE(CopyCollection(source, url, o, &report).ok());
  EXPECT_TRUE(report.resumed);
  for (const auto& [table, key] : kTables) EXPECT_EQ(Dump(url, table), Dump(source, table)) << table;
  EXPECT_EQ(Generation(url), Generation(source) + 1);  // a server already on the destination reloads
  // One row per batch (fewer than meta holds) copies the same.
  const std::string url1 = pg.NewDatabase("copy_one_row_batches");
  CopyOptions one;
  one.batch_rows = 1;
  one.stop_after_batches = 3;  // and interrupted inside meta
  EXPECT_EQ(CopyCollection(source, url1, one, &report).code(), Status::Code::kCancelled);
  one.stop_after_batches = 0;
  ASSERT_TRUE(CopyCollection(source, url1, one, &report).ok());
  for (const auto& [table, key] : kTables) EXPECT_EQ(Dump(url1, table), Dump(source, table)) << table;
  // Run again: nothing to do.
  ASSERT_TRUE(CopyCollection(source, url, o, &report).ok());
  EXPECT_TRUE(report.already_complete);
  // And back into a new file: the same rows again.
  const std::string back = testing::TempDir() + "/copy-back.db";
  for (const char* s : {"", "-wal", "-shm"}) std::remove((back + s).c_str());
  ASSERT_TRUE(CopyCollection(url, back, CopyOptions{}, &report).ok());
  for (const auto& [table, key] : kTables) EXPECT_EQ(Dump(back, table), Dump(source, table)) << table;
  // The copy searches as the source does, and new rows get new ids.
  auto a = Corpus::Open(source, false), b = Corpus::Open(url, false);
  ASSERT_TRUE(a.ok() && b.ok());
  auto sa = Searcher::Create(a->get(), nullptr, nullptr), sb = Searcher::Create(b->get(), nullptr, nullptr);
  ASSERT_TRUE(sa.ok() && sb.ok());
  SearchOptions so;
  so.rerank = false;
  so.dense = false;
  std::vector<SearchHit> ha, hb;
  SearchReport ra, rb;
  ASSERT_TRUE((*sa)->Search("statin dementia cohort", so, &ha, &ra).ok());
  ASSERT_TRUE((*sb)->Search("statin dementia cohort", so, &hb, &rb).ok());
  ASSERT_EQ(ha.size(), hb.size());
  for (size_t i = 0; i < ha.size(); ++i) EXPECT_EQ(ha[i].document.rowid, hb[i].document.rowid);
  Document fresh;
  fresh.title = "A record added after the copy";
  fresh.abstract = "new";
  ASSERT_TRUE((*b)->Add({fresh}, nullptr).ok());
  EXPECT_EQ((*b)->Get(42)->doc.title, fresh.title);
  EXPECT_EQ(*(*b)->CollectionId(), *(*a)->CollectionId());
}

TEST(DbCopyTest, RefusesToMixOrOverwrite) {
  LITRANK_NEED_POSTGRES();
  PostgresServer pg("copy-refuse");
  ASSERT_TRUE(pg.Start());
  const std::string source = FullCollection();
  CopyReport report;
  EXPECT_EQ(CopyCollection(source, source, CopyOptions{}, &report).code(), Status::Code::kInvalidArgument);
  // A destination holding another collection.
  const std::string other = pg.NewDatabase("other");
  {
    auto c = Corpus::Open(other);
    ASSERT_TRUE(c.ok());
    Document d;
    d.title = "someone else's record";
    ASSERT_TRUE((*c)->Add({d}, nullptr).ok());
  }
  Status st = CopyCollection(source, other, CopyOptions{}, &report);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("already holds a collection"), std::string::npos) << st.ToString();
  // An interrupted copy whose source then changed is not resumed into a mixture.
  const std::string url = pg.NewDatabase("changed");
  CopyOptions o;
  o.batch_rows = 5;
  o.stop_after_batches = 2;
  ASSERT_EQ(CopyCollection(source, url, o, &report).code(), Status::Code::kCancelled);
  {
    auto c = Corpus::Open(source, false);
    ASSERT_TRUE(c.ok());
    Document d;
    d.title = "written between the two runs";
    ASSERT_TRUE((*c)->Add({d}, nullptr).ok());
  }
  st = CopyCollection(source, url, CopyOptions{}, &report);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("source changed"), std::string::npos) << st.ToString();
  // A write that leaves the generation alone (a rerank score) is noticed too.
  const std::string url2 = pg.NewDatabase("scored");
  ASSERT_EQ(CopyCollection(source, url2, o, &report).code(), Status::Code::kCancelled);
  {
    auto c = Corpus::Open(source, false);
    ASSERT_TRUE(c.ok());
    const int64_t generation = *(*c)->Generation();
    ASSERT_TRUE((*c)->PutScores({{"k-new", PairScore{0.5, false, 10, 512}}}).ok());
    ASSERT_EQ(*(*c)->Generation(), generation);
  }
  EXPECT_EQ(CopyCollection(source, url2, CopyOptions{}, &report).code(), Status::Code::kInvalidArgument);
  // A source that is not a collection.
  EXPECT_EQ(CopyCollection(testing::TempDir() + "/no-such.db", url, CopyOptions{}, &report).code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace litrank

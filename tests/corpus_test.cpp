// The corpus file: dedupe, updates, filters, embeddings, score cache, schema checks.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include "litrank/corpus.h"
#include "store/sql.h"
#include "store/term_vector.h"
#include "store_backends.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

using testing::TempDir;

std::string FreshDb(const std::string& name) {
  std::string path = TempDir() + "/" + name + ".db";
  std::remove(path.c_str());
  return path;
}

// The store tests: every one runs on a SQLite file and on a PostgreSQL database.
class CorpusTest : public testing::StoreBackendTest {};
LITRANK_ON_BOTH_BACKENDS(CorpusTest);

Document Paper(std::string title, std::string abstract, int year, std::string doi = "") {
  Document d;
  d.title = std::move(title);
  d.abstract = std::move(abstract);
  d.year = year;
  d.doi = std::move(doi);
  return d;
}

TEST_P(CorpusTest, AddsDedupesAndUpdates) {
  auto corpus = Corpus::Open(FreshCollection("dedupe"));
  ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
  Corpus& c = **corpus;
  std::vector<AddOutcome> out;
  ASSERT_TRUE(c.Add({Paper("Graph neural networks", "We study GNNs.", 2020, "10.1/gnn"),
                     Paper("Lithium plating in fast charging", "Plating detection.", 2021),
                     Paper("A post with no title", "", 0)},
                    &out).ok());
  EXPECT_EQ(out, (std::vector<AddOutcome>{AddOutcome::kAdded, AddOutcome::kAdded, AddOutcome::kAdded}));
  // Same DOI, different title spelling: the same paper, updated with the new abstract.
  // Same normalised title and year without DOI: the same paper (its fields take the
  // newer spelling). Same title, another year: a different record.
  ASSERT_TRUE(c.Add({Paper("Graph Neural Networks!", "We study GNNs in depth.", 2020, "10.1/gnn"),
                     Paper("lithium  plating in fast-charging", "Plating detection.", 2021),
                     Paper("Lithium plating in fast charging", "Plating detection.", 2019)},
                    &out).ok());
  EXPECT_EQ(out, (std::vector<AddOutcome>{AddOutcome::kUpdated, AddOutcome::kUpdated, AddOutcome::kAdded}));
  EXPECT_EQ(*c.Count(), 4);
  EXPECT_EQ(c.Get(2)->doc.title, "lithium  plating in fast-charging");
  auto first = c.Get(1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->doc.abstract, "We study GNNs in depth.");
  EXPECT_EQ(first->doc.language, "en");  // detected on ingest
  // Re-adding exactly the same records changes nothing, not even the generation.
  const int64_t generation = *c.Generation();
  ASSERT_TRUE(c.Add({Paper("Graph Neural Networks!", "We study GNNs in depth.", 2020, "10.1/gnn")}, &out).ok());
  EXPECT_EQ(out, std::vector<AddOutcome>{AddOutcome::kUnchanged});
  EXPECT_EQ(*c.Generation(), generation);
  EXPECT_EQ(c.Get(99).status().code(), Status::Code::kNotFound);
}

TEST_P(CorpusTest, RejectsRecordsWithoutTextAndKeepsTheBatchOut) {
  auto corpus = Corpus::Open(FreshCollection("reject"));
  ASSERT_TRUE(corpus.ok());
  Status st = (*corpus)->Add({Paper("fine", "x", 2020), Paper("", "", 2020)}, nullptr);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("record 1"), std::string::npos) << st.message();
  EXPECT_EQ(*(*corpus)->Count(), 0);  // all or nothing
  Status bad = (*corpus)->Add({Paper("bad \xff utf8", "x", 2020)}, nullptr);
  EXPECT_EQ(bad.code(), Status::Code::kInvalidArgument);
}

TEST_P(CorpusTest, FiltersByYearKeywordAndLanguage) {
  auto corpus = Corpus::Open(FreshCollection("filter"));
  ASSERT_TRUE(corpus.ok());
  Document a = Paper("Battery aging", "Capacity fade.", 2018);
  a.keywords = {"Batteries", "aging"};
  Document b = Paper("深度学习模型", "医学图像分割中的应用。", 2022);
  b.keywords = {"深度学习"};
  Document c = Paper("Battery models", "Equivalent circuits.", 2023);
  ASSERT_TRUE((*corpus)->Add({a, b, c}, nullptr).ok());
  auto ids = [&](const DocumentFilter& f) {
    std::vector<int64_t> out;
    EXPECT_TRUE((*corpus)->FilterRowids(f, &out).ok());
    return out;
  };
  EXPECT_EQ(ids({}), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(ids({2019, 0, {}, {}}), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(ids({0, 2022, {}, {}}), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(ids({0, 0, {"batteries"}, {}}), (std::vector<int64_t>{1}));
  EXPECT_EQ(ids({0, 0, {}, {"zh"}}), (std::vector<int64_t>{2}));
  EXPECT_EQ(ids({0, 0, {"深度学习", "aging"}, {}}), (std::vector<int64_t>{1, 2}));
}

TEST_P(CorpusTest, StoresTermVectorsForTitleAbstractAndKeywords) {
  auto corpus = Corpus::Open(FreshCollection("terms"));
  ASSERT_TRUE(corpus.ok());
  Document d = Paper("Running runners", "ran quickly", 2020);
  d.keywords = {"sprint"};
  ASSERT_TRUE((*corpus)->Add({d}, nullptr).ok());
  std::unordered_map<std::string, uint32_t> vocab;
  ASSERT_TRUE((*corpus)->LoadVocabulary(&vocab).ok());
  EXPECT_TRUE(vocab.count("sprint"));
  EXPECT_TRUE(vocab.count("run"));  // stemmed
  size_t docs = 0;
  ASSERT_TRUE((*corpus)->ScanTermVectors([&](int64_t rowid, uint32_t length, std::string_view bytes) {
    ++docs;
    EXPECT_EQ(rowid, 1);
    std::vector<TermCount> counts;
    ASSERT_TRUE(DecodeTermVector(bytes, &counts));
    uint32_t total = 0;
    for (auto& [id, tf] : counts) total += tf;
    EXPECT_EQ(total, length);
    EXPECT_GE(length, 4u);
  }).ok());
  EXPECT_EQ(docs, 1u);
}

TEST(TermVectorTest, RoundTripAndMalformedInput) {
  std::vector<TermCount> in = {{70000, 3}, {5, 1}, {130, 200}};
  std::string bytes = EncodeTermVector(in);
  std::vector<TermCount> out;
  ASSERT_TRUE(DecodeTermVector(bytes, &out));
  EXPECT_EQ(out, (std::vector<TermCount>{{5, 1}, {130, 200}, {70000, 3}}));
  EXPECT_FALSE(DecodeTermVector(bytes.substr(0, bytes.size() - 1) + "\x80", &out));
}

TEST_P(CorpusTest, EmbeddingsFollowTheTextAndSequenceNumbers) {
  auto corpus = Corpus::Open(FreshCollection("embed"));
  ASSERT_TRUE(corpus.ok());
  Corpus& c = **corpus;
  ASSERT_TRUE(c.Add({Paper("one", "a", 2020), Paper("two", "b", 2020)}, nullptr).ok());
  std::vector<StoredDocument> todo;
  ASSERT_TRUE(c.DocumentsNeedingEmbedding("m", 10, &todo).ok());
  EXPECT_EQ(todo.size(), 2u);
  ASSERT_TRUE(c.PutEmbeddings("m", 2, {1}, {0.6f, 0.8f}).ok());
  ASSERT_TRUE(c.PutEmbeddings("m", 2, {2}, {1.0f, 0.0f}).ok());
  EXPECT_EQ(*c.CountEmbeddings("m"), 2);
  EXPECT_EQ(*c.CountEmbeddings("other"), 0);
  int64_t max_seq = -1;
  std::vector<int64_t> seen;
  ASSERT_TRUE(c.ScanEmbeddings("m", 1, [&](int64_t id, const float* v, uint32_t dims) {
    seen.push_back(id);
    EXPECT_EQ(dims, 2u);
    EXPECT_FLOAT_EQ(v[0], 1.0f);
  }, &max_seq).ok());
  EXPECT_EQ(seen, std::vector<int64_t>{2});  // only what came after sequence 1
  EXPECT_EQ(max_seq, 2);
  // Changing a document's text makes its embedding stale.
  ASSERT_TRUE(c.Add({Paper("one", "a changed abstract", 2020)}, nullptr).ok());
  EXPECT_EQ(*c.CountEmbeddings("m"), 1);
  todo.clear();
  ASSERT_TRUE(c.DocumentsNeedingEmbedding("m", 10, &todo).ok());
  ASSERT_EQ(todo.size(), 1u);
  EXPECT_EQ(todo[0].rowid, 1);
  EXPECT_EQ(c.PutEmbeddings("m", 2, {1}, {0.5f}).code(), Status::Code::kInvalidArgument);
}

TEST_P(CorpusTest, ScoreCachePersistsAcrossOpens) {
  const std::string path = FreshCollection("scores");
  {
    auto c = Corpus::Open(path);
    ASSERT_TRUE(c.ok());
    EXPECT_FALSE((*c)->GetScore("k1").has_value());
    ASSERT_TRUE((*c)->PutScores({{"k1", PairScore{1.5, true, 40, 64}}}).ok());
  }
  auto c = Corpus::Open(path, /*create=*/false);
  ASSERT_TRUE(c.ok());
  auto s = (*c)->GetScore("k1");
  ASSERT_TRUE(s.has_value());
  EXPECT_DOUBLE_EQ(s->logit, 1.5);
  EXPECT_TRUE(s->truncated);
  EXPECT_EQ(s->tokens, 40u);
  EXPECT_EQ(s->max_length, 64u);
}

TEST(CorpusFileTest, RefusesWhatIsNotACollection) {
  EXPECT_EQ(Corpus::Open(TempDir() + "/missing.db", /*create=*/false).status().code(), Status::Code::kNotFound);
  const std::string text = TempDir() + "/not-sqlite.db";
  std::ofstream(text) << "this is not a database, just some text that is long enough to be a header......\n";
  auto a = Corpus::Open(text);
  EXPECT_EQ(a.status().code(), Status::Code::kCorruption) << a.status().ToString();
  const std::string foreign = FreshDb("foreign");
  {
    auto db = sql::Db::Open(foreign, true);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE t(x)").ok());
  }
  auto b = Corpus::Open(foreign);
  EXPECT_EQ(b.status().code(), Status::Code::kCorruption);
  EXPECT_NE(b.status().message().find("not a litrank collection"), std::string::npos);
  const std::string newer = FreshDb("newer");
  {
    ASSERT_TRUE(Corpus::Open(newer).ok());
    auto db = sql::Db::Open(newer, false);
    ASSERT_TRUE(db->Exec("PRAGMA user_version = 99").ok());
  }
  auto n = Corpus::Open(newer);
  EXPECT_EQ(n.status().code(), Status::Code::kCorruption);
  EXPECT_NE(n.status().message().find("newer"), std::string::npos);
}

TEST_P(CorpusTest, IngestJobIsRecordedWithTheBatch) {
  auto corpus = Corpus::Open(FreshCollection("job"));
  ASSERT_TRUE(corpus.ok());
  IngestJob job{"/data/x.ris", 100, 7, 2, false};
  ASSERT_TRUE((*corpus)->AddWithJob({Paper("a", "b", 1)}, job, nullptr).ok());
  auto got = (*corpus)->GetJob("/data/x.ris");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->records_done, 2);
  EXPECT_FALSE((*got)->finished);
  EXPECT_FALSE((*(*corpus)->GetJob("/other")).has_value());
}

}  // namespace
}  // namespace litrank

namespace litrank {
namespace {

TEST_P(CorpusTest, GenericTitlesDoNotMergeDifferentWorks) {
  auto corpus = Corpus::Open(FreshCollection("generic"));
  ASSERT_TRUE(corpus.ok());
  Document a = Paper("Summary", "Steroid receptor RNA activator augments...", 0);
  a.id = "885056";
  Document b = Paper("Summary", "Glomerular basement membrane and podocalyxin...", 0);
  b.id = "13492264";
  std::vector<AddOutcome> out;
  ASSERT_TRUE((*corpus)->Add({a, b}, &out).ok());
  EXPECT_EQ(out, (std::vector<AddOutcome>{AddOutcome::kAdded, AddOutcome::kAdded}));
  // Re-ingesting either finds its own row again; nothing is lost or duplicated.
  ASSERT_TRUE((*corpus)->Add({b, a}, &out).ok());
  EXPECT_EQ(out, (std::vector<AddOutcome>{AddOutcome::kUnchanged, AddOutcome::kUnchanged}));
  b.abstract += " (corrected)";
  ASSERT_TRUE((*corpus)->Add({b}, &out).ok());
  EXPECT_EQ(out, std::vector<AddOutcome>{AddOutcome::kUpdated});
  EXPECT_EQ((*corpus)->Get(2)->doc.abstract, b.abstract);
  EXPECT_EQ((*corpus)->Get(1)->doc.abstract, a.abstract);
  EXPECT_EQ(*(*corpus)->Count(), 2);
}

}  // namespace
}  // namespace litrank

namespace litrank {
namespace {

// Two connections writing overlapping batches at once (two replicas, say): each
// record is stored once, whichever writer got it first, and nothing is lost.
TEST_P(CorpusTest, ConcurrentWritersOnTwoConnectionsDedupeEveryRecord) {
  const std::string where = FreshCollection("two_writers");
  auto a = Corpus::Open(where);
  auto b = Corpus::Open(where);
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
  constexpr int kDocs = 60;
  auto batch = [](int from, int to) {
    std::vector<Document> docs;
    for (int i = from; i < to; ++i) docs.push_back(Paper("Record number " + std::to_string(i), "Text " + std::to_string(i), 2000 + i % 20, "10.9/" + std::to_string(i)));
    return docs;
  };
  Status sa, sb;
  std::thread ta([&] {
    for (int i = 0; i < kDocs && sa.ok(); i += 10) sa = (*a)->Add(batch(i, i + 10), nullptr);
  });
  std::thread tb([&] {  // the same records, from the other end
    for (int i = kDocs; i > 0 && sb.ok(); i -= 10) sb = (*b)->Add(batch(i - 10, i), nullptr);
  });
  ta.join();
  tb.join();
  ASSERT_TRUE(sa.ok()) << sa.ToString();
  ASSERT_TRUE(sb.ok()) << sb.ToString();
  EXPECT_EQ(*(*a)->Count(), kDocs);
  std::vector<int64_t> ids;
  ASSERT_TRUE((*b)->FilterRowids({}, &ids).ok());
  std::vector<StoredDocument> docs;
  ASSERT_TRUE((*b)->GetMany(ids, &docs).ok());
  std::set<std::string> dois;
  for (const StoredDocument& d : docs) dois.insert(d.doc.doi);
  EXPECT_EQ(dois.size(), static_cast<size_t>(kDocs));
}

// What a PostgreSQL URL that is not a usable collection gives: clear errors, no crash.
class PostgresOpenTest : public testing::StoreBackendTest {};
INSTANTIATE_TEST_SUITE_P(Backends, PostgresOpenTest, ::testing::Values(testing::StoreBackend::kPostgres),
                         testing::StoreBackendName);

TEST_P(PostgresOpenTest, RefusesWhatIsNotACollection) {
  const std::string empty = FreshCollection("empty");
  auto none = Corpus::Open(empty, /*create=*/false);
  EXPECT_EQ(none.status().code(), Status::Code::kNotFound) << none.status().ToString();
  EXPECT_NE(none.status().message().find("no litrank collection"), std::string::npos);
  const std::string missing = postgres()->url("no_such_database");
  auto m = Corpus::Open(missing);
  EXPECT_EQ(m.status().code(), Status::Code::kNotFound) << m.status().ToString();
  const std::string foreign = FreshCollection("foreign");
  {
    auto db = sql::Db::Open(foreign, true);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE(db->Exec("CREATE TABLE t(x int)").ok());
  }
  auto f = Corpus::Open(foreign);
  EXPECT_EQ(f.status().code(), Status::Code::kCorruption) << f.status().ToString();
  EXPECT_NE(f.status().message().find("not a litrank collection"), std::string::npos);
  const std::string newer = FreshCollection("newer");
  {
    ASSERT_TRUE(Corpus::Open(newer).ok());
    auto db = sql::Db::Open(newer, false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("UPDATE litrank_schema SET version = 99").ok());
  }
  auto n = Corpus::Open(newer);
  EXPECT_EQ(n.status().code(), Status::Code::kCorruption);
  EXPECT_NE(n.status().message().find("newer"), std::string::npos);
  // A server that is not there: Unavailable (try again), not a crash or a hang past connect_timeout.
  const int dead = testing::FreePort();
  auto u = Corpus::Open("postgresql://litrank@127.0.0.1:" + std::to_string(dead) + "/x");
  EXPECT_EQ(u.status().code(), Status::Code::kUnavailable) << u.status().ToString();
}

// A server restarted while the connection was idle: the next statement goes
// through on a new connection (nothing to report: it was not in a transaction);
// a text PostgreSQL cannot hold (a NUL inside) is refused, not cut.
TEST_P(PostgresOpenTest, AnIdleConnectionRidesOutARestartAndNulIsRefused) {
  const std::string where = FreshCollection("idle");
  auto c = Corpus::Open(where);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE((*c)->Add({Paper("Before", "x", 2020)}, nullptr).ok());
  postgres()->Stop(SIGINT);
  ASSERT_TRUE(postgres()->Start());
  EXPECT_EQ(*(*c)->Count(), 1);  // the first statement after the restart
  ASSERT_TRUE((*c)->Add({Paper("After", "y", 2020)}, nullptr).ok());
  EXPECT_EQ(*(*c)->Count(), 2);
  std::vector<AddOutcome> out;
  const Status nul = (*c)->Add({Paper("Title", std::string("ab\0cd", 5), 2021)}, &out);
  EXPECT_EQ(nul.code(), Status::Code::kInvalidArgument) << nul.ToString();
  EXPECT_NE(nul.message().find("NUL"), std::string::npos) << nul.ToString();
  EXPECT_EQ(*(*c)->Count(), 2);  // nothing of that batch kept
}

// A restarted server: the statement after it reconnects; a transaction that was
// open when the connection died fails as a whole, and nothing of it is stored.
TEST_P(PostgresOpenTest, ReconnectsAfterARestartAndNeverHalfWrites) {
  const std::string where = FreshCollection("restart");
  auto c = Corpus::Open(where);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE((*c)->Add({Paper("Before the restart", "x", 2020)}, nullptr).ok());
  postgres()->Stop(SIGQUIT);  // immediate shutdown: a crash, recovered from the WAL
  Status down = (*c)->Add({Paper("While it is down", "y", 2020)}, nullptr);
  EXPECT_EQ(down.code(), Status::Code::kUnavailable) << down.ToString();
  ASSERT_TRUE(postgres()->Start());
  ASSERT_TRUE((*c)->Add({Paper("After the restart", "z", 2020)}, nullptr).ok());
  EXPECT_EQ(*(*c)->Count(), 2);
  auto raw = sql::Db::Open(where, false);
  ASSERT_TRUE(raw.ok());
  {
    sql::Transaction tx(*raw);
    ASSERT_TRUE(tx.status().ok());
    sql::Stmt put(*raw, "INSERT INTO meta VALUES ('half', 'written')");
    ASSERT_TRUE(put.Run().ok());
    postgres()->Stop(SIGQUIT);
    ASSERT_TRUE(postgres()->Start());
    sql::Stmt more(*raw, "INSERT INTO meta VALUES ('other', 'half')");
    EXPECT_EQ(more.Run().code(), Status::Code::kUnavailable);  // not silently in a new, autocommitted session
    EXPECT_FALSE(tx.Commit().ok());
  }
  sql::Stmt check(*raw, "SELECT count(*) FROM meta WHERE key IN ('half', 'other')");
  ASSERT_TRUE(check.Step()) << check.status().ToString();
  EXPECT_EQ(check.Int(0), 0);
}

}  // namespace
}  // namespace litrank

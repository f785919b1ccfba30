// The change log and the BM25 index that catches up from it, on both back ends:
// a reader's index brought forward over another connection's adds and updates
// ranks exactly as an index built afresh, for every passage mode.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "litrank/corpus.h"
#include "search/bm25_index.h"
#include "search/dense_retriever.h"
#include "store_backends.h"
#include "text/analyzer.h"
#include "vector/synthetic_vectors.h"

namespace litrank {
namespace {

class ChangeLogTest : public testing::StoreBackendTest {};
LITRANK_ON_BOTH_BACKENDS(ChangeLogTest);

// Records of one year: the same title is the same record (updated in place).
Document Doc(const std::string& title, const std::string& abstract) {
  Document d;
  d.title = title;
  d.abstract = abstract;
  d.year = 2020;
  return d;
}

std::string Words(const std::string& stem, int n) {
  std::string text;
  for (int i = 0; i < n; ++i) text += stem + std::to_string(i % 97) + " ";
  return text;
}

std::vector<std::string> Terms(Corpus& c, const std::string& query) {
  AnalyzerOptions o;
  o.stemmer = c.analyzer_stemmer();
  auto analyzer = Analyzer::Create(o);
  std::vector<std::string> terms;
  (*analyzer)->Analyze(query, &terms);
  return terms;
}

// Every hit, exactly: rowid, score, passage and its span.
void ExpectSameHits(const Bm25Index& got, const Bm25Index& want, const std::vector<std::string>& terms) {
  std::vector<LexicalHit> a, b;
  got.Search(terms, 1000, Bm25Params{}, nullptr, &a);
  want.Search(terms, 1000, Bm25Params{}, nullptr, &b);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].rowid, b[i].rowid) << i;
    EXPECT_EQ(a[i].score, b[i].score) << i;
    EXPECT_EQ(a[i].passage, b[i].passage) << i;
    EXPECT_EQ(a[i].begin, b[i].begin) << i;
  }
}

TEST_P(ChangeLogTest, ChangesSinceListsEachWrittenDocumentOnce) {
  const std::string where = FreshCollection("log");
  auto c = Corpus::Open(where);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(*(*c)->LastChange(), 0);
  ASSERT_TRUE((*c)->Add({Doc("one", "alpha"), Doc("two", "beta"), Doc("three", "gamma")}, nullptr).ok());
  ASSERT_TRUE((*c)->Add({Doc("two", "beta revised"), Doc("one", "alpha")}, nullptr).ok());  // "one" unchanged
  std::vector<int64_t> docs;
  int64_t last = 0;
  bool complete = false;
  ASSERT_TRUE((*c)->ChangesSince(0, 100, &docs, &last, &complete).ok());
  EXPECT_TRUE(complete);
  EXPECT_EQ(docs, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(last, *(*c)->LastChange());
  ASSERT_TRUE((*c)->ChangesSince(last, 100, &docs, &last, &complete).ok());
  EXPECT_TRUE(docs.empty());
  // At most `limit` changes are read at a time; the rest follow.
  ASSERT_TRUE((*c)->ChangesSince(0, 2, &docs, &last, &complete).ok());
  EXPECT_EQ(docs, (std::vector<int64_t>{1, 2}));
  ASSERT_TRUE((*c)->ChangesSince(last, 100, &docs, &last, &complete).ok());
  EXPECT_EQ(docs, (std::vector<int64_t>{2, 3}));
}

TEST_P(ChangeLogTest, AnIndexCaughtUpRanksAsAFreshBuild) {
  const std::string where = FreshCollection("catchup");
  auto writer = Corpus::Open(where);
  auto reader = Corpus::Open(where);
  ASSERT_TRUE(writer.ok() && reader.ok());
  std::vector<Document> docs;
  for (int i = 0; i < 40; ++i) docs.push_back(Doc("paper " + std::to_string(i), "mitochondria zygote sample " + Words("w", 10 + i)));
  docs.push_back(Doc("long paper", Words("filler", 600) + " mitochondria result " + Words("tail", 200)));
  docs.push_back(Doc("short becoming long", "mitochondria"));
  ASSERT_TRUE((*writer)->Add(docs, nullptr).ok());
  for (PassageMode mode : {PassageMode::kMax, PassageMode::kFirst, PassageMode::kWhole}) {
    SCOPED_TRACE(static_cast<int>(mode));
    auto index = Bm25Index::Build(**reader, mode);
    ASSERT_TRUE(index.ok());
    // Another connection: new documents, changed ones, a long one made short and a short one long.
    const std::string round = std::to_string(static_cast<int>(mode));
    std::vector<Document> more = {Doc("new zygote paper " + round, "zygote zygote novelterm" + round),
                                  Doc("paper 3", "mitochondria rewritten with novelterm" + round),
                                  Doc("long paper", "now short: mitochondria " + round),
                                  Doc("short becoming long", Words("grown", 700) + " zygote " + round)};
    ASSERT_TRUE((*writer)->Add(more, nullptr).ok());
    StatusOr<bool> caught = (*index)->CatchUp(**reader);
    ASSERT_TRUE(caught.ok()) << caught.status().ToString();
    ASSERT_TRUE(*caught);
    EXPECT_EQ((*index)->caught_up(), 4u);
    EXPECT_EQ((*index)->generation(), *(*reader)->Generation());
    auto fresh = Bm25Index::Build(**reader, mode);
    ASSERT_TRUE(fresh.ok());
    EXPECT_EQ((*index)->size(), (*fresh)->size());
    for (const std::string& q : std::vector<std::string>{"mitochondria", "zygote", "novelterm" + round, "filler3 tail5", "grown7 zygote", "sample w3"}) {
      SCOPED_TRACE(q);
      ExpectSameHits(**index, **fresh, Terms(**reader, q));
    }
    // Nothing new: caught up at once, nothing re-read.
    const size_t before = (*index)->caught_up();
    ASSERT_TRUE(*(*index)->CatchUp(**reader));
    EXPECT_EQ((*index)->caught_up(), before);
  }
}

TEST_P(ChangeLogTest, TooMuchChangedAtOnceAsksForARebuild) {
  const std::string where = FreshCollection("rebuild");
  auto c = Corpus::Open(where);
  ASSERT_TRUE(c.ok());
  std::vector<Document> docs;
  for (int i = 0; i < 20; ++i) docs.push_back(Doc("paper " + std::to_string(i), "first text " + std::to_string(i)));
  ASSERT_TRUE((*c)->Add(docs, nullptr).ok());
  auto index = Bm25Index::Build(**c);
  ASSERT_TRUE(index.ok());
  for (Document& d : docs) d.abstract += " changed";  // every unit replaced: rebuilding is cheaper
  ASSERT_TRUE((*c)->Add(docs, nullptr).ok());
  StatusOr<bool> caught = (*index)->CatchUp(**c);
  ASSERT_TRUE(caught.ok());
  EXPECT_FALSE(*caught);
}

// The dense side: a changed document leaves the index until embedded again, vectors
// stored since (a re-embedded document, a new one) join it; the result is what a
// reopened index gives, exactly (exact index).
TEST_P(ChangeLogTest, ADenseIndexCaughtUpFindsWhatAReopenedOneFinds) {
  const std::string where = FreshCollection("dense");
  auto writer = Corpus::Open(where);
  auto reader = Corpus::Open(where);
  ASSERT_TRUE(writer.ok() && reader.ok());
  constexpr uint32_t kDims = 32;
  std::vector<Document> docs;
  for (int i = 1; i <= 30; ++i) docs.push_back(Doc("paper " + std::to_string(i), "text " + std::to_string(i)));  // rowid i
  ASSERT_TRUE((*writer)->Add(docs, nullptr).ok());
  const std::vector<float> vectors = SyntheticEmbeddings(40, kDims, 5, 11);  // the last 8 are queries
  std::vector<int64_t> ids;
  for (int64_t i = 1; i <= 30; ++i) ids.push_back(i);
  ASSERT_TRUE((*writer)->PutEmbeddings("m", kDims, ids, std::vector<float>(vectors.begin(), vectors.begin() + 30 * kDims)).ok());
  auto index = DenseRetriever::Open(**reader, "m", kDims, 1000, false);
  ASSERT_TRUE(index.ok());
  EXPECT_FALSE(*(*index)->HasNewVectors(**reader));
  // Doc 3's text changes (its vector is stale), doc 5 and a new doc 31 get vectors.
  ASSERT_TRUE((*writer)->Add({Doc("paper 3", "a different text"), Doc("paper 31", "new")}, nullptr).ok());
  ASSERT_EQ((*writer)->Get(3)->doc.abstract, "a different text");
  ASSERT_EQ((*writer)->Get(31)->doc.title, "paper 31");
  ASSERT_TRUE((*writer)->PutEmbeddings("m", kDims, {5, 31},
                                       std::vector<float>(vectors.begin() + 30 * kDims, vectors.begin() + 32 * kDims)).ok());
  EXPECT_TRUE(*(*index)->HasNewVectors(**reader));
  StatusOr<bool> caught = (*index)->CatchUp(**reader);
  ASSERT_TRUE(caught.ok()) << caught.status().ToString();
  ASSERT_TRUE(*caught);
  EXPECT_FALSE(*(*index)->HasNewVectors(**reader));
  auto fresh = DenseRetriever::Open(**reader, "m", kDims, 1000, false);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ((*index)->size(), 30u);  // 30 - doc 3 + doc 31
  EXPECT_EQ((*index)->size(), (*fresh)->size());
  for (size_t q = 32; q < 40; ++q) {
    std::vector<DenseHit> a, b;
    ASSERT_TRUE((*index)->Search(vectors.data() + q * kDims, 40, nullptr, &a).ok());
    ASSERT_TRUE((*fresh)->Search(vectors.data() + q * kDims, 40, nullptr, &b).ok());
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].rowid, b[i].rowid);
      EXPECT_EQ(a[i].score, b[i].score);
      EXPECT_NE(a[i].rowid, 3);  // stale until embedded again
    }
  }
  // An update that leaves the text alone (the year) keeps the document's vector.
  Document moved = Doc("paper 7", "text 7");
  moved.year = 2020;
  moved.keywords = {"new keyword"};
  std::vector<AddOutcome> outcome;
  ASSERT_TRUE((*writer)->Add({moved}, &outcome).ok());
  ASSERT_EQ(outcome, std::vector<AddOutcome>{AddOutcome::kUpdated});
  ASSERT_TRUE(*(*index)->CatchUp(**reader));
  EXPECT_EQ((*index)->size(), 30u);
  std::vector<DenseHit> seven;
  ASSERT_TRUE((*index)->Search(vectors.data() + 6 * kDims, 1, nullptr, &seven).ok());  // doc 7's own vector
  ASSERT_EQ(seven.size(), 1u);
  EXPECT_EQ(seven[0].rowid, 7);
  // An exact index that outgrows the threshold asks to be reopened as a graph.
  auto small = DenseRetriever::Open(**reader, "m", kDims, 30, false);
  ASSERT_TRUE(small.ok());
  ASSERT_TRUE((*writer)->Add({Doc("paper 32", "newer")}, nullptr).ok());
  ASSERT_TRUE((*writer)->PutEmbeddings("m", kDims, {32}, std::vector<float>(vectors.begin() + 32 * kDims, vectors.begin() + 33 * kDims)).ok());
  EXPECT_FALSE(*(*small)->CatchUp(**reader));
}

}  // namespace
}  // namespace litrank

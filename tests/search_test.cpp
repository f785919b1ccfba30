// BM25 scoring, fusion and the search pipeline over a corpus (tiny random models:
// the reranker's scores mean nothing; the plumbing and the cache are what is tested).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "litrank/corpus.h"
#include "litrank/reranker.h"
#include "litrank/search.h"
#include "search/bm25_index.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

using testing::TempDir;

std::unique_ptr<Corpus> NewCorpus(const std::string& name, const std::vector<std::pair<std::string, int>>& titles) {
  const std::string path = TempDir() + "/" + name + ".db";
  std::remove(path.c_str());
  auto corpus = Corpus::Open(path);
  EXPECT_TRUE(corpus.ok()) << corpus.status().ToString();
  std::vector<Document> docs;
  for (const auto& [title, year] : titles) {
    Document d;
    d.title = title;
    d.year = year;
    docs.push_back(d);
  }
  EXPECT_TRUE((*corpus)->Add(docs, nullptr).ok());
  return std::move(*corpus);
}

TEST(Bm25Test, MatchesTheLuceneFormulaByHand) {
  auto corpus = NewCorpus("bm25", {{"alpha beta", 2020}, {"alpha alpha gamma", 2021}, {"delta", 2022}});
  auto index = Bm25Index::Build(*corpus);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)->size(), 3u);
  std::vector<LexicalHit> hits;
  Bm25Params p;  // k1 0.9, b 0.4
  (*index)->Search({"alpha"}, 10, p, nullptr, &hits);
  ASSERT_EQ(hits.size(), 2u);
  // N = 3, df(alpha) = 2, lengths 2, 3, 1 -> avg 2.
  const double idf = std::log(1.0 + (3 - 2 + 0.5) / (2 + 0.5));
  const double doc1 = idf * 1 / (1 + p.k1 * (1 - p.b + p.b * 2 / 2.0));
  const double doc2 = idf * 2 / (2 + p.k1 * (1 - p.b + p.b * 3 / 2.0));
  EXPECT_EQ(hits[0].rowid, 2);
  EXPECT_NEAR(hits[0].score, doc2, 1e-6);
  EXPECT_EQ(hits[1].rowid, 1);
  EXPECT_NEAR(hits[1].score, doc1, 1e-6);
  // A repeated query term counts twice; an unknown term adds nothing.
  (*index)->Search({"alpha", "alpha", "zzz"}, 10, p, nullptr, &hits);
  EXPECT_NEAR(hits[0].score, 2 * doc2, 1e-6);
  // Only allowed rowids; n caps the list.
  std::vector<int64_t> allowed = {1, 3};
  (*index)->Search({"alpha"}, 10, p, &allowed, &hits);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].rowid, 1);
  (*index)->Search({"alpha", "delta"}, 1, p, nullptr, &hits);
  EXPECT_EQ(hits.size(), 1u);
}

TEST(Bm25Test, TiesBreakBySmallerRowid) {
  auto corpus = NewCorpus("ties", {{"same words", 1}, {"other", 1}, {"same words", 2}});
  auto index = Bm25Index::Build(*corpus);
  ASSERT_TRUE(index.ok());
  std::vector<LexicalHit> hits;
  (*index)->Search({"same"}, 10, {}, nullptr, &hits);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].rowid, 1);
  EXPECT_EQ(hits[1].rowid, 3);
  EXPECT_EQ(hits[0].score, hits[1].score);
}

TEST(FusionTest, ReciprocalRankFusionByHand) {
  auto fused = ReciprocalRankFusion({{1, 2, 3}, {3, 4}}, 60);
  ASSERT_EQ(fused.size(), 4u);
  EXPECT_EQ(fused[0].first, 3);
  EXPECT_NEAR(fused[0].second, 1.0 / 63 + 1.0 / 61, 1e-12);
  EXPECT_EQ(fused[1].first, 1);
  EXPECT_EQ(fused[2].first, 2);  // 2 and 4 tie at 1/62: smaller rowid first
  EXPECT_EQ(fused[3].first, 4);
  EXPECT_NEAR(fused[3].second, 1.0 / 62, 1e-12);
}

TEST(SearchTest, Bm25AloneSaysSoAndHonoursFilters) {
  auto corpus = NewCorpus("search", {{"Lithium plating during fast charging", 2019},
                                     {"Graph neural networks for molecules", 2021},
                                     {"Detecting lithium plating with impedance", 2023}});
  auto searcher = Searcher::Create(corpus.get(), nullptr, nullptr);
  ASSERT_TRUE(searcher.ok());
  std::vector<SearchHit> hits;
  SearchReport report;
  ASSERT_TRUE((*searcher)->Search("lithium plating", {}, &hits, &report).ok());
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(report.stages, std::vector<std::string>{"bm25"});
  ASSERT_EQ(report.notes.size(), 2u);  // no embedder, no reranker
  EXPECT_NE(report.notes[0].find("dense recall skipped"), std::string::npos);
  EXPECT_NE(report.notes[1].find("no reranker"), std::string::npos);
  EXPECT_EQ(hits[0].trace.bm25_rank, 1u);
  EXPECT_DOUBLE_EQ(hits[0].score, hits[0].trace.bm25_score);
  SearchOptions o;
  o.filter.year_min = 2020;
  ASSERT_TRUE((*searcher)->Search("lithium plating", o, &hits, &report).ok());
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].document.doc.year, 2023);
  o = {};
  o.top_k = 1;
  ASSERT_TRUE((*searcher)->Search("lithium plating", o, &hits, &report).ok());
  EXPECT_EQ(hits.size(), 1u);
  EXPECT_EQ((*searcher)->Search("  ", {}, &hits, &report).code(), Status::Code::kInvalidArgument);
  o = {};
  o.bm25 = false;
  EXPECT_EQ((*searcher)->Search("x", o, &hits, &report).code(), Status::Code::kInvalidArgument);
}

TEST(SearchTest, NewDocumentsAreFoundWithoutReopening) {
  auto corpus = NewCorpus("fresh", {{"alpha", 1}});
  auto searcher = Searcher::Create(corpus.get(), nullptr, nullptr);
  ASSERT_TRUE(searcher.ok());
  std::vector<SearchHit> hits;
  SearchReport report;
  ASSERT_TRUE((*searcher)->Search("beta", {}, &hits, &report).ok());
  EXPECT_TRUE(hits.empty());
  Document d;
  d.title = "beta";
  ASSERT_TRUE(corpus->Add({d}, nullptr).ok());
  ASSERT_TRUE((*searcher)->Search("beta", {}, &hits, &report).ok());
  EXPECT_EQ(hits.size(), 1u);
}

TEST(SearchTest, RerankScoresPersistSoARepeatedSearchCostsNoModelTime) {
  const std::string path = TempDir() + "/rerank-cache.db";
  std::remove(path.c_str());
  {
    auto corpus = Corpus::Open(path);
    ASSERT_TRUE(corpus.ok());
    std::vector<Document> docs;
    for (std::string t : {"battery plating study", "battery aging study", "plating of metals",
                          "battery plating study"}) {  // the last one is the same text, another year
      Document d;
      d.title = t;
      d.year = static_cast<int>(docs.size()) + 2000;
      docs.push_back(d);
    }
    ASSERT_TRUE((*corpus)->Add(docs, nullptr).ok());
  }
  SearchOptions o;
  o.top_k = 0;
  std::vector<SearchHit> first, second;
  for (auto* hits : {&first, &second}) {
    // A new corpus handle and a new reranker each time: only the file can remember.
    auto corpus = Corpus::Open(path, false);
    ASSERT_TRUE(corpus.ok());
    auto reranker = Reranker::Open(testing::TinyModel("reranker"));
    ASSERT_TRUE(reranker.ok()) << reranker.status().ToString();
    auto searcher = Searcher::Create(corpus->get(), reranker->get(), nullptr);
    ASSERT_TRUE(searcher.ok());
    SearchReport report;
    ASSERT_TRUE((*searcher)->Search("battery plating", o, hits, &report).ok());
    ASSERT_EQ(report.stages, (std::vector<std::string>{"bm25", "rerank"}));
    if (hits == &first) {
      EXPECT_GT(report.rerank_decoded_tokens, 0u);
      EXPECT_EQ(report.rerank_cache_hits, 1u);  // identical texts are scored once
    } else {
      EXPECT_EQ(report.rerank_decoded_tokens, 0u);
      EXPECT_EQ(report.rerank_cache_hits, hits->size());
    }
  }
  ASSERT_EQ(first.size(), 4u);
  ASSERT_EQ(second.size(), first.size());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].document.rowid, second[i].document.rowid);
    EXPECT_DOUBLE_EQ(first[i].score, second[i].score);
    EXPECT_DOUBLE_EQ(first[i].score, first[i].trace.rerank_score);
    EXPECT_TRUE(second[i].trace.rerank_cached);
    EXPECT_TRUE(first[i].trace.bm25_rank.has_value());
    EXPECT_EQ(first[i].trace.rerank_rank, i + 1);
    if (i > 0) {
      EXPECT_GE(first[i - 1].score, first[i].score);
    }
  }
}

}  // namespace
}  // namespace litrank

// Dense recall of long documents: every passage window embedded beside the
// document (`embed`), dropped and redone when the text changes, and a long
// document scoring as the best of its own embedding and its passages' (MaxP).
// Random-weight tiny models: the tests check the rule, against vectors computed
// here directly from the embedder, not whether the scores mean anything.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include "litrank/corpus.h"
#include "litrank/embedder.h"
#include "litrank/reranker.h"
#include "litrank/search.h"
#include "search/bm25_index.h"
#include "search/corpus_embedding.h"
#include "store/sql.h"
#include "synth_fixture.h"
#include "text/analyzer.h"
#include "text/passages.h"

namespace litrank {
namespace {

using testing::TempDir;

std::string Words(size_t n, const std::string& prefix) {
  std::string text;
  for (size_t i = 0; i < n; ++i) text += (i ? " " : "") + prefix + std::to_string(i % 97);
  return text;
}

struct Fixture {
  std::string path;
  std::unique_ptr<Corpus> corpus;
  std::unique_ptr<Embedder> embedder;
  Document long_abstract, full_text, short_doc;

  explicit Fixture(const std::string& name) {
    path = TempDir() + "/" + name + ".db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    auto opened = Corpus::Open(path);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    corpus = std::move(*opened);
    EmbedderConfig config;
    config.flash_attention = false;  // exact f32 attention: vectors comparable across batches
    auto e = Embedder::Open(testing::TinyModel("embedding"), config);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    embedder = std::move(*e);
    long_abstract.title = "A patent on gears";
    long_abstract.abstract = Words(600, "gear") + " helical sprocket lubrication " + Words(200, "tooth");
    full_text.title = "A paper from a PDF";
    full_text.abstract = "We study quasiperiodic tilings.";
    full_text.extra_json = R"({"full_text":")" + Words(700, "body") + R"( quasicrystal lattice"})";
    short_doc.title = "A short note";
    short_doc.abstract = "on sprockets";
    EXPECT_TRUE(corpus->Add({long_abstract, full_text, short_doc}, nullptr).ok());
  }

  // The windows search indexes for `doc` (rowid): number -> text the model reads.
  std::map<uint32_t, std::string> Windows(const Document& doc) const {
    std::map<uint32_t, std::string> out;
    const std::string source = PassageSource(doc);
    const std::vector<PassageSpan> spans = SplitPassages(source);
    const uint32_t first = source == doc.abstract ? 0 : 1;  // a full text's unit 0 is the record itself
    for (size_t i = 0; i < spans.size(); ++i) out[first + static_cast<uint32_t>(i)] = PassageText(doc, source, spans[i]);
    return out;
  }

  std::vector<float> Embed(const std::vector<std::string>& texts) const {
    std::vector<float> v;
    EXPECT_TRUE(embedder->EmbedDocuments(texts, EmbedOptions{}, &v).ok());
    return v;
  }

  // (rowid, passage) -> stored vector.
  std::map<std::pair<int64_t, uint32_t>, std::vector<float>> Stored() const {
    std::map<std::pair<int64_t, uint32_t>, std::vector<float>> out;
    EXPECT_TRUE(corpus
                    ->ScanPassageEmbeddings(embedder->fingerprint(),
                                            [&](const StoredPassage& p, const float* v, uint32_t dims) {
                                              out[{p.rowid, p.passage}] = std::vector<float>(v, v + dims);
                                            })
                    .ok());
    return out;
  }
};

double Dot(const float* a, const float* b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

TEST(PassageEmbeddingsTest, EmbedStoresEveryWindowOfLongDocumentsOnce) {
  Fixture f("passage-embed-store");
  EmbedReport report;
  ASSERT_TRUE(EmbedMissingDocuments(*f.corpus, *f.embedder, 2, &report).ok());
  const auto long_windows = f.Windows(f.long_abstract);
  const auto pdf_windows = f.Windows(f.full_text);
  ASSERT_EQ(long_windows.size(), 10u);  // 803 words: starts 0, 75, ..., 675 (the first to reach the end)
  ASSERT_EQ(pdf_windows.size(), 9u);    // 702 words: starts 0 .. 600
  EXPECT_EQ(report.embedded, 3u);
  EXPECT_EQ(report.passages, long_windows.size() + pdf_windows.size());
  const auto stored = f.Stored();
  ASSERT_EQ(stored.size(), report.passages);
  for (const auto& [rowid, windows] : {std::pair{int64_t{1}, long_windows}, std::pair{int64_t{2}, pdf_windows}}) {
    for (const auto& [number, text] : windows) {
      auto it = stored.find({rowid, number});
      ASSERT_NE(it, stored.end()) << rowid << "/" << number;
      const std::vector<float> direct = f.Embed({text});
      EXPECT_GT(Dot(direct.data(), it->second.data(), direct.size()), 0.9999) << rowid << "/" << number;
    }
  }
  // A second run finds nothing to do.
  ASSERT_TRUE(EmbedMissingDocuments(*f.corpus, *f.embedder, 2, &report).ok());
  EXPECT_EQ(report.embedded, 0u);
  EXPECT_EQ(report.passages, 0u);
}

TEST(PassageEmbeddingsTest, ATextChangeDropsTheWindowsAndTheNextEmbedRedoesThem) {
  Fixture f("passage-embed-update");
  EmbedReport report;
  ASSERT_TRUE(EmbedMissingDocuments(*f.corpus, *f.embedder, 8, &report).ok());
  Document changed = f.long_abstract;
  changed.abstract = Words(700, "cog");  // same record (title), other words: starts 0 .. 600, 9 windows
  ASSERT_TRUE(f.corpus->Add({changed}, nullptr).ok());
  for (const auto& [key, v] : f.Stored()) EXPECT_NE(key.first, 1) << "stale window " << key.second;
  ASSERT_TRUE(EmbedMissingDocuments(*f.corpus, *f.embedder, 8, &report).ok());
  EXPECT_EQ(report.embedded, 1u);
  EXPECT_EQ(report.passages, 9u);
  const auto stored = f.Stored();
  const auto windows = f.Windows(changed);
  for (const auto& [number, text] : windows) {
    auto it = stored.find({1, number});
    ASSERT_NE(it, stored.end());
    const std::vector<float> direct = f.Embed({text});
    EXPECT_GT(Dot(direct.data(), it->second.data(), direct.size()), 0.9999);
  }
  // A collection embedded before passage embeddings existed: its long documents
  // (and only those) are picked up again.
  {
    auto db = sql::Db::Open(f.path, false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("DELETE FROM passage_embeddings").ok());
  }
  std::vector<StoredDocument> needing;
  ASSERT_TRUE(f.corpus->DocumentsNeedingEmbedding(f.embedder->fingerprint(), 10, &needing).ok());
  ASSERT_EQ(needing.size(), 2u);
  EXPECT_EQ(needing[0].rowid, 1);
  EXPECT_EQ(needing[1].rowid, 2);
}

TEST(PassageEmbeddingsTest, DenseRecallScoresALongDocumentByItsBestVector) {
  Fixture f("passage-embed-search");
  EmbedReport report;
  ASSERT_TRUE(EmbedMissingDocuments(*f.corpus, *f.embedder, 8, &report).ok());
  const std::string query = "helical sprocket lubrication";
  std::vector<float> q;
  ASSERT_TRUE(f.embedder->EmbedQueries({query}, "", EmbedOptions{}, &q).ok());
  const size_t w = f.embedder->width();
  // Independently: each document's own vector and its windows' vectors.
  std::map<int64_t, std::pair<double, int32_t>> best;  // rowid -> (score, passage)
  std::map<int64_t, double> own;
  const Document* docs[] = {&f.long_abstract, &f.full_text, &f.short_doc};
  for (int64_t rowid = 1; rowid <= 3; ++rowid) {
    const Document& d = *docs[rowid - 1];
    own[rowid] = Dot(q.data(), f.Embed({SearchText(d)}).data(), w);
    best[rowid] = {own[rowid], -1};
    for (const auto& [number, text] : f.Windows(d)) {
      const double s = Dot(q.data(), f.Embed({text}).data(), w);
      if (s > best[rowid].first) best[rowid] = {s, static_cast<int32_t>(number)};
    }
  }
  auto searcher = Searcher::Create(f.corpus.get(), nullptr, f.embedder.get());
  ASSERT_TRUE(searcher.ok());
  for (PassageMode mode : {PassageMode::kMax, PassageMode::kWhole}) {
    SearchOptions o;
    o.bm25 = false;
    o.rerank = false;
    o.passages = mode;
    o.top_k = 0;
    std::vector<SearchHit> hits;
    SearchReport sr;
    ASSERT_TRUE((*searcher)->Search(query, o, &hits, &sr).ok());
    ASSERT_EQ(hits.size(), 3u) << PassageModeName(mode);
    for (size_t i = 0; i < hits.size(); ++i) {
      const SearchHit& h = hits[i];
      const int64_t id = h.document.rowid;
      if (i > 0) {
        EXPECT_LE(h.trace.dense_score, hits[i - 1].trace.dense_score);
      }
      if (mode == PassageMode::kWhole) {
        EXPECT_NEAR(h.trace.dense_score, own[id], 1e-4);
        EXPECT_EQ(h.trace.dense_passage, -1);
        continue;
      }
      EXPECT_NEAR(h.trace.dense_score, best[id].first, 1e-4) << id;
      EXPECT_EQ(h.trace.dense_passage, best[id].second) << id;
      EXPECT_EQ(h.trace.passage, best[id].second) << id;  // no BM25 stage: dense recall's passage is shown
      if (best[id].second >= 0) {
        const std::string expected = f.Windows(*docs[id - 1]).at(static_cast<uint32_t>(best[id].second));
        EXPECT_EQ(docs[id - 1]->title + "\n" + h.passage, expected);
      }
    }
  }
}

TEST(PassageEmbeddingsTest, TheRerankerAlsoReadsDenseRecallsBestPassage) {
  Fixture f("passage-embed-rerank");
  EmbedReport report;
  ASSERT_TRUE(EmbedMissingDocuments(*f.corpus, *f.embedder, 8, &report).ok());
  auto reranker = Reranker::Open(testing::TinyModel("reranker"));
  ASSERT_TRUE(reranker.ok());
  auto searcher = Searcher::Create(f.corpus.get(), reranker->get(), f.embedder.get());
  ASSERT_TRUE(searcher.ok());
  const std::string query = "helical sprocket lubrication";
  SearchOptions o;
  o.rerank_passages = 1;
  o.top_k = 0;
  std::vector<SearchHit> hits;
  SearchReport sr;
  ASSERT_TRUE((*searcher)->Search(query, o, &hits, &sr).ok());
  // BM25's best unit of each long document, computed apart.
  auto index = Bm25Index::Build(*f.corpus, PassageMode::kMax);
  ASSERT_TRUE(index.ok());
  auto analyzer = Analyzer::Create(AnalyzerOptions{});
  ASSERT_TRUE(analyzer.ok());
  std::vector<std::string> terms;
  (*analyzer)->Analyze(query, &terms);
  size_t long_seen = 0;
  for (const SearchHit& h : hits) {
    const std::vector<LexicalHit> units = (*index)->Passages(terms, h.document.rowid, Bm25Params{});
    if (units.empty()) {
      EXPECT_EQ(h.trace.passages_reranked, 0u);
      continue;
    }
    ++long_seen;
    ASSERT_TRUE(h.trace.dense_rank.has_value());
    const bool extra = h.trace.dense_passage >= 0 && h.trace.dense_passage != units[0].passage;
    EXPECT_EQ(h.trace.passages_reranked, extra ? 2u : 1u) << h.document.rowid;
  }
  EXPECT_EQ(long_seen, 2u);
}

TEST(PassageEmbeddingsTest, WindowsOfATextThatChangedMeanwhileAreNotStored) {
  Fixture f("passage-embed-race");
  const std::string model = f.embedder->fingerprint();
  const uint32_t dims = 4;
  // What an embed run read before the text changed: the windows of another text.
  std::vector<StoredPassage> old_windows = {{1, 0, 0, 40, 0}, {1, 1, 20, 90, 0}};
  ASSERT_TRUE(f.corpus->PutPassageEmbeddings(model, dims, old_windows, std::vector<float>(2 * dims, 0.5f)).ok());
  std::vector<StoredDocument> needing;
  ASSERT_TRUE(f.corpus->DocumentsNeedingEmbedding(model, 10, &needing).ok());
  size_t stored = 0;
  ASSERT_TRUE(f.corpus->ScanPassageEmbeddings(model, [&](const StoredPassage&, const float*, uint32_t) { ++stored; }).ok());
  EXPECT_EQ(stored, 0u);  // none kept: they are not the document's windows now
  ASSERT_FALSE(needing.empty());
  EXPECT_EQ(needing[0].rowid, 1);  // so it still needs embedding
  // Its real windows are kept.
  std::vector<StoredPassage> current;
  ASSERT_TRUE(f.corpus->ScanPassageVectors([&](const StoredPassage& p, std::string_view) {
    if (p.rowid == 1) current.push_back(StoredPassage{p.rowid, p.passage, p.begin, p.end, 0});
  }).ok());
  ASSERT_EQ(current.size(), 10u);
  ASSERT_TRUE(f.corpus->PutPassageEmbeddings(model, dims, current, std::vector<float>(current.size() * dims, 0.5f)).ok());
  ASSERT_TRUE(f.corpus->ScanPassageEmbeddings(model, [&](const StoredPassage&, const float*, uint32_t) { ++stored; }).ok());
  EXPECT_EQ(stored, 10u);
}

}  // namespace
}  // namespace litrank

// Long documents: word windows, their storage beside the document, and search by
// the best passage (MaxP) against truncation (first passage) and whole documents.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "litrank/corpus.h"
#include "litrank/reranker.h"
#include "litrank/search.h"
#include "search/bm25_index.h"
#include "store/sql.h"
#include "text/analyzer.h"
#include "synth_fixture.h"
#include "store_backends.h"
#include "text/passages.h"

namespace litrank {
namespace {

using testing::TempDir;

// "w0 w1 ... w<n-1>": every word unique, so a span's first and last words say where it lies.
std::string NumberedWords(size_t n, const std::string& prefix = "w") {
  std::string text;
  for (size_t i = 0; i < n; ++i) text += (i ? " " : "") + prefix + std::to_string(i);
  return text;
}

std::string Slice(const std::string& text, const PassageSpan& s) { return text.substr(s.begin, s.end - s.begin); }

std::unique_ptr<Corpus> FreshCorpus(const std::string& name) {
  const std::string path = TempDir() + "/" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  auto corpus = Corpus::Open(path);
  EXPECT_TRUE(corpus.ok()) << corpus.status().ToString();
  return std::move(*corpus);
}

size_t PassagesOf(Corpus& corpus, int64_t rowid) {
  size_t n = 0;
  EXPECT_TRUE(corpus.ScanPassageVectors([&](const StoredPassage& p, std::string_view) { n += p.rowid == rowid; }).ok());
  return n;
}

std::unique_ptr<Corpus> FillNeedleCorpus(std::unique_ptr<Corpus> corpus, std::string* long_text);

// Passage storage and search run on a SQLite file and on a PostgreSQL database.
class PassageStoreTest : public testing::StoreBackendTest {
 protected:
  std::unique_ptr<Corpus> FreshCorpus(const std::string& name) {
    auto corpus = Corpus::Open(FreshCollection(name));
    EXPECT_TRUE(corpus.ok()) << corpus.status().ToString();
    return corpus.ok() ? std::move(*corpus) : nullptr;
  }
  std::unique_ptr<Corpus> NeedleCorpus(const std::string& name, std::string* long_text) {
    return FillNeedleCorpus(FreshCorpus(name), long_text);
  }
};
LITRANK_ON_BOTH_BACKENDS(PassageStoreTest);

TEST(PassagesTest, WindowsOf150WordsEvery75EndingAtTheLastWord) {
  const std::string text = NumberedWords(400);
  const std::vector<PassageSpan> spans = SplitPassages(text);
  // Starts at words 0, 75, 150, 225, 300; the window from 300 reaches word 399, the end.
  ASSERT_EQ(spans.size(), 5u);
  for (size_t k = 0; k < spans.size(); ++k) {
    const std::string slice = Slice(text, spans[k]);
    EXPECT_EQ(slice.rfind("w" + std::to_string(75 * k) + " ", 0), 0u) << slice.substr(0, 20);
    const size_t last = std::min<size_t>(75 * k + 149, 399);
    const std::string tail = " w" + std::to_string(last);
    EXPECT_EQ(slice.substr(slice.size() - tail.size()), tail);
  }
  EXPECT_EQ(spans.back().end, text.size());
}

TEST(PassagesTest, ShortAndBlankTexts) {
  EXPECT_TRUE(SplitPassages("   \n\t ").empty());
  const std::string text = "  a few words here  ";
  const std::vector<PassageSpan> one = SplitPassages(text);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(Slice(text, one[0]), "a few words here");
  EXPECT_EQ(CountPassageWords(text), 4u);
  Document d;
  d.abstract = NumberedWords(kLongDocumentWords);  // exactly the bound: still one unit
  EXPECT_TRUE(LongTextPassages(PassageSource(d)).empty());
  d.abstract += " one-more";
  EXPECT_FALSE(LongTextPassages(PassageSource(d)).empty());
}

TEST(PassagesTest, UnspacedChineseCountsEachCharacterAndCutsOnCharacters) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "深度学习";  // 800 characters, 3 bytes each, no spaces
  EXPECT_EQ(CountPassageWords(text), 800u);
  const std::vector<PassageSpan> spans = SplitPassages(text);
  ASSERT_FALSE(spans.empty());
  for (const PassageSpan& s : spans) {
    EXPECT_EQ(s.begin % 3, 0u);
    EXPECT_EQ(s.end % 3, 0u);
  }
  EXPECT_EQ(spans[0].end - spans[0].begin, 150u * 3);
  EXPECT_EQ(spans[1].begin, 75u * 3);
}

TEST(PassagesTest, SourceIsTheFullTextWhenARecordKeepsOne) {
  Document d;
  d.title = "T";
  d.abstract = "short abstract";
  EXPECT_EQ(PassageSource(d), "short abstract");
  d.extra_json = R"({"full_text":"the whole body","sections":[]})";
  EXPECT_EQ(PassageSource(d), "the whole body");
  d.extra_json = R"({"full_text":""})";
  EXPECT_EQ(PassageSource(d), "short abstract");
  d.extra_json = R"({"full_text": not json)";
  EXPECT_EQ(PassageSource(d), "short abstract");
  EXPECT_EQ(PassageText(d, "abc def", PassageSpan{4, 7}), "T\ndef");
}

TEST_P(PassageStoreTest, LongDocumentsAreStoredAsPassagesAndReplacedOnUpdate) {
  auto corpus = FreshCorpus("passages-store");
  Document long_doc, short_doc;
  long_doc.id = "L";
  long_doc.title = "long";
  long_doc.abstract = NumberedWords(600);  // windows from 0, 75, ..., 450 (450 + 150 = 600): 7
  short_doc.id = "S";
  short_doc.title = "short";
  short_doc.abstract = NumberedWords(100);
  ASSERT_TRUE(corpus->Add({long_doc, short_doc}, nullptr).ok());
  EXPECT_EQ(PassagesOf(*corpus, 1), 7u);
  EXPECT_EQ(PassagesOf(*corpus, 2), 0u);
  std::vector<StoredPassage> seen;
  ASSERT_TRUE(corpus->ScanPassageVectors([&](const StoredPassage& p, std::string_view) { seen.push_back(p); }).ok());
  ASSERT_EQ(seen.size(), 7u);
  EXPECT_EQ(long_doc.abstract.substr(seen[1].begin, 4), "w75 ");
  EXPECT_EQ(seen[1].length, 151u);  // the title's word and 150 of the window
  // A new, shorter version of the same record drops its passages; a longer one brings new ones.
  Document shorter = long_doc;
  shorter.abstract = NumberedWords(50);
  ASSERT_TRUE(corpus->Add({shorter}, nullptr).ok());
  EXPECT_EQ(PassagesOf(*corpus, 1), 0u);
  Document longer = long_doc;
  longer.abstract = NumberedWords(1000, "v");
  ASSERT_TRUE(corpus->Add({longer}, nullptr).ok());
  EXPECT_EQ(PassagesOf(*corpus, 1), 13u);  // starts 0..900 step 75: the one from 900 reaches word 999
}

TEST(PassagesTest, CollectionsFromBeforePassagesAreSplitWhenOpened) {
  const std::string path = TempDir() + "/passages-backfill.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((std::string(path) + suffix).c_str());
  int64_t generation = 0;
  {
    auto corpus = Corpus::Open(path);
    ASSERT_TRUE(corpus.ok());
    Document d;
    d.title = "old";
    d.abstract = NumberedWords(600);
    ASSERT_TRUE((*corpus)->Add({d}, nullptr).ok());
    generation = *(*corpus)->Generation();
  }
  {  // As a version-4 collection left it: no passages, the backfill flag set by the migration.
    auto db = sql::Db::Open(path, false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("DELETE FROM lex_passages").ok());
    ASSERT_TRUE(db->Exec("INSERT INTO meta VALUES('passages_backfill', '1')").ok());
  }
  auto corpus = Corpus::Open(path, false);
  ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
  EXPECT_EQ(PassagesOf(**corpus, 1), 7u);
  EXPECT_EQ(*(*corpus)->Generation(), generation + 1);  // indexes built before are stale
  auto again = Corpus::Open(path, false);  // once only
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*(*again)->Generation(), generation + 1);
}

// A long document whose only mention of the query lies deep inside, a short one that
// mentions half the query, and filler.
std::unique_ptr<Corpus> NeedleCorpus(const std::string& name, std::string* long_text) {
  return FillNeedleCorpus(FreshCorpus(name), long_text);
}

std::unique_ptr<Corpus> FillNeedleCorpus(std::unique_ptr<Corpus> corpus, std::string* long_text) {
  std::string text = NumberedWords(500, "filler");
  text += " the zygote mitochondria result ";
  text += NumberedWords(300, "tail");
  *long_text = text;
  Document long_doc, short_doc, other;
  long_doc.title = "A long paper";
  long_doc.abstract = text;
  short_doc.title = "Mitochondria in brief";
  short_doc.abstract = "a note on mitochondria";
  other.title = "Something else";
  other.abstract = "unrelated words";
  EXPECT_TRUE(corpus->Add({long_doc, short_doc, other}, nullptr).ok());
  return corpus;
}

std::vector<SearchHit> SearchWith(Corpus* corpus, Reranker* reranker, PassageMode mode, const std::string& query,
                                  size_t rerank_passages = 3) {
  auto searcher = Searcher::Create(corpus, reranker, nullptr);
  EXPECT_TRUE(searcher.ok());
  SearchOptions o;
  o.dense = false;
  o.rerank = reranker != nullptr;
  o.passages = mode;
  o.rerank_passages = rerank_passages;
  o.top_k = 0;
  std::vector<SearchHit> hits;
  SearchReport report;
  Status st = (*searcher)->Search(query, o, &hits, &report);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return hits;
}

TEST_P(PassageStoreTest, BestPassageFindsWhatTruncationMisses) {
  std::string text;
  auto corpus = NeedleCorpus("passages-needle", &text);
  const std::vector<SearchHit> maxp = SearchWith(corpus.get(), nullptr, PassageMode::kMax, "zygote mitochondria");
  ASSERT_GE(maxp.size(), 2u);
  EXPECT_EQ(maxp[0].document.rowid, 1);  // both query words, in one passage
  EXPECT_GE(maxp[0].trace.passage, 0);
  EXPECT_NE(maxp[0].passage.find("zygote mitochondria"), std::string::npos);
  EXPECT_EQ(maxp[0].passage, text.substr(maxp[0].trace.passage_begin,
                                         maxp[0].trace.passage_end - maxp[0].trace.passage_begin));
  EXPECT_EQ(maxp[1].document.rowid, 2);
  EXPECT_EQ(maxp[1].trace.passage, -1);  // short: scored whole
  EXPECT_TRUE(maxp[1].passage.empty());
  // Truncation: the first passage holds neither word, so only the short document is found.
  const std::vector<SearchHit> first = SearchWith(corpus.get(), nullptr, PassageMode::kFirst, "zygote mitochondria");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].document.rowid, 2);
  // Whole: the words are in the bag, so it is found, but without a passage to show.
  const std::vector<SearchHit> whole = SearchWith(corpus.get(), nullptr, PassageMode::kWhole, "zygote mitochondria");
  ASSERT_EQ(whole.size(), 2u);
  for (const SearchHit& h : whole) EXPECT_EQ(h.trace.passage, -1);
}

TEST(PassagesTest, ThePdfBodyIsSearchableByPassage) {
  auto corpus = FreshCorpus("passages-pdf");
  Document d;
  d.title = "A paper from a PDF";
  d.abstract = "We study quasiperiodic tilings.";
  d.extra_json = R"({"full_text":")" + NumberedWords(700, "body") + R"( quasicrystal lattice)"
                 + R"("})";
  ASSERT_TRUE(corpus->Add({d}, nullptr).ok());
  const std::vector<SearchHit> hits = SearchWith(corpus.get(), nullptr, PassageMode::kMax, "quasicrystal");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].passage.find("quasicrystal lattice"), std::string::npos);
  // Scored whole, the document is only its title and abstract.
  EXPECT_TRUE(SearchWith(corpus.get(), nullptr, PassageMode::kWhole, "quasicrystal").empty());
  // The abstract (not in the body's windows) stays searchable as the record's own unit.
  const std::vector<SearchHit> by_abstract = SearchWith(corpus.get(), nullptr, PassageMode::kMax, "tilings");
  ASSERT_EQ(by_abstract.size(), 1u);
  EXPECT_EQ(by_abstract[0].trace.passage, -1);
  EXPECT_TRUE(by_abstract[0].passage.empty());
}

TEST(PassagesTest, KeywordsOfALongAbstractStaySearchable) {
  auto corpus = FreshCorpus("passages-keywords");
  Document d;
  d.title = "A patent";
  d.abstract = NumberedWords(700, "claim");
  d.keywords = {"xylophone"};
  ASSERT_TRUE(corpus->Add({d}, nullptr).ok());
  for (PassageMode mode : {PassageMode::kMax, PassageMode::kFirst, PassageMode::kWhole}) {
    EXPECT_EQ(SearchWith(corpus.get(), nullptr, mode, "xylophone").size(), 1u) << PassageModeName(mode);
  }
}

TEST(PassagesTest, TheRerankerReadsTheBestPassagesOfALongDocument) {
  std::string text;
  auto corpus = NeedleCorpus("passages-rerank", &text);
  auto reranker = Reranker::Open(testing::TinyModel("reranker"));
  ASSERT_TRUE(reranker.ok()) << reranker.status().ToString();
  const std::vector<SearchHit> hits =
      SearchWith(corpus.get(), reranker->get(), PassageMode::kMax, "zygote mitochondria", 2);
  ASSERT_EQ(hits.size(), 2u);
  for (const SearchHit& h : hits) {
    ASSERT_TRUE(h.trace.rerank_rank.has_value());
    EXPECT_DOUBLE_EQ(h.score, h.trace.rerank_score);
    if (h.document.rowid == 1) {
      EXPECT_EQ(h.trace.passages_reranked, 2u);
      EXPECT_GE(h.trace.passage, 0);
      EXPECT_FALSE(h.passage.empty());
      EXPECT_FALSE(h.trace.truncated);  // a passage fits the pair budget
    } else {
      EXPECT_EQ(h.trace.passages_reranked, 0u);
      EXPECT_EQ(h.trace.passage, -1);
    }
  }
  // The document's score is the best of its passages: rerank the passages by hand.
  std::vector<LexicalHit> passages;
  {
    auto index = Bm25Index::Build(*corpus, PassageMode::kMax);
    ASSERT_TRUE(index.ok());
    auto analyzer = Analyzer::Create(AnalyzerOptions{});  // the collection's default: English stems
    ASSERT_TRUE(analyzer.ok());
    std::vector<std::string> terms;
    (*analyzer)->Analyze("zygote mitochondria", &terms);
    passages = (*index)->Passages(terms, 1, Bm25Params{});
  }
  ASSERT_GE(passages.size(), 2u);
  std::vector<std::string> texts;
  Document title_only;
  title_only.title = "A long paper";
  for (size_t i = 0; i < 2; ++i) texts.push_back(PassageText(title_only, text, {passages[i].begin, passages[i].end}));
  RerankResult direct;
  ASSERT_TRUE((*reranker)->Rerank("zygote mitochondria", texts, RerankOptions{}, &direct).ok());
  const SearchHit& long_hit = hits[0].document.rowid == 1 ? hits[0] : hits[1];
  EXPECT_NEAR(long_hit.score, std::max(direct.results[0].score, direct.results[1].score), 1e-6);
}

TEST(PassagesTest, PassageModesParseByName) {
  PassageMode m = PassageMode::kWhole;
  EXPECT_TRUE(ParsePassageMode("max", &m));
  EXPECT_EQ(m, PassageMode::kMax);
  EXPECT_TRUE(ParsePassageMode("first", &m));
  EXPECT_EQ(m, PassageMode::kFirst);
  EXPECT_TRUE(ParsePassageMode("whole", &m));
  EXPECT_EQ(m, PassageMode::kWhole);
  EXPECT_FALSE(ParsePassageMode("MaxP", &m));
  EXPECT_STREQ(PassageModeName(PassageMode::kFirst), "first");
}

}  // namespace
}  // namespace litrank

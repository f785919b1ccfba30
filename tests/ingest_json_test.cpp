// Tests for the JSON Lines readers (generic, BEIR, arXiv) and plain lines of src/ingest.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ingest_test_util.h"

namespace litrank {
namespace {

using testing::IngestTempDir;
using testing::ReadText;
using Strings = std::vector<std::string>;

TEST(IngestJsonlTest, GenericAllFields) {
  IngestTempDir dir;
  const std::string jsonl =
      R"({"pmid": 123, "title": " A  title ", "content": "Body text.", "date": "2018-04-01",)"
      R"( "authors": [{"name": "Smith, J."}, "Doe, A.", {"given": "Ann", "family": "Lee"}],)"
      R"( "doi": "https://doi.org/10.5/X", "keywords": "alpha; beta", "lang": "zh-CN",)"
      R"( "journal": "Venue", "url": "https://u", "cited_by_count": "7", "label": 1, "review": "R"})"
      "\n\n"
      R"({"id": "b", "title": ["Crossref style"], "abstract": "x", "year": 2005, "author": "One Author",)"
      R"( "keywords": ["k1", "k2", "k1"], "n_citation": 3})"
      "\n";
  auto r = ReadText(dir, "x.jsonl", jsonl);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 2u);
  const Document& d = r.docs[0];
  EXPECT_EQ(d.id, "123");
  EXPECT_EQ(d.title, "A title");
  EXPECT_EQ(d.abstract, "Body text.");
  EXPECT_EQ(d.year, 2018);
  EXPECT_EQ(d.authors, (Strings{"Smith, J.", "Doe, A.", "Lee, Ann"}));
  EXPECT_EQ(d.doi, "10.5/x");
  EXPECT_EQ(d.keywords, (Strings{"alpha", "beta"}));
  EXPECT_EQ(d.language, "zh");
  EXPECT_EQ(d.venue, "Venue");
  EXPECT_EQ(d.url, "https://u");
  EXPECT_EQ(d.citations, 7);
  EXPECT_EQ(d.source, "jsonl");
  EXPECT_EQ(nlohmann::json::parse(d.extra_json), nlohmann::json({{"label", 1}, {"review", "R"}}));
  EXPECT_EQ(r.docs[1].id, "b");
  EXPECT_EQ(r.docs[1].title, "Crossref style");
  EXPECT_EQ(r.docs[1].year, 2005);
  EXPECT_EQ(r.docs[1].authors, (Strings{"One Author"}));
  EXPECT_EQ(r.docs[1].keywords, (Strings{"k1", "k2"}));
  EXPECT_EQ(r.docs[1].citations, 3);
}

TEST(IngestJsonlTest, MalformedLinesSkipped) {
  IngestTempDir dir;
  const std::string jsonl =
      "{\"title\": \"ok 1\"}\n"           // 1
      "{\"title\": \"broken\"\n"          // 2
      "[1, 2]\n"                          // 3
      "{\"title\": {\"x\": 1}}\n"         // 4
      "{\"title\": \"bad \xC3\"}\n"       // 5
      "{\"year\": 2000}\n"                // 6
      "{\"text\": \"ok 2\"}\n";           // 7
  auto r = ReadText(dir, "x.jsonl", jsonl);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_EQ(r.docs[1].abstract, "ok 2");
  ASSERT_EQ(r.report.skipped.size(), 5u);
  const std::vector<size_t> lines = {2, 3, 4, 5, 6};
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(r.report.skipped[i].line, lines[i]) << i;
  EXPECT_EQ(r.report.skipped[1].reason, "not a JSON object");
  EXPECT_EQ(r.report.skipped[3].reason, "invalid UTF-8");
  EXPECT_EQ(r.report.skipped[4].reason, "no title or abstract");
}

TEST(IngestJsonlTest, NotJsonAtAllIsAnError) {
  IngestTempDir dir;
  auto r = ReadText(dir, "x.csv", "title,abstract\na,b\n", RecordFormat::kJsonl);
  EXPECT_EQ(r.status.code(), Status::Code::kCorruption);
  EXPECT_NE(r.status.message().find("not JSON Lines"), std::string::npos);
}

TEST(IngestJsonlTest, BeirCorpus) {
  IngestTempDir dir;
  const std::string jsonl =
      R"({"_id": "4983", "title": "Microstructural development", "text": "Alterations of the brain.", "metadata": {"pubmed": "1"}})"
      "\n"
      R"({"_id": "5836", "title": "", "text": "Only text", "metadata": {}})"
      "\n";
  auto r = ReadText(dir, "corpus.jsonl", jsonl);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_EQ(r.docs[0].id, "4983");
  EXPECT_EQ(r.docs[0].title, "Microstructural development");
  EXPECT_EQ(r.docs[0].abstract, "Alterations of the brain.");
  EXPECT_EQ(r.docs[0].source, "beir");
  EXPECT_EQ(nlohmann::json::parse(r.docs[0].extra_json), nlohmann::json({{"pubmed", "1"}}));
  EXPECT_EQ(r.docs[1].title, "");
  EXPECT_EQ(r.docs[1].extra_json, "{}");
}

TEST(IngestJsonlTest, ArxivSnapshot) {
  IngestTempDir dir;
  const std::string jsonl =
      R"({"id": "0704.0001", "submitter": "Pavel Nadolsky", "authors": "C. Bal\\'azs, E. L. Berger, and P. M. Nadolsky",)"
      R"( "title": "Calculation of prompt\n  diphoton production", "comments": "37 pages",)"
      R"( "journal-ref": "Phys.Rev.D76:013009,2007", "doi": "10.1103/PhysRevD.76.013009",)"
      R"( "categories": "hep-ph cs.LG", "abstract": "  A fully differential\ncalculation.\n",)"
      R"( "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}], "update_date": "2008-11-13",)"
      R"( "authors_parsed": [["Balázs", "C.", ""], ["Berger", "E. L.", ""], ["Nadolsky", "P. M.", "Jr"]]})"
      "\n"
      R"({"id": "0704.0002", "authors": "A. One and B. Two", "title": "T", "abstract": "A", "categories": "math.CO", "update_date": "2009-01-02"})"
      "\n";
  auto r = ReadText(dir, "arxiv-metadata.json", jsonl);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 2u);
  const Document& d = r.docs[0];
  EXPECT_EQ(d.source, "arxiv");
  EXPECT_EQ(d.id, "0704.0001");
  EXPECT_EQ(d.title, "Calculation of prompt diphoton production");
  EXPECT_EQ(d.abstract, "A fully differential calculation.");
  EXPECT_EQ(d.authors, (Strings{"Balázs, C.", "Berger, E. L.", "Nadolsky, P. M., Jr"}));
  EXPECT_EQ(d.keywords, (Strings{"hep-ph", "cs.LG"}));
  EXPECT_EQ(d.doi, "10.1103/physrevd.76.013009");
  EXPECT_EQ(d.venue, "Phys.Rev.D76:013009,2007");
  EXPECT_EQ(d.year, 2007);
  EXPECT_EQ(d.url, "https://arxiv.org/abs/0704.0001");
  const auto extra = nlohmann::json::parse(d.extra_json);
  EXPECT_EQ(extra.value("submitter", ""), "Pavel Nadolsky");
  EXPECT_EQ(extra.value("comments", ""), "37 pages");
  EXPECT_EQ(r.docs[1].authors, (Strings{"A. One", "B. Two"}));
  EXPECT_EQ(r.docs[1].year, 2009);
}

TEST(IngestLinesTest, OnePostPerLine) {
  IngestTempDir dir;
  auto r = ReadText(dir, "posts.txt", "first  post\n\n   \nsecond \xE4\xB8\xAD\xE6\x96\x87\nbad \xFF\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_EQ(r.docs[0].abstract, "first post");
  EXPECT_EQ(r.docs[0].title, "");
  EXPECT_EQ(r.docs[1].abstract, "second 中文");
  EXPECT_EQ(r.docs[1].source, "lines");
  ASSERT_EQ(r.report.skipped.size(), 1u);
  EXPECT_EQ(r.report.skipped[0].line, 5u);
}

}  // namespace
}  // namespace litrank

// Tests for src/ingest's format names and detection, progress, sink errors,
// whole-input errors and the shared clean-up helpers.
#include <gtest/gtest.h>

#include <string>

#include "ingest/record_context.h"
#include "ingest_test_util.h"

namespace litrank {
namespace {

using testing::IngestTempDir;
using testing::ReadAll;

TEST(IngestFormatTest, NamesRoundTrip) {
  for (RecordFormat f : {RecordFormat::kAuto, RecordFormat::kRis, RecordFormat::kBibtex, RecordFormat::kCsv,
                         RecordFormat::kTsv, RecordFormat::kJsonl, RecordFormat::kPubmedXml,
                         RecordFormat::kArxivJson, RecordFormat::kBeirCorpus, RecordFormat::kLines}) {
    RecordFormat parsed = RecordFormat::kLines;
    ASSERT_TRUE(ParseRecordFormat(RecordFormatName(f), &parsed)) << RecordFormatName(f);
    EXPECT_EQ(parsed, f);
  }
  RecordFormat f = RecordFormat::kAuto;
  EXPECT_TRUE(ParseRecordFormat("BibTeX", &f));
  EXPECT_EQ(f, RecordFormat::kBibtex);
  EXPECT_TRUE(ParseRecordFormat("pubmed", &f));
  EXPECT_EQ(f, RecordFormat::kPubmedXml);
  EXPECT_FALSE(ParseRecordFormat("endnote", &f));
  EXPECT_EQ(f, RecordFormat::kPubmedXml);  // untouched
}

TEST(IngestFormatTest, DetectsBySniffingThenExtension) {
  IngestTempDir dir;
  const struct {
    const char* name;
    const char* content;
    RecordFormat want;
  } cases[] = {
      {"endnote.txt", "\xEF\xBB\xBFTY  - JOUR\nTI  - x\nER  - \n", RecordFormat::kRis},
      {"refs.txt", "% comment\n\n@article{k, title={x}}\n", RecordFormat::kBibtex},
      {"noext", "@inproceedings (k, title=\"x\")\n", RecordFormat::kBibtex},
      {"set.xml", "<?xml version=\"1.0\"?>\n<PubmedArticleSet></PubmedArticleSet>\n", RecordFormat::kPubmedXml},
      {"efetch", "<?xml version=\"1.0\"?>\n<!DOCTYPE PubmedArticleSet>\n<PubmedArticleSet>\n", RecordFormat::kPubmedXml},
      {"corpus.jsonl", "{\"_id\": \"1\", \"title\": \"t\", \"text\": \"x\"}\n", RecordFormat::kBeirCorpus},
      {"a.json", "{\"id\": \"1\", \"abstract\": \"x\", \"categories\": \"cs.IR\"}\n", RecordFormat::kArxivJson},
      {"data.txt", "{\"title\": \"t\"}\n", RecordFormat::kJsonl},
      {"x.ndjson", "not json but named so\n", RecordFormat::kJsonl},
      {"x.ris", "garbage\n", RecordFormat::kRis},
      {"x.csv", "title,abstract\n", RecordFormat::kCsv},
      {"x.TSV", "title\tabstract\n", RecordFormat::kTsv},
      {"x.bib", "nothing yet\n", RecordFormat::kBibtex},
      {"posts.txt", "hello world\n", RecordFormat::kLines},
      {"posts", "@user hello\n", RecordFormat::kLines},
  };
  for (const auto& c : cases) {
    StatusOr<RecordFormat> got = DetectRecordFormat(dir.Write(c.name, c.content));
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.want) << c.name << " detected as " << RecordFormatName(*got);
  }
}

TEST(IngestFormatTest, WholeInputErrors) {
  IngestTempDir dir;
  auto r = ReadAll("/nonexistent/litrank/in.ris");
  EXPECT_EQ(r.status.code(), Status::Code::kNotFound);
  EXPECT_EQ(DetectRecordFormat("/nonexistent/litrank/in.ris").status().code(), Status::Code::kNotFound);
  r = ReadAll(dir.Write("x.jsonl.gz", std::string("\x1f\x8b\x08\x00", 4)));
  EXPECT_EQ(r.status.code(), Status::Code::kUnsupported);
  EXPECT_NE(r.status.message().find("gzip"), std::string::npos);
  r = ReadAll(::testing::TempDir());
  EXPECT_EQ(r.status.code(), Status::Code::kIOError);
}

TEST(IngestFormatTest, ProgressReachesTotal) {
  IngestTempDir dir;
  std::string content;
  for (int i = 0; i < 40000; ++i) content += "post number " + std::to_string(i) + " with some words\n";
  const std::string path = dir.Write("big.txt", content);
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  size_t n = 0;
  RecordReadReport report;
  const Status st = ReadRecords(path, {}, [&](Document&&) { ++n; return Status::Ok(); }, &report,
                                [&](uint64_t done, uint64_t total) { calls.emplace_back(done, total); });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(n, 40000u);
  EXPECT_EQ(report.records, 40000u);
  ASSERT_GE(calls.size(), 2u);  // content is > 1 MiB: at least one report before the end
  for (size_t i = 1; i < calls.size(); ++i) EXPECT_GE(calls[i].first, calls[i - 1].first);
  EXPECT_EQ(calls.back().first, content.size());
  EXPECT_EQ(calls.back().second, content.size());
}

TEST(IngestFormatTest, SinkErrorStopsReading) {
  IngestTempDir dir;
  const std::string path = dir.Write("p.txt", "one\ntwo\nthree\nfour\n");
  size_t calls = 0;
  RecordReadReport report;
  const Status st = ReadRecords(path, {}, [&](Document&& d) {
    ++calls;
    return d.abstract == "two" ? Status::IOError("disk full") : Status::Ok();
  }, &report);
  EXPECT_EQ(st.code(), Status::Code::kIOError);
  EXPECT_EQ(st.message(), "disk full");
  EXPECT_EQ(calls, 2u);
  EXPECT_EQ(report.records, 1u);
}

TEST(IngestFormatTest, CleanUpHelpers) {
  using namespace ingest;
  EXPECT_EQ(NormalizeDoi(" https://doi.org/10.1000/ABC "), "10.1000/abc");
  EXPECT_EQ(NormalizeDoi("DOI:10.1/X"), "10.1/x");
  EXPECT_EQ(NormalizeDoi("http://dx.doi.org/10.2/y"), "10.2/y");
  EXPECT_EQ(NormalizeDoi(""), "");
  EXPECT_EQ(ParseYear("1999.0"), 1999);
  EXPECT_EQ(ParseYear("Mon, 2 Apr 2007 19:18:42 GMT"), 2007);
  EXPECT_EQ(ParseYear("12345"), 0);
  EXPECT_EQ(ParseYear("n.d."), 0);
  EXPECT_EQ(CollapseSpace(" a \t\n b\xC2\xA0 c\xE3\x80\x80"), "a b c");
  EXPECT_EQ(NormalizeLanguage("ENG"), "en");
  EXPECT_EQ(NormalizeLanguage("zh_CN"), "zh");
  EXPECT_EQ(NormalizeLanguage("Japanese"), "ja");
  EXPECT_EQ(NormalizeLanguage("klingon"), "");
  EXPECT_EQ(SplitList("a; b, c", ";,"), (std::vector<std::string>{"a", "b, c"}));
  EXPECT_EQ(SplitList("a, b,, c", ";,"), (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace litrank

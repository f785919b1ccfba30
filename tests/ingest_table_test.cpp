// Tests for the CSV/TSV reader of src/ingest.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ingest_test_util.h"

namespace litrank {
namespace {

using testing::IngestTempDir;
using testing::ReadAll;
using testing::ReadText;
using Strings = std::vector<std::string>;

TEST(IngestTableTest, CsvAllFieldsAutoMapped) {
  IngestTempDir dir;
  const std::string csv =
      "\xEF\xBB\xBFRecord_ID,Title,Abstract,Publication_Year,Authors,DOI,Keywords,Journal,Language,URL,"
      "Cited_By_Count,Included,notes\r\n"
      "r1,\"Ranking, \"\"quoted\"\" and\nmulti-line\",An  abstract.,2019.0,\"Smith, J.; Doe, A.\","
      "doi:10.1/AB,\"a; b\",J. Tests,eng,https://x.org,12,1,keep me\r\n"
      "r2,Only title,,,,,,,,,,0,\r\n";
  auto r = ReadText(dir, "export.csv", csv);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 2u);
  const Document& d = r.docs[0];
  EXPECT_EQ(d.id, "r1");
  EXPECT_EQ(d.title, "Ranking, \"quoted\" and multi-line");
  EXPECT_EQ(d.abstract, "An abstract.");
  EXPECT_EQ(d.year, 2019);
  EXPECT_EQ(d.authors, (Strings{"Smith, J.", "Doe, A."}));
  EXPECT_EQ(d.doi, "10.1/ab");
  EXPECT_EQ(d.keywords, (Strings{"a", "b"}));
  EXPECT_EQ(d.venue, "J. Tests");
  EXPECT_EQ(d.language, "en");
  EXPECT_EQ(d.url, "https://x.org");
  ASSERT_TRUE(d.citations.has_value());
  EXPECT_EQ(*d.citations, 12);
  EXPECT_EQ(d.source, "csv");
  const auto extra = nlohmann::json::parse(d.extra_json);
  EXPECT_EQ(extra["label"], 1);
  EXPECT_EQ(extra["notes"], "keep me");
  EXPECT_EQ(r.docs[1].title, "Only title");
  EXPECT_EQ(nlohmann::json::parse(r.docs[1].extra_json)["label"], 0);
  EXPECT_FALSE(r.docs[1].citations.has_value());
}

TEST(IngestTableTest, AsreviewSynergyShape) {
  IngestTempDir dir;
  const std::string csv =
      "doi,title,abstract,label_included\n"
      "https://doi.org/10.1055/S-0036-1571310,Innovative Therapies,\"In recent years, advances.\",1\n"
      ",No DOI here,Some abstract,0\n";
  auto r = ReadText(dir, "Donners_2021.csv", csv);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_EQ(r.docs[0].doi, "10.1055/s-0036-1571310");
  EXPECT_EQ(r.docs[0].title, "Innovative Therapies");
  EXPECT_EQ(r.docs[0].abstract, "In recent years, advances.");
  EXPECT_EQ(nlohmann::json::parse(r.docs[0].extra_json), nlohmann::json({{"label", 1}}));
  EXPECT_EQ(r.docs[1].doi, "");
  EXPECT_EQ(nlohmann::json::parse(r.docs[1].extra_json)["label"], 0);
}

TEST(IngestTableTest, TsvWithExplicitMapping) {
  IngestTempDir dir;
  const std::string tsv = "key\theadline\tbody\twhen\nk1\tThe headline\tThe body\t2001-02-03\n";
  RecordReadOptions options;
  options.columns.id = "key";
  options.columns.title = "HEADLINE";  // case-insensitive
  options.columns.abstract = "body";
  options.columns.year = "when";
  auto r = ReadAll(dir.Write("x.tsv", tsv), options);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 1u);
  EXPECT_EQ(r.docs[0].id, "k1");
  EXPECT_EQ(r.docs[0].title, "The headline");
  EXPECT_EQ(r.docs[0].abstract, "The body");
  EXPECT_EQ(r.docs[0].year, 2001);
  EXPECT_EQ(r.docs[0].source, "tsv");
}

TEST(IngestTableTest, UnknownColumnIsAnError) {
  IngestTempDir dir;
  RecordReadOptions options;
  options.columns.abstract = "summary";
  auto r = ReadAll(dir.Write("x.csv", "title,abstract\na,b\n"), options);
  EXPECT_EQ(r.status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status.message().find("summary"), std::string::npos);
  EXPECT_NE(r.status.message().find("\"abstract\""), std::string::npos);  // lists what there is
}

TEST(IngestTableTest, MalformedRowsSkippedWithLines) {
  IngestTempDir dir;
  const std::string csv =
      "title,abstract\n"           // 1
      "good one,text\n"            // 2
      "too,many,fields\n"          // 3
      ",\n"                        // 4: no title or abstract
      "bad \xFF,utf8\n"            // 5
      "\"two\nlines\",fine\n"      // 6-7
      "\"never closed,x\n"         // 8: unterminated; reading resumes at 9
      "last,row\n";                // 9
  auto r = ReadText(dir, "x.csv", csv);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 3u);
  EXPECT_EQ(r.docs[0].title, "good one");
  EXPECT_EQ(r.docs[1].title, "two lines");
  EXPECT_EQ(r.docs[2].title, "last");
  ASSERT_EQ(r.report.skipped.size(), 4u);
  EXPECT_EQ(r.report.skipped[0].line, 3u);
  EXPECT_EQ(r.report.skipped[1].line, 4u);
  EXPECT_EQ(r.report.skipped[2].line, 5u);
  EXPECT_EQ(r.report.skipped[2].reason, "invalid UTF-8");
  EXPECT_EQ(r.report.skipped[3].line, 8u);
  EXPECT_EQ(r.report.skipped[3].reason, "unterminated quoted field");
  EXPECT_EQ(r.report.skipped_total, 4u);
}

}  // namespace
}  // namespace litrank

// Hostile JSON values in the JSONL readers of src/ingest: wrong types and
// out-of-range numbers must give a record without the field, never an
// exception or an undefined conversion.
#include <gtest/gtest.h>

#include "ingest_test_util.h"

namespace litrank {
namespace {

using testing::IngestTempDir;
using testing::ReadText;

TEST(IngestJsonRobustnessTest, ArxivVersionWithoutStringDate) {
  IngestTempDir dir;
  const std::string jsonl =
      R"({"id": "1", "title": "T1", "abstract": "A1", "categories": "cs.CL",)"
      R"( "versions": [{"created": 5}], "update_date": "2019-01-01"})"
      "\n"
      R"({"id": "2", "title": "T2", "abstract": "A2", "categories": "cs.CL",)"
      R"( "versions": [{"version": "v1", "created": null}]})"
      "\n"
      R"({"id": "3", "title": "T3", "abstract": "A3", "categories": "cs.CL",)"
      R"( "versions": [{"created": "Mon, 2 Apr 2007 19:18:42 GMT"}]})"
      "\n";
  auto r = ReadText(dir, "arxiv.jsonl", jsonl, RecordFormat::kArxivJson);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 3u);
  EXPECT_EQ(r.docs[0].year, 2019);  // "created" unusable: falls back to update_date
  EXPECT_EQ(r.docs[1].year, 0);
  EXPECT_EQ(r.docs[2].year, 2007);
  EXPECT_TRUE(r.report.skipped.empty());
}

TEST(IngestJsonRobustnessTest, OutOfRangeNumbersAreDropped) {
  IngestTempDir dir;
  const std::string jsonl =
      R"({"title": "huge", "year": 1e300, "citations": 1e300})"
      "\n"
      R"({"title": "unsigned", "year": 2001.0, "citations": 18446744073709551615})"
      "\n"
      R"({"title": "negative", "year": -2001, "citations": -1e300})"
      "\n"
      R"({"title": "fine", "year": 1999, "citations": 12.0})"
      "\n";
  auto r = ReadText(dir, "n.jsonl", jsonl, RecordFormat::kJsonl);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 4u);
  EXPECT_EQ(r.docs[0].year, 0);
  EXPECT_FALSE(r.docs[0].citations.has_value());
  EXPECT_EQ(r.docs[1].year, 2001);
  EXPECT_FALSE(r.docs[1].citations.has_value());
  EXPECT_EQ(r.docs[2].year, 0);
  EXPECT_FALSE(r.docs[2].citations.has_value());
  EXPECT_EQ(r.docs[3].year, 1999);
  EXPECT_EQ(r.docs[3].citations, 12);
}

}  // namespace
}  // namespace litrank

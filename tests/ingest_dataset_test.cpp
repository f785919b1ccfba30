// src/ingest on the real data sets in ../shared/datasets (skipped when absent).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ingest_test_util.h"

namespace litrank {
namespace {

namespace fs = std::filesystem;
using testing::ReadAll;

const std::string kData = LITRANK_SOURCE_DIR "/../shared/datasets/";

// Non-blank lines of a file.
size_t CountLines(const std::string& path) {
  std::ifstream in(path);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) n += line.find_first_not_of(" \t\r") != std::string::npos;
  return n;
}

TEST(IngestDatasetTest, ScifactCorpusAsBeir) {
  const std::string path = kData + "scifact/corpus.jsonl";
  if (!fs::exists(path)) GTEST_SKIP() << path << " not present";
  ASSERT_EQ(*DetectRecordFormat(path), RecordFormat::kBeirCorpus);
  auto r = ReadAll(path);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.docs.size(), 5183u);
  EXPECT_TRUE(r.report.skipped.empty()) << r.report.skipped[0].reason;
  for (const Document& d : r.docs) {
    ASSERT_FALSE(d.id.empty());
    ASSERT_FALSE(d.abstract.empty()) << d.id;
    ASSERT_EQ(d.source, "beir");
  }
}

TEST(IngestDatasetTest, SynergyCsv) {
  const fs::path dir = kData + "synergy";
  if (!fs::exists(dir)) GTEST_SKIP() << dir << " not present";
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".csv") continue;
    ++files;
    auto r = ReadAll(entry.path().string());
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_TRUE(r.report.skipped.empty()) << entry.path() << ": " << r.report.skipped[0].reason;
    ASSERT_GT(r.docs.size(), 100u);
    size_t included = 0, with_doi = 0;
    for (const Document& d : r.docs) {
      const auto extra = nlohmann::json::parse(d.extra_json);
      ASSERT_TRUE(extra.contains("label")) << d.title;
      included += extra["label"] == 1;
      with_doi += !d.doi.empty();
      ASSERT_FALSE(d.doi.starts_with("http")) << d.doi;
    }
    EXPECT_GT(included, 0u) << entry.path();
    EXPECT_LT(included, r.docs.size()) << entry.path();
    EXPECT_GT(with_doi, r.docs.size() / 2) << entry.path();
  }
  if (files == 0) GTEST_SKIP() << "no CSV files in " << dir;
}

TEST(IngestDatasetTest, Cohen2006Jsonl) {
  const std::string path = kData + "cohen2006/cohen2006_5reviews.jsonl";
  if (!fs::exists(path)) GTEST_SKIP() << path << " not present";
  auto r = ReadAll(path);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.docs.size() + r.report.skipped_total, CountLines(path));
  EXPECT_GT(r.docs.size(), CountLines(path) * 9 / 10);
  size_t with_year = 0;
  for (const Document& d : r.docs) {
    ASSERT_FALSE(d.id.empty());  // pmid
    ASSERT_EQ(d.source, "jsonl");
    with_year += d.year >= 1900 && d.year <= 2010;
    const auto extra = nlohmann::json::parse(d.extra_json);
    ASSERT_TRUE(extra.contains("review")) << d.id;
    ASSERT_TRUE(extra.contains("label_included")) << d.id;
  }
  EXPECT_GT(with_year, r.docs.size() * 9 / 10);
}

TEST(IngestDatasetTest, CslChineseJsonl) {
  const std::string path = kData + "csl/csl_dev_joined.jsonl";
  if (!fs::exists(path)) GTEST_SKIP() << path << " not present";
  auto r = ReadAll(path);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.docs.size(), 1000u);
  EXPECT_TRUE(r.report.skipped.empty());
  size_t with_keywords = 0;
  for (const Document& d : r.docs) {
    ASSERT_FALSE(d.title.empty()) << d.id;
    ASSERT_TRUE(d.language.empty());  // left for the store to detect
    with_keywords += d.keywords.size() >= 2;
    const auto extra = nlohmann::json::parse(d.extra_json);
    ASSERT_TRUE(extra.contains("discipline")) << d.id;
  }
  EXPECT_GT(with_keywords, 900u);
}

}  // namespace
}  // namespace litrank

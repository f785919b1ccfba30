// Tests of text/analyzer and text/language on real corpora from ../shared/datasets
// (skipped when absent): CSL (Chinese titles and abstracts) and SciFact (English).
// Also prints the analyzer's throughput; timing is reported, never asserted.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "text/analyzer.h"
#include "text/language.h"

namespace litrank {
namespace {

using json = nlohmann::json;

struct TitledText {
  std::string title;
  std::string body;
};

// Records of a JSONL file with the given title and body fields; empty if the file is absent.
std::vector<TitledText> ReadJsonl(const std::string& path, const char* body_field) {
  std::vector<TitledText> records;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const json record = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!record.is_object()) continue;
    records.push_back({record.value("title", ""), record.value(body_field, "")});
  }
  return records;
}

// Analyzes every title and body once and returns MB/s over their bytes.
double MeasureMegabytesPerSecond(Analyzer& analyzer, const std::vector<TitledText>& records) {
  size_t bytes = 0;
  size_t terms_total = 0;
  std::vector<std::string> terms;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& r : records) {
    for (const std::string* text : {&r.title, &r.body}) {
      terms.clear();
      analyzer.Analyze(*text, &terms);
      bytes += text->size();
      terms_total += terms.size();
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GT(terms_total, 0u);
  return seconds > 0 ? static_cast<double>(bytes) / 1e6 / seconds : 0;
}

const std::string kCslPath = LITRANK_SOURCE_DIR "/../shared/datasets/csl/csl_dev_joined.jsonl";
const std::string kSciFactPath = LITRANK_SOURCE_DIR "/../shared/datasets/scifact/corpus.jsonl";

TEST(TextDatasetTest, CslTitlesShareTermsWithTheirAbstracts) {
  const auto records = ReadJsonl(kCslPath, "abstract");
  if (records.empty()) GTEST_SKIP() << "CSL dev set not found at " << kCslPath;
  auto analyzer = Analyzer::Create();
  ASSERT_TRUE(analyzer.ok()) << analyzer.status().ToString();
  size_t sharing = 0;
  size_t zh = 0;
  size_t multi_char_terms = 0;
  size_t title_terms = 0;
  for (const auto& r : records) {
    std::vector<std::string> title, abstract;
    (*analyzer)->Analyze(r.title, &title);
    (*analyzer)->Analyze(r.body, &abstract);
    const std::set<std::string> in_abstract(abstract.begin(), abstract.end());
    bool shares = false;
    for (const auto& t : title) {
      shares = shares || in_abstract.count(t) != 0;
      multi_char_terms += t.size() > 3 ? 1 : 0;  // more than one 3-byte character
    }
    title_terms += title.size();
    sharing += shares ? 1 : 0;
    zh += DetectLanguage(r.title + "\n" + r.body) == "zh" ? 1 : 0;
  }
  const double n = static_cast<double>(records.size());
  std::cout << "[ CSL ] " << records.size() << " records: " << 100.0 * sharing / n
            << "% of titles share a term with their abstract; " << 100.0 * zh / n
            << "% detected zh; " << 100.0 * multi_char_terms / static_cast<double>(title_terms)
            << "% of title terms longer than one character\n";
  EXPECT_GT(sharing / n, 0.9);
  EXPECT_GT(zh / n, 0.95);
  EXPECT_GT(multi_char_terms, title_terms / 2);  // words, not characters
}

TEST(TextDatasetTest, SciFactIsDetectedEnglishAndTitlesMeetAbstracts) {
  auto records = ReadJsonl(kSciFactPath, "text");
  if (records.empty()) GTEST_SKIP() << "SciFact corpus not found at " << kSciFactPath;
  auto analyzer = Analyzer::Create();
  ASSERT_TRUE(analyzer.ok()) << analyzer.status().ToString();
  size_t sharing = 0, en = 0, with_body = 0;
  for (const auto& r : records) {
    if (r.body.empty()) continue;
    ++with_body;
    std::vector<std::string> title, body;
    (*analyzer)->Analyze(r.title, &title);
    (*analyzer)->Analyze(r.body, &body);
    const std::set<std::string> in_body(body.begin(), body.end());
    bool shares = false;
    for (const auto& t : title) shares = shares || in_body.count(t) != 0;
    sharing += shares ? 1 : 0;
    en += DetectLanguage(r.body) == "en" ? 1 : 0;
  }
  const double n = static_cast<double>(with_body);
  std::cout << "[ SciFact ] " << with_body << " records: " << 100.0 * sharing / n
            << "% of titles share a term with their abstract; " << 100.0 * en / n
            << "% detected en\n";
  EXPECT_GT(sharing / n, 0.9);
  EXPECT_GT(en / n, 0.99);
}

TEST(TextDatasetTest, ReportsThroughput) {
  const auto csl = ReadJsonl(kCslPath, "abstract");
  const auto scifact = ReadJsonl(kSciFactPath, "text");
  if (csl.empty() && scifact.empty()) GTEST_SKIP() << "neither CSL nor SciFact found";
  auto analyzer = Analyzer::Create();
  ASSERT_TRUE(analyzer.ok()) << analyzer.status().ToString();
  if (!scifact.empty()) {
    std::cout << "[ speed ] English (SciFact): " << MeasureMegabytesPerSecond(**analyzer, scifact)
              << " MB/s on one core\n";
  }
  if (!csl.empty()) {
    std::cout << "[ speed ] Chinese (CSL): " << MeasureMegabytesPerSecond(**analyzer, csl)
              << " MB/s on one core\n";
  }
}

}  // namespace
}  // namespace litrank

// The litrank binary as a user runs it: output formats, stdin, exit codes, messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <nlohmann/json.hpp>

#include "process_util.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

using testing::RunCommand;

std::string Bin() { return LITRANK_BINARY; }
std::string Papers() { return std::string(LITRANK_SOURCE_DIR) + "/data/samples/papers.jsonl"; }

TEST(CliTest, RerankJsonIsSortedAndComplete) {
  const auto r = RunCommand(Bin() + " rerank -m " + testing::TinyModel("reranker") +
                            " -q 'neural reranking' --docs " + Papers() + " --format json --no-progress");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  ASSERT_EQ(j["results"].size(), 36u);
  double prev = 2;
  std::set<size_t> seen;
  for (const auto& x : j["results"]) {
    const double s = x["score"].get<double>();
    EXPECT_LE(s, prev);
    prev = s;
    seen.insert(x["index"].get<size_t>());
    EXPECT_TRUE(x.contains("truncated"));
    EXPECT_TRUE(x["id"].get<std::string>().rfind("p", 0) == 0);
  }
  EXPECT_EQ(seen.size(), 36u);
}

TEST(CliTest, TopKTableAndStdinLines) {
  const auto table = RunCommand(Bin() + " rerank -m " + testing::TinyModel("reranker") +
                                " -q 'battery' --docs " + Papers() + " -k 3 --no-progress");
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_NE(table.output.find("rank"), std::string::npos);
  EXPECT_NE(table.output.find("\n3 "), std::string::npos);
  EXPECT_EQ(table.output.find("\n4 "), std::string::npos);

  const auto jsonl = RunCommand("printf 'first post\\n\\nsecond post\\n' | " + Bin() + " rerank -m " +
                                testing::TinyModel("reranker") + " -q q --docs - --format jsonl");
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl.output;
  EXPECT_EQ(std::count(jsonl.output.begin(), jsonl.output.end(), '\n'), 2);
}

TEST(CliTest, CsvColumnIsRead) {
  const std::string csv = testing::TempDir() + "/docs.csv";
  std::ofstream(csv) << "title,abstract,label_included\n\"A, first\",\"about batteries\",1\nSecond,\"about genes\",0\n";
  const auto r = RunCommand(Bin() + " rerank -m " + testing::TinyModel("reranker") + " -q q --docs " + csv +
                            " --format json --text");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  ASSERT_EQ(j["results"].size(), 2u);
  std::set<std::string> texts;
  for (const auto& x : j["results"]) texts.insert(x["text"].get<std::string>());
  EXPECT_TRUE(texts.count("A, first. about batteries"));
}

TEST(CliTest, ExitCodesAndMessages) {
  const std::string m = testing::TinyModel("reranker");
  auto missing = RunCommand(Bin() + " rerank -m /nonexistent.gguf -q q --docs " + Papers(), true);
  EXPECT_EQ(missing.exit_code, 4);
  EXPECT_NE(missing.output.find("not found"), std::string::npos) << missing.output;

  auto empty = RunCommand(Bin() + " rerank -m " + m + " -q '' --docs " + Papers(), true);
  EXPECT_EQ(empty.exit_code, 3);
  EXPECT_NE(empty.output.find("query is empty"), std::string::npos) << empty.output;

  auto usage = RunCommand(Bin() + " rerank -q q", true);
  EXPECT_EQ(usage.exit_code, 2);

  auto embedding = RunCommand(Bin() + " rerank -m " + testing::TinyModel("embedding") + " -q q --docs " + Papers(), true);
  EXPECT_EQ(embedding.exit_code, 4);
  EXPECT_NE(embedding.output.find("embedding model"), std::string::npos);

  auto no_docs = RunCommand(Bin() + " rerank -m " + m + " -q q --docs " + testing::TempDir() + "/absent.jsonl", true);
  EXPECT_EQ(no_docs.exit_code, 3);

  const std::string bad = testing::TempDir() + "/bad.txt";
  std::ofstream(bad) << "fine line\n\xC3\x28 broken\n";
  auto bad_utf8 = RunCommand(Bin() + " rerank -m " + m + " -q q --docs " + bad + " --format jsonl", true);
  EXPECT_EQ(bad_utf8.exit_code, 0) << "the bad line is skipped, the rest is ranked";
  EXPECT_NE(bad_utf8.output.find("UTF-8"), std::string::npos) << bad_utf8.output;
}

TEST(CliTest, ModelsInfoAndList) {
  auto info = RunCommand(Bin() + " models info --json " + testing::TinyModel("broken"));
  ASSERT_EQ(info.exit_code, 0);
  const auto j = nlohmann::json::parse(info.output);
  EXPECT_EQ(j["kind"], "broken-reranker");
  EXPECT_NE(j["problem"].get<std::string>().find("cls.output"), std::string::npos);
  auto list = RunCommand("XDG_CACHE_HOME=" + testing::TempDir() + " " + Bin() + " models list");
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_NE(list.output.find("qwen3-reranker-0.6b"), std::string::npos);
  EXPECT_NE(list.output.find("Recommended weight format"), std::string::npos);
}

}  // namespace
}  // namespace litrank

namespace litrank {
namespace {

// Smoke test of the benchmark harness on the tiny model: it must run both engines and
// write the JSON fields the issue names (speed itself is never asserted in tests).
TEST(CliTest, BenchRerankWritesJsonRecords) {
  const std::string out = testing::TempDir() + "/bench";
  const auto r = RunCommand(Bin() + " bench rerank --model " + testing::TinyModel("reranker") +
                                " --types f16 --lengths 40 --docs 4 --repeats 1 --parallel 1 --out-dir " + out +
                                " --samples " + Papers(), true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::filesystem::path json;
  for (const auto& e : std::filesystem::directory_iterator(out)) json = e.path();
  ASSERT_FALSE(json.empty());
  std::ifstream in(json);
  const auto j = nlohmann::json::parse(in);
  ASSERT_EQ(j["records"].size(), 1u);
  const auto& rec = j["records"][0];
  for (const char* key : {"length", "type", "litrank_docs_per_s", "llama_server_docs_per_s", "ratio",
                          "litrank_new_tokens_per_s", "ceiling_tokens_per_s", "litrank_peak_rss_mib"}) {
    EXPECT_TRUE(rec.contains(key)) << key;
  }
  EXPECT_GT(rec["litrank_docs_per_s"].get<double>(), 0);
  if (std::filesystem::exists(LITRANK_LLAMA_SERVER)) {
    EXPECT_GT(rec["llama_server_docs_per_s"].get<double>(), 0);
  }
}

}  // namespace
}  // namespace litrank

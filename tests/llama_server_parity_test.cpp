// litrank's scores equal llama.cpp's own llama-server (--rerank, built from the same
// pinned source) on the same GGUF, default instruction, within 1e-3.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "litrank/reranker.h"
#include "process_util.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

const std::string kQuery = "How do solid-state batteries degrade?";
const std::vector<std::string> kDocs = {
    "Interfacial reactions between sulfide electrolytes and cathodes raise impedance.",
    "CRISPR base editors avoid double-strand breaks.",
    "Lithium dendrites penetrate the ceramic separator along grain boundaries, causing short circuits "
    "after a few hundred cycles at high current density.",
    "基于深度学习的中文文本检索。",
    "ok"};

/// llama-server's relevance_score per document index, or an empty vector (test failed / skipped).
std::vector<double> LlamaServerScores(const std::string& model) {
  const std::string server = LITRANK_LLAMA_SERVER;
  const int port = testing::FreePort();
  testing::LinePipe log(testing::TempDir() + "/llama-server.log");
  testing::ChildProcess proc({server, "-m", model, "--rerank", "--host", "127.0.0.1", "--port", std::to_string(port),
                              "-t", "2", "-c", "4096", "-np", "2", "--no-webui"},
                             "", log.write_fd());
  log.CloseWriteEnd();
  httplib::Client cli("127.0.0.1", port);
  cli.set_read_timeout(120, 0);
  const bool ready = testing::WaitLlamaServerReady(log, cli);
  EXPECT_TRUE(ready) << "llama-server did not become ready; see " << testing::TempDir() << "/llama-server.log";
  if (!ready) return {};
  nlohmann::json body = {{"query", kQuery}, {"documents", kDocs}, {"top_n", kDocs.size()}};
  auto res = cli.Post("/v1/rerank", body.dump(), "application/json");
  EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no reply");
  if (!res || res->status != 200) return {};
  std::vector<double> scores(kDocs.size(), -1);
  const auto reply = nlohmann::json::parse(res->body);
  for (const auto& r : reply["results"]) {
    scores[r["index"].get<size_t>()] = r["relevance_score"].get<double>();
  }
  return scores;
}

RerankResult Ours(const std::string& model) {
  RerankerConfig c;
  c.threads = 2;
  auto reranker = Reranker::Open(model, c);
  EXPECT_TRUE(reranker.ok()) << reranker.status().ToString();
  RerankResult out;
  if (reranker.ok()) {
    EXPECT_TRUE((*reranker)->Rerank(kQuery, kDocs, {}, &out).ok());
  }
  return out;
}

class LlamaServerParityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(LITRANK_LLAMA_SERVER)) GTEST_SKIP() << "llama-server not built (LITRANK_ANCHORS=OFF)";
  }
};

TEST_F(LlamaServerParityTest, Qwen3RerankerScoresEqualLlamaServer) {
  const std::string model = testing::TinyModel("reranker");
  const auto theirs = LlamaServerScores(model);
  ASSERT_EQ(theirs.size(), kDocs.size());
  const RerankResult ours = Ours(model);
  ASSERT_EQ(ours.results.size(), kDocs.size());
  for (const auto& d : ours.results) EXPECT_NEAR(d.score, theirs[d.index], 1e-3) << "document " << d.index;
}

TEST_F(LlamaServerParityTest, CrossEncoderLogitsEqualLlamaServer) {
  // llama-server returns a BGE-style cross-encoder's raw output; litrank's logit is that
  // output and its score the sigmoid of it.
  const std::string model = testing::TinyModel("cross-encoder");
  const auto theirs = LlamaServerScores(model);
  ASSERT_EQ(theirs.size(), kDocs.size());
  const RerankResult ours = Ours(model);
  ASSERT_EQ(ours.results.size(), kDocs.size());
  for (const auto& d : ours.results) EXPECT_NEAR(d.logit, theirs[d.index], 1e-3) << "document " << d.index;
}

}  // namespace
}  // namespace litrank

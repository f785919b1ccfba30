// litrank's scores equal llama.cpp's own llama-server (--rerank, built from the same
// pinned source) on the same GGUF, default instruction, within 1e-3.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "litrank/reranker.h"
#include "process_util.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

TEST(LlamaServerParityTest, SameScoresAsLlamaServerRerank) {
  const std::string server = LITRANK_LLAMA_SERVER;
  if (server.empty() || !std::filesystem::exists(server)) GTEST_SKIP() << "llama-server not built (LITRANK_ANCHORS=OFF)";
  const std::string model = testing::TinyModel("reranker");
  const int port = testing::FreePort();
  testing::ChildProcess proc({server, "-m", model, "--rerank", "--host", "127.0.0.1", "--port", std::to_string(port),
                              "-t", "2", "-c", "4096", "-np", "2", "--no-webui"},
                             testing::TempDir() + "/llama-server.log");
  httplib::Client cli("127.0.0.1", port);
  cli.set_read_timeout(120, 0);
  bool ready = false;
  for (int i = 0; i < 300 && !ready; ++i) {
    auto res = cli.Get("/health");
    ready = res && res->status == 200;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(ready) << "llama-server did not become ready; see " << testing::TempDir() << "/llama-server.log";

  const std::string query = "How do solid-state batteries degrade?";
  const std::vector<std::string> docs = {
      "Interfacial reactions between sulfide electrolytes and cathodes raise impedance.",
      "CRISPR base editors avoid double-strand breaks.",
      "Lithium dendrites penetrate the ceramic separator along grain boundaries, causing short circuits "
      "after a few hundred cycles at high current density.",
      "基于深度学习的中文文本检索。",
      "ok"};
  nlohmann::json body = {{"query", query}, {"documents", docs}, {"top_n", docs.size()}};
  auto res = cli.Post("/v1/rerank", body.dump(), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto reply = nlohmann::json::parse(res->body);
  std::vector<double> theirs(docs.size(), -1);
  for (const auto& r : reply["results"]) theirs[r["index"].get<size_t>()] = r["relevance_score"].get<double>();

  auto reranker = Reranker::Open(model, {.threads = 2});
  ASSERT_TRUE(reranker.ok()) << reranker.status().ToString();
  RerankResult ours;
  ASSERT_TRUE((*reranker)->Rerank(query, docs, {}, &ours).ok());
  ASSERT_EQ(ours.results.size(), docs.size());
  for (const auto& d : ours.results) {
    EXPECT_NEAR(d.score, theirs[d.index], 1e-3) << "document " << d.index;
  }
}

}  // namespace
}  // namespace litrank

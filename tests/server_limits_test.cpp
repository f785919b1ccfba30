// Server-wide limits: bytes of request bodies in flight across all connections,
// top_k and candidate counts inside their documented bounds, and corpus lookups
// of many ids in bounded statements.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>

#include "litrank/corpus.h"
#include "raw_connection.h"
#include "server_fixture.h"

namespace litrank {
namespace {

using nlohmann::json;

using testing::Head;
using testing::RawConnection;

// A gauge or counter from /metrics (-1 when absent).
double Metric(httplib::Client& c, const std::string& name) {
  auto res = c.Get("/metrics");
  if (!res) return -1;
  const size_t at = res->body.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(res->body.substr(at + name.size() + 2));
}

// Polls /metrics until `name` equals `value` (no sleeps: each poll is a request).
bool MetricBecomes(httplib::Client& c, const std::string& name, double value) {
  for (int i = 0; i < 20000; ++i) {
    if (Metric(c, name) == value) return true;
  }
  return false;
}

TEST(ServerLimits, BodiesInFlightShareOneBudget) {
  server::ServerConfig config;
  config.limits.max_body_bytes = 1 << 20;
  config.limits.max_inflight_body_bytes = 1500000;
  testing::TestServer server(config, /*with_models=*/false);
  auto c = server.client();
  ASSERT_EQ(Metric(c, "litrank_http_body_bytes_in_flight"), 0);

  // One client declares 1,000,000 bytes and sends 10: the server waits for the rest.
  RawConnection slow(server.port());
  ASSERT_TRUE(slow.connected());
  ASSERT_TRUE(slow.Send(Head("/v1/collections/limits/documents", 1000000) + "{\"query\":"));
  ASSERT_TRUE(MetricBecomes(c, "litrank_http_body_bytes_in_flight", 1000000));

  // A second large body would pass 1.5 MB in flight: 429 before a byte of it is read.
  RawConnection second(server.port());
  ASSERT_TRUE(second.Send(Head("/v1/rerank", 600000)));
  const std::string refused = second.ReadResponse();
  EXPECT_EQ(refused.rfind("HTTP/1.1 429", 0), 0u) << refused.substr(0, 200);
  EXPECT_NE(refused.find("Retry-After: 1"), std::string::npos) << refused.substr(0, 400);
  const json body = json::parse(refused.substr(refused.find("\r\n\r\n") + 4), nullptr, false);
  EXPECT_EQ(body["error"]["code"], "server_busy") << refused;
  EXPECT_EQ(Metric(c, "litrank_http_body_refused_total"), 1);

  // A small one still fits (and gets its ordinary answer: no reranker here).
  const auto small = testing::PostJson(c, "/v1/rerank", R"({"query":"q","documents":["a"]})");
  EXPECT_EQ(small.status, 404) << small.raw;

  // The slow body completes; its bytes come back to the budget with its answer.
  ASSERT_TRUE(slow.Send(std::string(1000000 - 9, ' ')));
  const std::string answered = slow.ReadResponse();
  EXPECT_EQ(answered.rfind("HTTP/1.1 400", 0), 0u) << answered.substr(0, 200);  // not valid JSON
  EXPECT_TRUE(MetricBecomes(c, "litrank_http_body_bytes_in_flight", 0));
  // Then the large one is admitted.
  const auto later = testing::PostJson(c, "/v1/collections/limits/documents", std::string(600000, ' '));
  EXPECT_EQ(later.status, 400) << later.raw.substr(0, 200);
}

TEST(ServerLimits, TopKAndCandidatesStayWithinLimits) {
  server::ServerConfig config;
  config.db_path = testing::TempDir() + "/limits-papers.db";
  testing::MakeSampleCollection(config.db_path);
  config.limits.max_top_k = 3;
  config.limits.max_candidates = 50;
  testing::TestServer server(config, /*with_models=*/false);
  auto c = server.client();
  auto search = [&](const json& extra) {
    json body = {{"query", "battery electrodes neural reranking"}, {"rerank", false}, {"dense", false}};
    body.update(extra);
    return testing::PostJson(c, "/v1/collections/default/search", body.dump());
  };
  // top_k 0 ("all") is all that the limit allows, not every matching document.
  const auto all = search({{"top_k", 0}, {"bm25_candidates", 50}});
  ASSERT_EQ(all.status, 200) << all.raw;
  EXPECT_EQ(all.body["results"].size(), 3u);
  EXPECT_EQ(search({{"top_k", 4}}).status, 400);
  // Candidate counts: up to max_candidates, no further.
  EXPECT_EQ(search({{"bm25_candidates", 50}}).status, 200);
  const auto over = search({{"bm25_candidates", 51}});
  EXPECT_EQ(over.status, 400) << over.raw;
  EXPECT_NE(over.body["error"]["message"].get<std::string>().find("between 1 and 50"), std::string::npos) << over.raw;
  EXPECT_EQ(search({{"dense_candidates", 100000}}).status, 400);
  EXPECT_EQ(search({{"rrf_k", 51}}).status, 400);
  json many = json::array();
  for (int i = 0; i < 101; ++i) many.push_back(std::to_string(i) + "k");
  EXPECT_EQ(search({{"keywords", many}}).status, 400);
}

TEST(ServerLimits, GetManyReturnsAnyNumberOfIdsInOrder) {
  const std::string path = testing::TempDir() + "/getmany.db";
  std::filesystem::remove(path);
  auto corpus = Corpus::Open(path);
  ASSERT_TRUE(corpus.ok());
  std::vector<Document> docs(1200);
  for (size_t i = 0; i < docs.size(); ++i) docs[i].title = "Document number " + std::to_string(i) + " of many";
  ASSERT_TRUE((*corpus)->Add(docs, nullptr).ok());
  std::vector<int64_t> all;
  ASSERT_TRUE((*corpus)->FilterRowids({}, &all).ok());
  ASSERT_EQ(all.size(), 1200u);
  // 40,000 ids (more than SQLite binds in one statement), shuffled, with repeats and unknown ids.
  std::vector<int64_t> ask;
  std::mt19937 rng(7);
  for (int i = 0; i < 40000; ++i) ask.push_back(i % 10 == 0 ? 1000000 + i : all[rng() % all.size()]);
  std::vector<StoredDocument> got;
  ASSERT_TRUE((*corpus)->GetMany(ask, &got).ok());
  std::vector<int64_t> expected;
  for (int64_t id : ask) {
    if (id < 1000000) expected.push_back(id);
  }
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].rowid, expected[i]);
    ASSERT_EQ(got[i].doc.title, docs[static_cast<size_t>(got[i].rowid - all.front())].title);
  }
}

}  // namespace
}  // namespace litrank

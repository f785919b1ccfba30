// Screening over HTTP: start a project on a collection, fetch the next records,
// post decisions (also from many clients at once), read the status, export;
// every bad request gets a JSON error with the right status.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "server_fixture.h"

namespace litrank {
namespace {

using testing::GetJson;
using testing::PostJson;

class ServerScreenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::TempDir() + "/server_screen.db";
    testing::MakeSampleCollection(db_);
    std::remove((db_ + "-wal").c_str());
    server::ServerConfig config;
    config.db_path = db_;
    server_ = std::make_unique<testing::TestServer>(config, /*with_models=*/false);
  }
  std::string db_;
  std::unique_ptr<testing::TestServer> server_;
};

constexpr const char* kBase = "/v1/collections/default/screening";

TEST_F(ServerScreenTest, StartNextLabelStatusExport) {
  auto c = server_->client();
  auto created = PostJson(c, kBase, R"({"project":"rev","question":"cross-encoder reranking of scientific abstracts"})");
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(created.body["records"], 36);
  EXPECT_EQ(created.body["screened"], 0);
  EXPECT_EQ(created.body["prior"], "bm25");
  auto list = GetJson(c, kBase);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["data"][0]["project"], "rev");

  auto next = GetJson(c, std::string(kBase) + "/rev/next?count=3");
  ASSERT_EQ(next.status, 200) << next.raw;
  ASSERT_EQ(next.body["data"].size(), 3u);
  // The BM25 prior: the sample paper whose title is the question comes first.
  EXPECT_NE(next.body["data"][0]["title"].get<std::string>().find("Cross-Encoder Reranking"), std::string::npos);
  const int64_t first = next.body["data"][0]["rowid"];
  const int64_t second = next.body["data"][1]["rowid"];
  auto labelled = PostJson(c, std::string(kBase) + "/rev/labels",
                           nlohmann::json{{"id", first}, {"decision", "include"}}.dump());
  ASSERT_EQ(labelled.status, 200) << labelled.raw;
  EXPECT_EQ(labelled.body["included"], 1);
  labelled = PostJson(c, std::string(kBase) + "/rev/labels", nlohmann::json{{"id", second}, {"decision", "exclude"}}.dump());
  ASSERT_EQ(labelled.status, 200);
  EXPECT_EQ(labelled.body["model_trained"], true);
  auto after = GetJson(c, std::string(kBase) + "/rev/next?count=100");
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(after.body["data"].size(), 34u);
  for (const auto& r : after.body["data"]) {
    EXPECT_NE(r["rowid"], first);
    EXPECT_NE(r["rowid"], second);
  }
  auto status = GetJson(c, std::string(kBase) + "/rev");
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.body["screened"], 2);
  EXPECT_TRUE(status.body["stopping"].contains("estimated_remaining"));

  auto csv = c.Get((std::string(kBase) + "/rev/export?format=csv").c_str());
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(csv->get_header_value("Content-Type").rfind("text/csv", 0), 0u);
  EXPECT_EQ(csv->body.rfind("record_id,title,abstract", 0), 0u);
  size_t lines = 0;
  for (char ch : csv->body) lines += ch == '\n';
  EXPECT_GE(lines, 37u);  // header + 36 records (abstracts may hold no newline; quoted if they do)
  auto bib = c.Get((std::string(kBase) + "/rev/export?format=bibtex").c_str());
  ASSERT_TRUE(bib);
  size_t entries = bib->body.rfind('@', 0) == 0 ? 1 : 0;  // entries start a line
  for (size_t at = bib->body.find("\n@"); at != std::string::npos; at = bib->body.find("\n@", at + 1)) ++entries;
  EXPECT_EQ(entries, 1u) << bib->body;
}

TEST_F(ServerScreenTest, BadRequestsGetJsonErrors) {
  auto c = server_->client();
  ASSERT_EQ(PostJson(c, kBase, R"({"project":"p","question":"q"})").status, 201);
  struct Case {
    std::string method, path, body;
    int status;
  } cases[] = {
      {"POST", kBase, R"({"project":"p","question":"q"})", 409},
      {"POST", kBase, R"({"project":"x"})", 400},
      {"POST", kBase, R"({"question": 5})", 400},
      {"POST", kBase, "[1,2", 400},
      {"POST", "/v1/collections/nope/screening", R"({"question":"q"})", 404},
      {"GET", std::string(kBase) + "/missing", "", 404},
      {"GET", std::string(kBase) + "/p/next?count=0", "", 400},
      {"GET", std::string(kBase) + "/p/next?count=abc", "", 400},
      {"GET", std::string(kBase) + "/p/next?count=99999999999999999999", "", 400},
      {"POST", std::string(kBase) + "/p/labels", R"({"id":1,"decision":"perhaps"})", 400},
      {"POST", std::string(kBase) + "/p/labels", R"({"id":"1","decision":"include"})", 400},
      {"POST", std::string(kBase) + "/p/labels", R"({"id":987654,"decision":"include"})", 404},
      {"POST", std::string(kBase) + "/missing/labels", R"({"id":1,"decision":"include"})", 404},
      {"GET", std::string(kBase) + "/p/export?format=xlsx", "", 400},
  };
  for (const Case& k : cases) {
    testing::Reply r = k.method == "POST" ? PostJson(c, k.path, k.body) : GetJson(c, k.path);
    EXPECT_EQ(r.status, k.status) << k.method << " " << k.path << " " << k.body << " -> " << r.raw;
    EXPECT_TRUE(r.body.is_object() && r.body.contains("error")) << r.raw;
  }
  // A huge question is refused, not stored.
  const std::string huge = nlohmann::json{{"project", "h"}, {"question", std::string(20000, 'x')}}.dump();
  EXPECT_EQ(PostJson(c, kBase, huge).status, 413);
}

TEST_F(ServerScreenTest, ConcurrentLabelsAreAllKept) {
  auto c = server_->client();
  ASSERT_EQ(PostJson(c, kBase, R"({"project":"many","question":"graph neural networks"})").status, 201);
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int t = 0; t < 6; ++t) {
    clients.emplace_back([&, t] {
      auto mine = server_->client();
      for (int id = 1 + t; id <= 36; id += 6) {
        auto r = PostJson(mine, std::string(kBase) + "/many/labels",
                          nlohmann::json{{"id", id}, {"decision", id % 3 == 0 ? "include" : "exclude"}}.dump());
        if (r.status == 200) ++ok;
        GetJson(mine, std::string(kBase) + "/many/next?count=2");
      }
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(ok.load(), 36);
  auto status = GetJson(c, std::string(kBase) + "/many");
  EXPECT_EQ(status.body["screened"], 36);
  EXPECT_EQ(status.body["included"], 12);
  auto next = GetJson(c, std::string(kBase) + "/many/next?count=5");
  EXPECT_EQ(next.body["data"].size(), 0u);
}

}  // namespace
}  // namespace litrank

// Many writers on one collection file: two `litrank ingest` processes and server
// uploads, interleaved deterministically through the ingest command's test gate
// (FIFOs, no sleeps), then every document must be there and findable.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "litrank/corpus.h"
#include "litrank/search.h"
#include "process_util.h"
#include "store/sql.h"
#include "server_fixture.h"

namespace litrank {
namespace {

using nlohmann::json;
using testing::ChildProcess;

std::string Bin() { return LITRANK_BINARY; }

// A word the analyzer keeps as it is (no vowel endings the stemmer would cut),
// unique to document `i`.
std::string Marker(size_t i) {
  static const char kLetters[] = "bcdfghjkmnpqrtvwxz";
  std::string m = "qz";
  for (int k = 0; k < 3; ++k, i /= 18) m += kLetters[i % 18];
  return m;
}

struct Doc {
  std::string id, title, abstract;
};

// Documents [first, first + n); `fresh` words are added to all but the first
// one, so a writer meets them only after its first batch.
std::vector<Doc> MakeDocs(size_t first, size_t n, const std::string& fresh) {
  std::vector<Doc> docs;
  for (size_t i = first; i < first + n; ++i) {
    std::string id = "d";
    id += std::to_string(i);  // (not "d" + to_string: GCC 12 warns falsely, -Wrestrict)
    Doc d{id, "Study " + Marker(i) + " of battery electrodes",
          "Lithium plating and graphite anodes at low temperature."};
    if (i != first) d.abstract += " " + fresh;
    docs.push_back(d);
  }
  return docs;
}

std::string WriteJsonl(const std::string& path, const std::vector<Doc>& docs) {
  std::ofstream out(path);
  for (const Doc& d : docs) out << json{{"id", d.id}, {"title", d.title}, {"abstract", d.abstract}}.dump() << "\n";
  return path;
}

json UploadBody(const std::vector<Doc>& docs) {
  json list = json::array();
  for (const Doc& d : docs) list.push_back({{"id", d.id}, {"title", d.title}, {"abstract", d.abstract}});
  return {{"documents", list}};
}

ChildProcess StartIngest(const std::string& db, const std::string& file, const std::string& gate,
                         const std::string& log) {
  return ChildProcess({"/usr/bin/env", "LITRANK_TEST_INGEST_GATE=" + gate, Bin(), "ingest", "--db", db, file,
                       "--batch", "1", "--no-progress"},
                      log);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(ConcurrentWritersTest, TwoIngestProcessesAndServerUploadsShareOneFile) {
  const std::string dir = testing::TempDir() + "/concurrent_writers";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = dir + "/shared.db";
  server::ServerConfig config;
  config.db_path = db;
  testing::TestServer server(config, /*with_models=*/false);
  httplib::Client http = server.client();
  std::vector<Doc> all;
  auto upload = [&](const std::vector<Doc>& docs) {
    all.insert(all.end(), docs.begin(), docs.end());
    return testing::PostJson(http, "/v1/collections/default/documents", UploadBody(docs).dump());
  };

  // Phase 1, fixed order: the server's lane and both processes learn the
  // vocabulary, then each meets words another writer added after that.
  const auto s1 = upload(MakeDocs(0, 5, ""));
  ASSERT_EQ(s1.status, 201) << s1.raw;
  const auto fa = MakeDocs(100, 12, "zircaloy cladding");
  const auto fb = MakeDocs(200, 12, "zircaloy cladding");
  all.insert(all.end(), fa.begin(), fa.end());
  all.insert(all.end(), fb.begin(), fb.end());
  testing::CliGate gate_a(dir + "/a"), gate_b(dir + "/b");
  ChildProcess a = StartIngest(db, WriteJsonl(dir + "/a.jsonl", fa), gate_a.prefix(), dir + "/a.log");
  ASSERT_TRUE(gate_a.WaitReady(a)) << ReadFile(dir + "/a.log");
  ChildProcess b = StartIngest(db, WriteJsonl(dir + "/b.jsonl", fb), gate_b.prefix(), dir + "/b.log");
  ASSERT_TRUE(gate_b.WaitReady(b)) << ReadFile(dir + "/b.log");
  gate_a.Release();
  ASSERT_EQ(a.WaitExit(120), 0) << ReadFile(dir + "/a.log");
  gate_b.Release();  // its cached vocabulary lacks the words `a` added
  ASSERT_EQ(b.WaitExit(120), 0) << ReadFile(dir + "/b.log");
  const auto s2 = upload(MakeDocs(300, 5, "zircaloy cladding hydride"));  // so does the server's lane
  ASSERT_EQ(s2.status, 201) << s2.raw;

  // Phase 2, all at once: both processes are mid-file when they and an upload go.
  const auto fa2 = MakeDocs(1000, 150, "neutron embrittlement");
  const auto fb2 = MakeDocs(2000, 150, "neutron embrittlement");
  all.insert(all.end(), fa2.begin(), fa2.end());
  all.insert(all.end(), fb2.begin(), fb2.end());
  testing::CliGate gate_a2(dir + "/a2"), gate_b2(dir + "/b2");
  ChildProcess a2 = StartIngest(db, WriteJsonl(dir + "/a2.jsonl", fa2), gate_a2.prefix(), dir + "/a2.log");
  ChildProcess b2 = StartIngest(db, WriteJsonl(dir + "/b2.jsonl", fb2), gate_b2.prefix(), dir + "/b2.log");
  ASSERT_TRUE(gate_a2.WaitReady(a2)) << ReadFile(dir + "/a2.log");
  ASSERT_TRUE(gate_b2.WaitReady(b2)) << ReadFile(dir + "/b2.log");
  const std::vector<Doc> s3 = MakeDocs(3000, 150, "neutron embrittlement");
  gate_a2.Release();
  gate_b2.Release();
  const auto s3_reply = upload(s3);
  EXPECT_EQ(s3_reply.status, 201) << s3_reply.raw;
  EXPECT_EQ(a2.WaitExit(120), 0) << ReadFile(dir + "/a2.log");
  EXPECT_EQ(b2.WaitExit(120), 0) << ReadFile(dir + "/b2.log");

  // Every document is there once, and each one's own word finds it first, both
  // in a fresh process-local searcher and through the server's long-lived lanes.
  auto corpus = Corpus::Open(db, /*create=*/false);
  ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
  auto count = (*corpus)->Count();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, static_cast<int64_t>(all.size()));
  auto searcher = Searcher::Create(corpus->get(), nullptr, nullptr);
  ASSERT_TRUE(searcher.ok());
  SearchOptions options;
  options.dense = options.rerank = false;
  options.top_k = 1;
  for (const Doc& d : all) {
    const std::string marker = d.title.substr(6, 5);
    std::vector<SearchHit> hits;
    SearchReport report;
    ASSERT_TRUE((*searcher)->Search(marker, options, &hits, &report).ok());
    ASSERT_EQ(hits.size(), 1u) << marker;
    EXPECT_EQ(hits[0].document.doc.id, d.id) << marker;
    const auto r = testing::PostJson(http, "/v1/collections/default/search",
                                     json{{"query", marker}, {"top_k", 1}, {"dense", false}, {"rerank", false}}.dump());
    ASSERT_EQ(r.status, 200) << r.raw;
    ASSERT_EQ(r.body["results"].size(), 1u) << r.raw;
    EXPECT_EQ(r.body["results"][0]["id"], d.id) << marker;
  }
  // The shared late words were indexed once, for every document that has them.
  std::vector<SearchHit> hits;
  SearchReport report;
  options.top_k = 0;
  options.bm25_candidates = 1000;
  ASSERT_TRUE((*searcher)->Search("embrittlement", options, &hits, &report).ok());
  EXPECT_EQ(hits.size(), 3u * 149u);
}

// A writer that holds the file's lock past the 10 s busy wait: the CLI exits with
// its own code 6 (not 3, "bad input") and the server answers 503 + Retry-After;
// once the lock is gone the same command resumes and succeeds.
TEST(ConcurrentWritersTest, LockHeldPastTheWaitIsExitCode6And503) {
  const std::string dir = testing::TempDir() + "/locked_writer";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = dir + "/locked.db";
  server::ServerConfig config;
  config.db_path = db;
  testing::TestServer server(config, /*with_models=*/false);
  httplib::Client http = server.client();
  const std::string file = WriteJsonl(dir + "/docs.jsonl", MakeDocs(0, 3, ""));
  auto holder = sql::Db::Open(db, /*create=*/false);
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();
  ASSERT_TRUE(holder->Exec("BEGIN IMMEDIATE").ok());
  auto upload = std::async(std::launch::async, [&] {
    return http.Post("/v1/collections/default/documents", UploadBody(MakeDocs(10, 2, "")).dump(), "application/json");
  });
  const auto cli = testing::RunCommand(Bin() + " ingest --no-progress --db " + db + " " + file, true);
  const httplib::Result reply = upload.get();
  ASSERT_TRUE(holder->Exec("ROLLBACK").ok());
  EXPECT_EQ(cli.exit_code, 6) << cli.output;
  EXPECT_NE(cli.output.find("locked by another writer"), std::string::npos) << cli.output;
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 503) << reply->body;
  EXPECT_EQ(reply->get_header_value("Retry-After"), "1");
  EXPECT_EQ(json::parse(reply->body, nullptr, false)["error"]["code"], "collection_locked") << reply->body;
  auto res = http.Post("/v1/collections/default/documents", UploadBody(MakeDocs(10, 2, "")).dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201) << res->body;
  const auto again = testing::RunCommand(Bin() + " ingest --no-progress --db " + db + " " + file, true);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("3 added"), std::string::npos) << again.output;
}

}  // namespace
}  // namespace litrank

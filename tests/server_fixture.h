// An in-process litrank server on a free loopback port with the tiny synthetic
// reranker and embedder and a collection of the bundled sample papers.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "ingest/record_reader.h"
#include "litrank/corpus.h"
#include "server/server.h"
#include "store/ingest_file.h"
#include "synth_fixture.h"

namespace litrank::testing {

/// The sample papers ingested into a fresh collection file at `path`.
inline void MakeSampleCollection(const std::string& path) {
  std::filesystem::remove(path);
  auto corpus = Corpus::Open(path);
  ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
  IngestReport report;
  const Status st = IngestFile(**corpus, std::string(LITRANK_SOURCE_DIR) + "/data/samples/papers.jsonl", {}, 500, &report);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

/// A running server; stopped (gracefully) when destroyed.
class TestServer {
 public:
  /// Starts with `config`; model paths left empty get the tiny synthetic models
  /// unless `with_models` is false.
  explicit TestServer(server::ServerConfig config = {}, bool with_models = true) {
    config.host = "127.0.0.1";
    config.port = 0;
    config.threads = 2;
    if (with_models && config.reranker_path.empty()) config.reranker_path = TinyModel("reranker");
    if (with_models && config.embedder_path.empty()) config.embedder_path = TinyModel("embedding");
    srv_ = std::make_unique<server::Server>(config);
    const Status st = srv_->Bind();
    EXPECT_TRUE(st.ok()) << st.ToString();
    thread_ = std::thread([this] { run_status_ = srv_->Run(); });
    const Status ready = srv_->WaitUntilReady();  // the models are loaded: /health says 200
    EXPECT_TRUE(ready.ok()) << "the server did not become ready: " << ready.ToString();
  }
  ~TestServer() {
    srv_->Stop();
    thread_.join();
  }
  /// A client for this server (60 s timeouts).
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", srv_->port());
    c.set_read_timeout(60, 0);
    return c;
  }
  int port() const { return srv_->port(); }

 private:
  std::unique_ptr<server::Server> srv_;
  std::thread thread_;
  Status run_status_;
};

/// POSTs `body` as JSON; the status and the parsed reply (null when not JSON).
struct Reply {
  int status = 0;
  nlohmann::json body;
  std::string raw;
};

inline Reply PostJson(httplib::Client& c, const std::string& path, const std::string& body,
                      const httplib::Headers& headers = {}) {
  Reply r;
  auto res = c.Post(path.c_str(), headers, body, "application/json");
  if (!res) return r;
  r.status = res->status;
  r.raw = res->body;
  r.body = nlohmann::json::parse(res->body, nullptr, false);
  return r;
}

inline Reply GetJson(httplib::Client& c, const std::string& path, const httplib::Headers& headers = {}) {
  Reply r;
  auto res = c.Get(path.c_str(), headers);
  if (!res) return r;
  r.status = res->status;
  r.raw = res->body;
  r.body = nlohmann::json::parse(res->body, nullptr, false);
  return r;
}

}  // namespace litrank::testing

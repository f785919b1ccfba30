// Server operations: API keys, body and queue limits (413, 429 + Retry-After), 503
// while loading, a disconnected client's request is cancelled, and SIGTERM lets
// in-flight requests finish before the process exits.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <optional>
#include <regex>
#include <thread>

#include "process_util.h"
#include "server/server_state.h"
#include "server_fixture.h"
#include "sync_util.h"

namespace litrank {
namespace {

using nlohmann::json;
using testing::PostJson;
using testing::TestServer;

std::string Abstract(size_t i) {
  return "Abstract " + std::to_string(i) + ": we study lithium metal anodes, solid electrolytes, interfacial "
         "impedance and dendrite growth under fast charging at low temperature with operando microscopy.";
}

json RerankBody(size_t docs, const std::string& tag) {
  json d = json::array();
  for (size_t i = 0; i < docs; ++i) d.push_back(Abstract(i) + " " + tag);
  return {{"query", "dendrite suppression " + tag}, {"documents", d}};
}

/// The value of a metric line "name value" in a Prometheus page (-1 when absent).
double Metric(const std::string& page, const std::string& name) {
  const size_t at = page.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(page.substr(at + name.size() + 2));
}

TEST(ServerOps, ApiKeyGuardsApiRoutesButNotHealthOrThePage) {
  server::ServerConfig c;
  c.api_key = "s3cret";
  TestServer srv(c, /*with_models=*/false);
  auto cli = srv.client();
  EXPECT_EQ(testing::GetJson(cli, "/health").status, 200);
  auto page = cli.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<html"), std::string::npos);
  auto none = testing::GetJson(cli, "/v1/models");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.body["error"]["code"], "invalid_api_key");
  EXPECT_EQ(testing::GetJson(cli, "/v1/models", {{"Authorization", "Bearer wrong!"}}).status, 401);
  EXPECT_EQ(testing::GetJson(cli, "/metrics").status, 401);
  EXPECT_EQ(testing::GetJson(cli, "/v1/models", {{"Authorization", "Bearer s3cret"}}).status, 200);
  // No reranker loaded: a clear 404, not a crash.
  auto r = PostJson(cli, "/v1/rerank", R"({"query":"q","documents":["a"]})", {{"Authorization", "Bearer s3cret"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body["error"]["code"], "model_not_loaded");
}

TEST(ServerOps, BodyOverTheLimitIs413WithAJsonBody) {
  server::ServerConfig c;
  c.limits.max_body_bytes = 2000;
  TestServer srv(c, /*with_models=*/false);
  auto cli = srv.client();
  auto r = PostJson(cli, "/v1/rerank", RerankBody(40, "big").dump());
  EXPECT_EQ(r.status, 413) << r.raw;
  EXPECT_EQ(r.body["error"]["code"], "body_too_large");
}

TEST(ServerOps, RoutesAnswer503WithRetryAfterWhileLoading) {
  server::ServerState state;  // never marked ready
  auto handler = server::MakeHandler(state, "/v1/rerank", server::Guard::kApi,
                                     [](const httplib::Request&, httplib::Response&, server::ServerState&) {
                                       ADD_FAILURE() << "ran before the models were loaded";
                                       return server::ApiError{};
                                     });
  httplib::Request req;
  httplib::Response res;
  handler(req, res);
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(res.get_header_value("Retry-After"), "2");
  EXPECT_EQ(json::parse(res.body)["error"]["code"], "model_loading");
}

TEST(ServerOps, FullRerankQueueIs429WithRetryAfter) {
  testing::Gate before_1(1);  // the big request stays queued until the small one was refused
  server::ServerConfig c;
  c.scheduler.max_queued_pairs = 20;
  c.scheduler.before_round = before_1.Hook();
  TestServer srv(c);
  std::thread big([&] {
    auto cli = srv.client();
    EXPECT_EQ(PostJson(cli, "/v1/rerank", RerankBody(600, "big").dump()).status, 200);
  });
  ASSERT_TRUE(before_1.Reached());
  auto cli = srv.client();
  auto res = cli.Post("/v1/rerank", RerankBody(30, "small").dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429) << res->body;
  EXPECT_EQ(res->get_header_value("Retry-After"), "1");
  EXPECT_EQ(json::parse(res->body)["error"]["code"], "queue_full");
  before_1.Release();
  big.join();
  EXPECT_EQ(PostJson(cli, "/v1/rerank", RerankBody(30, "small").dump()).status, 200);
}

TEST(ServerOps, DisconnectedClientsRequestIsCancelled) {
  testing::Gate before_1(1);  // one round decoded, then the engine waits for the client to leave
  server::ServerConfig c;
  c.scheduler.before_round = before_1.Hook();
  TestServer srv(c);
  const std::string body = RerankBody(1000, "gone").dump();
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(srv.port()));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string request = "POST /v1/rerank HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;
  ASSERT_EQ(send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  ASSERT_TRUE(before_1.Reached());
  auto cli = srv.client();
  const std::string first_round = cli.Get("/metrics")->body;
  close(fd);  // the client gives up mid-request
  // Its handler notices (it probes the socket while it waits) and cancels: counted.
  std::string page;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (Metric(page, "litrank_rerank_cancelled_total") < 1 && std::chrono::steady_clock::now() < give_up) {
    page = cli.Get("/metrics")->body;
  }
  before_1.Release();
  EXPECT_EQ(PostJson(cli, "/v1/rerank", R"({"query":"still serving","documents":["a","b"]})").status, 200);
  page = cli.Get("/metrics")->body;
  EXPECT_EQ(Metric(page, "litrank_rerank_cancelled_total"), 1);
  // Only the round before it left (and the two pairs after) were decoded.
  EXPECT_EQ(Metric(page, "litrank_rerank_batch_pairs_sum"), Metric(first_round, "litrank_rerank_batch_pairs_sum") + 2);
  EXPECT_LT(Metric(page, "litrank_rerank_batch_pairs_sum"), 1000) << "every pair was decoded anyway";
  EXPECT_EQ(Metric(page, "litrank_rerank_queue_pairs"), 0);
}

TEST(ServerOps, SigtermFinishesRequestsInFlightThenExits) {
  const std::string dir = testing::TempDir();
  std::remove((dir + "/serve-gate.ready").c_str());
  std::remove((dir + "/serve-gate.go").c_str());
  // The serve gate holds the first rerank round: the request is certainly in flight
  // when SIGTERM comes. --status-fd says "ready" once the models are loaded and
  // "stopping" once the signal has closed the listener.
  testing::CliGate gate(dir + "/serve-gate");
  testing::LinePipe status;
  const int port = testing::FreePort();
  testing::ChildProcess proc({"/usr/bin/env", "LITRANK_TEST_SERVE_GATE=" + gate.prefix(), LITRANK_BINARY, "serve", "-r",
                              testing::TinyModel("reranker"), "--port", std::to_string(port), "--threads", "2",
                              "--status-fd", std::to_string(status.write_fd())},
                             dir + "/serve-sigterm.log");
  status.CloseWriteEnd();
  ASSERT_EQ(status.NextLine().value_or("(closed)"), "ready") << "see " << dir << "/serve-sigterm.log";
  testing::Reply reply;
  std::thread in_flight([&] {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(120, 0);
    reply = PostJson(c, "/v1/rerank", RerankBody(600, "term").dump());
  });
  const bool held = gate.WaitReady(proc);
  proc.Signal(SIGTERM);
  const std::string stopping = status.NextLine().value_or("(closed)");
  // The request is still held, so the process is alive, yet a new connection is refused.
  httplib::Client late("127.0.0.1", port);
  const bool late_answered = static_cast<bool>(late.Get("/health"));
  gate.Release();
  in_flight.join();
  ASSERT_TRUE(held) << "the request never reached the scheduler; see " << dir << "/serve-sigterm.log";
  EXPECT_EQ(stopping, "stopping");
  EXPECT_FALSE(late_answered) << "still accepting connections after SIGTERM";
  // After the listener closed, the held request still finished, whole.
  EXPECT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body["results"].size(), 600u);
  EXPECT_EQ(proc.WaitExit(120), 0);
  EXPECT_EQ(status.NextLine(), std::nullopt) << "the status descriptor is closed at exit, after two lines";
}

}  // namespace
}  // namespace litrank

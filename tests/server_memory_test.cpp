// Global resource limits under load: fifty clients each sending a body of the largest
// size the server accepts keep the server's resident memory under the bound that
// docs/API.md documents (baseline + kBodyCopies × --max-inflight-body + slack).
// `litrank serve` runs as a process of its own, so /proc/PID/status is its memory alone.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "process_util.h"
#include "raw_connection.h"
#include "server_fixture.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

using nlohmann::json;

// The documented bound (docs/API.md, "Limits"): while bodies are limited to
// --max-inflight-body bytes in flight, the server's resident memory grows over its
// idle size by at most kBodyCopies × --max-inflight-body + kSlackBytes. A body is
// held as received, as parsed JSON, as the texts, prompts and tokens the engines work
// on, and as the answer written back; the slack covers the allocator arenas of the
// connection threads. Measured: +23 MiB here; +87 MiB with the limit lifted to all
// fifty bodies, which this bound (56 MiB) refuses.
constexpr size_t kBodyCopies = 16;
constexpr size_t kSlackBytes = 24u << 20;

constexpr size_t kMaxBody = 512u << 10;             // --max-body
constexpr size_t kMaxInflight = 4 * kMaxBody;        // --max-inflight-body: four bodies at once
constexpr int kClients = 50;

// A field ("VmRSS", "VmHWM") of /proc/PID/status in bytes, or 0.
size_t ProcStatusBytes(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1)) * 1024;  // kB
  }
  return 0;
}

// Resets VmHWM to the current resident size (Linux ≥ 4.0: "5" > /proc/PID/clear_refs).
bool ResetPeak(pid_t pid) {
  std::ofstream out("/proc/" + std::to_string(pid) + "/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

// Space-separated words, `bytes` long, drawn with `rng`.
std::string Words(std::mt19937& rng, size_t bytes) {
  static const char* kWords[] = {"lithium", "plating", "anode", "cathode", "electrolyte", "battery", "reranker",
                                 "retrieval", "neural", "systematic", "review", "screening", "abstract", "cohort",
                                 "trial", "protein", "電池", "Forschung", "résumé", "données"};
  std::string s;
  while (s.size() < bytes) {
    if (!s.empty()) s += ' ';
    s += kWords[rng() % (sizeof kWords / sizeof kWords[0])];
  }
  return s;
}

// Client `i`'s request: a rerank (even i) or embeddings (odd i) call of exactly
// kMaxBody bytes (texts of the client's own, padded with JSON whitespace).
std::string MaximalBody(int i) {
  std::mt19937 rng(1000 + i);
  json body = {{"model", "m"}};
  json texts = json::array();
  for (int t = 0; t < 200; ++t) texts.push_back(Words(rng, 2400));
  if (i % 2 == 0) {
    body["query"] = Words(rng, 40);
    body["documents"] = texts;
  } else {
    body["input"] = texts;
  }
  std::string s = body.dump();
  EXPECT_LE(s.size(), kMaxBody);
  s.resize(kMaxBody, ' ');
  return s;
}

// A status line's code ("HTTP/1.1 429 …" → 429), 0 for no response.
int StatusOf(const std::string& response) {
  return response.rfind("HTTP/1.1 ", 0) == 0 && response.size() >= 12 ? std::stoi(response.substr(9, 3)) : 0;
}

TEST(ServerMemory, FiftyMaximalBodiesKeepResidentMemoryBounded) {
#if defined(__SANITIZE_ADDRESS__)
  // ASan keeps freed blocks in a quarantine (256 MiB by default) and pads every block
  // with redzones, so resident memory there says nothing about the documented bound;
  // the plain build (the main suite) measures it.
  GTEST_SKIP() << "resident-memory bound is measured in the uninstrumented build, not under ASan";
#endif
  const int port = testing::FreePort();
  const std::string log = testing::TempDir() + "/serve-memory.log";
  testing::LinePipe serve_status;  // --status-fd says "ready" once the models are loaded
  testing::ChildProcess proc({LITRANK_BINARY, "serve", "-r", testing::TinyModel("reranker"), "-e",
                              testing::TinyModel("embedding"), "--port", std::to_string(port), "--threads", "2",
                              "--max-body", std::to_string(kMaxBody), "--max-inflight-body", std::to_string(kMaxInflight),
                              "--max-length", "192", "--max-documents", "200", "--max-inputs", "200",
                              "--status-fd", std::to_string(serve_status.write_fd())},
                             log);
  serve_status.CloseWriteEnd();
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(300, 0);
  ASSERT_EQ(serve_status.NextLine().value_or("(closed)"), "ready") << "see " << log;

  // Warm up: one maximal call of each kind, so the engines' buffers exist before the
  // baseline is taken.
  for (int i : {0, 1}) {
    const auto r = testing::PostJson(c, i == 0 ? "/v1/rerank" : "/v1/embeddings", MaximalBody(i + 2 * kClients));
    ASSERT_EQ(r.status, 200) << r.raw.substr(0, 300);
  }
  const pid_t pid = proc.pid();
  ASSERT_TRUE(ResetPeak(pid));
  const size_t baseline = ProcStatusBytes(pid, "VmRSS");
  ASSERT_GT(baseline, 0u);

  // Fifty clients at once, each with its own maximal body; every fifth declares one byte
  // more than --max-body (413, never read).
  std::vector<std::string> responses(kClients);
  std::vector<char> sent(kClients, 0);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      const std::string path = i % 2 == 0 ? "/v1/rerank" : "/v1/embeddings";
      std::string body = MaximalBody(i);
      if (i % 5 == 4) body += ' ';
      testing::RawConnection conn(port);
      if (!conn.connected()) return;
      sent[i] = conn.Send(testing::Head(path, body.size()) + body);
      responses[i] = conn.ReadResponse();
    });
  }
  for (auto& t : clients) t.join();
  const size_t peak = ProcStatusBytes(pid, "VmHWM");

  std::map<int, int> statuses;
  for (int i = 0; i < kClients; ++i) {
    const std::string& r = responses[i];
    const int status = StatusOf(r);
    ++statuses[status];
    const size_t head_end = r.find("\r\n\r\n");
    ASSERT_NE(head_end, std::string::npos) << "client " << i << " got no response (sent whole body: " << static_cast<int>(sent[i]) << ")";
    const json body = json::parse(r.substr(head_end + 4), nullptr, false);
    if (i % 5 == 4) {
      EXPECT_EQ(status, 413) << r.substr(0, 300);
      EXPECT_EQ(body["error"]["code"], "body_too_large") << r.substr(0, 300);
    } else if (status == 429) {
      EXPECT_EQ(body["error"]["code"], "server_busy") << r.substr(0, 300);
      EXPECT_NE(r.find("Retry-After: 1"), std::string::npos);
    } else {
      ASSERT_EQ(status, 200) << "client " << i << ": " << r.substr(0, 300);
      EXPECT_EQ(body[i % 2 == 0 ? "results" : "data"].size(), 200u);
    }
  }
  // The server is still well and has given back every reserved byte.
  EXPECT_EQ(testing::GetJson(c, "/health").status, 200);
  const size_t bound = baseline + kBodyCopies * kMaxInflight + kSlackBytes;
  std::printf("[memory] statuses 200:%d 413:%d 429:%d; RSS baseline %.1f MiB, peak %.1f MiB (+%.1f), bound %.1f MiB\n",
              statuses[200], statuses[413], statuses[429], baseline / 1048576.0, peak / 1048576.0,
              (peak - std::min(peak, baseline)) / 1048576.0, bound / 1048576.0);
  EXPECT_EQ(statuses[413], kClients / 5);
  EXPECT_GE(statuses[200], 1);
  EXPECT_LE(peak, bound) << "resident memory passed the documented bound";
}

}  // namespace
}  // namespace litrank

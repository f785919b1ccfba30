// `litrank serve`: the HTTP server (see docs/API.md).
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "store/sql.h"
#include "cli/cli_common.h"
#include "server/server.h"

namespace litrank::cli {
namespace {

struct ServeArgs {
  server::ServerConfig config;
  std::string reranker, embedder, generator;
  int status_fd = -1;
};

// --status-fd: "ready" once the models are loaded, then "stopping" once a signal has
// stopped the server accepting; nothing more. Written whole, in that order, or not at all.
class StatusLines {
 public:
  explicit StatusLines(int fd) : fd_(fd) {}
  ~StatusLines() {
    if (fd_ >= 0) close(fd_);
  }
  void Ready() { Write("ready\n", /*stopping=*/false); }
  void Stopping() { Write("stopping\n", /*stopping=*/true); }

 private:
  void Write(const char* line, bool stopping) {
    std::lock_guard<std::mutex> lock(mu_);
    if (fd_ < 0 || stopped_) return;  // no "ready" after "stopping"
    stopped_ = stopping;
    if (write(fd_, line, std::strlen(line)) < 0) {
      // The reader went away (EPIPE, SIGPIPE is ignored): nothing to tell.
    }
  }
  std::mutex mu_;
  int fd_;
  bool stopped_ = false;
};

int Run(ServeArgs& a) {
  server::ServerConfig& c = a.config;
  c.reranker_path = ModelFromFlagOrEnv(a.reranker, "LITRANK_RERANKER");
  c.embedder_path = ModelFromFlagOrEnv(a.embedder, "LITRANK_EMBEDDER");
  c.generator_path = ModelFromFlagOrEnv(a.generator, "LITRANK_GENERATOR");
  // SIGTERM / SIGINT go to one thread that stops the server gracefully: in-flight
  // requests finish, then the process exits.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  if (a.status_fd >= 0 && fcntl(a.status_fd, F_GETFD) < 0) {
    std::fprintf(stderr, "litrank: error: --status-fd %d is not an open file descriptor\n", a.status_fd);
    return kExitUsage;
  }
  StatusLines status(a.status_fd);
  // Test hook (see WaitAtTestGate): LITRANK_TEST_SERVE_GATE holds the first rerank
  // round, so a test can act while a request is certainly in flight.
  if (std::getenv("LITRANK_TEST_SERVE_GATE") != nullptr) {
    c.scheduler.before_round = [](uint64_t round) {
      if (round == 0) WaitAtTestGate("LITRANK_TEST_SERVE_GATE");
    };
  }
  server::Server srv(c);
  if (Status st = srv.Bind(); !st.ok()) return Fail(st);
  std::fprintf(stderr, "litrank: serving on http://%s:%d/ (reranker: %s, embedder: %s, collection: %s)%s\n",
               c.host.c_str(), srv.port(), c.reranker_path.empty() ? "none" : c.reranker_path.c_str(),
               c.embedder_path.empty() ? "none" : c.embedder_path.c_str(), c.db_path.empty() ? "none" : sql::DisplayLocation(c.db_path).c_str(),
               c.api_key.empty() ? "" : " — API key required");
  std::fflush(stderr);
  std::atomic<bool> returned{false};
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (!returned && (sig == SIGTERM || sig == SIGINT)) {
      std::fprintf(stderr, "litrank: stopping (finishing requests in flight)\n");
      srv.Stop();
      status.Stopping();
    }
  });
  std::thread notifier([&] {
    if (srv.WaitUntilReady().ok()) status.Ready();
  });
  const Status st = srv.Run();
  notifier.join();  // Run has settled loading either way
  // Wake the waiter if Run returned on its own (a model failed to load).
  returned = true;
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  if (!st.ok()) return Fail(st, /*model_related=*/true);
  std::fprintf(stderr, "litrank: stopped\n");
  return kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<ServeArgs>();
  server::ServerConfig& c = a->config;
  auto* cmd = app.add_subcommand("serve",
      "Run the HTTP server: /v1/rerank (Jina/Cohere/TEI), /v1/score (vLLM), /v1/embeddings (OpenAI),\n"
      "collections with two-stage search, /metrics, and a web page at /. See docs/API.md.");
  cmd->add_option("-r,--reranker", a->reranker, "Reranker GGUF (default: $LITRANK_RERANKER)");
  cmd->add_option("-e,--embedder", a->embedder, "Embedding GGUF (default: $LITRANK_EMBEDDER)");
  cmd->add_option("-g,--generator", a->generator,
                  "Qwen3 instruct GGUF for /v1/extract and /v1/chat/completions (default: $LITRANK_GENERATOR)");
  cmd->add_option("--db", c.db_path, "Collection served as \"default\" (and under its file or database name): a file or postgresql://USER@HOST:PORT/DB");
  cmd->add_option("--data-dir", c.data_dir, "Folder of NAME.db collections; uploads create new ones here");
  cmd->add_option("--queue", c.queue_url, "A worker pool's Redis (redis://HOST:PORT): its jobs and workers in /metrics,\n"
                  "its state in /health");
  cmd->add_option("--queue-prefix", c.queue_prefix, "That queue's key prefix (and the shared score cache's)")
      ->capture_default_str();
  cmd->add_option("--score-cache", c.score_cache_url,
                  "A Redis (redis://HOST:PORT) whose rerank scores every replica shares: a pair one server scored\n"
                  "is a cache hit on all of them (fails open while Redis is down)");
  cmd->add_option("--host", c.host, "Address to listen on")->capture_default_str();
  cmd->add_option("-p,--port", c.port, "Port (0 = any free port)")->capture_default_str();
  cmd->add_option("--api-key", c.api_key, "Require \"Authorization: Bearer KEY\" on API routes");
  cmd->add_option("--threads", c.threads, "CPU threads for the models (0 = all)")->capture_default_str();
  cmd->add_option("--gpu-layers", c.gpu_layers, "Layers to offload to the GPU (-1 = all)")->capture_default_str();
  cmd->add_flag("--batch-invariant", c.batch_invariant,
                "Bit-identical rerank scores whatever shares a decode round (CPU; about half the throughput)");
  cmd->add_option("--http-threads", c.http_threads, "Connection threads (0 = 64)")->capture_default_str();
  cmd->add_option("--max-documents", c.limits.max_documents, "Documents per rerank call / records per upload")->capture_default_str();
  cmd->add_option("--max-inputs", c.limits.max_inputs, "Inputs per embeddings call")->capture_default_str();
  cmd->add_option("--max-body", c.limits.max_body_bytes, "Largest request body in bytes")->capture_default_str();
  cmd->add_option("--max-inflight-body", c.limits.max_inflight_body_bytes,
                  "Bytes of request bodies in flight, all connections together; more get 429")->capture_default_str();
  cmd->add_option("--max-top-k", c.limits.max_top_k, "Results one search may return")->capture_default_str();
  cmd->add_option("--max-candidates", c.limits.max_candidates, "bm25_candidates / dense_candidates of one search")
      ->capture_default_str();
  cmd->add_option("--max-query-tokens", c.limits.max_query_tokens, "Tokens of prompt + instruction + query")->capture_default_str();
  cmd->add_option("--max-length", c.limits.max_length, "Tokens of a whole (query, document) pair")->capture_default_str();
  cmd->add_option("--max-queued-pairs", c.scheduler.max_queued_pairs, "Rerank pairs that may wait; more get 429")->capture_default_str();
  cmd->add_option("--search-lanes", c.search_lanes,
                  "Concurrent searches per collection (each keeps its own in-memory indexes)")->capture_default_str();
  cmd->add_option("--status-fd", a->status_fd,
                  "Write \"ready\" to this inherited file descriptor once the models are loaded, and \"stopping\"\n"
                  "once SIGTERM/SIGINT has stopped new connections (one line each; closed at exit)");
  cmd->add_option("--web-dir", c.web_dir, "Serve DIR/index.html instead of the built-in page (development)");
  cmd->footer("\nExamples:\n"
              "  litrank serve -r Qwen3-Reranker-0.6B.Q8_0.gguf -e Qwen3-Embedding-0.6B-Q8_0.gguf --db papers.db\n"
              "  curl -s localhost:8080/v1/rerank -d '{\"query\":\"q\",\"documents\":[\"a\",\"b\"]}'");
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace litrank::cli

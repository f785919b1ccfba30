// litrank serve: the HTTP server. Rerank, score and embeddings endpoints in the
// schemas clients already speak, the collections API, /metrics, and the web page.
#pragma once

#include <memory>
#include <string>

#include "litrank/rerank_scheduler.h"
#include "litrank/status.h"
#include "server/api_requests.h"

namespace litrank::server {

/// What `litrank serve` was asked to run.
struct ServerConfig {
  std::string host = "127.0.0.1";  ///< loopback unless told otherwise
  int port = 8080;                 ///< 0 = any free port (see Server::port)
  std::string api_key;             ///< "" = no authentication; else "Authorization: Bearer KEY" on API routes
  std::string reranker_path;       ///< each model optional
  std::string embedder_path;
  std::string generator_path;      ///< a Qwen3 instruct GGUF for /v1/extract and /v1/chat/completions
  std::string db_path;             ///< served as the collection "default" (and under its file stem)
  std::string data_dir;            ///< DIR/NAME.db collections, created on first upload ("" = none)
  std::string queue_url;           ///< a worker pool's Redis (redis://…): its jobs and workers in /metrics, its state in /health
  std::string queue_prefix = "litrank";  ///< that queue's key prefix (and the shared score cache's)
  std::string score_cache_url;     ///< a Redis (redis://…) whose rerank scores every replica shares; "" = none
  std::string web_dir;             ///< serve DIR/index.html from disk instead of the built-in page (development)
  int threads = 0;                 ///< model threads (0 = all cores)
  int gpu_layers = 0;              ///< model layers offloaded to a GPU (-1 = all) in CUDA builds
  bool batch_invariant = false;    ///< RerankerConfig::batch_invariant: bit-identical scores, slower
  int http_threads = 0;            ///< connection threads (0 = 64)
  RequestLimits limits;
  SchedulerConfig scheduler;
  size_t max_embed_waiting = 64;   ///< embedding calls that may wait; more get 429
  size_t max_generate_waiting = 16; ///< extraction / chat calls that may wait; more get 429
  size_t search_lanes = 2;         ///< concurrent searches per collection (each lane keeps its own
                                   ///< connection and in-memory BM25 / vector index)
};

/// The server. Bind, then Run (blocks); Stop from any thread (e.g. on SIGTERM)
/// stops accepting, lets in-flight requests finish, and makes Run return.
class Server {
 public:
  explicit Server(ServerConfig config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds the listening socket. Errors: the address is taken or invalid.
  Status Bind();
  /// The bound port (after Bind).
  int port() const;
  /// Loads the models (routes answer 503 + Retry-After meanwhile, /health says
  /// "loading") and serves until Stop. Returns the model loading error, if any.
  Status Run();
  /// Blocks until Run (running on another thread) has loaded the models and
  /// /health answers 200: returns OK then, the loading error if loading failed,
  /// or Cancelled if Stop came first. Call after Bind; any thread, any number of times.
  Status WaitUntilReady();
  /// Graceful stop; safe to call from any thread, more than once.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace litrank::server

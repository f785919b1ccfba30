// What the server's route handlers share, and the one wrapper every route goes
// through (auth, readiness, JSON errors, metrics, exceptions).
#pragma once

#include <httplib.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "embed/serialized_embedder.h"
#include "litrank/rerank_scheduler.h"
#include "distributed/redis_score_store.h"
#include "server/api_error.h"
#include "server/collections.h"
#include "server/generation_service.h"
#include "server/metrics.h"
#include "server/review_jobs.h"
#include "server/server.h"

namespace litrank::server {

/// Models, collections and counters of a running server.
struct ServerState {
  ServerConfig config;
  std::atomic<bool> ready{false};
  std::unique_ptr<RerankScheduler> reranker;
  std::unique_ptr<SerializedEmbedder> embedder;
  std::unique_ptr<GenerationService> generator;  ///< /v1/extract, /v1/chat/completions
  std::string reranker_name, embedder_name, generator_name;  ///< model ids (file stem)
  std::unique_ptr<RedisScoreStore> shared_scores;  ///< --score-cache: first-level score store of every replica
  std::unique_ptr<Collections> collections;
  Metrics metrics;
  std::atomic<uint64_t> embedded_inputs{0};
  std::atomic<uint64_t> body_bytes_in_flight{0};  ///< see RequestLimits::max_inflight_body_bytes
  std::atomic<uint64_t> bodies_refused{0};
  std::atomic<int> analyses_in_flight{0};  ///< synchronous map-of-the-field requests running
  double reranker_load_seconds = 0, embedder_load_seconds = 0, generator_load_seconds = 0;
  std::unique_ptr<ReviewJobs> reviews;  ///< last: its jobs stop before the collections and models go
};

/// A route's body: fills `res` on success, or returns the error to send.
using RouteFn = std::function<ApiError(const httplib::Request& req, httplib::Response& res, ServerState& state)>;

/// How a route is guarded.
enum class Guard {
  kPublic,    ///< no key, available while loading (/health, the page)
  kApi,       ///< key required; 503 while models load
};

/// Wraps `fn`: checks the key and readiness, turns an ApiError or an exception into
/// the JSON error body, and counts the request under `route`.
httplib::Server::Handler MakeHandler(ServerState& state, std::string route, Guard guard, RouteFn fn);

/// Sends `body` as JSON with `status`.
void SendJson(httplib::Response& res, int status, const nlohmann::json& body);

/// A function that turns true once the request's client has disconnected.
std::function<bool()> ClientGone(const httplib::Request& req);

/// Parses the request's JSON body with `parse` (one of the Parse*Request functions).
template <typename Request, typename Parse>
ApiError ReadRequest(const httplib::Request& req, const RequestLimits& limits, Parse parse, Request* out) {
  nlohmann::json body;
  if (ApiError e = ParseJsonBody(req.body, &body); !e.ok()) return e;
  return parse(body, limits, out);
}

/// A random request id with `prefix` ("rerank-3f9a...").
std::string RequestId(const char* prefix);

/// Registers /v1/rerank, /rerank, /v1/score, /v1/embeddings and /v1/models.
void AddInferenceRoutes(httplib::Server& http, ServerState& state);
/// Registers the /v1/collections routes.
void AddCorpusRoutes(httplib::Server& http, ServerState& state);
/// Registers the /v1/collections/{name}/screening routes.
void AddScreeningRoutes(httplib::Server& http, ServerState& state);
/// Registers /v1/extract and /v1/chat/completions.
void AddGenerationRoutes(httplib::Server& http, ServerState& state);
/// Registers the map-of-the-field routes: /v1/collections/{name}/topics, trends,
/// keywords, assess, cite, review (a job) and /v1/jobs/{id} (state, events, files).
void AddAnalysisRoutes(httplib::Server& http, ServerState& state);

}  // namespace litrank::server

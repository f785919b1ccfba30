// The server's lifecycle (bind, load models, serve, graceful stop), the route
// wrapper, and the routes that need no model: /health, /metrics, the web page.
#include "store/sql.h"
#include "server/server.h"

#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "distributed/queue_report.h"
#include "server/connection_probe.h"
#include "server/server_state.h"
#include "server/web_assets.h"

namespace litrank::server {

void SendJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

std::function<bool()> ClientGone(const httplib::Request& req) {
  auto probe = std::make_shared<ConnectionProbe>(req.remote_addr, req.remote_port);
  return [probe] { return probe->PeerClosed(); };
}

std::string RequestId(const char* prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return std::string(prefix) + buf;
}

namespace {

/// The error for a request without the right "Authorization: Bearer KEY".
ApiError CheckKey(const ServerState& s, const httplib::Request& req) {
  if (s.config.api_key.empty()) return {};
  const std::string expected = "Bearer " + s.config.api_key;
  const std::string got = req.get_header_value("Authorization");
  // Constant-time comparison: the key's length is no secret, its bytes are.
  bool same = got.size() == expected.size();
  unsigned char diff = 0;
  for (size_t i = 0; i < expected.size(); ++i) diff |= static_cast<unsigned char>(expected[i] ^ (i < got.size() ? got[i] : 0));
  if (same && diff == 0) return {};
  return {401, "authentication_error", "invalid_api_key",
          got.empty() ? "this server needs an API key: send \"Authorization: Bearer KEY\"" : "the API key is not valid"};
}

void SendError(httplib::Response& res, const ApiError& e) {
  SendJson(res, e.status, e.ToJson());
  if (e.retry_after > 0) res.set_header("Retry-After", std::to_string(e.retry_after));
  if (e.status == 401) res.set_header("WWW-Authenticate", "Bearer");
}

// {"url" (without password), "ok"} for a collection in PostgreSQL, with "error"
// when the database does not answer. A new connection per call: /health is rare.
nlohmann::json DatabaseHealth(const std::string& location) {
  nlohmann::json out = {{"url", sql::DisplayLocation(location)}};
  StatusOr<sql::Db> db = sql::Db::Open(location, /*create=*/false);
  Status st = db.status();
  if (db.ok()) {
    sql::Stmt ping(*db, "SELECT 1");
    ping.Step();
    st = ping.status();
  }
  out["ok"] = st.ok();
  if (!st.ok()) out["error"] = st.message();
  return out;
}

std::string ModelId(const std::string& path) { return std::filesystem::path(path).stem().string(); }

/// Bytes of a request body counted against ServerState::body_bytes_in_flight until
/// the response is gone (httplib destroys the Response after the last byte is
/// written, or when the connection fails: either way the bytes come back).
class BodyReservation {
 public:
  BodyReservation(std::atomic<uint64_t>& total, uint64_t bytes) : total_(total), bytes_(bytes) {}
  ~BodyReservation() { total_ -= bytes_; }
  BodyReservation(const BodyReservation&) = delete;
  BodyReservation& operator=(const BodyReservation&) = delete;

 private:
  std::atomic<uint64_t>& total_;
  uint64_t bytes_;
};

/// Runs before httplib reads a body: admits it if the bodies in flight, this one
/// included, stay within the limit (a chunked body of unknown length counts as the
/// largest allowed); else answers 429 + Retry-After without reading it. A single
/// body over max_body_bytes is left to httplib's own 413.
httplib::Server::HandlerResponse AdmitBody(ServerState& s, const httplib::Request& req, httplib::Response& res) {
  const RequestLimits& limits = s.config.limits;
  uint64_t declared = 0;
  if (req.has_header("Content-Length")) {
    try {
      declared = std::stoull(req.get_header_value("Content-Length"));
    } catch (const std::exception&) {
      declared = limits.max_body_bytes;
    }
  } else if (req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos) {
    declared = limits.max_body_bytes;
  }
  if (declared == 0 || declared > limits.max_body_bytes) return httplib::Server::HandlerResponse::Unhandled;
  uint64_t now = s.body_bytes_in_flight.load();
  do {
    if (now + declared > limits.max_inflight_body_bytes) {
      ++s.bodies_refused;
      SendError(res, {429, "rate_limit_error", "server_busy",
                      "the server is receiving " + std::to_string(now) + " bytes of request bodies already (limit " +
                          std::to_string(limits.max_inflight_body_bytes) + "); retry shortly", 1});
      return httplib::Server::HandlerResponse::Handled;
    }
  } while (!s.body_bytes_in_flight.compare_exchange_weak(now, now + declared));
  auto held = std::make_shared<BodyReservation>(s.body_bytes_in_flight, declared);
  res.content_provider_resource_releaser_ = [held](bool) {};  // released with the Response
  return httplib::Server::HandlerResponse::Unhandled;
}

}  // namespace

httplib::Server::Handler MakeHandler(ServerState& state, std::string route, Guard guard, RouteFn fn) {
  return [&state, route = std::move(route), guard, fn = std::move(fn)](const httplib::Request& req, httplib::Response& res) {
    const auto t0 = std::chrono::steady_clock::now();
    ApiError e;
    if (guard == Guard::kApi) {
      e = CheckKey(state, req);
      if (e.ok() && !state.ready) e = {503, "unavailable_error", "model_loading", "the models are still loading", 2};
    }
    if (e.ok()) {
      try {
        e = fn(req, res, state);
      } catch (const std::exception& ex) {
        e = {500, "server_error", "internal_error", std::string("unexpected error: ") + ex.what()};
      }
    }
    if (!e.ok()) SendError(res, e);
    state.metrics.Record(route, res.status, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  };
}

struct Server::Impl {
  ServerState state;
  httplib::Server http;
  int port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<bool> serving{false};      // Run has been entered
  std::atomic<bool> listen_done{false};  // the accept loop has returned
  std::vector<int> sockets;              // sockets httplib created while binding
  std::mutex settle_mu;                  // guards settled, settle_status
  std::condition_variable settled_cv;
  bool settled = false;                  // loading ended: ready, failed or stopped
  Status settle_status;

  Status LoadModels();
  // Records how loading ended (the first call wins) and wakes WaitUntilReady.
  void Settle(const Status& st);
  void AddBaseRoutes();
};

void Server::Impl::Settle(const Status& st) {
  std::lock_guard<std::mutex> lock(settle_mu);
  if (settled) return;
  settled = true;
  settle_status = st;
  settled_cv.notify_all();
}

Status Server::Impl::LoadModels() {
  const ServerConfig& c = state.config;
  using Clock = std::chrono::steady_clock;
  if (!c.reranker_path.empty()) {
    const auto t0 = Clock::now();
    RerankerConfig rc;
    rc.threads = c.threads;
    rc.gpu_layers = c.gpu_layers;
    rc.batch_invariant = c.batch_invariant;
    auto r = RerankScheduler::Open(c.reranker_path, rc, c.scheduler);
    if (!r.ok()) return r.status();
    state.reranker = std::move(r.value());
    state.reranker_name = ModelId(c.reranker_path);
    state.reranker_load_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  if (!c.embedder_path.empty()) {
    const auto t0 = Clock::now();
    EmbedderConfig ec;
    ec.threads = c.threads;
    ec.gpu_layers = c.gpu_layers;
    auto e = Embedder::Open(c.embedder_path, ec);
    if (!e.ok()) return e.status();
    state.embedder = std::make_unique<SerializedEmbedder>(std::move(e.value()), c.max_embed_waiting);
    state.embedder_name = ModelId(c.embedder_path);
    state.embedder_load_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  if (!c.generator_path.empty()) {
    const auto t0 = Clock::now();
    GeneratorConfig gc;
    gc.threads = c.threads;
    gc.gpu_layers = c.gpu_layers;
    auto g = GenerationService::Open(c.generator_path, gc, c.max_generate_waiting);
    if (!g.ok()) return g.status();
    state.generator = std::move(g.value());
    state.generator_name = ModelId(c.generator_path);
    state.generator_load_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  for (const std::string* url : {&c.queue_url, &c.score_cache_url}) {
    if (!url->empty()) {
      if (auto parsed = ParseRedisUrl(*url); !parsed.ok()) return parsed.status();  // says what, never the URL
    }
  }
  if (!c.score_cache_url.empty()) {
    auto shared = RedisScoreStore::Open(c.score_cache_url, c.queue_prefix);
    if (!shared.ok()) return shared.status();
    state.shared_scores = std::move(*shared);
  }
  state.collections = std::make_unique<Collections>(c.data_dir, state.reranker.get(), state.embedder.get(), c.search_lanes);
  if (!c.db_path.empty()) {
    LITRANK_RETURN_IF_ERROR(state.collections->AddFile("default", c.db_path));
    const std::string stem = sql::IsPostgresUrl(c.db_path) ? sql::PostgresDatabaseName(c.db_path) : ModelId(c.db_path);
    if (stem != "default" && IsValidCollectionName(stem)) LITRANK_RETURN_IF_ERROR(state.collections->AddFile(stem, c.db_path));
  }
  return Status::Ok();
}

void Server::Impl::AddBaseRoutes() {
  ServerState& s = state;
  http.Get("/health", MakeHandler(s, "/health", Guard::kPublic, [](const httplib::Request&, httplib::Response& res, ServerState& st) {
    if (!st.ready) {
      SendJson(res, 503, {{"status", "loading"}});
      res.set_header("Retry-After", "2");
      return ApiError{};
    }
    nlohmann::json body = {{"status", "ok"}};
    body["reranker"] = st.reranker ? nlohmann::json(st.reranker_name) : nlohmann::json(nullptr);
    body["embedder"] = st.embedder ? nlohmann::json(st.embedder_name) : nlohmann::json(nullptr);
    body["generator"] = st.generator ? nlohmann::json(st.generator_name) : nlohmann::json(nullptr);
    body["collections"] = st.collections->Names();
    if (!st.config.queue_url.empty()) body["queue"] = QueueHealth(st.config.queue_url, st.config.queue_prefix);
    if (sql::IsPostgresUrl(st.config.db_path)) body["database"] = DatabaseHealth(st.config.db_path);
    SendJson(res, 200, body);
    return ApiError{};
  }));
  http.Get("/metrics", MakeHandler(s, "/metrics", Guard::kPublic, [](const httplib::Request& req, httplib::Response& res, ServerState& st) {
    if (ApiError e = CheckKey(st, req); !e.ok()) return e;
    EngineSnapshot snap;
    snap.has_reranker = st.ready && st.reranker;
    if (snap.has_reranker) snap.rerank = st.reranker->stats();
    snap.has_embedder = st.ready && st.embedder;
    if (snap.has_embedder) snap.embed_in_flight = st.embedder->in_flight();
    snap.embedded_inputs = st.embedded_inputs;
    snap.reranker_load_seconds = st.reranker_load_seconds;
    snap.embedder_load_seconds = st.embedder_load_seconds;
    snap.body_bytes_in_flight = st.body_bytes_in_flight;
    snap.bodies_refused = st.bodies_refused;
    snap.has_shared_scores = st.shared_scores != nullptr;
    if (snap.has_shared_scores) {
      snap.shared_hits = st.shared_scores->hits();
      snap.shared_misses = st.shared_scores->misses();
      snap.shared_errors = st.shared_scores->errors();
    }
    std::string text = st.metrics.Render(snap);
    if (!st.config.queue_url.empty()) text += QueuePrometheusText(st.config.queue_url, st.config.queue_prefix);
    res.set_content(text, "text/plain; version=0.0.4");
    return ApiError{};
  }));
  http.Get("/", MakeHandler(s, "/", Guard::kPublic, [](const httplib::Request&, httplib::Response& res, ServerState& st) {
    std::string page(IndexHtml());
    if (!st.config.web_dir.empty()) {
      std::ifstream in(st.config.web_dir + "/index.html", std::ios::binary);
      if (!in) return NotFound("no index.html in " + st.config.web_dir);
      page.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    res.set_content(page, "text/html; charset=utf-8");
    return ApiError{};
  }));
  // Unknown routes and httplib's own refusals (413 body too large) get JSON bodies too.
  http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404) SendError(res, NotFound("no route " + req.method + " " + req.path));
    else if (res.status == 413) SendError(res, TooLarge("the request body is larger than the server's limit", "body_too_large"));
    else SendError(res, {res.status, "invalid_request_error", "http_error", "the request could not be served (HTTP " + std::to_string(res.status) + ")"});
  });
}

Server::Server(ServerConfig config) : impl_(std::make_unique<Impl>()) { impl_->state.config = std::move(config); }
Server::~Server() { Stop(); }

Status Server::Bind() {
  const ServerConfig& c = impl_->state.config;
  httplib::Server& http = impl_->http;
  const size_t threads = c.http_threads > 0 ? static_cast<size_t>(c.http_threads) : 64;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(c.limits.max_body_bytes);
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    return AdmitBody(impl_->state, req, res);
  });
  http.set_read_timeout(30, 0);
  http.set_write_timeout(30, 0);
  http.set_keep_alive_max_count(1000);
  impl_->AddBaseRoutes();
  AddInferenceRoutes(http, impl_->state);
  AddCorpusRoutes(http, impl_->state);
  AddScreeningRoutes(http, impl_->state);
  impl_->state.reviews = std::make_unique<ReviewJobs>(
      (std::filesystem::temp_directory_path() / ("litrank-reviews-" + RequestId(""))).string());
  AddAnalysisRoutes(http, impl_->state);
  AddGenerationRoutes(http, impl_->state);
  http.set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    impl_->sockets.push_back(sock);
  });
  if (c.port == 0) {
    impl_->port = http.bind_to_any_port(c.host);
  } else {
    impl_->port = http.bind_to_port(c.host, c.port) ? c.port : -1;
  }
  if (impl_->port <= 0) return Status::IOError("cannot listen on " + c.host + ":" + std::to_string(c.port) + " (in use, or not an address of this machine)");
  // httplib 0.11 listens with a backlog of 5: fifty clients connecting at once would be
  // reset. Linux lets listen() be called again to raise it.
  for (int sock : impl_->sockets) {
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(sock, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening) ::listen(sock, SOMAXCONN);
  }
  return Status::Ok();
}

int Server::port() const { return impl_->port; }

Status Server::Run() {
  impl_->serving = true;
  Status load;
  std::thread loader([&] {
    load = impl_->LoadModels();
    if (load.ok()) impl_->state.ready = true;
    impl_->Settle(load);
    if (!load.ok()) Stop();
  });
  if (!impl_->stopping) impl_->http.listen_after_bind();  // returns after Stop, once in-flight requests are done
  impl_->listen_done = true;
  loader.join();
  return load;
}

Status Server::WaitUntilReady() {
  std::unique_lock<std::mutex> lock(impl_->settle_mu);
  impl_->settled_cv.wait(lock, [this] { return impl_->settled; });
  return impl_->settle_status;
}

void Server::Stop() {
  if (!impl_ || impl_->stopping.exchange(true)) return;
  impl_->Settle(Status::Cancelled("the server was stopped before its models were loaded"));
  if (impl_->state.reviews) impl_->state.reviews->CancelAll();  // jobs stop at their next check
  // httplib ignores stop() before its accept loop runs: wait for the loop to start.
  for (int i = 0; i < 500 && impl_->serving && !impl_->http.is_running() && !impl_->listen_done; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl_->http.stop();
}

}  // namespace litrank::server

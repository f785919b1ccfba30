// `litrank bench serve`: a bounded, loopback-only load test of the HTTP server.
// One run, side by side: a single client sending rerank calls one after another
// (the engine's batch throughput), then many keep-alive clients at once, rerank
// only and a rerank / embeddings / search mix. Status codes, latency, throughput,
// cross-request batching (/metrics) and peak RSS; a table and JSON under bench/results/.
#include <httplib.h>

#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "bench_support.h"
#include "cli/cli_common.h"
#include "io/document_reader.h"
#include "litrank/corpus.h"
#include "litrank/embedder.h"
#include "litrank/synth.h"
#include "search/corpus_embedding.h"
#include "server/server.h"
#include "store/ingest_file.h"

namespace litrank::cli {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct ServeBenchArgs {
  size_t clients = 50, docs_per_request = 32, max_requests = 100000, doc_words = 0;
  double seconds = 120, baseline_fraction = 0.15, grace = 20;
  std::string shape = "tiny", mix = "6:2:2", out_dir = "bench/results", models_dir = ".cache/bench-models", samples_dir = "data/samples";
  int threads = 2;
  bool no_rerank_only = false;
};

enum Kind { kRerank = 0, kEmbed = 1, kSearch = 2, kKinds = 3 };
constexpr const char* kKindNames[kKinds] = {"rerank", "embed", "search"};
constexpr size_t kEmbedInputs = 4, kSearchTopK = 10;
const char* const kQueries[] = {
    "How do solid-state lithium batteries degrade?", "cross-encoder reranking of scientific abstracts",
    "effects of sleep deprivation on memory consolidation", "graph neural networks for molecule property prediction",
    "coral reef bleaching and ocean temperature", "dense retrieval versus BM25 on long documents",
    "CRISPR off-target effects in human cells", "urban heat islands and green roofs"};
constexpr size_t kQueryCount = sizeof kQueries / sizeof kQueries[0];

/// What the clients of one phase saw, per request kind.
struct Tally {
  std::vector<double> ms[kKinds];  // latency of answered requests (any status)
  size_t ok[kKinds]{}, client_error[kKinds]{}, throttled[kKinds]{}, server_error[kKinds]{};
  size_t transport[kKinds]{}, bad_shape[kKinds]{}, abandoned[kKinds]{};
  size_t pairs = 0;                // rerank pairs answered with 2xx
  std::vector<std::string> problems;  // first few 5xx / bad-shape / transport details

  void Merge(const Tally& o) {
    for (int k = 0; k < kKinds; ++k) {
      ms[k].insert(ms[k].end(), o.ms[k].begin(), o.ms[k].end());
      ok[k] += o.ok[k], client_error[k] += o.client_error[k], throttled[k] += o.throttled[k];
      server_error[k] += o.server_error[k], transport[k] += o.transport[k], bad_shape[k] += o.bad_shape[k];
      abandoned[k] += o.abandoned[k];
    }
    pairs += o.pairs;
    for (const std::string& p : o.problems) if (problems.size() < 10) problems.push_back(p);
  }
  size_t Sum(const size_t (&v)[kKinds]) const { return v[0] + v[1] + v[2]; }
  size_t Requests() const { return ms[0].size() + ms[1].size() + ms[2].size(); }
  void Note(const std::string& p) { if (problems.size() < 10) problems.push_back(p); }
};

/// Texts the requests are made of: sample abstracts, made unique with a counter.
struct Texts {
  std::vector<std::string> abstracts;
  std::atomic<uint64_t> counter{0};

  /// A document no cache has seen: an abstract (cut to `words` words; 0 = whole) plus a serial number.
  std::string Fresh(size_t seed, size_t words) {
    std::istringstream in(abstracts[seed % abstracts.size()]);
    std::string text;
    size_t n = 0;
    for (std::string w; (words == 0 || n < words) && in >> w; ++n) text += (text.empty() ? "" : " ") + w;
    return text + " [copy " + std::to_string(counter++) + "]";
  }
};

/// One phase: its request mix, deadline and bounds, shared by its clients.
struct Phase {
  double weights[kKinds] = {1, 0, 0};
  Clock::time_point deadline;
  size_t max_requests = 0;
  std::atomic<size_t> started{0};
  std::atomic<bool> stopping{false};  // past the grace period: failures are abandonment
};

/// Checks a 2xx body's shape; "" when right, else what is wrong.
std::string CheckShape(Kind kind, const std::string& body, size_t expected) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "not a JSON object";
  if (kind == kRerank) {
    if (!j.contains("results") || !j["results"].is_array()) return "no results array";
    if (j["results"].size() != expected) return std::to_string(j["results"].size()) + " results for " + std::to_string(expected) + " documents";
    std::set<size_t> seen;
    for (const json& r : j["results"]) {
      if (!r.contains("index") || !r["index"].is_number_unsigned() || r["index"].get<size_t>() >= expected) return "bad index";
      if (!seen.insert(r["index"].get<size_t>()).second) return "repeated index";
      if (!r.contains("relevance_score") || !r["relevance_score"].is_number()) return "no relevance_score";
      const double s = r["relevance_score"].get<double>();
      if (!std::isfinite(s) || s < 0 || s > 1) return "relevance_score out of [0, 1]";
    }
  } else if (kind == kEmbed) {
    if (!j.contains("data") || !j["data"].is_array() || j["data"].size() != expected) return "wrong number of embeddings";
    size_t dims = 0;
    for (const json& d : j["data"]) {
      if (!d.contains("embedding") || !d["embedding"].is_array() || d["embedding"].empty()) return "empty embedding";
      if (dims != 0 && d["embedding"].size() != dims) return "embeddings of different widths";
      dims = d["embedding"].size();
    }
  } else {
    if (!j.contains("results") || !j["results"].is_array()) return "no results array";
    if (j["results"].empty() || j["results"].size() > expected) return std::to_string(j["results"].size()) + " search results";
  }
  return "";
}

/// One client: requests by the phase's mix until its deadline or request bound.
void ClientLoop(httplib::Client* http, Phase* phase, const ServeBenchArgs* a, Texts* texts, size_t id, Tally* t) {
  std::mt19937_64 rng(id * 7919 + 1);
  std::discrete_distribution<int> pick(std::begin(phase->weights), std::end(phase->weights));
  while (Clock::now() < phase->deadline && phase->started.fetch_add(1) < phase->max_requests) {
    const Kind kind = static_cast<Kind>(pick(rng));
    json body;
    std::string path;
    size_t expected = 0;
    if (kind == kRerank) {
      std::vector<std::string> docs;
      for (size_t d = 0; d < a->docs_per_request; ++d) docs.push_back(texts->Fresh(rng(), a->doc_words));
      body = {{"query", kQueries[rng() % kQueryCount]}, {"documents", docs}};
      path = "/v1/rerank", expected = docs.size();
    } else if (kind == kEmbed) {
      std::vector<std::string> inputs;
      for (size_t d = 0; d < kEmbedInputs; ++d) inputs.push_back(texts->Fresh(rng(), 40));
      body = {{"input", inputs}, {"model", "bench"}};
      path = "/v1/embeddings", expected = inputs.size();
    } else {
      body = {{"query", kQueries[rng() % kQueryCount]}, {"top_k", kSearchTopK}};
      path = "/v1/collections/default/search", expected = kSearchTopK;
    }
    const auto t0 = Clock::now();
    auto res = http->Post(path.c_str(), body.dump(), "application/json");
    const double ms = Since(t0) * 1000;
    if (!res) {
      if (phase->stopping) { ++t->abandoned[kind]; continue; }
      ++t->transport[kind];
      t->Note(std::string(kKindNames[kind]) + ": transport error " + httplib::to_string(res.error()) +
              " after " + std::to_string(static_cast<int>(ms)) + " ms");
      continue;
    }
    t->ms[kind].push_back(ms);
    const int status = res->status;
    if (status >= 200 && status < 300) {
      const std::string wrong = CheckShape(kind, res->body, expected);
      if (wrong.empty()) {
        ++t->ok[kind];
        if (kind == kRerank) t->pairs += expected;
      } else {
        ++t->bad_shape[kind];
        t->Note(std::string(kKindNames[kind]) + ": " + wrong);
      }
    } else if (status == 429) {
      ++t->throttled[kind];
    } else if (status >= 500) {
      ++t->server_error[kind];
      t->Note(std::string(kKindNames[kind]) + ": HTTP " + std::to_string(status) + " " + res->body.substr(0, 300));
    } else {
      ++t->client_error[kind];
      t->Note(std::string(kKindNames[kind]) + ": HTTP " + std::to_string(status) + " " + res->body.substr(0, 300));
    }
  }
}

/// The server's /metrics as name{labels} -> value.
std::map<std::string, double> ScrapeMetrics(int port) {
  std::map<std::string, double> out;
  httplib::Client http("127.0.0.1", port);
  http.set_read_timeout(60, 0);
  auto res = http.Get("/metrics");
  if (!res || res->status != 200) return out;
  std::istringstream in(res->body);
  for (std::string line; std::getline(in, line);) {
    const size_t space = line.rfind(' ');
    if (line.empty() || line[0] == '#' || space == std::string::npos) continue;
    try { out[line.substr(0, space)] = std::stod(line.substr(space + 1)); } catch (const std::exception&) {}
  }
  return out;
}

/// Server-side 5xx answers counted in a /metrics scrape (/health's 503 while loading is no failure).
double Server5xx(const std::map<std::string, double>& m) {
  double n = 0;
  for (const auto& [key, v] : m) {
    const bool is_5xx = key.rfind("litrank_http_requests_total{", 0) == 0 && key.find("status=\"5") != std::string::npos;
    n += is_5xx && key.find("route=\"/health\"") == std::string::npos ? v : 0;
  }
  return n;
}

/// One series of a scrape (0 when absent).
double MetricValue(const std::map<std::string, double>& m, const std::string& key) { return m.count(key) ? m.at(key) : 0; }

/// What a phase measured.
struct PhaseResult {
  std::string name;
  size_t clients = 0;
  double seconds = 0, pairs_per_s = 0, engine_pairs_per_s = 0;
  Tally tally;
  std::map<std::string, double> before, after;  // /metrics around the phase
  double Delta(const std::string& key) const { return MetricValue(after, key) - MetricValue(before, key); }
};

/// Runs `clients` keep-alive clients for `seconds` (then `grace` for answers in
/// flight; later ones are abandoned: the client disconnects, the server cancels).
PhaseResult RunPhase(const ServeBenchArgs& a, int port, Texts* texts, const std::string& name, const double (&weights)[kKinds],
                     size_t clients, double seconds, double grace) {
  PhaseResult r;
  r.name = name, r.clients = clients;
  Phase phase;
  for (int k = 0; k < kKinds; ++k) phase.weights[k] = weights[k];
  phase.max_requests = a.max_requests;
  std::vector<std::unique_ptr<httplib::Client>> http;
  for (size_t i = 0; i < clients; ++i) {
    http.push_back(std::make_unique<httplib::Client>("127.0.0.1", port));
    http.back()->set_keep_alive(true), http.back()->set_connection_timeout(10, 0);
    http.back()->set_read_timeout(3600, 0);  // the grace period bounds the wait, not this
  }
  std::vector<Tally> tallies(clients);
  std::atomic<size_t> running{clients};
  r.before = ScrapeMetrics(port);
  const auto start = Clock::now();
  phase.deadline = start + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] { ClientLoop(http[i].get(), &phase, &a, texts, i, &tallies[i]), --running; });
  }
  const auto give_up = phase.deadline + std::chrono::milliseconds(static_cast<int64_t>(grace * 1000));
  while (running > 0 && Clock::now() < give_up) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  r.seconds = Since(start);
  if (running > 0) {
    std::fprintf(stderr, "bench: %s: %zu clients still waiting %.0f s after the deadline; disconnecting them\n",
                 name.c_str(), running.load(), grace);
    phase.stopping = true;
    for (auto& h : http) h->stop();
  }
  for (std::thread& t : threads) t.join();
  for (const Tally& t : tallies) r.tally.Merge(t);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let cancellations land in /metrics
  r.after = ScrapeMetrics(port);
  r.pairs_per_s = static_cast<double>(r.tally.pairs) / r.seconds;
  r.engine_pairs_per_s = r.Delta("litrank_rerank_batch_pairs_sum") / r.seconds;
  return r;
}

json PhaseJson(const PhaseResult& r, double baseline_pairs_per_s) {
  const Tally& t = r.tally;
  json kinds = json::object();
  for (int k = 0; k < kKinds; ++k) {
    if (t.ms[k].empty() && t.transport[k] == 0 && t.abandoned[k] == 0) continue;
    kinds[kKindNames[k]] = {{"requests", t.ms[k].size()}, {"ok", t.ok[k]}, {"http_4xx", t.client_error[k]},
                            {"http_429", t.throttled[k]}, {"http_5xx", t.server_error[k]},
                            {"transport_errors", t.transport[k]}, {"bad_shape", t.bad_shape[k]},
                            {"abandoned", t.abandoned[k]}, {"latency_p50_ms", bench::Percentile(t.ms[k], 50)},
                            {"latency_p99_ms", bench::Percentile(t.ms[k], 99)},
                            {"throughput_per_s", static_cast<double>(t.ok[k]) / r.seconds}};
  }
  const double rounds = r.Delta("litrank_rerank_batch_pairs_count");
  return {{"phase", r.name}, {"clients", r.clients}, {"seconds", r.seconds}, {"requests", t.Requests()},
          {"requests_per_s", static_cast<double>(t.Requests()) / r.seconds}, {"http_5xx", t.Sum(t.server_error)},
          {"http_429", t.Sum(t.throttled)}, {"http_4xx", t.Sum(t.client_error)},
          {"transport_errors", t.Sum(t.transport)}, {"bad_shape", t.Sum(t.bad_shape)},
          {"abandoned", t.Sum(t.abandoned)}, {"kinds", kinds}, {"rerank_pairs", t.pairs},
          {"rerank_pairs_per_s", r.pairs_per_s}, {"engine_pairs_per_s", r.engine_pairs_per_s},
          {"ratio_vs_single_client", baseline_pairs_per_s > 0 ? r.pairs_per_s / baseline_pairs_per_s : 0},
          {"engine_ratio_vs_single_client", baseline_pairs_per_s > 0 ? r.engine_pairs_per_s / baseline_pairs_per_s : 0},
          {"server_rounds", rounds}, {"server_mixed_rounds", r.Delta("litrank_rerank_mixed_rounds_total")},
          {"server_pairs_per_round", rounds > 0 ? r.Delta("litrank_rerank_batch_pairs_sum") / rounds : 0},
          {"server_cancelled", r.Delta("litrank_rerank_cancelled_total")},
          {"server_rejected", r.Delta("litrank_rerank_rejected_total")},
          {"server_5xx", Server5xx(r.after) - Server5xx(r.before)}, {"problems", t.problems}};
}

/// A model of the asked shape: tiny ones in `tmp`, 0.6B ones cached like `bench rerank`'s.
StatusOr<std::string> ModelFor(const ServeBenchArgs& a, const std::string& kind, const std::string& tmp) {
  SynthOptions o;
  o.kind = kind, o.shape = a.shape;
  o.type = a.shape == "tiny" ? "f16" : "q8_0";
  std::string path = tmp + "/tiny-" + kind + ".gguf";
  if (a.shape != "tiny") {
    std::filesystem::create_directories(a.models_dir);
    path = a.models_dir + "/synthetic-qwen3-" + kind + "-0.6b-q8_0.gguf";
    if (std::filesystem::exists(path)) return path;
    std::fprintf(stderr, "bench: writing random-weight Qwen3-0.6B-shape %s %s\n", kind.c_str(), path.c_str());
  }
  LITRANK_RETURN_IF_ERROR(WriteSynthModel(o, path));
  return path;
}

/// The collection the searches run on: every sample .jsonl, embedded.
Status BuildCollection(const ServeBenchArgs& a, const std::string& db, const std::string& embedder_path, int64_t* count) {
  auto corpus = Corpus::Open(db, /*create=*/true);
  if (!corpus.ok()) return corpus.status();
  for (const auto& entry : std::filesystem::directory_iterator(a.samples_dir)) {
    if (entry.path().extension() != ".jsonl") continue;
    IngestReport report;
    LITRANK_RETURN_IF_ERROR(IngestFile(**corpus, entry.path().string(), RecordReadOptions{}, 500, &report));
  }
  EmbedderConfig ec;
  ec.threads = a.threads;
  auto embedder = Embedder::Open(embedder_path, ec);
  if (!embedder.ok()) return embedder.status();
  EmbedReport report;
  LITRANK_RETURN_IF_ERROR(EmbedMissingDocuments(**corpus, **embedder, 256, &report));
  auto n = (*corpus)->Count();
  *count = n.ok() ? *n : 0;
  return n.status();
}

void PrintPhase(const PhaseResult& r, double baseline) {
  const Tally& t = r.tally;
  std::printf("%-16s %7zu %7.1f %8zu %8.1f %6zu %5zu %5zu %5zu %5zu %9.1f %9.1f %6.2f\n", r.name.c_str(), r.clients,
              r.seconds, t.Requests(), static_cast<double>(t.Requests()) / r.seconds, t.Sum(t.ok), t.Sum(t.client_error),
              t.Sum(t.throttled), t.Sum(t.server_error), t.Sum(t.transport) + t.Sum(t.bad_shape), r.pairs_per_s,
              r.engine_pairs_per_s, baseline > 0 ? r.pairs_per_s / baseline : 0);
}

void PrintKinds(const PhaseResult& r) {
  const Tally& t = r.tally;
  for (int k = 0; k < kKinds; ++k) {
    if (t.ms[k].empty()) continue;
    std::printf("%-16s %-7s %8zu %9.1f %9.1f %6zu %5zu %5zu %5zu %5zu %5zu\n", r.name.c_str(), kKindNames[k], t.ms[k].size(),
                bench::Percentile(t.ms[k], 50), bench::Percentile(t.ms[k], 99), t.ok[k], t.client_error[k],
                t.throttled[k], t.server_error[k], t.transport[k], t.bad_shape[k]);
  }
}

/// "6:2:2" -> rerank, embed and search weights (>= 0, not all 0).
Status ParseMix(const std::string& mix, double (&w)[kKinds]) {
  std::istringstream in(mix);
  std::string part;
  double sum = 0;
  for (int k = 0; k < kKinds; ++k) {
    w[k] = -1;
    if (std::getline(in, part, ':')) try { w[k] = std::stod(part); } catch (const std::exception&) {}
    sum += w[k] < 0 ? NAN : w[k];
  }
  if (!(sum > 0) || std::getline(in, part, ':')) return Status::InvalidArgument("--mix wants rerank:embed:search weights >= 0, got " + mix);
  return Status::Ok();
}

int RunServeBench(const ServeBenchArgs& a) {
  double mix[kKinds];
  if (Status st = ParseMix(a.mix, mix); !st.ok()) return Fail(st);
  if (a.shape != "tiny" && a.shape != "qwen3-0.6b") return Fail(Status::InvalidArgument("--shape is tiny or qwen3-0.6b"));
  std::signal(SIGPIPE, SIG_IGN);
  const std::string tmp = (std::filesystem::temp_directory_path() / ("litrank-bench-serve-" + std::to_string(getpid()))).string();
  std::filesystem::create_directories(tmp);
  struct Cleanup { std::string dir; ~Cleanup() { std::error_code ec; std::filesystem::remove_all(dir, ec); } } cleanup{tmp};
  auto reranker = ModelFor(a, "reranker", tmp), embedder = ModelFor(a, "embedding", tmp);
  if (!reranker.ok() || !embedder.ok()) return Fail(reranker.ok() ? embedder.status() : reranker.status(), true);
  Texts texts;
  std::vector<InputDocument> src;
  if (Status st = ReadDocuments(a.samples_dir + "/papers.jsonl", {}, &src, nullptr); !st.ok()) return Fail(st);
  for (const InputDocument& d : src) texts.abstracts.push_back(d.text);
  if (texts.abstracts.empty()) return Fail(Status::NotFound("no abstracts in " + a.samples_dir + "/papers.jsonl"));
  const std::string db = tmp + "/bench.db";
  int64_t collection_docs = 0;
  if (Status st = BuildCollection(a, db, *embedder, &collection_docs); !st.ok()) return Fail(st);

  bench::ResetOwnPeakRss();
  server::ServerConfig c;
  c.host = "127.0.0.1", c.port = 0, c.threads = a.threads;
  c.reranker_path = *reranker, c.embedder_path = *embedder, c.db_path = db;
  c.http_threads = static_cast<int>(std::max<size_t>(64, a.clients + 8));  // keep-alive clients each hold one
  server::Server srv(c);
  if (Status st = srv.Bind(); !st.ok()) return Fail(st);
  const int port = srv.port();
  Status run_status;
  std::atomic<bool> run_done{false};
  std::thread runner([&] { run_status = srv.Run(); run_done = true; });
  struct Stopper { server::Server& s; std::thread& t; void Now() { if (t.joinable()) s.Stop(), t.join(); } ~Stopper() { Now(); } };
  Stopper stopper{srv, runner};
  httplib::Client health("127.0.0.1", port);
  bool up = false;
  for (int i = 0; i < 6000 && !up && !run_done; ++i) {  // 10 minutes at most for the models to load
    auto res = health.Get("/health");
    if (!(up = res && res->status == 200)) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!up) return Fail(run_status.ok() ? Status::Internal("the server did not become healthy") : run_status, true);
  std::fprintf(stderr, "bench: serving %s shape on 127.0.0.1:%d, collection of %lld documents\n", a.shape.c_str(), port,
               static_cast<long long>(collection_docs));
  {  // warm-up (untimed): faults in the weights, builds graphs and the search indexes
    httplib::Client warm("127.0.0.1", port);
    warm.set_read_timeout(3600, 0);
    warm.Post("/v1/rerank", json{{"query", kQueries[0]}, {"documents", json::array({texts.Fresh(0, a.doc_words)})}}.dump(), "application/json");
    warm.Post("/v1/embeddings", json{{"input", json::array({texts.Fresh(1, 40)})}}.dump(), "application/json");
    warm.Post("/v1/collections/default/search", json{{"query", kQueries[0]}, {"rerank", false}}.dump(), "application/json");
  }

  const double short_phase = std::max(5.0, a.seconds * a.baseline_fraction);
  const double rerank_only[kKinds] = {1, 0, 0};
  std::vector<PhaseResult> phases;
  // The lone client's calls always finish (a baseline needs at least one).
  phases.push_back(RunPhase(a, port, &texts, "single-client", rerank_only, 1, short_phase, 3600));
  const double baseline = phases[0].pairs_per_s;
  if (!a.no_rerank_only) phases.push_back(RunPhase(a, port, &texts, "rerank-only", rerank_only, a.clients, short_phase, a.grace));
  phases.push_back(RunPhase(a, port, &texts, "mixed " + a.mix, mix, a.clients, a.seconds, a.grace));
  const double peak_rss = bench::PeakRssMiB(0);
  const auto final_metrics = ScrapeMetrics(port);

  std::printf("litrank bench serve: %s shape, %d threads, %zu documents per rerank call, loopback, peak RSS %.0f MiB\n",
              a.shape.c_str(), a.threads, a.docs_per_request, peak_rss);
  std::printf("%-16s %7s %7s %8s %8s %6s %5s %5s %5s %5s %9s %9s %6s\n", "phase", "clients", "seconds", "requests",
              "req/s", "2xx", "4xx", "429", "5xx", "err", "pairs/s", "engine/s", "ratio");
  for (const PhaseResult& r : phases) PrintPhase(r, baseline);
  std::printf("\n%-16s %-7s %8s %9s %9s %6s %5s %5s %5s %5s %5s\n", "phase", "kind", "requests", "p50 ms", "p99 ms",
              "2xx", "4xx", "429", "5xx", "trans", "shape");
  for (const PhaseResult& r : phases) PrintKinds(r);
  std::printf("\n%-16s %9s %9s %11s %10s %9s\n", "phase", "rounds", "mixed", "pairs/round", "cancelled", "rejected");
  for (const PhaseResult& r : phases) {
    const double rounds = r.Delta("litrank_rerank_batch_pairs_count");
    std::printf("%-16s %9.0f %9.0f %11.1f %10.0f %9.0f\n", r.name.c_str(), rounds, r.Delta("litrank_rerank_mixed_rounds_total"),
                rounds > 0 ? r.Delta("litrank_rerank_batch_pairs_sum") / rounds : 0, r.Delta("litrank_rerank_cancelled_total"),
                r.Delta("litrank_rerank_rejected_total"));
  }
  size_t client_5xx = 0, wrong = 0;
  json records = json::array();
  for (const PhaseResult& r : phases) {
    client_5xx += r.tally.Sum(r.tally.server_error), wrong += r.tally.Sum(r.tally.bad_shape);
    records.push_back(PhaseJson(r, baseline));
    for (const std::string& p : r.tally.problems) std::printf("%s: %s\n", r.name.c_str(), p.c_str());
  }
  const PhaseResult& load = phases.back();
  records.push_back({{"phase", "summary"}, {"shape", a.shape}, {"threads", a.threads}, {"clients", a.clients},
                     {"seconds", a.seconds}, {"mix", a.mix}, {"docs_per_request", a.docs_per_request},
                     {"doc_words", a.doc_words}, {"max_requests", a.max_requests}, {"collection_documents", collection_docs},
                     {"reranker", *reranker}, {"embedder", *embedder}, {"http_threads", c.http_threads},
                     {"single_client_pairs_per_s", baseline},
                     {"rerank_only_ratio", a.no_rerank_only || baseline <= 0 ? json(nullptr) : json(phases[1].pairs_per_s / baseline)},
                     {"mixed_pairs_per_s", load.pairs_per_s},
                     {"mixed_ratio", baseline > 0 ? load.pairs_per_s / baseline : 0}, {"target_ratio", 0.9},
                     {"http_5xx", client_5xx}, {"bad_shape", wrong}, {"server_5xx_total", Server5xx(final_metrics)},
                     {"server_rounds_total", MetricValue(final_metrics, "litrank_rerank_batch_pairs_count")},
                     {"server_mixed_rounds_total", MetricValue(final_metrics, "litrank_rerank_mixed_rounds_total")},
                     {"peak_rss_mib", peak_rss}});
  std::printf("wrote %s\n", bench::WriteBenchJson(a.out_dir, "serve", records.dump(2)).c_str());
  std::fflush(stdout);
  const auto stop_start = Clock::now();
  stopper.Now();
  std::fprintf(stderr, "bench: server stopped in %.1f s\n", Since(stop_start));
  if (client_5xx > 0 || wrong > 0) std::fprintf(stderr, "bench: %zu 5xx answers, %zu wrongly shaped ones\n", client_5xx, wrong);
  return client_5xx > 0 || wrong > 0 ? kExitInternal : kExitOk;
}

}  // namespace

void AddServeBenchCommand(CLI::App& bench, int* exit_code) {
  auto a = std::make_shared<ServeBenchArgs>();
  auto* cmd = bench.add_subcommand("serve",
      "Load test of `litrank serve` on synthetic models, in-process, 127.0.0.1 only: a single client's\n"
      "rerank throughput, then --clients keep-alive clients (rerank only, then the --mix of rerank,\n"
      "embeddings and collection search). Bounded by --seconds and --max-requests. Non-zero exit on any 5xx.");
  cmd->add_option("--clients", a->clients, "Concurrent clients")->capture_default_str()->check(CLI::Range(1, 1000));
  cmd->add_option("--seconds", a->seconds, "Length of the mixed phase (the short phases take --baseline-fraction of it)")
      ->capture_default_str()->check(CLI::Range(1.0, 3600.0));
  cmd->add_option("--shape", a->shape, "Synthetic model shape: tiny | qwen3-0.6b (what the real models cost)")->capture_default_str();
  cmd->add_option("--docs-per-request", a->docs_per_request, "Fresh documents per rerank call")->capture_default_str()->check(CLI::Range(1, 1000));
  cmd->add_option("--doc-words", a->doc_words, "Cut each document to this many words (0 = whole abstract, ~100 words)")->capture_default_str();
  cmd->add_option("--threads", a->threads, "Model threads of the server")->capture_default_str();
  cmd->add_option("--mix", a->mix, "Weights rerank:embed:search of the mixed phase")->capture_default_str();
  cmd->add_option("--max-requests", a->max_requests, "Requests per phase at most")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--baseline-fraction", a->baseline_fraction, "Single-client and rerank-only phases, as a share of --seconds")
      ->capture_default_str()->check(CLI::Range(0.01, 1.0));
  cmd->add_option("--grace", a->grace, "Seconds to wait for answers in flight at a deadline (then disconnect)")->capture_default_str();
  cmd->add_flag("--no-rerank-only", a->no_rerank_only, "Skip the concurrent rerank-only phase");
  cmd->add_option("--models-dir", a->models_dir, "Where the 0.6B-shape synthetic models are cached")->capture_default_str();
  cmd->add_option("--samples", a->samples_dir, "Folder of sample .jsonl files (documents and the collection)")->capture_default_str();
  cmd->add_option("--out,--out-dir", a->out_dir, "Where the JSON goes")->capture_default_str();
  cmd->callback([a, exit_code] { *exit_code = RunServeBench(*a); });
}

}  // namespace litrank::cli

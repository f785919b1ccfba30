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
#include "load_phase.h"
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

using nlohmann::json;
using namespace bench;  // the load-test pieces (load_phase.h)

struct ServeBenchArgs {
  LoadSettings load;
  size_t clients = 50;
  double seconds = 120, baseline_fraction = 0.15, grace = 20;
  std::string shape = "tiny", mix = "6:2:2", out_dir = "bench/results", models_dir = ".cache/bench-models", samples_dir = "data/samples";
  int threads = 2;
  bool no_rerank_only = false;
  double sample_every = 5, warmup_fraction = 0.2;  // soak: RSS samples, and the share of the run before the slope
};

/// A model of the asked shape: tiny ones in `tmp`, 0.6B ones cached like `bench rerank`'s.
StatusOr<std::string> ModelFor(const ServeBenchArgs& a, const std::string& kind, const std::string& tmp) {
  if (a.shape != "tiny") return bench::SyntheticModel06B(a.models_dir, kind, "q8_0");
  SynthOptions o;
  o.kind = kind;
  const std::string path = tmp + "/tiny-" + kind + ".gguf";
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

/// "6:2:2" or "5:2:2:1" -> rerank, embed, search (and upload) weights (>= 0, not all 0).
Status ParseMix(const std::string& mix, double (&w)[kKinds]) {
  std::istringstream in(mix);
  std::string part;
  double sum = 0;
  int parts = 0;
  for (int k = 0; k < kKinds; ++k) {
    w[k] = 0;
    if (!std::getline(in, part, ':')) continue;
    ++parts;
    w[k] = -1;
    try { w[k] = std::stod(part); } catch (const std::exception&) {}
    sum += w[k] < 0 ? NAN : w[k];
  }
  if (parts < 3 || !(sum > 0) || std::getline(in, part, ':')) {
    return Status::InvalidArgument("--mix wants rerank:embed:search[:upload] weights >= 0, got " + mix);
  }
  return Status::Ok();
}

/// The in-process server both load tests drive: synthetic models, the sample
/// collection (embedded) as "default", a data dir for uploads; stopped on destruction.
class BenchServer {
 public:
  /// Builds everything in a temp dir and waits (10 minutes at most) for /health.
  Status Start(const ServeBenchArgs& a, Texts* texts) {
    std::signal(SIGPIPE, SIG_IGN);
    tmp_ = (std::filesystem::temp_directory_path() / ("litrank-bench-serve-" + std::to_string(getpid()))).string();
    std::filesystem::create_directories(tmp_);
    auto reranker = ModelFor(a, "reranker", tmp_), embedder = ModelFor(a, "embedding", tmp_);
    if (!reranker.ok()) return reranker.status();
    if (!embedder.ok()) return embedder.status();
    reranker_ = *reranker, embedder_ = *embedder;
    std::vector<InputDocument> src;
    LITRANK_RETURN_IF_ERROR(ReadDocuments(a.samples_dir + "/papers.jsonl", {}, &src, nullptr));
    for (const InputDocument& d : src) texts->abstracts.push_back(d.text);
    if (texts->abstracts.empty()) return Status::NotFound("no abstracts in " + a.samples_dir + "/papers.jsonl");
    const std::string db = tmp_ + "/bench.db";
    LITRANK_RETURN_IF_ERROR(BuildCollection(a, db, embedder_, &collection_docs_));
    ResetOwnPeakRss();
    config_.host = "127.0.0.1", config_.port = 0, config_.threads = a.threads;
    config_.reranker_path = reranker_, config_.embedder_path = embedder_, config_.db_path = db;
    config_.data_dir = tmp_ + "/collections";
    config_.http_threads = static_cast<int>(std::max<size_t>(64, a.clients + 8));  // keep-alive clients each hold one
    srv_ = std::make_unique<server::Server>(config_);
    LITRANK_RETURN_IF_ERROR(srv_->Bind());
    runner_ = std::thread([this] { run_status_ = srv_->Run(); run_done_ = true; });
    httplib::Client health("127.0.0.1", port());
    bool up = false;
    for (int i = 0; i < 6000 && !up && !run_done_; ++i) {
      auto res = health.Get("/health");
      if (!(up = res && res->status == 200)) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!up) return run_status_.ok() ? Status::Internal("the server did not become healthy") : run_status_;
    std::fprintf(stderr, "bench: serving %s shape on 127.0.0.1:%d, collection of %lld documents\n", a.shape.c_str(),
                 port(), static_cast<long long>(collection_docs_));
    // Warm-up (untimed): faults in the weights, builds graphs and the search indexes.
    httplib::Client warm("127.0.0.1", port());
    warm.set_read_timeout(3600, 0);
    warm.Post("/v1/rerank", json{{"query", kQueries[0]}, {"documents", json::array({texts->Fresh(0, a.load.doc_words)})}}.dump(), "application/json");
    warm.Post("/v1/embeddings", json{{"input", json::array({texts->Fresh(1, 40)})}}.dump(), "application/json");
    warm.Post("/v1/collections/default/search", json{{"query", kQueries[0]}, {"rerank", false}}.dump(), "application/json");
    return Status::Ok();
  }
  /// Stops the server (requests in flight finish first); returns the seconds it took.
  double Stop() {
    const auto start = Clock::now();
    if (runner_.joinable()) srv_->Stop(), runner_.join();
    return Since(start);
  }
  ~BenchServer() {
    Stop();
    std::error_code ec;
    if (!tmp_.empty()) std::filesystem::remove_all(tmp_, ec);
  }
  int port() const { return srv_->port(); }
  const server::ServerConfig& config() const { return config_; }
  const std::string& reranker() const { return reranker_; }
  const std::string& embedder() const { return embedder_; }
  int64_t collection_docs() const { return collection_docs_; }

 private:
  std::string tmp_, reranker_, embedder_;
  int64_t collection_docs_ = 0;
  server::ServerConfig config_;
  std::unique_ptr<server::Server> srv_;
  std::thread runner_;
  Status run_status_;
  std::atomic<bool> run_done_{false};
};

int RunServeBench(const ServeBenchArgs& a) {
  double mix[kKinds];
  if (Status st = ParseMix(a.mix, mix); !st.ok()) return Fail(st);
  if (a.shape != "tiny" && a.shape != "qwen3-0.6b") return Fail(Status::InvalidArgument("--shape is tiny or qwen3-0.6b"));
  Texts texts;
  BenchServer srv;
  if (Status st = srv.Start(a, &texts); !st.ok()) return Fail(st, st.code() == Status::Code::kInternal);
  const int port = srv.port();
  const int64_t collection_docs = srv.collection_docs();

  const double short_phase = std::max(5.0, a.seconds * a.baseline_fraction);
  const double rerank_only[kKinds] = {1, 0, 0};
  std::vector<PhaseResult> phases;
  // The lone client's calls always finish (a baseline needs at least one).
  phases.push_back(RunPhase(a.load, port, &texts, "single-client", rerank_only, 1, short_phase, 3600));
  const double baseline = phases[0].pairs_per_s;
  if (!a.no_rerank_only) phases.push_back(RunPhase(a.load, port, &texts, "rerank-only", rerank_only, a.clients, short_phase, a.grace));
  phases.push_back(RunPhase(a.load, port, &texts, "mixed " + a.mix, mix, a.clients, a.seconds, a.grace));
  const double peak_rss = bench::PeakRssMiB(0);
  const auto final_metrics = ScrapeMetrics(port);

  std::printf("litrank bench serve: %s shape, %d threads, %zu documents per rerank call, loopback, peak RSS %.0f MiB\n",
              a.shape.c_str(), a.threads, a.load.docs_per_request, peak_rss);
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
                     {"seconds", a.seconds}, {"mix", a.mix}, {"docs_per_request", a.load.docs_per_request},
                     {"doc_words", a.load.doc_words}, {"max_requests", a.load.max_requests}, {"collection_documents", collection_docs},
                     {"reranker", srv.reranker()}, {"embedder", srv.embedder()}, {"http_threads", srv.config().http_threads},
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
  std::fprintf(stderr, "bench: server stopped in %.1f s\n", srv.Stop());
  if (client_5xx > 0 || wrong > 0) std::fprintf(stderr, "bench: %zu 5xx answers, %zu wrongly shaped ones\n", client_5xx, wrong);
  return client_5xx > 0 || wrong > 0 ? kExitInternal : kExitOk;
}


/// Least-squares slope of y over x (0 for fewer than two points).
double Slope(const std::vector<std::pair<double, double>>& points) {
  if (points.size() < 2) return 0;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& [x, y] : points) sx += x, sy += y, sxx += x * x, sxy += x * y;
  const double n = static_cast<double>(points.size());
  const double d = n * sxx - sx * sx;
  return d != 0 ? (n * sxy - sx * sy) / d : 0;
}

/// `bench soak`: one long mixed phase with uploads, our RSS sampled all along.
int RunSoakBench(const ServeBenchArgs& a) {
  double mix[kKinds];
  if (Status st = ParseMix(a.mix, mix); !st.ok()) return Fail(st);
  Texts texts;
  BenchServer srv;
  if (Status st = srv.Start(a, &texts); !st.ok()) return Fail(st, st.code() == Status::Code::kInternal);
  std::vector<std::pair<double, double>> rss;  // (seconds since start, MiB)
  std::atomic<bool> done{false};
  const auto start = Clock::now();
  std::thread sampler([&] {
    while (!done) {
      rss.emplace_back(Since(start), CurrentRssMiB());
      for (int i = 0; i < static_cast<int>(a.sample_every * 10) && !done; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  });
  PhaseResult r = RunPhase(a.load, srv.port(), &texts, "soak " + a.mix, mix, a.clients, a.seconds, a.grace);
  done = true;
  sampler.join();
  std::vector<std::pair<double, double>> settled;
  for (const auto& [t, mib] : rss) {
    if (t >= a.warmup_fraction * a.seconds) settled.emplace_back(t / 60.0, mib);
  }
  const double slope = Slope(settled);  // MiB per minute after warm-up
  const Tally& t = r.tally;
  const size_t failures = t.Sum(t.server_error) + t.Sum(t.transport) + t.Sum(t.bad_shape);
  std::printf("litrank bench soak: %zu clients, %.0f s, mix rerank:embed:search:upload %s, %s shape\n", a.clients,
              r.seconds, a.mix.c_str(), a.shape.c_str());
  std::printf("%-16s %7s %7s %8s %8s %6s %5s %5s %5s %5s %9s %9s %6s\n", "phase", "clients", "seconds", "requests",
              "req/s", "2xx", "4xx", "429", "5xx", "err", "pairs/s", "engine/s", "ratio");
  PrintPhase(r, 0);
  std::printf("\n%-16s %-7s %8s %9s %9s %6s %5s %5s %5s %5s %5s\n", "phase", "kind", "requests", "p50 ms", "p99 ms",
              "2xx", "4xx", "429", "5xx", "trans", "shape");
  PrintKinds(r);
  const double first = settled.empty() ? 0 : settled.front().second, last = settled.empty() ? 0 : settled.back().second;
  std::printf("\nRSS after warm-up (%.0f%% of the run): %.0f -> %.0f MiB, slope %.2f MiB/min; peak %.0f MiB\n",
              100 * a.warmup_fraction, first, last, slope, PeakRssMiB(0));
  for (const std::string& p : t.problems) std::printf("problem: %s\n", p.c_str());
  json samples = json::array();
  for (const auto& [sec, mib] : rss) samples.push_back({{"seconds", sec}, {"rss_mib", mib}});
  json record = PhaseJson(r, 0);
  record["rss"] = {{"samples", samples}, {"warmup_fraction", a.warmup_fraction}, {"after_warmup_first_mib", first},
                   {"after_warmup_last_mib", last}, {"slope_mib_per_min", slope}, {"peak_mib", PeakRssMiB(0)}};
  record["settings"] = {{"shape", a.shape}, {"threads", a.threads}, {"clients", a.clients}, {"seconds", a.seconds},
                        {"mix", a.mix}, {"docs_per_request", a.load.docs_per_request}};
  record["failures"] = failures;
  std::printf("wrote %s\n", WriteBenchJson(a.out_dir, "soak", json::array({record}).dump(2)).c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "bench: server stopped in %.1f s\n", srv.Stop());
  if (failures > 0) std::fprintf(stderr, "bench: %zu 5xx / transport / wrongly shaped answers\n", failures);
  return failures > 0 ? kExitInternal : kExitOk;
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
  cmd->add_option("--docs-per-request", a->load.docs_per_request, "Fresh documents per rerank call")->capture_default_str()->check(CLI::Range(1, 1000));
  cmd->add_option("--doc-words", a->load.doc_words, "Cut each document to this many words (0 = whole abstract, ~100 words)")->capture_default_str();
  cmd->add_option("--threads", a->threads, "Model threads of the server")->capture_default_str();
  cmd->add_option("--mix", a->mix, "Weights rerank:embed:search of the mixed phase")->capture_default_str();
  cmd->add_option("--max-requests", a->load.max_requests, "Requests per phase at most")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--baseline-fraction", a->baseline_fraction, "Single-client and rerank-only phases, as a share of --seconds")
      ->capture_default_str()->check(CLI::Range(0.01, 1.0));
  cmd->add_option("--grace", a->grace, "Seconds to wait for answers in flight at a deadline (then disconnect)")->capture_default_str();
  cmd->add_flag("--no-rerank-only", a->no_rerank_only, "Skip the concurrent rerank-only phase");
  cmd->add_option("--models-dir", a->models_dir, "Where the 0.6B-shape synthetic models are cached")->capture_default_str();
  cmd->add_option("--samples", a->samples_dir, "Folder of sample .jsonl files (documents and the collection)")->capture_default_str();
  cmd->add_option("--out,--out-dir", a->out_dir, "Where the JSON goes")->capture_default_str();
  cmd->callback([a, exit_code] { *exit_code = RunServeBench(*a); });

  auto s = std::make_shared<ServeBenchArgs>();
  s->clients = 100, s->seconds = 600, s->mix = "5:2:2:1", s->load.docs_per_request = 8;
  auto* soak = bench.add_subcommand("soak",
      "Soak test of `litrank serve`: --clients keep-alive clients for --seconds on synthetic models, a mix of\n"
      "rerank, embeddings, search and uploads, the process's RSS sampled all along. Reports the RSS slope after\n"
      "warm-up; non-zero exit on any 5xx, transport error or wrongly shaped answer.");
  soak->add_option("--clients", s->clients, "Concurrent clients")->capture_default_str()->check(CLI::Range(1, 1000));
  soak->add_option("--seconds", s->seconds, "Length of the run")->capture_default_str()->check(CLI::Range(1.0, 7200.0));
  soak->add_option("--mix", s->mix, "Weights rerank:embed:search:upload")->capture_default_str();
  soak->add_option("--docs-per-request", s->load.docs_per_request, "Fresh documents per rerank call")->capture_default_str()->check(CLI::Range(1, 1000));
  soak->add_option("--shape", s->shape, "Synthetic model shape: tiny | qwen3-0.6b")->capture_default_str();
  soak->add_option("--threads", s->threads, "Model threads of the server")->capture_default_str();
  soak->add_option("--sample-every", s->sample_every, "Seconds between RSS samples")->capture_default_str()->check(CLI::Range(0.1, 600.0));
  soak->add_option("--warmup-fraction", s->warmup_fraction, "Share of the run left out of the RSS slope")->capture_default_str()->check(CLI::Range(0.0, 0.9));
  soak->add_option("--grace", s->grace, "Seconds to wait for answers in flight at the end")->capture_default_str();
  soak->add_option("--samples", s->samples_dir, "Folder of sample .jsonl files")->capture_default_str();
  soak->add_option("--out-dir", s->out_dir, "Where the JSON goes")->capture_default_str();
  soak->callback([s, exit_code] { *exit_code = RunSoakBench(*s); });
}

}  // namespace litrank::cli

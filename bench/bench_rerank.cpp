// `litrank bench rerank`: litrank vs llama.cpp's llama-server --rerank, side by side
// in one run on the same GGUF, query and documents, with llama-bench pp512 as the
// compute ceiling, and litrank with batch invariance on, to price the invariance.
// Prints a table and writes JSON under bench/results/.
#include <CLI/CLI.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bench_support.h"
#include "cli/cli_common.h"
#include "litrank/reranker.h"
#include "litrank/synth.h"

namespace litrank::cli {
namespace {

struct BenchArgs {
  std::string model;                           // "" = synthetic Qwen3-0.6B shape per type
  std::vector<std::string> types = {"q8_0", "bf16"};
  std::vector<size_t> lengths = {250, 40};
  size_t docs = 32;
  int threads = 2, repeats = 2;
  std::vector<int> parallel = {1, 4};
  bool no_server = false;
  std::string models_dir = ".cache/bench-models", out_dir = "bench/results";
  std::string samples = "data/samples/papers.jsonl";
  std::string server = LITRANK_LLAMA_SERVER, llama_bench = LITRANK_LLAMA_BENCH;
};

StatusOr<std::string> ModelFor(const BenchArgs& a, const std::string& type) {
  return a.model.empty() ? bench::SyntheticModel06B(a.models_dir, "reranker", type) : StatusOr<std::string>(a.model);
}

/// Warm-up input: a few documents, enough to fault in the weights and build the graphs.
std::vector<std::string> WarmupDocs(const std::vector<std::string>& docs) {
  return {docs.begin(), docs.begin() + static_cast<std::ptrdiff_t>(std::min<size_t>(4, docs.size()))};
}

std::string Query(int i) { return "How do solid-state lithium batteries degrade? (query " + std::to_string(i) + ")"; }

/// Median seconds and tokens decoded per query for one litrank configuration.
struct Timing {
  double seconds = 0, tokens = 0;
};

/// litrank as configured by default ([0], batch invariance off) and with batch
/// invariance on ([1]), side by side:
/// the two engines take turns query by query (distinct queries, cache off), so both
/// see the same machine state.
StatusOr<std::array<Timing, 2>> TimeLitrank(const BenchArgs& a, const std::string& model,
                                            const std::vector<std::string>& docs) {
  std::array<std::unique_ptr<Reranker>, 2> engines;
  for (int k = 0; k < 2; ++k) {
    RerankerConfig c;
    c.threads = a.threads;
    c.cache_entries = 0;
    c.batch_invariant = k == 1;
    auto r = Reranker::Open(model, c);
    if (!r.ok()) return r.status();
    engines[k] = std::move(r.value());
    RerankResult warm;
    LITRANK_RETURN_IF_ERROR(engines[k]->Rerank(Query(0), WarmupDocs(docs), {}, &warm));
  }
  std::array<std::vector<double>, 2> times, tokens;
  for (int i = 1; i <= a.repeats; ++i) {
    for (int k = 0; k < 2; ++k) {
      const int e = i % 2 ? k : 1 - k;  // alternate which engine goes first
      RerankResult res;
      LITRANK_RETURN_IF_ERROR(engines[e]->Rerank(Query(i), docs, {}, &res));
      times[e].push_back(res.stats.seconds), tokens[e].push_back(static_cast<double>(res.stats.decoded_tokens));
    }
  }
  std::array<Timing, 2> out;
  for (int k = 0; k < 2; ++k) out[k] = {bench::Median(times[k]), bench::Median(tokens[k])};
  return out;
}

int Run(const BenchArgs& a) {
  const bool server_ok = !a.no_server && std::filesystem::exists(a.server);
  if (!a.no_server && !server_ok) std::fprintf(stderr, "bench: llama-server not found at '%s'; measuring litrank only\n", a.server.c_str());
  nlohmann::json records = nlohmann::json::array();
  std::printf("%-6s %-5s %9s %9s %6s %9s %4s %6s %10s %10s %6s %8s %8s\n", "type", "len", "litrank", "inv-on", "inv%",
              "server", "np", "ratio", "new tok/s", "pp512", "ceil%", "RSS MiB", "srv MiB");
  for (const std::string& type : a.types) {
    auto model = ModelFor(a, type);
    if (!model.ok()) return Fail(model.status(), true);
    const double ceiling = std::filesystem::exists(a.llama_bench) ? bench::LlamaBenchPp512(a.llama_bench, *model, a.threads) : -1;
    for (size_t length : a.lengths) {
      auto docs = bench::MakeDocuments(*model, a.samples, a.docs, length);
      if (!docs.ok()) return Fail(docs.status());
      bench::ResetOwnPeakRss();
      auto ours = TimeLitrank(a, *model, *docs);
      if (!ours.ok()) return Fail(ours.status());
      const double our_rss = bench::PeakRssMiB(0);
      const Timing& inv = (*ours)[0];  // the default engine
      const double our_dps = static_cast<double>(a.docs) / inv.seconds, our_tps = inv.tokens / inv.seconds;
      const double inv_dps = static_cast<double>(a.docs) / (*ours)[1].seconds;
      const double inv_cost = 100 * (1 - inv_dps / our_dps);  // throughput given up for batch invariance
      double best_dps = 0, server_rss = 0;
      int best_np = 0;
      for (int np : server_ok ? a.parallel : std::vector<int>{}) {
        bench::LlamaServer server(a.server, *model, a.threads, np);
        if (!server.ready()) { std::fprintf(stderr, "bench: llama-server -np %d did not start\n", np); continue; }
        std::vector<double> times;
        server.TimeRerank(Query(0), WarmupDocs(*docs));
        for (int i = 1; i <= a.repeats; ++i) {
          const double s = server.TimeRerank(Query(i), *docs);
          if (s > 0) times.push_back(s);
        }
        const double dps = times.empty() ? 0 : static_cast<double>(a.docs) / bench::Median(times);
        if (dps > best_dps) best_dps = dps, best_np = np, server_rss = server.peak_rss_mib();
      }
      const double ratio = best_dps > 0 ? our_dps / best_dps : 0;
      std::printf("%-6s %-5zu %9.3f %9.3f %6.1f %9.3f %4d %6.2f %10.1f %10.1f %6.1f %8.0f %8.0f\n", type.c_str(), length,
                  our_dps, inv_dps, inv_cost, best_dps, best_np, ratio, our_tps, ceiling, ceiling > 0 ? 100 * our_tps / ceiling : 0, our_rss, server_rss);
      std::fflush(stdout);
      records.push_back({{"length", length}, {"type", type}, {"documents", a.docs}, {"threads", a.threads},
                         {"repeats", a.repeats}, {"model", *model}, {"litrank_docs_per_s", our_dps},
                         {"llama_server_docs_per_s", best_dps}, {"llama_server_parallel", best_np}, {"ratio", ratio},
                         {"litrank_new_tokens_per_s", our_tps}, {"litrank_tokens_per_query", inv.tokens},
                         {"litrank_batch_invariant_docs_per_s", inv_dps}, {"batch_invariance_cost_percent", inv_cost},
                         {"ceiling_tokens_per_s", ceiling}, {"litrank_peak_rss_mib", our_rss},
                         {"llama_server_peak_rss_mib", server_rss}});
    }
  }
  std::printf("wrote %s\n", bench::WriteBenchJson(a.out_dir, "rerank", records.dump(2)).c_str());
  return kExitOk;
}

}  // namespace

void AddBenchCommand(CLI::App& app, int* exit_code) {
  auto* bench = app.add_subcommand("bench", "Benchmarks (print a table, write JSON under bench/results/)");
  bench->require_subcommand(1);
  auto a = std::make_shared<BenchArgs>();
  auto* rr = bench->add_subcommand("rerank",
      "litrank vs llama-server --rerank on the same GGUF (default: synthetic Qwen3-Reranker-0.6B shape),\n"
      "plus llama-bench pp512 as the compute ceiling. Scores of synthetic models are meaningless; speed is real.");
  rr->add_option("--model", a->model, "GGUF to benchmark (default: synthesise one per --types)");
  rr->add_option("--types", a->types, "Weight types of the synthetic model")->capture_default_str();
  rr->add_option("--lengths", a->lengths, "Document lengths in tokens")->capture_default_str();
  rr->add_option("--docs", a->docs, "Documents per query")->capture_default_str();
  rr->add_option("--threads", a->threads, "Threads for both engines")->capture_default_str();
  rr->add_option("--repeats", a->repeats, "Timed queries per engine (after a short warm-up); the median is reported")->capture_default_str();
  rr->add_option("--parallel", a->parallel, "llama-server -np values to try (best is reported)")->capture_default_str();
  rr->add_flag("--no-server", a->no_server, "Skip llama-server");
  rr->add_option("--models-dir", a->models_dir, "Where synthetic benchmark models are cached")->capture_default_str();
  rr->add_option("--out-dir", a->out_dir, "Where the JSON goes")->capture_default_str();
  rr->add_option("--samples", a->samples, "Text the documents are cut from")->capture_default_str();
  rr->add_option("--llama-server", a->server, "llama-server binary")->capture_default_str();
  rr->add_option("--llama-bench", a->llama_bench, "llama-bench binary")->capture_default_str();
  rr->callback([a, exit_code] { *exit_code = Run(*a); });
  AddSearchBenchCommand(*bench, exit_code);
  AddServeBenchCommand(*bench, exit_code);
  AddScreenBenchCommand(*bench, exit_code);
  AddVectorsBenchCommand(*bench, exit_code);
  AddClusterBenchCommand(*bench, exit_code);
  AddAssessBenchCommand(*bench, exit_code);
  AddLongDocBenchCommand(*bench, exit_code);
  AddExtractBenchCommand(*bench, exit_code);
  AddWorkersBenchCommand(*bench, exit_code);
  AddStoreBenchCommand(*bench, exit_code);
}

}  // namespace litrank::cli

// `litrank bench extract`: schema-constrained extraction, litrank against llama.cpp's
// own llama-server side by side in one run on the same GGUF (Qwen3-0.6B shape, random
// weights: speed per token is real, answers are not), the same prompts (the extractor's
// chat prompt), the same grammar (llama.cpp's json_schema_to_grammar of the built-in
// schema), greedy, the same token limit. litrank decodes the documents as parallel
// sequences of one context with the shared prefix decoded once; llama-server gets
// `/completion` with `json_schema`, `--parallel 1` and `--parallel 8` (one client per
// slot). Also: prompt processing against llama-bench pp512, and decode tokens/s with
// 1, 8 and 32 sequences. Prints a table and writes JSON under bench/results/.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <tuple>

#include "bench_support.h"
#include "cli/cli_common.h"
#include "extract/extract_prompt.h"
#include "extract/json_schema.h"
#include "generate/generator.h"
#include "litrank/extract.h"
#include "litrank/synth.h"

namespace litrank::cli {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct ExtractBenchArgs {
  std::string model;  // "" = the synthetic Qwen3-0.6B-shape generator per type
  std::vector<std::string> types = {"q8_0", "bf16"};
  size_t docs = 16;
  uint32_t max_tokens = 64;
  int threads = 2;
  std::vector<uint32_t> parallel = {1, 8};
  std::vector<uint32_t> decode_batches = {1, 8, 32};
  bool no_server = false;
  std::string validity_model;  // set: the validity run instead (every SciFact and CSL abstract)
  size_t validity_limit = 0;   // documents per set for --validity (0 = all)
  std::string csl = "../shared/datasets/csl/csl_dev_joined.jsonl";
  std::string corpus = "../shared/datasets/scifact/corpus.jsonl", samples = "data/samples/papers.jsonl";
  std::string models_dir = ".cache/bench-models", out_dir = "bench/results";
  std::string server = LITRANK_LLAMA_SERVER, llama_bench = LITRANK_LLAMA_BENCH;
};

struct Row {
  std::string type, engine;
  uint32_t parallel = 0;
  size_t docs = 0, generated = 0, valid = 0, finished = 0;
  double seconds = 0;
};

nlohmann::json RowJson(const Row& r) {
  return {{"type", r.type}, {"engine", r.engine}, {"parallel", r.parallel}, {"documents", r.docs},
          {"generated_tokens", r.generated}, {"seconds", r.seconds}, {"docs_per_s", r.docs / r.seconds},
          {"tokens_per_s", r.generated / r.seconds}, {"finished", r.finished}, {"valid_json", r.valid}};
}

void PrintRow(const Row& r) {
  std::printf("%-6s %-14s %3u %5zu %8zu %8.1f %8.2f %8.2f %6zu %6zu\n", r.type.c_str(), r.engine.c_str(), r.parallel,
              r.docs, r.generated, r.seconds, r.docs / r.seconds, r.generated / r.seconds, r.finished, r.valid);
  std::fflush(stdout);
}

StatusOr<std::string> ModelFor(const ExtractBenchArgs& a, const std::string& type) {
  return a.model.empty() ? bench::SyntheticModel06B(a.models_dir, "generator", type) : StatusOr<std::string>(a.model);
}

// Titles and abstracts of the first `n` records of a JSONL corpus (BEIR's `text`, or `abstract`).
std::vector<std::string> LoadTexts(const ExtractBenchArgs& a) {
  std::vector<std::string> out;
  for (const std::string& path : {a.corpus, a.samples}) {
    std::ifstream in(path);
    for (std::string line; out.size() < a.docs && std::getline(in, line);) {
      const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object()) continue;
      const std::string body = j.value("text", j.value("abstract", std::string()));
      if (!body.empty()) out.push_back(j.value("title", std::string()) + "\n" + body);
    }
    if (!out.empty()) break;
  }
  return out;
}

bool ValidAnswer(const OrderedJson& schema, const std::string& text) {
  const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  std::string why;
  return !parsed.is_discarded() && ValidateJson(schema, parsed, &why);
}

StatusOr<std::unique_ptr<Generator>> OpenGenerator(const ExtractBenchArgs& a, const std::string& model,
                                                   uint32_t sequences) {
  GeneratorConfig c;
  c.threads = a.threads;
  c.max_sequences = sequences;
  return Generator::Open(model, c);
}

// litrank: every prompt through GenerateMany with `parallel` sequences (after a warm-up).
Status TimeLitrank(const ExtractBenchArgs& a, const std::string& type, const std::string& model, uint32_t parallel,
                   const std::vector<ChatPrompt>& prompts, const std::string& grammar, const OrderedJson& schema,
                   std::vector<Row>* rows) {
  auto g = OpenGenerator(a, model, parallel);
  if (!g.ok()) return g.status();
  std::vector<Generation> out;
  std::vector<Status> st;
  LITRANK_RETURN_IF_ERROR((*g)->GenerateMany({prompts.front()}, grammar, 4, Sampling{}, &out, &st));
  const auto t0 = Clock::now();
  LITRANK_RETURN_IF_ERROR((*g)->GenerateMany(prompts, grammar, a.max_tokens, Sampling{}, &out, &st));
  Row r{type, "litrank", parallel, prompts.size()};
  r.seconds = Since(t0);
  for (size_t i = 0; i < out.size(); ++i) {
    LITRANK_RETURN_IF_ERROR(st[i]);
    r.generated += out[i].generated_tokens;
    r.finished += out[i].finished;
    r.valid += out[i].finished && ValidAnswer(schema, out[i].text);
  }
  rows->push_back(r);
  PrintRow(r);
  return Status::Ok();
}

// llama-server: /completion with json_schema, one client thread per slot.
Status TimeServer(const ExtractBenchArgs& a, const std::string& type, const std::string& model, uint32_t parallel,
                  const std::vector<ChatPrompt>& prompts, const OrderedJson& schema, std::vector<Row>* rows) {
  bench::LlamaServer server(a.server, model, a.threads, static_cast<int>(parallel), {});
  if (!server.ready()) return Status::Unavailable("llama-server did not start (" + a.server + ")");
  auto body = [&](const ChatPrompt& p, uint32_t n) {
    return nlohmann::json{{"prompt", p.head + p.user_text + p.tail}, {"n_predict", n}, {"json_schema", schema},
                          {"temperature", 0.0}, {"top_k", 1}, {"cache_prompt", true}}.dump();
  };
  std::string reply;
  if (server.Post("/completion", body(prompts.front(), 4), &reply) != 200) {
    return Status::Internal("llama-server /completion failed: " + reply.substr(0, 300));
  }
  std::atomic<size_t> next{0};
  std::vector<nlohmann::json> replies(prompts.size());
  std::atomic<bool> failed{false};
  const auto t0 = Clock::now();
  std::vector<std::thread> clients;
  for (uint32_t c = 0; c < parallel; ++c) {
    clients.emplace_back([&] {
      std::string text;
      for (size_t i; (i = next++) < prompts.size();) {
        if (server.Post("/completion", body(prompts[i], a.max_tokens), &text) != 200) failed = true;
        replies[i] = nlohmann::json::parse(text, nullptr, false);
      }
    });
  }
  for (std::thread& t : clients) t.join();
  Row r{type, "llama-server", parallel, prompts.size()};
  r.seconds = Since(t0);
  if (failed) return Status::Internal("a llama-server /completion request failed");
  for (const nlohmann::json& j : replies) {
    if (!j.is_object()) continue;
    r.generated += j.value("tokens_predicted", 0);
    const bool finished = j.value("stop_type", std::string()) == "eos";
    r.finished += finished;
    r.valid += finished && ValidAnswer(schema, j.value("content", std::string()));
  }
  rows->push_back(r);
  PrintRow(r);
  return Status::Ok();
}

// Prompt processing (prefill) and decode rates with `batch` sequences: a run that
// generates one token prices the prefill, a full run the rest.
Status DecodeRates(const ExtractBenchArgs& a, const std::string& model, uint32_t batch,
                   const std::vector<ChatPrompt>& texts, const std::string& grammar, nlohmann::json* out) {
  std::vector<ChatPrompt> prompts;
  for (uint32_t i = 0; i < batch; ++i) prompts.push_back(texts[i % texts.size()]);
  for (uint32_t i = 0; i < batch; ++i) prompts[i].user_text += " (" + std::to_string(i) + ")";  // distinct rests
  auto g = OpenGenerator(a, model, batch);
  if (!g.ok()) return g.status();
  std::vector<Generation> gen;
  std::vector<Status> st;
  LITRANK_RETURN_IF_ERROR((*g)->GenerateMany({prompts.front()}, grammar, 1, Sampling{}, &gen, &st));
  auto t0 = Clock::now();
  LITRANK_RETURN_IF_ERROR((*g)->GenerateMany(prompts, grammar, 1, Sampling{}, &gen, &st));
  const double prefill_s = Since(t0);
  size_t prefilled = 0;
  for (const Generation& x : gen) prefilled += x.prompt_tokens - x.reused_tokens;
  t0 = Clock::now();
  LITRANK_RETURN_IF_ERROR((*g)->GenerateMany(prompts, grammar, a.max_tokens, Sampling{}, &gen, &st));
  const double total_s = Since(t0);
  size_t generated = 0;
  for (const Generation& x : gen) generated += x.generated_tokens;
  const double decode_s = std::max(1e-6, total_s - prefill_s);
  *out = {{"sequences", batch}, {"prefill_tokens", prefilled}, {"prefill_tokens_per_s", prefilled / prefill_s},
          {"generated_tokens", generated}, {"decode_tokens_per_s", (generated - batch) / decode_s}};
  std::printf("  %2u sequences: prefill %6.1f tok/s (%zu tokens), decode %6.1f tok/s (%zu tokens)\n", batch,
              prefilled / prefill_s, prefilled, (generated - batch) / decode_s, generated);
  std::fflush(stdout);
  return Status::Ok();
}

// Every abstract of the shared SciFact corpus and CSL set through Extractor::ExtractMany
// with `validity_model`: how many answers parse and validate (the target is all),
// how many are the model's own (complete), and the time.
int RunValidity(const ExtractBenchArgs& a) {
  ExtractOptions o;
  o.threads = a.threads;
  o.max_tokens = a.max_tokens;
  o.parallel = a.parallel.empty() ? 8 : a.parallel.back();
  auto x = Extractor::Open(a.validity_model, o);
  if (!x.ok()) return Fail(x.status());
  const OrderedJson schema = BuiltInExtractionSchema();
  nlohmann::json sets = nlohmann::json::array();
  for (const auto& [name, path, field] : {std::tuple<std::string, std::string, std::string>{"scifact", a.corpus, "text"},
                                          {"csl", a.csl, "abstract"}}) {
    std::vector<std::string> texts;
    std::ifstream in(path);
    for (std::string line; (a.validity_limit == 0 || texts.size() < a.validity_limit) && std::getline(in, line);) {
      const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object()) texts.push_back(j.value("title", std::string()) + "\n" + j.value(field, std::string()));
    }
    if (texts.empty()) {
      std::printf("%-8s missing (%s): skipped\n", name.c_str(), path.c_str());
      continue;
    }
    size_t valid = 0, complete = 0, errors = 0, generated = 0;
    const auto t0 = Clock::now();
    for (size_t first = 0; first < texts.size(); first += 32) {
      const std::vector<std::string> part(texts.begin() + static_cast<std::ptrdiff_t>(first),
                                          texts.begin() + static_cast<std::ptrdiff_t>(std::min(first + 32, texts.size())));
      std::vector<Extraction> outs;
      std::vector<Status> st;
      if (Status s = (*x)->ExtractMany(part, &outs, &st); !s.ok()) return Fail(s);
      for (size_t i = 0; i < part.size(); ++i) {
        if (!st[i].ok()) {
          ++errors;
          continue;
        }
        valid += ValidAnswer(schema, outs[i].json);
        complete += outs[i].complete;
        generated += outs[i].generated_tokens;
      }
      std::fprintf(stderr, "\r%s: %zu/%zu", name.c_str(), first + part.size(), texts.size());
    }
    const double seconds = Since(t0);
    std::fprintf(stderr, "\n");
    std::printf("%-8s %6zu documents: %6zu valid (%.1f%%), %6zu complete, %zu errors, %zu tokens, %.0f s\n", name.c_str(),
                texts.size(), valid, 100.0 * valid / texts.size(), complete, errors, generated, seconds);
    sets.push_back({{"set", name}, {"documents", texts.size()}, {"valid", valid}, {"complete", complete},
                    {"errors", errors}, {"generated_tokens", generated}, {"seconds", seconds}});
  }
  nlohmann::json doc = {{"model", a.validity_model}, {"max_tokens", a.max_tokens}, {"parallel", o.parallel},
                        {"limit_per_set", a.validity_limit},
                        {"sets", sets}};
  std::printf("wrote %s\n", bench::WriteBenchJson(a.out_dir, "extract-validity", doc.dump(1)).c_str());
  return kExitOk;
}

int RunExtractBench(const ExtractBenchArgs& a) {
  if (!a.validity_model.empty()) return RunValidity(a);
  const std::vector<std::string> texts = LoadTexts(a);
  if (texts.empty()) return Fail(Status::NotFound("no documents in " + a.corpus + " or " + a.samples));
  const OrderedJson schema = BuiltInExtractionSchema();
  StatusOr<std::string> grammar = SchemaGrammar(schema);
  if (!grammar.ok()) return Fail(grammar.status());
  const bool server = !a.no_server && !a.server.empty() && std::filesystem::exists(a.server);
  nlohmann::json results = nlohmann::json::array();
  std::vector<Row> rows;
  std::printf("%zu documents, %u tokens at most per answer, %d threads%s\n", texts.size(), a.max_tokens, a.threads,
              server ? "" : " (no llama-server: litrank only)");
  std::printf("%-6s %-14s %3s %5s %8s %8s %8s %8s %6s %6s\n", "type", "engine", "par", "docs", "tokens", "seconds",
              "docs/s", "tok/s", "eos", "valid");
  for (const std::string& type : a.types) {
    StatusOr<std::string> model = ModelFor(a, type);
    if (!model.ok()) return Fail(model.status());
    std::vector<ChatPrompt> prompts;
    {
      auto g = OpenGenerator(a, *model, 1);
      if (!g.ok()) return Fail(g.status());
      for (const std::string& t : texts) {
        StatusOr<ChatPrompt> p = (*g)->Chat(ExtractionSystemPrompt(schema, ""), "Text:\n", t);
        if (!p.ok()) return Fail(p.status());
        prompts.push_back(*p);
      }
    }
    const size_t first_row = rows.size();
    for (uint32_t p : a.parallel) {
      if (Status st = TimeLitrank(a, type, *model, p, prompts, *grammar, schema, &rows); !st.ok()) return Fail(st);
    }
    if (server) {
      for (uint32_t p : a.parallel) {
        if (Status st = TimeServer(a, type, *model, p, prompts, schema, &rows); !st.ok()) return Fail(st);
      }
    }
    double best_litrank = 0, best_server = 0;
    for (size_t i = first_row; i < rows.size(); ++i) {
      double& best = rows[i].engine == "litrank" ? best_litrank : best_server;
      best = std::max(best, rows[i].generated / rows[i].seconds);
    }
    nlohmann::json rates = nlohmann::json::array();
    for (uint32_t b : a.decode_batches) {
      nlohmann::json r;
      if (Status st = DecodeRates(a, *model, b, prompts, *grammar, &r); !st.ok()) return Fail(st);
      rates.push_back(r);
    }
    const double pp512 = a.llama_bench.empty() ? -1 : bench::LlamaBenchPp512(a.llama_bench, *model, a.threads);
    double our_pp = 0;  // the best prefill rate of the decode-rate runs
    for (const nlohmann::json& r : rates) our_pp = std::max(our_pp, r["prefill_tokens_per_s"].get<double>());
    if (pp512 > 0) std::printf("  prompt processing: %.1f tok/s against llama-bench pp512 %.1f (%.0f%%)\n", our_pp, pp512, 100 * our_pp / pp512);
    if (best_server > 0) std::printf("  %s: litrank's best %.1f tok/s against llama-server's best %.1f: %.2fx\n",
                                     type.c_str(), best_litrank, best_server, best_litrank / best_server);
    nlohmann::json per_type = {{"type", type}, {"model", *model}, {"rows", nlohmann::json::array()},
                               {"decode", rates}, {"llama_bench_pp512", pp512}, {"prefill_tokens_per_s", our_pp},
                               {"best_litrank_tokens_per_s", best_litrank}, {"best_server_tokens_per_s", best_server}};
    for (size_t i = first_row; i < rows.size(); ++i) per_type["rows"].push_back(RowJson(rows[i]));
    if (best_server > 0) per_type["speedup_vs_best_server"] = best_litrank / best_server;
    results.push_back(per_type);
  }
  nlohmann::json doc = {{"documents", texts.size()}, {"max_tokens", a.max_tokens}, {"threads", a.threads},
                        {"corpus", a.corpus}, {"results", results}};
  const std::string out = bench::WriteBenchJson(a.out_dir, "extract", doc.dump(1));
  std::printf("wrote %s\n", out.c_str());
  return kExitOk;
}

}  // namespace

void AddExtractBenchCommand(CLI::App& bench, int* exit_code) {
  auto a = std::make_shared<ExtractBenchArgs>();
  auto* cmd = bench.add_subcommand("extract",
      "Schema-constrained extraction: litrank (parallel sequences, shared prefix) against llama-server's\n"
      "/completion with json_schema (--parallel 1 and 8) on the same GGUF, prompts and grammar; prompt\n"
      "processing against llama-bench pp512; decode tokens/s with 1, 8 and 32 sequences.");
  cmd->add_option("-m,--model", a->model, "Generative GGUF (default: random-weight Qwen3-0.6B shape per --types)");
  cmd->add_option("--types", a->types, "Weight types of the synthetic model")->capture_default_str();
  cmd->add_option("--docs", a->docs, "Documents")->capture_default_str()->check(CLI::Range(1, 100000));
  cmd->add_option("--max-tokens", a->max_tokens, "Tokens generated per answer, at most")->capture_default_str();
  cmd->add_option("--threads", a->threads, "CPU threads for both engines")->capture_default_str();
  cmd->add_option("--parallel", a->parallel, "Sequences (litrank) and slots (llama-server)")->capture_default_str();
  cmd->add_option("--decode-batches", a->decode_batches, "Sequences for the decode-rate runs")->capture_default_str();
  cmd->add_option("--corpus", a->corpus, "JSONL documents (title + text/abstract)")->capture_default_str();
  cmd->add_flag("--no-server", a->no_server, "Skip llama-server");
  cmd->add_option("--validity", a->validity_model,
                  "Instead: every SciFact and CSL abstract through `extract` with this GGUF; counts valid answers");
  cmd->add_option("--csl", a->csl, "The CSL set for --validity")->capture_default_str();
  cmd->add_option("--validity-limit", a->validity_limit, "Documents per set for --validity (0 = all)")->capture_default_str();
  cmd->add_option("--out-dir", a->out_dir, "Where the JSON goes")->capture_default_str();
  cmd->callback([a, exit_code] { *exit_code = RunExtractBench(*a); });
}

}  // namespace litrank::cli

// `litrank rerank`: score documents against a query and print them ranked.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "io/document_reader.h"
#include "litrank/reranker.h"
#include "util/utf8.h"

namespace litrank::cli {
namespace {

struct RerankArgs {
  std::string model, query, instruction, docs, format = "table", doc_format = "auto", column;
  size_t top_k = 0;
  double threshold = -1;
  uint32_t max_length = 8192;
  bool normalize = false, no_progress = false, show_text = false;
  RerankerConfig config;
};

std::string Snippet(const std::string& text, size_t bytes) {
  std::string s = text.substr(0, Utf8SafePrefix(text, bytes));
  for (char& c : s) if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  return s.size() < text.size() ? s + "…" : s;
}

void PrintTable(const RerankArgs& a, const std::vector<InputDocument>& docs, const RerankResult& r) {
  std::printf("%-4s  %-8s  %-9s  %-6s  %-10s  %s\n", "rank", "score", "logit", "index", "id", "text");
  size_t rank = 0;
  for (const ScoredDocument& d : r.results) {
    std::printf("%-4zu  %.6f  %+9.4f  %-6zu  %-10s  %s%s\n", ++rank, a.normalize ? d.normalized : d.score,
                d.logit, d.index, Snippet(docs[d.index].id, 10).c_str(), d.truncated ? "[truncated] " : "",
                Snippet(docs[d.index].text, 70).c_str());
  }
  std::fprintf(stderr, "%zu documents, %zu cached, %zu tokens decoded in %.2fs (%.2f docs/s)\n",
               r.stats.documents, r.stats.cache_hits, r.stats.decoded_tokens, r.stats.seconds,
               r.stats.seconds > 0 ? static_cast<double>(r.stats.documents) / r.stats.seconds : 0.0);
}

nlohmann::json ResultJson(const RerankArgs& a, const std::vector<InputDocument>& docs, const ScoredDocument& d) {
  nlohmann::json j = {{"index", d.index}, {"id", docs[d.index].id}, {"score", d.score}, {"logit", d.logit},
                      {"truncated", d.truncated}, {"tokens", d.tokens}};
  if (a.normalize) j["normalized_score"] = d.normalized;
  if (a.show_text) j["text"] = docs[d.index].text;
  return j;
}

int Run(const RerankArgs& a) {
  ReadOptions ro;
  ro.column = a.column;
  ParseDocFormat(a.doc_format, &ro.format);
  std::string source = a.docs;
  if (source.empty()) {
    if (isatty(STDIN_FILENO)) return Fail(Status::InvalidArgument("no documents: give --docs FILE, or pipe documents (one per line) into stdin"));
    source = "-";
  }
  std::vector<InputDocument> docs;
  ReadReport report;
  if (Status st = ReadDocuments(source, ro, &docs, &report); !st.ok()) return Fail(st);
  for (const std::string& p : report.problems) std::fprintf(stderr, "litrank: warning: skipped %s\n", p.c_str());
  if (docs.empty()) return Fail(Status::InvalidArgument("no documents to rerank in " + (source == "-" ? std::string("stdin") : source)));

  auto reranker = Reranker::Open(a.model, a.config);
  if (!reranker.ok()) return Fail(reranker.status(), /*model_related=*/true);
  std::vector<std::string> texts;
  texts.reserve(docs.size());
  for (const auto& d : docs) texts.push_back(d.text);
  RerankOptions o;
  o.instruction = a.instruction;
  o.max_length = a.max_length;
  o.top_k = a.top_k;
  if (a.threshold >= 0) o.threshold = a.threshold;
  o.normalize = a.normalize;
  ProgressBar bar("reranking", !a.no_progress);
  o.on_progress = [&](size_t done, size_t total) { bar.Update(done, total); };
  RerankResult result;
  const Status st = (*reranker)->Rerank(a.query, texts, o, &result);
  bar.Finish();
  if (!st.ok()) return Fail(st);

  if (a.format == "table") {
    PrintTable(a, docs, result);
  } else if (a.format == "jsonl") {
    for (const auto& d : result.results) std::printf("%s\n", ResultJson(a, docs, d).dump().c_str());
  } else {
    nlohmann::json out = {{"model", (*reranker)->info().name}, {"query", a.query},
                          {"instruction", a.instruction}, {"results", nlohmann::json::array()},
                          {"usage", {{"documents", result.stats.documents}, {"cache_hits", result.stats.cache_hits},
                                     {"prompt_tokens", result.stats.prompt_tokens},
                                     {"decoded_tokens", result.stats.decoded_tokens}, {"seconds", result.stats.seconds}}}};
    for (const auto& d : result.results) out["results"].push_back(ResultJson(a, docs, d));
    std::printf("%s\n", out.dump(2).c_str());
  }
  return kExitOk;
}

}  // namespace

void AddRerankCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<RerankArgs>();
  auto* cmd = app.add_subcommand("rerank",
      "Score documents against a query with a Qwen3-Reranker GGUF and print them best first.\n"
      "Documents: JSONL (text, or title + abstract), CSV/TSV (--column), or plain lines; '-' = stdin.");
  cmd->add_option("-m,--model", a->model, "Reranker GGUF (Qwen3-Reranker, or a Qwen3 causal LM)")->required();
  cmd->add_option("-q,--query", a->query, "The query")->required();
  cmd->add_option("-i,--instruction", a->instruction, "Task instruction (default: web-search instruction; write it in English)");
  cmd->add_option("-d,--docs", a->docs, "Documents file, or - for stdin");
  cmd->add_option("--doc-format", a->doc_format, "auto | jsonl | csv | tsv | lines")
      ->check(CLI::IsMember({"auto", "jsonl", "csv", "tsv", "lines"}))->capture_default_str();
  cmd->add_option("--column", a->column, "CSV/TSV column or JSONL field holding the text");
  cmd->add_option("-k,--top-k", a->top_k, "Keep the best K (0 = all)")->capture_default_str();
  cmd->add_option("-t,--threshold", a->threshold, "Drop results scoring below T (0..1)");
  cmd->add_option("--max-length", a->max_length, "Token budget per pair; only the document is cut")->capture_default_str();
  cmd->add_flag("--normalize", a->normalize, "Show min-max normalised scores");
  cmd->add_option("-f,--format", a->format, "table | json | jsonl")
      ->check(CLI::IsMember({"table", "json", "jsonl"}))->capture_default_str();
  cmd->add_flag("--text", a->show_text, "Include document text in JSON output");
  cmd->add_option("--threads", a->config.threads, "CPU threads (0 = all)")->capture_default_str();
  cmd->add_option("--batch", a->config.batch_tokens, "Tokens per decode round (0 = auto: 2048 CPU, 8192 GPU)")->capture_default_str();
  cmd->add_option("--ubatch", a->config.ubatch_tokens, "Physical batch size (0 = auto: 512 CPU, 2048 GPU)")->capture_default_str();
  cmd->add_option("--ctx", a->config.context_tokens, "KV cache size in tokens (0 = auto)")->capture_default_str();
  cmd->add_option("--max-seqs", a->config.max_sequences, "Documents decoded together (0 = auto: 64 CPU, 128 GPU)")->capture_default_str();
  cmd->add_option("--gpu-layers", a->config.gpu_layers, "Layers to offload to the GPU (-1 = all)")->capture_default_str();
  cmd->add_flag("--batch-invariant", a->config.batch_invariant,
                "Bit-identical scores whatever shares a decode round (CPU; about half the throughput)");
  cmd->add_flag("--no-progress", a->no_progress, "No progress bar");
  cmd->footer(
      "\nExamples:\n"
      "  litrank rerank -m reranker.gguf -q \"lithium plating\" --docs papers.jsonl -k 10\n"
      "  litrank rerank -m reranker.gguf -q \"...\" -i \"Judge whether the abstract reports an RCT\" \\\n"
      "          --docs screening.csv --column abstract --format json\n"
      "  cat posts.txt | litrank rerank -m reranker.gguf -q \"flooding\" --format jsonl\n"
      "Exit codes: 0 ok, 1 internal, 2 usage, 3 bad input, 4 model problem, 5 download failure.");
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace litrank::cli

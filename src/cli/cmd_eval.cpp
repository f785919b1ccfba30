// `litrank eval`: nDCG@10, Recall@100 and MRR@10 of search pipelines on a judged dataset.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "cli/cli_common.h"
#include "eval/evaluation.h"
#include "litrank/embedder.h"
#include "litrank/reranker.h"
#include "search/corpus_embedding.h"

namespace litrank::cli {
namespace {

struct EvalArgs {
  std::string dir, title_query, db, reranker, embedder, json, split = "test";
  std::vector<std::string> pipelines;
  size_t max_records = 0, rerank_n = 100;
  bool no_progress = false;
  int threads = 0;
  int gpu_layers = 0;
  SearchOptions options;
};

// Every pipeline the available models allow.
std::vector<std::string> DefaultPipelines(bool have_reranker, bool have_embedder) {
  std::vector<std::string> out = {"bm25"};
  if (have_embedder) out.insert(out.end(), {"dense", "hybrid"});
  if (have_reranker) out.push_back("bm25+rerank");
  if (have_reranker && have_embedder) out.push_back("hybrid+rerank");
  return out;
}

int Run(EvalArgs& a) {
  if (a.dir.empty() == a.title_query.empty()) {
    return Fail(Status::InvalidArgument("give a BEIR directory, or --title-query FILE.jsonl (not both)"));
  }
  // A temporary collection unless --db names one to keep (and reuse) the index.
  std::string db_path = a.db;
  std::filesystem::path scratch;
  if (db_path.empty()) {
    scratch = std::filesystem::temp_directory_path() / ("litrank-eval-" + std::to_string(::getpid()));
    std::filesystem::create_directories(scratch);
    db_path = (scratch / "eval.db").string();
  }
  struct Cleanup {
    std::filesystem::path p;
    ~Cleanup() { std::error_code ec; if (!p.empty()) std::filesystem::remove_all(p, ec); }
  } cleanup{scratch};
  auto corpus = Corpus::Open(db_path);
  if (!corpus.ok()) return Fail(corpus.status());
  EvalDataset data;
  std::fprintf(stderr, "litrank: loading %s ...\n", a.dir.empty() ? a.title_query.c_str() : a.dir.c_str());
  Status loaded = a.dir.empty() ? LoadTitleQueryDataset(a.title_query, a.max_records, corpus->get(), &data)
                                : LoadBeirDataset(a.dir, a.split, corpus->get(), &data);
  if (!loaded.ok()) return Fail(loaded);

  std::unique_ptr<Reranker> reranker;
  std::unique_ptr<Embedder> embedder;
  const std::string reranker_path = ModelFromFlagOrEnv(a.reranker, "LITRANK_RERANKER");
  const std::string embedder_path = ModelFromFlagOrEnv(a.embedder, "LITRANK_EMBEDDER");
  if (!reranker_path.empty()) {
    RerankerConfig config;
    config.threads = a.threads;
    config.gpu_layers = a.gpu_layers;
    auto opened = Reranker::Open(reranker_path, config);
    if (!opened.ok()) return Fail(opened.status(), /*model_related=*/true);
    reranker = std::move(*opened);
  }
  if (!embedder_path.empty()) {
    EmbedderConfig config;
    config.threads = a.threads;
    config.gpu_layers = a.gpu_layers;
    auto opened = Embedder::Open(embedder_path, config);
    if (!opened.ok()) return Fail(opened.status(), /*model_related=*/true);
    embedder = std::move(*opened);
    ProgressBar bar("embedding the corpus", !a.no_progress);
    EmbedReport report;
    Status st = EmbedMissingDocuments(**corpus, *embedder, 256, &report,
                                      [&](uint64_t done, uint64_t todo) { bar.Update(done, todo); });
    bar.Finish();
    if (!st.ok()) return Fail(st);
  }
  if (a.pipelines.empty()) a.pipelines = DefaultPipelines(reranker != nullptr, embedder != nullptr);
  auto searcher = Searcher::Create(corpus->get(), reranker.get(), embedder.get());
  if (!searcher.ok()) return Fail(searcher.status());
  a.options.rerank_candidates = a.rerank_n;

  std::printf("%s: %zu judged queries\n", data.name.c_str(), data.queries.size());
  std::printf("%-16s %9s %10s %9s %8s %9s\n", "pipeline", "nDCG@10", "Recall@100", "MRR@10", "queries", "seconds");
  nlohmann::json records = nlohmann::json::array();
  for (const std::string& name : a.pipelines) {
    PipelineSpec spec;
    if (!ParsePipeline(name, &spec)) {
      return Fail(Status::InvalidArgument("unknown pipeline '" + name +
                                          "' (bm25, dense, hybrid, bm25+rerank, dense+rerank, hybrid+rerank)"));
    }
    ProgressBar bar(name, !a.no_progress);
    PipelineScore score;
    Status st = EvaluatePipeline(**searcher, data, spec, a.options, &score,
                                 [&](size_t done, size_t total) { bar.Update(done, total); });
    bar.Finish();
    if (!st.ok()) return Fail(st);
    std::printf("%-16s %9.4f %10.4f %9.4f %8zu %9.1f\n", name.c_str(), score.ndcg10, score.recall100, score.mrr10,
                score.queries, score.seconds);
    std::fflush(stdout);
    records.push_back({{"pipeline", name}, {"ndcg@10", score.ndcg10}, {"recall@100", score.recall100},
                       {"mrr@10", score.mrr10}, {"queries", score.queries}, {"dataset", data.name},
                       {"seconds", score.seconds}});
  }
  if (!a.json.empty()) {
    std::ofstream out(a.json);
    out << records.dump(2) << "\n";
    if (!out) return Fail(Status::IOError("cannot write " + a.json));
  }
  return kExitOk;
}

}  // namespace

void AddEvalCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand("eval",
      "Score search pipelines on a judged dataset: nDCG@10, Recall@100, MRR@10.\n"
      "DIR is a BEIR dataset (corpus.jsonl, queries.jsonl, qrels/<split>.tsv); --title-query uses\n"
      "a JSONL of papers whose titles are the queries for their own abstracts (e.g. CSL).\n"
      "Default pipelines: every one the given models allow (bm25 always).");
  cmd->add_option("dir", a->dir, "BEIR dataset directory");
  cmd->add_option("--title-query", a->title_query, "JSONL of papers (id, title, abstract) for title->abstract retrieval");
  cmd->add_option("--max-records", a->max_records, "Use at most N records of --title-query (0 = all)");
  cmd->add_option("-p,--pipeline", a->pipelines, "bm25 | dense | hybrid | bm25+rerank | dense+rerank | hybrid+rerank (repeatable)");
  cmd->add_option("--db", a->db, "Keep the collection in this file or postgresql:// database (default: a temporary file)");
  cmd->add_option("-r,--reranker", a->reranker, "Reranker GGUF (default: $LITRANK_RERANKER)");
  cmd->add_option("-e,--embedder", a->embedder, "Embedding GGUF (default: $LITRANK_EMBEDDER)");
  cmd->add_option("-i,--instruction", a->options.instruction, "Reranker instruction");
  cmd->add_option("--task", a->options.embed_task, "Embedding query task");
  cmd->add_option("--rerank-n", a->rerank_n, "Candidates the reranker re-scores")->capture_default_str();
  cmd->add_option("--split", a->split, "qrels split")->capture_default_str();
  cmd->add_option("--k1", a->options.bm25_k1, "BM25 k1")->capture_default_str();
  cmd->add_option("--b", a->options.bm25_b, "BM25 b")->capture_default_str();
  cmd->add_option("--json", a->json, "Also write the results as JSON records to this file");
  cmd->add_option("--threads", a->threads, "CPU threads for the models (0 = all)")->capture_default_str();
  cmd->add_option("--gpu-layers", a->gpu_layers, "Layers to offload to the GPU (-1 = all)")->capture_default_str();
  cmd->add_flag("--no-progress", a->no_progress, "No progress bar");
  cmd->footer("\nExamples:\n"
              "  litrank eval ../shared/datasets/scifact -p bm25\n"
              "  litrank eval ../shared/datasets/scifact -r Qwen3-Reranker-0.6B.Q8_0.gguf -e Qwen3-Embedding-0.6B-Q8_0.gguf\n"
              "  litrank eval --title-query ../shared/datasets/csl/csl_dev_joined.jsonl --json csl.json");
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace litrank::cli

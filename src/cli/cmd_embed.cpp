// `litrank embed`: compute missing document embeddings for a collection.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/cli_common.h"
#include "litrank/corpus.h"
#include "litrank/embedder.h"
#include "search/corpus_embedding.h"

namespace litrank::cli {
namespace {

struct EmbedArgs {
  std::string db, model;
  size_t chunk = 256;
  bool no_progress = false;
  EmbedderConfig config;
};

int Run(const EmbedArgs& a) {
  const std::string db_path = a.db.empty() ? DefaultDbPath() : a.db;
  auto corpus = Corpus::Open(db_path, /*create=*/false);
  if (!corpus.ok()) return Fail(corpus.status());
  const std::string model_path = ModelFromFlagOrEnv(a.model, "LITRANK_EMBEDDER");
  if (model_path.empty()) return Fail(Status::InvalidArgument("no embedding model: give --model FILE or set LITRANK_EMBEDDER"));
  auto embedder = Embedder::Open(model_path, a.config);
  if (!embedder.ok()) return Fail(embedder.status(), /*model_related=*/true);
  ProgressBar bar("embedding", !a.no_progress);
  EmbedReport report;
  Status st = EmbedMissingDocuments(**corpus, **embedder, a.chunk, &report,
                                    [&](uint64_t done, uint64_t todo) { bar.Update(done, todo); });
  bar.Finish();
  if (!st.ok()) return Fail(st);
  std::printf("%s: %zu documents embedded now, %lld already were (%zu truncated to the model's max length)\n",
              db_path.c_str(), report.embedded, static_cast<long long>(report.already), report.truncated);
  return kExitOk;
}

}  // namespace

void AddEmbedCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<EmbedArgs>();
  auto* cmd = app.add_subcommand("embed",
      "Compute Qwen3-Embedding vectors for every document of a collection that lacks one for this\n"
      "model (incremental and resumable: run it again after an interruption or a new ingest).");
  cmd->add_option("--db", a->db, "Collection file (default: $LITRANK_DB or ./litrank.db)");
  cmd->add_option("-m,--model", a->model, "Embedding GGUF (default: $LITRANK_EMBEDDER)");
  cmd->add_option("--chunk", a->chunk, "Documents per commit")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--threads", a->config.threads, "CPU threads (0 = all)")->capture_default_str();
  cmd->add_option("--gpu-layers", a->config.gpu_layers, "Layers to offload to the GPU (-1 = all)")->capture_default_str();
  cmd->add_flag("--no-progress", a->no_progress, "No progress bar");
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace litrank::cli

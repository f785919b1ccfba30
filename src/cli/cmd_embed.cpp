// `litrank embed`: compute missing document embeddings for a collection.
#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdio>

#include "store/sql.h"
#include "cli/cli_common.h"
#include "cli/pool_wait.h"
#include "litrank/corpus.h"
#include "litrank/embedder.h"
#include "distributed/pool_jobs.h"
#include "litrank/search.h"
#include "search/corpus_embedding.h"
#include "search/vector_persistence.h"

namespace litrank::cli {
namespace {

struct EmbedArgs {
  std::string db, model, queue, prefix = "litrank";
  size_t chunk = 256;
  size_t task_size = 64;
  bool no_progress = false;
  EmbedderConfig config;
};


// --queue: the job goes to the worker pool as tasks; this process waits for it
// (Ctrl-C cancels it) and then keeps the vector snapshot current, as a local run does.
int RunOnPool(const EmbedArgs& a, Corpus& corpus, Embedder& embedder, const std::string& db_path,
              const std::string& model_path) {
  auto queue = WorkQueue::Open(a.queue, a.prefix);
  if (!queue.ok()) return Fail(queue.status());
  int64_t job = 0, documents = 0;
  if (Status st = SubmitEmbedJob(corpus, **queue, db_path, model_path, embedder.fingerprint(), a.task_size, &job,
                                 &documents);
      !st.ok()) {
    return Fail(st);
  }
  int64_t embedded = 0;
  if (job > 0) {
    auto state = AwaitPoolJob(**queue, job, "documents", documents, a.task_size, a.queue, !a.no_progress);
    if (!state.ok()) return Fail(state.status());
    embedded = state->items;
  }
  SnapshotPolicy policy;
  policy.min_vectors = SearchOptions{}.ann_threshold;
  if (Status st = MaintainVectorSnapshot(corpus, embedder.fingerprint(), embedder.width(), policy); !st.ok()) return Fail(st);
  std::printf("%lld\n", static_cast<long long>(embedded));
  return kExitOk;
}

int Run(const EmbedArgs& a) {
  const std::string db_path = a.db.empty() ? DefaultDbPath() : a.db;
  auto corpus = Corpus::Open(db_path, /*create=*/false);
  if (!corpus.ok()) return Fail(corpus.status());
  const std::string model_path = ModelFromFlagOrEnv(a.model, "LITRANK_EMBEDDER");
  if (model_path.empty()) return Fail(Status::InvalidArgument("no embedding model: give --model FILE or set LITRANK_EMBEDDER"));
  auto embedder = Embedder::Open(model_path, a.config);
  if (!embedder.ok()) return Fail(embedder.status(), /*model_related=*/true);
  if (!a.queue.empty()) return RunOnPool(a, **corpus, **embedder, db_path, model_path);
  ProgressBar bar("embedding", !a.no_progress);
  EmbedReport report;
  Status st = EmbedMissingDocuments(**corpus, **embedder, a.chunk, &report,
                                    [&](uint64_t done, uint64_t todo) { bar.Update(done, todo); });
  bar.Finish();
  if (!st.ok()) return Fail(st);
  std::printf("%s: %zu documents embedded now (and %zu passages of long ones), %lld already were (%zu truncated to "
              "the model's max length)\n",
              sql::DisplayLocation(db_path).c_str(), report.embedded, report.passages, static_cast<long long>(report.already),
              report.truncated);
  return kExitOk;
}

}  // namespace

void AddEmbedCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<EmbedArgs>();
  auto* cmd = app.add_subcommand("embed",
      "Compute Qwen3-Embedding vectors for every document of a collection that lacks one for this\n"
      "model (incremental and resumable: run it again after an interruption or a new ingest).");
  cmd->add_option("--db", a->db, "Collection: a file, or postgresql://USER@HOST:PORT/DB (default: $LITRANK_DB or ./litrank.db)");
  cmd->add_option("-m,--model", a->model, "Embedding GGUF (default: $LITRANK_EMBEDDER)");
  cmd->add_option("--chunk", a->chunk, "Documents per commit")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--threads", a->config.threads, "CPU threads (0 = all)")->capture_default_str();
  cmd->add_option("--gpu-layers", a->config.gpu_layers, "Layers to offload to the GPU (-1 = all)")->capture_default_str();
  cmd->add_option("--queue", a->queue,
                  "Redis URL of a worker pool (`litrank worker`): submit the job there as tasks, wait, and print\n"
                  "the number of documents embedded")->check(CLI::Validator(
      [](std::string& v) { return v.rfind("redis://", 0) == 0 ? std::string() : std::string("expected redis://HOST:PORT"); },
      "redis://HOST:PORT"));
  cmd->add_option("--prefix", a->prefix, "Key prefix of the queue (as the workers were given)")->capture_default_str();
  cmd->add_option("--task-size", a->task_size, "Documents per pool task")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_flag("--no-progress", a->no_progress, "No progress bar");
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace litrank::cli

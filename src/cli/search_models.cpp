#include "cli/search_models.h"

#include <CLI/CLI.hpp>

#include "cli/cli_common.h"

namespace litrank::cli {

void AddSearchModelOptions(CLI::App* cmd, SearchModelArgs* a) {
  cmd->add_option("-r,--reranker", a->reranker, "Reranker GGUF (default: $LITRANK_RERANKER)");
  cmd->add_option("-e,--embedder", a->embedder, "Embedding GGUF (default: $LITRANK_EMBEDDER)");
  cmd->add_flag("--no-dense", a->no_dense, "Skip dense recall");
  cmd->add_flag("--no-rerank", a->no_rerank, "Skip the reranker");
  cmd->add_option("--threads", a->threads, "CPU threads for the models (0 = all)")->capture_default_str();
  cmd->add_option("--gpu-layers", a->gpu_layers, "Layers to offload to the GPU (-1 = all)")->capture_default_str();
}

int OpenSearchModels(const SearchModelArgs& a, std::unique_ptr<Reranker>* reranker,
                     std::unique_ptr<Embedder>* embedder) {
  const std::string reranker_path = ModelFromFlagOrEnv(a.reranker, "LITRANK_RERANKER");
  const std::string embedder_path = ModelFromFlagOrEnv(a.embedder, "LITRANK_EMBEDDER");
  if (!reranker_path.empty() && !a.no_rerank) {
    RerankerConfig config;
    config.threads = a.threads;
    config.gpu_layers = a.gpu_layers;
    auto opened = Reranker::Open(reranker_path, config);
    if (!opened.ok()) return Fail(opened.status(), /*model_related=*/true);
    *reranker = std::move(*opened);
  }
  if (!embedder_path.empty() && !a.no_dense) {
    EmbedderConfig config;
    config.threads = a.threads;
    config.gpu_layers = a.gpu_layers;
    auto opened = Embedder::Open(embedder_path, config);
    if (!opened.ok()) return Fail(opened.status(), /*model_related=*/true);
    *embedder = std::move(*opened);
  }
  return kExitOk;
}

}  // namespace litrank::cli

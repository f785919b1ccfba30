// The models a search-based command opens (search, cite): the reranker and the
// embedder from flags or $LITRANK_RERANKER / $LITRANK_EMBEDDER, each optional.
#pragma once

#include <memory>
#include <string>

#include "litrank/embedder.h"
#include "litrank/reranker.h"

namespace CLI {
class App;
}

namespace litrank::cli {

/// The model flags of a search-based command.
struct SearchModelArgs {
  std::string reranker, embedder;
  bool no_rerank = false, no_dense = false;
  int threads = 0;
  int gpu_layers = 0;
};

/// Adds -r/--reranker, -e/--embedder, --no-rerank, --no-dense, --threads, --gpu-layers.
void AddSearchModelOptions(CLI::App* cmd, SearchModelArgs* args);

/// Opens the models `args` name (a flag, else the environment; none when skipped by
/// --no-rerank / --no-dense). Returns kExitOk, or the exit code after printing the error.
int OpenSearchModels(const SearchModelArgs& args, std::unique_ptr<Reranker>* reranker,
                     std::unique_ptr<Embedder>* embedder);

}  // namespace litrank::cli

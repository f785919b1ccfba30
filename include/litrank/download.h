// litrank — model download from Hugging Face (or a mirror) into a local cache.
//
// Resumable (HTTP Range), verified (size and sha256 when the server states
// them), atomic (a partial file never has the final name).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "litrank/status.h"

namespace litrank {

/// A model litrank knows by a short name (`litrank models pull qwen3-reranker-0.6b`).
struct KnownModel {
  std::string name;         ///< short name, e.g. "qwen3-reranker-0.6b"
  std::string repo;         ///< Hugging Face repository, e.g. "Qwen/Qwen3-Reranker-0.6B-GGUF"
  std::string file;         ///< file inside the repository
  std::string kind;         ///< "reranker" | "embedding"
  std::string description;  ///< one line for `models list`
};

/// The built-in names (Qwen3-Reranker and Qwen3-Embedding 0.6B/4B/8B).
const std::vector<KnownModel>& KnownModels();

/// Where pulled models live: $XDG_CACHE_HOME/litrank/models, else ~/.cache/litrank/models.
std::string DefaultModelCacheDir();

/// Options for PullModel. Defaults come from the environment.
struct PullOptions {
  std::string endpoint;   ///< base URL; "" = $HF_ENDPOINT or https://huggingface.co
  std::string token;      ///< bearer token; "" = $HF_TOKEN (none when unset)
  std::string cache_dir;  ///< "" = DefaultModelCacheDir()
  std::string revision = "main";
  /// Called now and then with bytes done and total (total 0 when unknown).
  std::function<void(uint64_t done, uint64_t total)> on_progress;
};

/// Downloads NAME (a KnownModel name) or REPO/FILE (e.g. "Qwen/X-GGUF/x-q8_0.gguf")
/// to `<cache_dir>/<repo with / as __>/<file>` and returns that path. An existing
/// complete file is returned without a download; a `.part` file is resumed.
StatusOr<std::string> PullModel(const std::string& name_or_repo_file, const PullOptions& options);

}  // namespace litrank

// `litrank models list|info|pull`: what models exist, what a file is, and downloads.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "litrank/download.h"
#include "litrank/model_info.h"

namespace litrank::cli {
namespace {

nlohmann::json InfoJson(const ModelInfo& m) {
  return {{"path", m.path}, {"name", m.name}, {"architecture", m.architecture}, {"kind", ModelKindName(m.kind)},
          {"pooling", m.pooling}, {"file_type", m.file_type}, {"file_size", m.file_size}, {"n_params", m.n_params},
          {"context_length", m.context_length}, {"n_embd", m.n_embd}, {"n_layer", m.n_layer},
          {"n_vocab", m.n_vocab}, {"has_cls_output", m.has_cls_output}, {"labels", m.labels},
          {"chat_templates", m.chat_templates}, {"problem", m.problem}};
}

int Info(const std::string& path, bool json) {
  auto info = InspectModel(path);
  if (!info.ok()) return Fail(info.status(), true);
  if (json) {
    std::printf("%s\n", InfoJson(*info).dump(2).c_str());
    return kExitOk;
  }
  const ModelInfo& m = *info;
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s.empty() ? std::string("-") : s;
  };
  std::printf("file          %s (%.1f MiB)\nname          %s\narchitecture  %s\nkind          %s\n"
              "pooling       %s\nweights       %s, %.3f B parameters\ncontext       %u tokens\n"
              "width/layers  %u / %u\nvocabulary    %u tokens\nlabels        %s\ntemplates     %s\n",
              m.path.c_str(), m.file_size / 1048576.0, m.name.empty() ? "-" : m.name.c_str(),
              m.architecture.c_str(), ModelKindName(m.kind), m.pooling.c_str(), m.file_type.c_str(),
              m.n_params / 1e9, m.context_length, m.n_embd, m.n_layer, m.n_vocab, join(m.labels).c_str(),
              join(m.chat_templates).c_str());
  if (!m.problem.empty()) std::printf("problem       %s\n", m.problem.c_str());
  return kExitOk;
}

int List() {
  std::printf("Built-in names (litrank models pull NAME; any OWNER/REPO/FILE.gguf works too):\n");
  for (const KnownModel& k : KnownModels()) {
    std::printf("  %-22s %-9s %s/%s\n  %-22s %s\n", k.name.c_str(), k.kind.c_str(), k.repo.c_str(),
                k.file.c_str(), "", k.description.c_str());
  }
  const std::string dir = DefaultModelCacheDir();
  std::printf("\nDownloaded (%s):\n", dir.c_str());
  std::error_code ec;
  size_t n = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".gguf") {
      std::printf("  %s (%.1f MiB)\n", it->path().c_str(), it->file_size() / 1048576.0), ++n;
    }
  }
  if (n == 0) std::printf("  (none)\n");
  const FormatAdvice advice = RecommendedCpuWeightFormat();
  std::printf("\nRecommended weight format on this CPU: %s (%s).\n", advice.format.c_str(), advice.reason.c_str());
  return kExitOk;
}

int Pull(const std::string& name, const std::string& cache_dir) {
  PullOptions o;
  o.cache_dir = cache_dir;
  ProgressBar bar("downloading");
  o.on_progress = [&](uint64_t done, uint64_t total) { bar.Update(done, total); };
  auto path = PullModel(name, o);
  bar.Finish();
  if (!path.ok()) return Fail(path.status(), true);
  std::printf("%s\n", path->c_str());
  const FormatAdvice advice = RecommendedCpuWeightFormat();
  if (auto info = InspectModel(*path); info.ok() && info->file_type != advice.format) {
    std::fprintf(stderr, "litrank: note: this file is %s; on this CPU %s is recommended: %s\n",
                 info->file_type.c_str(), advice.format.c_str(), advice.reason.c_str());
  }
  return kExitOk;
}

}  // namespace

void AddModelsCommand(CLI::App& app, int* exit_code) {
  auto* models = app.add_subcommand("models", "List, inspect and download models");
  models->require_subcommand(1);
  auto* list = models->add_subcommand("list", "Built-in model names and downloaded files");
  list->callback([exit_code] { *exit_code = List(); });

  auto info_path = std::make_shared<std::string>();
  auto info_json = std::make_shared<bool>(false);
  auto* info = models->add_subcommand("info", "What a GGUF file is: architecture, kind, size, weights, context, labels, templates");
  info->add_option("file", *info_path, "GGUF file")->required();
  info->add_flag("--json", *info_json, "Print JSON");
  info->callback([=] { *exit_code = Info(*info_path, *info_json); });

  auto name = std::make_shared<std::string>();
  auto dir = std::make_shared<std::string>();
  auto* pull = models->add_subcommand("pull",
      "Download NAME or OWNER/REPO/FILE from Hugging Face (HF_ENDPOINT for a mirror, HF_TOKEN for gated repos);\n"
      "resumable, verified by size and sha256, stored under $XDG_CACHE_HOME/litrank/models");
  pull->add_option("model", *name, "Built-in name (see `models list`) or OWNER/REPO/FILE")->required();
  pull->add_option("--dir", *dir, "Cache folder (default: $XDG_CACHE_HOME/litrank/models)");
  pull->callback([=] { *exit_code = Pull(*name, *dir); });
}

}  // namespace litrank::cli

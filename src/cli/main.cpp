// litrank — command-line entry point. Each command lives in its own cmd_*.cpp.
#include <CLI/CLI.hpp>

#include <cstdlib>

#include "cli/cli_common.h"
#include "llama.h"

int main(int argc, char** argv) {
  CLI::App app{
      "litrank — local semantic literature search and reranking with Qwen3 models (llama.cpp).\n"
      "Start with:  litrank rerank --model M.gguf --query \"...\" --docs papers.jsonl",
      "litrank"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "litrank 0.1.0 (llama.cpp " LITRANK_LLAMA_COMMIT_SHORT ")");
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Show llama.cpp's own log messages");
  app.parse_complete_callback([&] {
    if (!verbose) llama_log_set([](ggml_log_level level, const char* text, void*) {
      if (level == GGML_LOG_LEVEL_ERROR) std::fputs(text, stderr);
    }, nullptr);
  });
  int exit_code = 0;
  litrank::cli::AddRerankCommand(app, &exit_code);
  litrank::cli::AddModelsCommand(app, &exit_code);
  litrank::cli::AddSynthCommand(app, &exit_code);
  litrank::cli::AddBenchCommand(app, &exit_code);
  litrank::cli::AddIngestCommand(app, &exit_code);
  litrank::cli::AddEmbedCommand(app, &exit_code);
  litrank::cli::AddSearchCommand(app, &exit_code);
  litrank::cli::AddEvalCommand(app, &exit_code);
  litrank::cli::AddServeCommand(app, &exit_code);
  litrank::cli::AddScreenCommand(app, &exit_code);
  litrank::cli::AddClusterCommand(app, &exit_code);
  litrank::cli::AddTrendsCommand(app, &exit_code);
  litrank::cli::AddKeywordsCommand(app, &exit_code);
  litrank::cli::AddReviewCommand(app, &exit_code);
  litrank::cli::AddCiteCommand(app, &exit_code);
  litrank::cli::AddAssessCommand(app, &exit_code);
  litrank::cli::AddExtractCommand(app, &exit_code);
  litrank::cli::AddWorkerCommand(app, &exit_code);
  litrank::cli::AddDbCommand(app, &exit_code);
  llama_backend_init();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    llama_backend_free();
    return rc == 0 ? 0 : litrank::cli::kExitUsage;
  }
  llama_backend_free();
  return exit_code;
}

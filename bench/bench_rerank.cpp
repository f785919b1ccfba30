// `litrank bench rerank` — placeholder replaced below.
#include <CLI/CLI.hpp>
#include "cli/cli_common.h"
namespace litrank::cli {
void AddBenchCommand(CLI::App& app, int* exit_code) { (void)app; (void)exit_code; }
}

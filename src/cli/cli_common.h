// Pieces shared by the CLI commands: exit codes, error printing, a progress bar.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "litrank/status.h"

namespace CLI { class App; }

namespace litrank::cli {

/// Exit codes: 0 success, 1 internal error, 2 usage error, 3 bad input data,
/// 4 model problem (missing, corrupt, wrong kind), 5 network/download failure,
/// 6 the collection stayed locked by another writer past the bounded wait (retry).
enum ExitCode : int {
  kExitOk = 0, kExitInternal = 1, kExitUsage = 2, kExitInput = 3, kExitModel = 4, kExitNetwork = 5, kExitBusy = 6
};

/// Prints "litrank: error: <message>" to stderr and returns the matching exit code.
int Fail(const Status& status, bool model_related = false);

/// A one-line progress bar on stderr, drawn only when stderr is a terminal
/// (or always when forced), at most ten times a second.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label, bool enabled = true);
  void Update(uint64_t done, uint64_t total);
  void Finish();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

/// The collection file used when --db is not given: $LITRANK_DB, else
/// ./litrank.db in the working directory.
std::string DefaultDbPath();
/// A model path from a flag, else from the environment variable `env` ("" = none).
std::string ModelFromFlagOrEnv(const std::string& flag, const char* env);

/// Test hook (for tests that order events across processes, never for users): when
/// the environment variable `env` holds PREFIX, writes a line to the FIFO PREFIX.ready,
/// then blocks until the test opens and closes PREFIX.go. Does nothing when unset.
void WaitAtTestGate(const char* env);

/// Registers every command on `app`; each stores its exit code into *exit_code.
void AddRerankCommand(CLI::App& app, int* exit_code);
void AddModelsCommand(CLI::App& app, int* exit_code);
void AddSynthCommand(CLI::App& app, int* exit_code);
void AddBenchCommand(CLI::App& app, int* exit_code);
void AddIngestCommand(CLI::App& app, int* exit_code);
void AddSearchCommand(CLI::App& app, int* exit_code);
void AddEmbedCommand(CLI::App& app, int* exit_code);
void AddEvalCommand(CLI::App& app, int* exit_code);
void AddServeCommand(CLI::App& app, int* exit_code);
void AddScreenCommand(CLI::App& app, int* exit_code);
void AddClusterCommand(CLI::App& app, int* exit_code);
void AddTrendsCommand(CLI::App& app, int* exit_code);
void AddKeywordsCommand(CLI::App& app, int* exit_code);
void AddReviewCommand(CLI::App& app, int* exit_code);
void AddCiteCommand(CLI::App& app, int* exit_code);
void AddAssessCommand(CLI::App& app, int* exit_code);
void AddExtractCommand(CLI::App& app, int* exit_code);
void AddWorkerCommand(CLI::App& app, int* exit_code);  ///< `worker` and `jobs`
void AddDbCommand(CLI::App& app, int* exit_code);      ///< `db copy`
/// `litrank screen simulate`, registered under the `screen` command.
void AddScreenSimulateCommand(CLI::App& screen, int* exit_code);
/// `litrank bench search`, registered under the `bench` command.
void AddSearchBenchCommand(CLI::App& bench, int* exit_code);
void AddServeBenchCommand(CLI::App& bench, int* exit_code);  ///< `litrank bench serve`, under `bench`
void AddScreenBenchCommand(CLI::App& bench, int* exit_code); ///< `litrank bench screen`, under `bench`
void AddVectorsBenchCommand(CLI::App& bench, int* exit_code); ///< `litrank bench vectors`, under `bench`
void AddClusterBenchCommand(CLI::App& bench, int* exit_code); ///< `litrank bench cluster`, under `bench`
void AddAssessBenchCommand(CLI::App& bench, int* exit_code);  ///< `litrank bench assess`, under `bench`
void AddLongDocBenchCommand(CLI::App& bench, int* exit_code);  ///< `litrank bench longdoc`, under `bench`
void AddExtractBenchCommand(CLI::App& bench, int* exit_code);  ///< `litrank bench extract`, under `bench`
void AddWorkersBenchCommand(CLI::App& bench, int* exit_code);  ///< `litrank bench workers`, under `bench`
void AddStoreBenchCommand(CLI::App& bench, int* exit_code);    ///< `litrank bench store`, under `bench`

}  // namespace litrank::cli

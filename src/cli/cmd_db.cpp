// `litrank db copy FROM TO`: a whole collection from a SQLite file to PostgreSQL
// or back, resumably (run it again after an interruption), verified by row counts.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdio>

#include "cli/cli_common.h"
#include "store/collection_copy.h"
#include "store/sql.h"

namespace litrank::cli {
namespace {

std::atomic<bool> g_interrupted{false};

struct CopyArgs {
  std::string from, to;
  int64_t batch = 2000;
  bool json = false, no_progress = false;
};

int RunCopy(const CopyArgs& a) {
  CopyOptions o;
  o.batch_rows = a.batch;
  o.cancel = &g_interrupted;
  ProgressBar bar("copy", !a.no_progress);
  std::string current;
  o.progress = [&](const std::string& table, int64_t done, int64_t total) {
    if (table != current) bar.Finish(), bar = ProgressBar("copy " + table, !a.no_progress), current = table;
    bar.Update(static_cast<uint64_t>(done), static_cast<uint64_t>(total));
  };
  std::signal(SIGINT, [](int) { g_interrupted = true; });
  CopyReport report;
  Status st = CopyCollection(a.from, a.to, o, &report);
  std::signal(SIGINT, SIG_DFL);
  bar.Finish();
  if (!st.ok()) return Fail(st);
  if (a.json) {
    nlohmann::json out = {{"from", sql::DisplayLocation(a.from)}, {"to", sql::DisplayLocation(a.to)},
                          {"resumed", report.resumed}, {"already_complete", report.already_complete}};
    for (const CopiedTable& t : report.tables) out["tables"][t.table] = t.copied_rows;
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }
  std::printf("%s -> %s%s\n", sql::DisplayLocation(a.from).c_str(), sql::DisplayLocation(a.to).c_str(),
              report.already_complete ? " (already a complete copy)" : report.resumed ? " (resumed)" : "");
  for (const CopiedTable& t : report.tables) {
    if (t.copied_rows > 0) std::printf("  %-24s %lld rows\n", t.table.c_str(), static_cast<long long>(t.copied_rows));
  }
  return kExitOk;
}

}  // namespace

void AddDbCommand(CLI::App& app, int* exit_code) {
  auto* db = app.add_subcommand("db", "Collections across back ends (SQLite file, PostgreSQL)");
  db->require_subcommand(1);
  auto a = std::make_shared<CopyArgs>();
  auto* copy = db->add_subcommand("copy", "Copy a whole collection, e.g. from a SQLite file into PostgreSQL; "
                                          "run it again to resume an interrupted copy");
  copy->add_option("from", a->from, "Source collection: a file or postgresql://USER@HOST:PORT/DB")->required();
  copy->add_option("to", a->to, "Destination: a new file, or an empty, existing PostgreSQL database")->required();
  copy->add_option("--batch", a->batch, "Rows per committed batch")->capture_default_str()->check(CLI::PositiveNumber);
  copy->add_flag("--json", a->json, "Print the rows copied per table as JSON");
  copy->add_flag("--no-progress", a->no_progress, "No progress bar");
  copy->footer("\nExamples:\n"
               "  createdb -E UTF8 -T template0 papers && litrank db copy papers.db postgresql://me@localhost:5432/papers\n"
               "  litrank db copy postgresql://me@db.example.org/papers papers.db");
  copy->callback([a, exit_code] { *exit_code = RunCopy(*a); });
}

}  // namespace litrank::cli

// `litrank ingest`: read bibliographic files into a collection.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "store/sql.h"
#include "cli/cli_common.h"
#include "litrank/corpus.h"
#include "store/ingest_file.h"

namespace litrank::cli {
namespace {

struct IngestArgs {
  std::string db, format = "auto";
  std::vector<std::string> files;
  ColumnMapping columns;
  size_t batch = 500;
  bool no_progress = false;
};

// Test hook: with LITRANK_TEST_INGEST_GATE=PREFIX set, the command waits at the
// gate (see WaitAtTestGate) after its first committed batch.
void TestGateAfterFirstBatch() {
  static bool passed = false;
  if (passed) return;
  passed = true;
  WaitAtTestGate("LITRANK_TEST_INGEST_GATE");
}

int Run(const IngestArgs& a) {
  RecordReadOptions options;
  if (!ParseRecordFormat(a.format, &options.format)) {
    return Fail(Status::InvalidArgument("unknown --format " + a.format));
  }
  options.columns = a.columns;
  const std::string db_path = a.db.empty() ? DefaultDbPath() : a.db;
  auto corpus = Corpus::Open(db_path, /*create=*/true);
  if (!corpus.ok()) return Fail(corpus.status());
  int rc = kExitOk;
  for (const std::string& file : a.files) {
    ProgressBar bar("ingesting " + file, !a.no_progress);
    IngestReport report;
    Status st = IngestFile(**corpus, file, options, a.batch, &report,
                           [&](uint64_t done, uint64_t total) { bar.Update(done, total); },
                           [](int64_t) { TestGateAfterFirstBatch(); });
    bar.Finish();
    size_t shown = 0;
    for (const SkippedRecord& s : report.skipped) {
      if (++shown > 20) break;
      std::fprintf(stderr, "litrank: warning: skipped %s:%zu: %s\n", s.file.c_str(), s.line, s.reason.c_str());
    }
    if (report.skipped_total > 20) {
      std::fprintf(stderr, "litrank: warning: ... and %zu more skipped records\n", report.skipped_total - 20);
    }
    if (!st.ok()) {
      if (st.code() == Status::Code::kUnavailable) {
        std::fprintf(stderr, "litrank: note: committed batches are kept; the same command resumes after them\n");
      }
      rc = Fail(st);
      continue;
    }
    std::printf("%s: %zu added, %zu updated, %zu unchanged, %zu skipped%s\n", file.c_str(), report.added,
                report.updated, report.unchanged, report.skipped_total,
                report.resumed_from > 0
                    ? (" (resumed after record " + std::to_string(report.resumed_from) + ")").c_str()
                    : "");
  }
  auto count = (*corpus)->Count();
  if (count.ok()) std::printf("%s: %lld documents\n", sql::DisplayLocation(db_path).c_str(), static_cast<long long>(*count));
  return rc;
}

}  // namespace

void AddIngestCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<IngestArgs>();
  auto* cmd = app.add_subcommand("ingest",
      "Add bibliographic records to a collection (an SQLite file). Formats: RIS, BibTeX, CSV/TSV,\n"
      "JSONL, PubMed XML, arXiv metadata JSON, BEIR corpus.jsonl, plain text (one post per line).\n"
      "Duplicates (same DOI, else same title and year) are merged; an interrupted ingest resumes.");
  cmd->add_option("files", a->files, "Files to ingest")->required()->check(CLI::ExistingFile);
  cmd->add_option("--db", a->db, "Collection: a file, or postgresql://USER@HOST:PORT/DB (default: $LITRANK_DB or ./litrank.db)");
  cmd->add_option("--format", a->format,
                  "auto | ris | bibtex | csv | tsv | jsonl | pubmed | arxiv | beir | lines")
      ->capture_default_str();
  cmd->add_option("--title-column", a->columns.title, "CSV/TSV column (or JSONL field) with the title");
  cmd->add_option("--abstract-column", a->columns.abstract, "... with the abstract or text");
  cmd->add_option("--year-column", a->columns.year, "... with the year");
  cmd->add_option("--id-column", a->columns.id, "... with the record id");
  cmd->add_option("--doi-column", a->columns.doi, "... with the DOI");
  cmd->add_option("--keywords-column", a->columns.keywords, "... with keywords");
  cmd->add_option("--batch", a->batch, "Records per transaction")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_flag("--no-progress", a->no_progress, "No progress bar");
  cmd->footer("\nExamples:\n"
              "  litrank ingest --db review.db zotero-export.ris pubmed.xml\n"
              "  litrank ingest --db posts.db tweets.txt --format lines\n"
              "  litrank ingest --db scifact.db ../shared/datasets/scifact/corpus.jsonl");
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace litrank::cli

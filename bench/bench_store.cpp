// `litrank bench store`: the collection store on each back end, side by side in one
// run: ingest throughput, BM25 index build, how a searcher's index follows new
// writes (catch-up from the change log against a full rebuild), and BM25 search
// latency. SQLite always; PostgreSQL when --db names an empty database.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "bench_support.h"
#include "cli/cli_common.h"
#include "litrank/corpus.h"
#include "litrank/search.h"
#include "search/bm25_index.h"
#include "store/sql.h"
#include "synthetic_corpus.h"
#include "text/analyzer.h"

namespace litrank::cli {
namespace {

struct StoreBenchArgs {
  size_t docs = 20000, words = 150, batch = 500, writes = 100, queries = 200;
  std::string db, work_dir = ".cache/bench-store", out_dir = "bench/results";
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

struct StoreRow {
  std::string store;
  double ingest_docs_per_s = 0, build_s = 0, catch_up_ms = 0, rebuild_ms = 0, search_p50_ms = 0, search_p99_ms = 0;
};

StatusOr<StoreRow> Measure(const std::string& where, const std::vector<Document>& docs, const std::vector<Document>& later,
                           const std::vector<std::string>& queries, const StoreBenchArgs& a) {
  StoreRow row;
  row.store = sql::IsPostgresUrl(where) ? "postgresql" : "sqlite";
  auto writer = Corpus::Open(where);
  if (!writer.ok()) return writer.status();
  StatusOr<int64_t> before = (*writer)->Count();
  if (!before.ok()) return before.status();
  if (*before > 0) {
    return Status::InvalidArgument(sql::DisplayLocation(where) + " already holds documents: give bench store an empty database");
  }
  auto t0 = std::chrono::steady_clock::now();
  for (size_t first = 0; first < docs.size(); first += a.batch) {
    const std::vector<Document> part(docs.begin() + static_cast<std::ptrdiff_t>(first),
                                     docs.begin() + static_cast<std::ptrdiff_t>(std::min(docs.size(), first + a.batch)));
    LITRANK_RETURN_IF_ERROR((*writer)->Add(part, nullptr));
  }
  row.ingest_docs_per_s = static_cast<double>(docs.size()) / Seconds(t0);
  auto reader = Corpus::Open(where, false);  // a replica's own connection
  if (!reader.ok()) return reader.status();
  t0 = std::chrono::steady_clock::now();
  auto index = Bm25Index::Build(**reader);
  if (!index.ok()) return index.status();
  row.build_s = Seconds(t0);
  // Another process writes a few documents; the replica follows.
  LITRANK_RETURN_IF_ERROR((*writer)->Add(later, nullptr));
  t0 = std::chrono::steady_clock::now();
  StatusOr<bool> caught = (*index)->CatchUp(**reader);
  if (!caught.ok()) return caught.status();
  if (!*caught) return Status::Internal("the index asked for a rebuild after " + std::to_string(later.size()) + " writes");
  row.catch_up_ms = Seconds(t0) * 1000;
  t0 = std::chrono::steady_clock::now();
  auto rebuilt = Bm25Index::Build(**reader);
  if (!rebuilt.ok()) return rebuilt.status();
  row.rebuild_ms = Seconds(t0) * 1000;
  AnalyzerOptions ao;
  ao.stemmer = (*reader)->analyzer_stemmer();
  auto analyzer = Analyzer::Create(ao);
  if (!analyzer.ok()) return analyzer.status();
  std::vector<double> ms;
  for (const std::string& q : queries) {
    std::vector<std::string> terms;
    (*analyzer)->Analyze(q, &terms);
    std::vector<LexicalHit> hits;
    t0 = std::chrono::steady_clock::now();
    (*index)->Search(terms, 100, Bm25Params{}, nullptr, &hits);
    std::vector<StoredDocument> shown;  // the page of results, read from the store
    std::vector<int64_t> ids;
    for (size_t i = 0; i < std::min<size_t>(10, hits.size()); ++i) ids.push_back(hits[i].rowid);
    LITRANK_RETURN_IF_ERROR((*reader)->GetMany(ids, &shown));
    ms.push_back(Seconds(t0) * 1000);
  }
  row.search_p50_ms = bench::Percentile(ms, 50);
  row.search_p99_ms = bench::Percentile(ms, 99);
  std::fprintf(stderr, "  %s: %.0f docs/s ingest, build %.2f s, catch-up %.1f ms vs rebuild %.0f ms\n", row.store.c_str(),
               row.ingest_docs_per_s, row.build_s, row.catch_up_ms, row.rebuild_ms);
  return row;
}

int Run(const StoreBenchArgs& a) {
  namespace fs = std::filesystem;
  fs::create_directories(a.work_dir);
  const std::vector<Document> docs = bench::SyntheticDocuments(a.docs, a.words, 7);
  std::vector<Document> later = bench::SyntheticDocuments(a.writes, a.words, 8);
  for (size_t i = 0; i < later.size(); ++i) later[i].title += " (written later " + std::to_string(i) + ")";
  const std::vector<std::string> queries = bench::SyntheticQueries(docs, a.queries, 9);
  std::vector<std::string> stores = {fs::absolute(a.work_dir).string() + "/store.db"};
  for (const char* s : {"", "-wal", "-shm"}) fs::remove(stores[0] + s);
  if (!a.db.empty()) stores.push_back(a.db);
  std::vector<StoreRow> rows;
  for (const std::string& where : stores) {
    auto row = Measure(where, docs, later, queries, a);
    if (!row.ok()) return Fail(row.status());
    rows.push_back(*row);
  }
  std::printf("\n%-11s %12s %9s %14s %12s %10s %10s\n", "store", "ingest doc/s", "build s", "catch-up ms", "rebuild ms",
              "p50 ms", "p99 ms");
  nlohmann::json records = nlohmann::json::array();
  for (const StoreRow& r : rows) {
    std::printf("%-11s %12.0f %9.2f %14.1f %12.0f %10.3f %10.3f\n", r.store.c_str(), r.ingest_docs_per_s, r.build_s,
                r.catch_up_ms, r.rebuild_ms, r.search_p50_ms, r.search_p99_ms);
    records.push_back({{"store", r.store}, {"documents", a.docs}, {"words", a.words}, {"batch", a.batch},
                       {"ingest_docs_per_s", r.ingest_docs_per_s}, {"bm25_build_s", r.build_s},
                       {"writes_followed", a.writes}, {"catch_up_ms", r.catch_up_ms}, {"rebuild_ms", r.rebuild_ms},
                       {"rebuild_over_catch_up", r.rebuild_ms / std::max(r.catch_up_ms, 1e-6)},
                       {"search_p50_ms", r.search_p50_ms}, {"search_p99_ms", r.search_p99_ms}});
  }
  std::printf("wrote %s\n", bench::WriteBenchJson(a.out_dir, "store", records.dump(2)).c_str());
  return kExitOk;
}

}  // namespace

void AddStoreBenchCommand(CLI::App& bench, int* exit_code) {
  auto a = std::make_shared<StoreBenchArgs>();
  auto* cmd = bench.add_subcommand("store",
      "The store on SQLite and (with --db) PostgreSQL side by side: ingest docs/s, BM25 build, catch-up\n"
      "from the change log against a full rebuild after other writes, BM25 search + page read latency.");
  cmd->add_option("--docs", a->docs, "Synthetic documents")->capture_default_str();
  cmd->add_option("--words", a->words, "Words per abstract")->capture_default_str();
  cmd->add_option("--batch", a->batch, "Documents per ingest transaction")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--writes", a->writes, "Documents written after the index was built")->capture_default_str();
  cmd->add_option("--queries", a->queries, "Timed BM25 queries")->capture_default_str();
  cmd->add_option("--db", a->db, "Also measure this empty PostgreSQL database (postgresql://USER@HOST:PORT/DB)");
  cmd->add_option("--work-dir", a->work_dir, "Scratch folder")->capture_default_str();
  cmd->add_option("--out", a->out_dir, "Where the JSON goes")->capture_default_str();
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace litrank::cli

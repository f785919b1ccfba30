// `litrank bench search`: lexical and dense retrieval, speed and quality, side by
// side in one run with independent engines on the same data: Xapian (BM25) and
// SQLite FTS5's bm25(). Prints a table and writes JSON under bench/results/.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "bench_support.h"
#include "cli/cli_common.h"
#include "eval/beir.h"
#include "eval/metrics.h"
#include "lexical_anchors.h"
#include "litrank/corpus.h"
#include "litrank/search.h"
#include "store/ingest_file.h"
#include "synthetic_corpus.h"
#include "vector/synthetic_vectors.h"
#include "vector/vector_index.h"

namespace litrank::cli {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct SearchBenchArgs {
  size_t docs = 100000, queries = 300, dense_docs = 100000, dense_queries = 200;
  uint32_t dims = 1024;
  std::string work_dir = ".cache/bench-search", out_dir = "bench/results";
  std::string beir = "../shared/datasets/scifact";
  bool no_dense = false, no_synthetic = false;
  std::vector<size_t> ef_search = {0};  ///< 0 = the default (AutoEfSearch)
};

// One engine's numbers on one dataset.
struct EngineRow {
  std::string dataset, engine;
  size_t docs = 0;
  double index_docs_per_s = 0, bytes_per_doc = 0, p50_ms = 0, p99_ms = 0;
  double ndcg10 = -1, recall100 = -1, mrr10 = -1;  // -1: no judgements
};

nlohmann::json RowJson(const EngineRow& r) {
  nlohmann::json j = {{"dataset", r.dataset}, {"engine", r.engine}, {"documents", r.docs},
                      {"index_docs_per_s", r.index_docs_per_s}, {"bytes_per_doc", r.bytes_per_doc},
                      {"latency_p50_ms", r.p50_ms}, {"latency_p99_ms", r.p99_ms}};
  if (r.ndcg10 >= 0) j["ndcg@10"] = r.ndcg10, j["recall@100"] = r.recall100, j["mrr@10"] = r.mrr10;
  return j;
}

void PrintRow(const EngineRow& r) {
  std::printf("%-10s %-8s %8zu %10.0f %9.0f %8.2f %8.2f", r.dataset.c_str(), r.engine.c_str(), r.docs,
              r.index_docs_per_s, r.bytes_per_doc, r.p50_ms, r.p99_ms);
  if (r.ndcg10 >= 0) std::printf(" %8.4f %8.4f %8.4f", r.ndcg10, r.recall100, r.mrr10);
  std::printf("\n");
  std::fflush(stdout);
}

// Runs every query through `search` (top 100), timing each; fills latencies and,
// when qrels are given, the metrics.
template <typename SearchFn>
Status TimeQueries(const std::vector<std::string>& ids, const std::vector<std::string>& texts, const Qrels* qrels,
                   SearchFn search, EngineRow* row) {
  std::vector<double> ms;
  Rankings run;
  for (size_t i = 0; i < texts.size(); ++i) {
    std::vector<std::string> ranked;
    const auto t = Clock::now();
    LITRANK_RETURN_IF_ERROR(search(texts[i], &ranked));
    ms.push_back(Since(t) * 1000);
    run[ids[i]] = std::move(ranked);
  }
  row->p50_ms = bench::Percentile(ms, 50);
  row->p99_ms = bench::Percentile(ms, 99);
  if (qrels != nullptr) {
    const MetricSummary m = Evaluate(*qrels, run, {10, 100});
    row->ndcg10 = m.ndcg.at(10), row->recall100 = m.recall.at(100), row->mrr10 = m.mrr.at(10);
  }
  return Status::Ok();
}

// litrank's own path: the corpus file and the Searcher with BM25 alone.
Status BenchLitrank(const std::string& dataset, const std::string& db_path, const std::vector<Document>* docs,
                    const std::string& corpus_file, const std::vector<std::string>& qids,
                    const std::vector<std::string>& queries, const Qrels* qrels, std::vector<EngineRow>* rows) {
  std::filesystem::remove(db_path);
  auto corpus = Corpus::Open(db_path);
  if (!corpus.ok()) return corpus.status();
  EngineRow row{dataset, "litrank"};
  const auto t = Clock::now();
  if (docs != nullptr) {
    for (size_t i = 0; i < docs->size(); i += 1000) {
      std::vector<Document> batch(docs->begin() + i, docs->begin() + std::min(docs->size(), i + 1000));
      LITRANK_RETURN_IF_ERROR((*corpus)->Add(batch, nullptr));
    }
  } else {
    IngestReport report;
    RecordReadOptions options;
    options.format = RecordFormat::kBeirCorpus;
    LITRANK_RETURN_IF_ERROR(IngestFile(**corpus, corpus_file, options, 1000, &report));
  }
  row.docs = static_cast<size_t>(*(*corpus)->Count());
  row.index_docs_per_s = row.docs / Since(t);
  auto searcher = Searcher::Create(corpus->get(), nullptr, nullptr);
  if (!searcher.ok()) return searcher.status();
  SearchOptions o;
  o.dense = o.rerank = false;
  o.top_k = 100;
  std::vector<SearchHit> warm;
  SearchReport report;
  LITRANK_RETURN_IF_ERROR((*searcher)->Search("warm up the index", o, &warm, &report));  // builds the BM25 index
  (void)(*corpus)->Count();
  row.bytes_per_doc = static_cast<double>(std::filesystem::file_size(db_path)) / row.docs;
  auto search = [&](const std::string& q, std::vector<std::string>* ranked) -> Status {
    std::vector<SearchHit> hits;
    LITRANK_RETURN_IF_ERROR((*searcher)->Search(q, o, &hits, &report));
    for (const SearchHit& h : hits) ranked->push_back(docs ? std::to_string(h.document.rowid) : h.document.doc.id);
    return Status::Ok();
  };
  LITRANK_RETURN_IF_ERROR(TimeQueries(qids, queries, qrels, search, &row));
  rows->push_back(row);
  PrintRow(row);
  return Status::Ok();
}

// An anchor engine over the same texts; ids are positions in `ids`.
Status BenchAnchor(const std::string& dataset, const std::string& engine, bench::LexicalAnchor& anchor,
                   const std::vector<std::string>& doc_ids, const std::vector<std::string>& doc_texts,
                   const std::vector<std::string>& qids, const std::vector<std::string>& queries,
                   const Qrels* qrels, std::vector<EngineRow>* rows) {
  EngineRow row{dataset, engine, doc_ids.size()};
  const auto t = Clock::now();
  for (size_t i = 0; i < doc_texts.size(); i += 1000) {
    std::vector<int64_t> ids;
    std::vector<std::string> texts;
    for (size_t j = i; j < std::min(doc_texts.size(), i + 1000); ++j) ids.push_back(static_cast<int64_t>(j + 1)), texts.push_back(doc_texts[j]);
    LITRANK_RETURN_IF_ERROR(anchor.Add(ids, texts));
  }
  LITRANK_RETURN_IF_ERROR(anchor.Finish());
  row.index_docs_per_s = doc_texts.size() / Since(t);
  row.bytes_per_doc = static_cast<double>(anchor.bytes()) / doc_texts.size();
  auto search = [&](const std::string& q, std::vector<std::string>* ranked) -> Status {
    std::vector<int64_t> found;
    LITRANK_RETURN_IF_ERROR(anchor.Search(q, 100, &found));
    for (int64_t id : found) ranked->push_back(doc_ids[static_cast<size_t>(id - 1)]);
    return Status::Ok();
  };
  LITRANK_RETURN_IF_ERROR(TimeQueries(qids, queries, qrels, search, &row));
  rows->push_back(row);
  PrintRow(row);
  return Status::Ok();
}

Status BenchAnchors(const SearchBenchArgs& a, const std::string& dataset, const std::vector<std::string>& doc_ids,
                    const std::vector<std::string>& doc_texts, const std::vector<std::string>& qids,
                    const std::vector<std::string>& queries, const Qrels* qrels, std::vector<EngineRow>* rows) {
  auto xapian = bench::NewXapianAnchor(a.work_dir + "/" + dataset + ".xapian", 0.9, 0.4);
  if (!xapian.ok()) return xapian.status();
  LITRANK_RETURN_IF_ERROR(BenchAnchor(dataset, "xapian", **xapian, doc_ids, doc_texts, qids, queries, qrels, rows));
  auto fts5 = bench::NewFts5Anchor(a.work_dir + "/" + dataset + ".fts5.db");
  if (!fts5.ok()) return fts5.status();
  return BenchAnchor(dataset, "fts5", **fts5, doc_ids, doc_texts, qids, queries, qrels, rows);
}

Status BenchSynthetic(const SearchBenchArgs& a, std::vector<EngineRow>* rows) {
  std::vector<Document> docs = bench::SyntheticDocuments(a.docs, 180, 7);
  std::vector<std::string> queries = bench::SyntheticQueries(docs, a.queries, 11), qids, ids, texts;
  for (size_t i = 0; i < queries.size(); ++i) qids.push_back("q" + std::to_string(i));
  const std::string name = "synth" + std::to_string(a.docs / 1000) + "k";
  LITRANK_RETURN_IF_ERROR(BenchLitrank(name, a.work_dir + "/" + name + ".db", &docs, "", qids, queries, nullptr, rows));
  for (size_t i = 0; i < docs.size(); ++i) ids.push_back(std::to_string(i + 1)), texts.push_back(SearchText(docs[i]));
  return BenchAnchors(a, name, ids, texts, qids, queries, nullptr, rows);
}

Status BenchBeir(const SearchBenchArgs& a, std::vector<EngineRow>* rows) {
  BeirQueries queries;
  Qrels qrels;
  LITRANK_RETURN_IF_ERROR(LoadBeirQueries(a.beir + "/queries.jsonl", &queries));
  LITRANK_RETURN_IF_ERROR(LoadBeirQrels(a.beir + "/qrels/test.tsv", &qrels));
  std::vector<std::string> qids, texts;
  for (const auto& [id, text] : queries) {
    if (qrels.count(id)) qids.push_back(id), texts.push_back(text);
  }
  const std::string name = std::filesystem::path(a.beir).filename().string();
  LITRANK_RETURN_IF_ERROR(BenchLitrank(name, a.work_dir + "/" + name + ".db", nullptr, a.beir + "/corpus.jsonl",
                                       qids, texts, &qrels, rows));
  std::vector<std::string> doc_ids, doc_texts;
  RecordReadOptions options;
  options.format = RecordFormat::kBeirCorpus;
  LITRANK_RETURN_IF_ERROR(ReadRecords(a.beir + "/corpus.jsonl", options, [&](Document&& d) {
    doc_ids.push_back(d.id);
    doc_texts.push_back(SearchText(d));
    return Status::Ok();
  }, nullptr));
  return BenchAnchors(a, name, doc_ids, doc_texts, qids, texts, &qrels, rows);
}

Status BenchDense(const SearchBenchArgs& a, nlohmann::json* records) {
  const size_t n = a.dense_docs, nq = a.dense_queries;
  std::vector<float> all = SyntheticEmbeddings(n + nq, a.dims, 1000, 5);
  std::vector<int64_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = static_cast<int64_t>(i + 1);
  auto flat = NewFlatIndex(a.dims);
  auto hnsw = NewHnswIndex(a.dims);
  if (!flat.ok()) return flat.status();
  if (!hnsw.ok()) return hnsw.status();
  std::printf("\n%-10s %8s %6s %10s %8s %8s %10s\n", "index", "vectors", "dims", "build s", "p50 ms", "p99 ms", "recall@10");
  std::vector<std::vector<VectorHit>> exact(nq);
  // The exact scan, then HNSW once per beam width in --ef-search (one graph).
  std::vector<std::pair<VectorIndex*, size_t>> runs = {{flat->get(), 0}};
  for (size_t ef : a.ef_search) runs.emplace_back(hnsw->get(), ef);
  double build = 0;
  for (auto [index, ef_asked] : runs) {
    const bool is_flat = index == flat->get();
    if (is_flat || ef_asked == a.ef_search.front()) {
      const auto t = Clock::now();
      for (size_t i = 0; i < n; i += 4096) {
        const size_t m = std::min(n, i + 4096) - i;
        std::vector<int64_t> chunk(ids.begin() + i, ids.begin() + i + m);
        LITRANK_RETURN_IF_ERROR(index->Add(chunk, all.data() + i * a.dims));
      }
      build = Since(t);
    }
    index->set_search_effort(ef_asked);
    const size_t ef = is_flat ? 0 : ef_asked ? ef_asked : AutoEfSearch(index->size());
    std::vector<double> ms;
    size_t found = 0;
    for (size_t q = 0; q < nq; ++q) {
      std::vector<VectorHit> hits;
      const auto tq = Clock::now();
      LITRANK_RETURN_IF_ERROR(index->Search(all.data() + (n + q) * a.dims, 10, &hits));
      ms.push_back(Since(tq) * 1000);
      if (is_flat) {
        exact[q] = hits;
      } else {
        for (const VectorHit& h : hits) {
          for (const VectorHit& e : exact[q]) found += e.id == h.id;
        }
      }
    }
    const double recall = is_flat ? 1.0 : static_cast<double>(found) / (10.0 * nq);
    const std::string name = is_flat ? "exact" : "hnsw ef" + std::to_string(ef);
    std::printf("%-10s %8zu %6u %10.1f %8.2f %8.2f %10.4f\n", name.c_str(), n, a.dims, build, bench::Percentile(ms, 50),
                bench::Percentile(ms, 99), recall);
    std::fflush(stdout);
    records->push_back({{"dataset", "synthetic-embeddings"}, {"engine", is_flat ? "exact" : "hnsw"}, {"ef_search", ef},
                        {"ef_search_default", !is_flat && ef_asked == 0}, {"documents", n}, {"dims", a.dims},
                        {"build_seconds", build}, {"latency_p50_ms", bench::Percentile(ms, 50)},
                        {"latency_p99_ms", bench::Percentile(ms, 99)}, {"recall@10_vs_exact", recall}});
  }
  return Status::Ok();
}

int RunSearchBench(const SearchBenchArgs& a) {
  std::filesystem::create_directories(a.work_dir);
  std::vector<EngineRow> rows;
  std::printf("%-10s %-8s %8s %10s %9s %8s %8s %8s %8s %8s\n", "dataset", "engine", "docs", "index d/s", "bytes/doc",
              "p50 ms", "p99 ms", "nDCG@10", "R@100", "MRR@10");
  if (!a.no_synthetic) {
    if (Status st = BenchSynthetic(a, &rows); !st.ok()) return Fail(st);
  }
  if (std::filesystem::exists(a.beir + "/corpus.jsonl")) {
    if (Status st = BenchBeir(a, &rows); !st.ok()) return Fail(st);
  } else {
    std::fprintf(stderr, "bench: %s not found; skipping the BEIR comparison\n", a.beir.c_str());
  }
  nlohmann::json records = nlohmann::json::array();
  for (const EngineRow& r : rows) records.push_back(RowJson(r));
  if (!a.no_dense) {
    if (Status st = BenchDense(a, &records); !st.ok()) return Fail(st);
  }
  std::printf("wrote %s\n", bench::WriteBenchJson(a.out_dir, "search", records.dump(2)).c_str());
  return kExitOk;
}

}  // namespace

void AddSearchBenchCommand(CLI::App& bench, int* exit_code) {
  auto a = std::make_shared<SearchBenchArgs>();
  auto* cmd = bench.add_subcommand("search",
      "BM25 speed and quality side by side with Xapian and SQLite FTS5 on the same documents and queries\n"
      "(a synthetic corpus and a BEIR dataset), and exact vs HNSW dense search latency and recall.");
  cmd->add_option("--docs", a->docs, "Synthetic corpus size")->capture_default_str();
  cmd->add_option("--queries", a->queries, "Synthetic queries")->capture_default_str();
  cmd->add_option("--beir", a->beir, "BEIR dataset directory (skipped when absent)")->capture_default_str();
  cmd->add_option("--dense-docs", a->dense_docs, "Vectors in the dense comparison")->capture_default_str();
  cmd->add_option("--dense-queries", a->dense_queries, "Dense queries")->capture_default_str();
  cmd->add_option("--dims", a->dims, "Vector dimensions (1024 = Qwen3-Embedding-0.6B)")->capture_default_str();
  cmd->add_flag("--no-dense", a->no_dense, "Skip the dense comparison");
  cmd->add_option("--ef-search", a->ef_search, "HNSW query beams to measure on one graph (0 or default: the library's, scaled with size)")
      ->delimiter(',');
  cmd->add_flag("--no-synthetic", a->no_synthetic, "Skip the synthetic corpus");
  cmd->add_option("--work-dir", a->work_dir, "Scratch space for the indexes")->capture_default_str();
  cmd->add_option("--out-dir", a->out_dir, "Where the JSON goes")->capture_default_str();
  cmd->callback([a, exit_code] { *exit_code = RunSearchBench(*a); });
}

}  // namespace litrank::cli

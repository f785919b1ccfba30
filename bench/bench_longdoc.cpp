// `litrank bench longdoc`: does search survive long documents? From the shared
// BEIR SciFact corpus, every judged abstract becomes a long "document": joined
// with `--join` unrelated abstracts (never judged for any test query), itself at a
// random position (seeded). The same queries then run over the abstract-only
// collection and over the long one with each passage mode: whole (one bag of
// words), first (the first passage only: what truncation sees) and max (MaxP,
// the default). nDCG@10 of MaxP should stay close to the abstract-only figure
// while truncation drops. Prints a table and writes JSON under bench/results/.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <unordered_set>

#include "bench_support.h"
#include "cli/cli_common.h"
#include "eval/beir.h"
#include "eval/metrics.h"
#include "ingest/record_reader.h"
#include "litrank/corpus.h"
#include "litrank/search.h"
#include "text/passages.h"

namespace litrank::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct LongDocBenchArgs {
  std::string beir = "../shared/datasets/scifact", work_dir = ".cache/bench-longdoc", out_dir = "bench/results";
  size_t join = 9;
  uint32_t seed = 7;
};

struct Row {
  std::string corpus, mode;
  double ndcg10 = 0, recall100 = 0, p50_ms = 0;
};

// The long version of every judged document; unjudged ones stay as they are.
std::vector<Document> MakeLongCorpus(const std::vector<Document>& docs, const std::unordered_set<std::string>& judged,
                                     size_t join, uint32_t seed, double* mean_words) {
  std::vector<size_t> pool;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (!judged.count(docs[i].id) && !docs[i].abstract.empty()) pool.push_back(i);
  }
  std::mt19937 rng(seed);
  std::vector<Document> out = docs;
  double words = 0;
  size_t long_docs = 0;
  for (Document& d : out) {
    if (!judged.count(d.id) || pool.empty()) continue;
    std::vector<std::string> parts;
    for (size_t j = 0; j < join; ++j) {
      parts.push_back(docs[pool[std::uniform_int_distribution<size_t>(0, pool.size() - 1)(rng)]].abstract);
    }
    const size_t at = std::uniform_int_distribution<size_t>(0, parts.size())(rng);
    parts.insert(parts.begin() + static_cast<std::ptrdiff_t>(at), d.abstract);
    std::string text;
    for (const std::string& p : parts) text += (text.empty() ? "" : "\n\n") + p;
    d.abstract = std::move(text);
    words += static_cast<double>(CountPassageWords(d.abstract));
    ++long_docs;
  }
  *mean_words = long_docs == 0 ? 0 : words / static_cast<double>(long_docs);
  return out;
}

Status BuildCollection(const std::string& path, const std::vector<Document>& docs) {
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  auto corpus = Corpus::Open(path);
  if (!corpus.ok()) return corpus.status();
  for (size_t first = 0; first < docs.size(); first += 1000) {
    std::vector<Document> batch(docs.begin() + static_cast<std::ptrdiff_t>(first),
                                docs.begin() + static_cast<std::ptrdiff_t>(std::min(first + 1000, docs.size())));
    LITRANK_RETURN_IF_ERROR((*corpus)->Add(batch, nullptr));
  }
  return Status::Ok();
}

Status RunMode(const std::string& path, const std::string& corpus_name, PassageMode mode, const BeirQueries& queries,
               const Qrels& qrels, std::vector<Row>* rows) {
  auto corpus = Corpus::Open(path, /*create=*/false);
  if (!corpus.ok()) return corpus.status();
  auto searcher = Searcher::Create(corpus->get(), nullptr, nullptr);
  if (!searcher.ok()) return searcher.status();
  SearchOptions o;
  o.dense = false;
  o.rerank = false;
  o.top_k = 100;
  o.passages = mode;
  Rankings run;
  std::vector<double> ms;
  for (const auto& [id, text] : queries) {
    std::vector<SearchHit> hits;
    SearchReport report;
    const auto t = Clock::now();
    LITRANK_RETURN_IF_ERROR((*searcher)->Search(text, o, &hits, &report));
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
    for (const SearchHit& h : hits) run[id].push_back(h.document.doc.id);
  }
  const MetricSummary m = Evaluate(qrels, run, {10, 100});
  rows->push_back({corpus_name, PassageModeName(mode), m.ndcg.at(10), m.recall.at(100), bench::Median(ms)});
  const Row& r = rows->back();
  std::printf("%-14s %-6s %9.4f %10.4f %9.2f\n", r.corpus.c_str(), r.mode.c_str(), r.ndcg10, r.recall100, r.p50_ms);
  std::fflush(stdout);
  return Status::Ok();
}

int RunLongDocBench(const LongDocBenchArgs& a) {
  if (!std::filesystem::exists(a.beir + "/corpus.jsonl")) {
    return Fail(Status::NotFound(a.beir + "/corpus.jsonl is missing (the shared SciFact set; --beir DIR)"));
  }
  BeirQueries all_queries, queries;
  Qrels qrels;
  if (Status st = LoadBeirQueries(a.beir + "/queries.jsonl", &all_queries); !st.ok()) return Fail(st);
  if (Status st = LoadBeirQrels(a.beir + "/qrels/test.tsv", &qrels); !st.ok()) return Fail(st);
  for (const auto& q : all_queries) {
    if (qrels.count(q.first)) queries.push_back(q);
  }
  std::unordered_set<std::string> judged;
  for (const auto& [qid, docs] : qrels) {
    for (const auto& [doc, grade] : docs) judged.insert(doc);
  }
  std::vector<Document> docs;
  RecordReadOptions options;
  options.format = RecordFormat::kBeirCorpus;
  if (Status st = ReadRecords(a.beir + "/corpus.jsonl", options, [&](Document&& d) {
        docs.push_back(std::move(d));
        return Status::Ok();
      }, nullptr); !st.ok()) {
    return Fail(st);
  }
  double mean_words = 0;
  const std::vector<Document> long_docs = MakeLongCorpus(docs, judged, a.join, a.seed, &mean_words);
  std::filesystem::create_directories(a.work_dir);
  const std::string short_db = a.work_dir + "/abstracts.db", long_db = a.work_dir + "/long.db";
  auto t0 = Clock::now();
  if (Status st = BuildCollection(short_db, docs); !st.ok()) return Fail(st);
  const double short_s = std::chrono::duration<double>(Clock::now() - t0).count();
  t0 = Clock::now();
  if (Status st = BuildCollection(long_db, long_docs); !st.ok()) return Fail(st);
  const double long_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("%zu documents, %zu queries; %zu judged documents made long (%zu unrelated abstracts joined, "
              "%.0f words on average); ingest %.1f s abstracts, %.1f s long\n",
              docs.size(), queries.size(), judged.size(), a.join, mean_words, short_s, long_s);
  std::printf("%-14s %-6s %9s %10s %9s\n", "corpus", "mode", "nDCG@10", "Recall@100", "p50 ms");
  std::vector<Row> rows;
  if (Status st = RunMode(short_db, "abstracts", PassageMode::kMax, queries, qrels, &rows); !st.ok()) return Fail(st);
  for (PassageMode mode : {PassageMode::kWhole, PassageMode::kFirst, PassageMode::kMax}) {
    if (Status st = RunMode(long_db, "long", mode, queries, qrels, &rows); !st.ok()) return Fail(st);
  }
  nlohmann::json records = nlohmann::json::array();
  for (const Row& r : rows) {
    records.push_back({{"corpus", r.corpus}, {"passages", r.mode}, {"ndcg@10", r.ndcg10},
                       {"recall@100", r.recall100}, {"latency_p50_ms", r.p50_ms}});
  }
  const double reference = rows.front().ndcg10, maxp = rows.back().ndcg10;
  std::printf("MaxP keeps %.1f%% of the abstract-only nDCG@10 (truncation: %.1f%%, whole: %.1f%%)\n",
              100 * maxp / reference, 100 * rows[2].ndcg10 / reference, 100 * rows[1].ndcg10 / reference);
  nlohmann::json doc = {{"dataset", a.beir}, {"documents", docs.size()}, {"queries", queries.size()},
                        {"long_documents", judged.size()}, {"joined_per_document", a.join}, {"seed", a.seed},
                        {"mean_words_long", mean_words}, {"ingest_seconds_abstracts", short_s},
                        {"ingest_seconds_long", long_s}, {"rows", records}};
  const std::string out = bench::WriteBenchJson(a.out_dir, "longdoc", doc.dump(1));
  std::printf("wrote %s\n", out.c_str());
  return kExitOk;
}

}  // namespace

void AddLongDocBenchCommand(CLI::App& bench, int* exit_code) {
  auto a = std::make_shared<LongDocBenchArgs>();
  auto* cmd = bench.add_subcommand("longdoc",
      "Long documents in search: SciFact's judged abstracts each joined with unrelated ones; BM25 nDCG@10\n"
      "whole / first passage (truncation) / best passage (MaxP) against the abstract-only collection.");
  cmd->add_option("--beir", a->beir, "BEIR dataset folder (corpus.jsonl, queries.jsonl, qrels/test.tsv)")
      ->capture_default_str();
  cmd->add_option("--join", a->join, "Unrelated abstracts joined to each judged one")->capture_default_str()
      ->check(CLI::Range(0, 100));
  cmd->add_option("--seed", a->seed, "Seed for the joins and positions")->capture_default_str();
  cmd->add_option("--work-dir", a->work_dir, "Where the two collections are built")->capture_default_str();
  cmd->add_option("--out-dir", a->out_dir, "Where the JSON goes")->capture_default_str();
  cmd->callback([a, exit_code] { *exit_code = RunLongDocBench(*a); });
}

}  // namespace litrank::cli

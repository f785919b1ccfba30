// `litrank search`: two-stage search over a collection.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/search_models.h"
#include "litrank/corpus.h"
#include "litrank/embedder.h"
#include "litrank/reranker.h"
#include "litrank/search.h"
#include "litrank/extract.h"
#include "search/search_json.h"
#include "util/utf8.h"

namespace litrank::cli {
namespace {

struct SearchArgs {
  std::string db, query, format = "table";
  bool no_bm25 = false, explain = false, no_progress = false, with_extractions = false;
  double threshold = -1;
  SearchModelArgs models;
  SearchOptions options;
};

std::string OneLine(const std::string& text, size_t bytes) {
  std::string s = text.substr(0, Utf8SafePrefix(text, bytes));
  for (char& c : s) if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  return s.size() < text.size() ? s + "…" : s;
}

std::string Rank(const std::optional<size_t>& rank) { return rank ? std::to_string(*rank) : "-"; }

/// Each field of an extraction on its own indented line (lists joined by "; ").
void PrintExtraction(const std::string& json) {
  const nlohmann::ordered_json x = nlohmann::ordered_json::parse(json, nullptr, false);
  if (!x.is_object()) return;
  for (auto it = x.begin(); it != x.end(); ++it) {
    std::string v;
    if (it->is_string()) v = it->get<std::string>();
    else if (it->is_array()) for (const auto& item : *it) v += (v.empty() ? "" : "; ") + (item.is_string() ? item.get<std::string>() : item.dump());
    else v = it->dump();
    if (!v.empty()) std::printf("      %s: %s\n", it.key().c_str(), OneLine(v, 160).c_str());
  }
}

void PrintTable(const std::vector<SearchHit>& hits, bool explain, const std::map<int64_t, std::string>& extractions) {
  std::printf("%-4s  %-9s  %-5s  %s\n", "rank", "score", "year", "title");
  size_t rank = 0;
  for (const SearchHit& h : hits) {
    const Document& d = h.document.doc;
    std::printf("%-4zu  %-9.5f  %-5s  %s%s\n", ++rank, h.score, d.year ? std::to_string(d.year).c_str() : "",
                h.trace.truncated ? "[truncated] " : "", OneLine(d.title.empty() ? d.abstract : d.title, 90).c_str());
    if (h.trace.passage >= 0) {
      std::printf("      passage %d: %s\n", h.trace.passage, OneLine(h.passage, 150).c_str());
    }
    if (explain) {
      const StageTrace& t = h.trace;
      std::printf("      bm25 #%s %.3f | dense #%s %.3f | fused #%s %.4f | rerank #%s %.4f%s\n",
                  Rank(t.bm25_rank).c_str(), t.bm25_score, Rank(t.dense_rank).c_str(), t.dense_score,
                  Rank(t.fused_rank).c_str(), t.fused_score, Rank(t.rerank_rank).c_str(), t.rerank_score,
                  t.rerank_cached ? " (cached)" : "");
    }
    if (auto it = extractions.find(h.document.rowid); it != extractions.end()) PrintExtraction(it->second);
  }
}

int Run(SearchArgs& a) {
  const std::string db_path = a.db.empty() ? DefaultDbPath() : a.db;
  auto corpus = Corpus::Open(db_path, /*create=*/false);
  if (!corpus.ok()) return Fail(corpus.status());
  std::unique_ptr<Reranker> reranker;
  std::unique_ptr<Embedder> embedder;
  if (int rc = OpenSearchModels(a.models, &reranker, &embedder); rc != kExitOk) return rc;
  SearchOptions& o = a.options;
  o.bm25 = !a.no_bm25;
  o.dense = !a.models.no_dense;
  o.rerank = !a.models.no_rerank;
  if (a.threshold >= 0) o.threshold = a.threshold;
  auto searcher = Searcher::Create(corpus->get(), reranker.get(), embedder.get());
  if (!searcher.ok()) return Fail(searcher.status());
  std::vector<SearchHit> hits;
  SearchReport report;
  if (Status st = (*searcher)->Search(a.query, o, &hits, &report); !st.ok()) return Fail(st);
  for (const std::string& note : report.notes) std::fprintf(stderr, "litrank: note: %s\n", note.c_str());
  // --with-extractions: the newest stored extraction of each result (`litrank extract --db`).
  std::map<int64_t, std::string> extractions;
  if (a.with_extractions && !hits.empty()) {
    auto store = ExtractionStore::Open(db_path);
    if (!store.ok()) return Fail(store.status());
    std::vector<int64_t> rowids;
    for (const SearchHit& h : hits) rowids.push_back(h.document.rowid);
    std::vector<StoredExtraction> stored;
    if (Status st = (*store)->Latest(rowids, &stored); !st.ok()) return Fail(st);
    for (const StoredExtraction& x : stored) extractions[x.rowid] = x.json;
  }
  auto hit_json = [&](const SearchHit& h, size_t rank) {
    nlohmann::json j = SearchHitJson(h, rank, a.explain);
    if (a.with_extractions) {
      auto it = extractions.find(h.document.rowid);
      j["extraction"] = it == extractions.end() ? nlohmann::json() : nlohmann::json::parse(it->second, nullptr, false);
    }
    return j;
  };
  std::string stages;
  for (const std::string& s : report.stages) stages += (stages.empty() ? "" : " -> ") + s;
  if (a.format == "table") {
    PrintTable(hits, a.explain, extractions);
    std::fprintf(stderr, "%zu results in %.3fs (%s; %zu rerank scores from cache, %zu tokens decoded)\n",
                 hits.size(), report.seconds, stages.c_str(), report.rerank_cache_hits,
                 report.rerank_decoded_tokens);
  } else if (a.format == "jsonl") {
    size_t rank = 0;
    for (const SearchHit& h : hits) std::printf("%s\n", hit_json(h, ++rank).dump().c_str());
  } else {
    nlohmann::json out = {{"query", a.query}, {"stages", report.stages}, {"notes", report.notes},
                          {"seconds", report.seconds}, {"rerank_cache_hits", report.rerank_cache_hits},
                          {"rerank_decoded_tokens", report.rerank_decoded_tokens},
                          {"results", nlohmann::json::array()}};
    size_t rank = 0;
    for (const SearchHit& h : hits) out["results"].push_back(hit_json(h, ++rank));
    std::printf("%s\n", out.dump(2).c_str());
  }
  return kExitOk;
}

}  // namespace

void AddSearchCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<SearchArgs>();
  SearchOptions& o = a->options;
  auto* cmd = app.add_subcommand("search",
      "Search a collection: BM25 and dense recall, reciprocal-rank fusion, then the Qwen3 reranker\n"
      "on the top results. Without model files it searches with BM25 alone and says so.");
  cmd->add_option("query", a->query, "What to look for")->required();
  cmd->add_option("--db", a->db, "Collection: a file, or postgresql://USER@HOST:PORT/DB (default: $LITRANK_DB or ./litrank.db)");
  AddSearchModelOptions(cmd, &a->models);
  cmd->add_option("-i,--instruction", o.instruction, "Reranker instruction (default: web-search)");
  cmd->add_option("--task", o.embed_task, "Embedding query task (default: web-search)");
  cmd->add_option("-k,--top-k", o.top_k, "Results to show (0 = all)")->capture_default_str();
  cmd->add_option("-t,--threshold", a->threshold, "Drop results whose final score is below T");
  cmd->add_option("--bm25-n", o.bm25_candidates, "BM25 candidates")->capture_default_str();
  cmd->add_option("--dense-n", o.dense_candidates, "Dense candidates")->capture_default_str();
  cmd->add_option("--rerank-n", o.rerank_candidates, "Fused candidates the reranker re-scores")->capture_default_str();
  cmd->add_option("--k1", o.bm25_k1, "BM25 k1")->capture_default_str();
  cmd->add_option("--b", o.bm25_b, "BM25 b")->capture_default_str();
  cmd->add_option("--rrf-k", o.rrf_k, "Reciprocal-rank fusion constant")->capture_default_str();
  cmd->add_option("--dims", o.dims, "Embedding dimensions (MRL; 0 = model width)")->capture_default_str();
  cmd->add_option("--max-length", o.max_length, "Reranker token budget per pair")->capture_default_str();
  cmd->add_option_function<std::string>(
         "--passages", [&o](const std::string& v) { ParsePassageMode(v, &o.passages); },
         "Long documents (full texts, patents): max = scored by their best passage (default), "
         "first = by their first passage (truncation), whole = by the record's title, abstract and keywords alone")
      ->check(CLI::IsMember({"max", "first", "whole"}));
  cmd->add_option("--rerank-passages", o.rerank_passages, "Best passages of a long document the reranker reads")
      ->capture_default_str()->check(CLI::Range(1, 64));
  cmd->add_option("--year-from", o.filter.year_min, "Only documents from this year on");
  cmd->add_option("--year-to", o.filter.year_max, "Only documents up to this year");
  cmd->add_option("--keyword", o.filter.keywords, "Only documents with this keyword (repeatable)");
  cmd->add_option("--lang", o.filter.languages, "Only documents in this language, e.g. en, zh (repeatable)");
  cmd->add_flag("--no-bm25", a->no_bm25, "Skip BM25 recall");
  cmd->add_flag("--explain", a->explain, "Show each stage's rank and score per result");
  cmd->add_flag("--with-extractions", a->with_extractions,
                "Show each result's newest stored extraction (`litrank extract --db`); JSON: \"extraction\" (null when none)");
  cmd->add_option("-f,--format", a->format, "table | json | jsonl")
      ->check(CLI::IsMember({"table", "json", "jsonl"}))->capture_default_str();
  cmd->footer("\nExamples:\n"
              "  litrank search --db papers.db \"graph neural networks for molecules\" --explain\n"
              "  litrank search --db papers.db -r reranker.gguf -e embedding.gguf \"...\" --year-from 2020\n"
              "  litrank search --db cn.db \"深度学习 医学图像\" --lang zh");
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace litrank::cli

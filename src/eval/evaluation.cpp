#include "eval/evaluation.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "store/ingest_file.h"

namespace litrank {

Status LoadBeirDataset(const std::string& dir, const std::string& split, Corpus* corpus, EvalDataset* out) {
  *out = EvalDataset{};
  out->name = std::filesystem::path(dir).filename().string();
  StatusOr<int64_t> count = corpus->Count();
  if (!count.ok()) return count.status();
  if (*count == 0) {
    IngestReport report;
    RecordReadOptions options;
    options.format = RecordFormat::kBeirCorpus;
    LITRANK_RETURN_IF_ERROR(IngestFile(*corpus, dir + "/corpus.jsonl", options, 1000, &report));
  }
  BeirQueries all;
  LITRANK_RETURN_IF_ERROR(LoadBeirQueries(dir + "/queries.jsonl", &all));
  LITRANK_RETURN_IF_ERROR(LoadBeirQrels(dir + "/qrels/" + split + ".tsv", &out->qrels));
  for (auto& q : all) {
    if (out->qrels.count(q.first)) out->queries.push_back(std::move(q));
  }
  if (out->queries.empty()) return Status::InvalidArgument("no judged queries in " + dir + " (split " + split + ")");
  return Status::Ok();
}

Status LoadTitleQueryDataset(const std::string& jsonl, size_t max_records, Corpus* corpus, EvalDataset* out) {
  *out = EvalDataset{};
  out->name = std::filesystem::path(jsonl).stem().string() + " (title -> abstract)";
  std::ifstream in(jsonl);
  if (!in) return Status::NotFound("cannot open " + jsonl);
  std::vector<Document> docs;
  std::string line;
  for (size_t n = 1; std::getline(in, line) && (max_records == 0 || docs.size() < max_records); ++n) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("title") || !j.contains("abstract") || !j["title"].is_string() ||
        !j["abstract"].is_string()) {
      continue;  // not a paper record; the dataset is what it is
    }
    Document d;
    d.id = j.contains("id") ? (j["id"].is_string() ? j["id"].get<std::string>() : j["id"].dump()) : std::to_string(n);
    d.abstract = j["abstract"].get<std::string>();  // the title stays out: it is the query
    if (d.abstract.empty()) continue;
    out->queries.emplace_back(d.id, j["title"].get<std::string>());
    out->qrels[d.id][d.id] = 1;
    docs.push_back(std::move(d));
  }
  if (docs.empty()) return Status::InvalidArgument(jsonl + " has no records with title and abstract");
  return corpus->Add(docs, nullptr);
}

bool ParsePipeline(std::string_view name, PipelineSpec* spec) {
  PipelineSpec s;
  s.name = std::string(name);
  std::string_view recall = name;
  if (const size_t plus = name.find('+'); plus != std::string_view::npos) {
    if (name.substr(plus + 1) != "rerank") return false;
    s.rerank = true;
    recall = name.substr(0, plus);
  }
  if (recall == "bm25") {
    s.bm25 = true;
  } else if (recall == "dense") {
    s.dense = true;
  } else if (recall == "hybrid") {
    s.bm25 = s.dense = true;
  } else {
    return false;
  }
  *spec = s;
  return true;
}

Status EvaluatePipeline(Searcher& searcher, const EvalDataset& data, const PipelineSpec& spec,
                        const SearchOptions& base, PipelineScore* score,
                        const std::function<void(size_t, size_t)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  SearchOptions o = base;
  o.bm25 = spec.bm25;
  o.dense = spec.dense;
  o.rerank = spec.rerank;
  o.bm25_candidates = o.dense_candidates = 100;
  o.top_k = 100;
  o.threshold.reset();
  Rankings run;
  std::vector<SearchHit> hits;
  SearchReport report;
  for (size_t i = 0; i < data.queries.size(); ++i) {
    const auto& [id, text] = data.queries[i];
    LITRANK_RETURN_IF_ERROR(searcher.Search(text, o, &hits, &report));
    auto ran = [&](const std::string& prefix) {
      return std::any_of(report.stages.begin(), report.stages.end(),
                         [&](const std::string& s) { return s.rfind(prefix, 0) == 0; });
    };
    if ((spec.dense && !ran("dense")) || (spec.rerank && !ran("rerank"))) {
      std::string why = report.notes.empty() ? std::string("a stage could not run") : report.notes.front();
      return Status::InvalidArgument("pipeline " + spec.name + " cannot run: " + why);
    }
    std::vector<std::string>& ranked = run[id];
    for (const SearchHit& h : hits) ranked.push_back(h.document.doc.id);
    if (progress) progress(i + 1, data.queries.size());
  }
  const MetricSummary m = Evaluate(data.qrels, run, {10, 100});
  *score = PipelineScore{spec.name, m.ndcg.at(10), m.recall.at(100), m.mrr.at(10), m.queries,
                         std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
  return Status::Ok();
}

}  // namespace litrank

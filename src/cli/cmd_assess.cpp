// `litrank assess`: papers judged on criteria (the reranker, else cue words), a
// composite ranking overall and per topic, and the seminal papers.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/pool_prescore.h"
#include "cli/document_source.h"
#include "cli/search_models.h"
#include "litrank/assess.h"
#include "litrank/corpus.h"
#include "litrank/topics.h"
#include "report/json_views.h"

namespace litrank::cli {
namespace {

struct AssessArgs {
  DocumentSource source;
  std::string criteria_file, json_out;
  SearchModelArgs models;
  PoolFlags pool;
  int k = 0;
  bool no_topics = false;
  size_t show = 20;
  size_t seminal = 10;
};

void PrintTable(const Assessment& a, const std::vector<Document>& docs, const std::vector<std::string>& ids, size_t show) {
  std::printf("%-5s  %-9s  %-5s", "rank", "composite", "topic");
  for (const Criterion& c : a.criteria) std::printf("  %-12.12s", c.name.c_str());
  std::printf("  %s\n", "title");
  for (size_t r = 0; r < a.papers.size() && r < show; ++r) {
    const PaperAssessment& p = a.papers[r];
    std::printf("%-5zu  %-9.3f  %-5s", p.rank, p.composite, p.topic >= 0 ? std::to_string(p.topic).c_str() : "");
    for (size_t c = 0; c < a.criteria.size(); ++c) std::printf("  %-12.3f", p.scores[c]);
    std::printf("  %s\n", report::DisplayTitle(docs[p.index], 80).c_str());
  }
  if (!a.seminal.empty()) {
    std::printf("\nseminal papers (local citations, PageRank, citations per year%s):\n", a.model ? ", the reranker" : "");
    for (const SeminalPaper& s : a.seminal) {
      std::printf("  %.3f  cited %zux here  %-12s  %s\n", s.score, s.local_citations, ids[s.index].c_str(),
                  report::DisplayTitle(docs[s.index], 80).c_str());
    }
  }
  for (const std::string& note : a.notes) std::fprintf(stderr, "litrank: note: %s\n", note.c_str());
}

int Run(const AssessArgs& a) {
  AssessOptions options;
  options.seminal = a.seminal;
  if (!a.criteria_file.empty()) {
    StatusOr<std::vector<Criterion>> criteria = LoadCriteriaFile(a.criteria_file);
    if (!criteria.ok()) return Fail(criteria.status());
    options.criteria = std::move(*criteria);
  }
  std::vector<Document> docs;
  std::vector<std::string> ids;
  if (Status st = LoadDocumentSource(a.source, &docs, &ids); !st.ok()) return Fail(st);
  if (!a.no_topics && docs.size() >= 2) {
    TopicOptions topic_options;
    topic_options.k = a.k;
    if (topic_options.k == 0) topic_options.max_k = std::min<int>(topic_options.max_k, 12);
    StatusOr<TopicModel> topics = FindTopics(docs, topic_options);
    if (topics.ok()) {
      options.topic_of = topics->topic_of;
    } else if (topics.status().code() == Status::Code::kInvalidArgument && a.k == 0) {
      std::fprintf(stderr, "litrank: note: no per-topic rankings: %s\n", topics.status().message().c_str());
    } else {
      return Fail(topics.status());
    }
  }
  std::unique_ptr<Reranker> reranker;
  std::unique_ptr<Embedder> unused;
  SearchModelArgs models = a.models;
  models.no_dense = true;
  if (int rc = OpenSearchModels(models, &reranker, &unused); rc != kExitOk) return rc;
  // Scores of a stored collection persist in it: a repeated or interrupted run
  // decodes only the pairs it has not scored yet.
  std::unique_ptr<Corpus> corpus;
  if (reranker && a.source.docs.empty()) {
    auto opened = Corpus::Open(a.source.db.empty() ? DefaultDbPath() : a.source.db, /*create=*/false);
    if (!opened.ok()) return Fail(opened.status());
    corpus = std::move(*opened);
  }
  std::unique_ptr<ProgressBar> bar;  // one per criterion
  options.progress = [&](const std::string& name, int n, int steps) {
    if (bar) bar->Finish();
    bar = std::make_unique<ProgressBar>("assess " + name);
    std::fprintf(stderr, "litrank: assess %d/%d: %s\n", n, steps, name.c_str());
  };
  if (!a.pool.queue.empty()) {  // the pairs scored by the pool first; the run below decodes nothing
    if (!reranker || !corpus) {
      return Fail(Status::InvalidArgument("--queue needs a reranker (-r) and a stored collection (--db)"));
    }
    int64_t pairs = 0;
    Status st = PrescoreOnPool(a.pool, a.source.db.empty() ? DefaultDbPath() : a.source.db, *corpus,
                               ModelFromFlagOrEnv(a.models.reranker, "LITRANK_RERANKER"), *reranker,
                               [&](const CriterionScorer& s) { return Assess(docs, options, s).status(); }, &pairs);
    if (!st.ok()) return Fail(st);
  }
  CriterionScorer scorer;
  if (reranker) {
    scorer = RerankerScorer(reranker.get(), corpus.get(), {}, [&](size_t done, size_t total) {
      if (bar) bar->Update(done, total);
    });
  }
  StatusOr<Assessment> assessed = Assess(docs, options, scorer);
  if (bar) bar->Finish();
  if (!assessed.ok()) return Fail(assessed.status(), /*model_related=*/false);
  PrintTable(*assessed, docs, ids, a.show);
  if (!a.json_out.empty()) {
    std::ofstream out(a.json_out, std::ios::binary | std::ios::trunc);
    out << report::AssessmentJson(*assessed, docs, ids).dump(1) << "\n";
    if (!out.flush()) return Fail(Status::IOError("cannot write " + a.json_out));
  }
  return kExitOk;
}

}  // namespace

void AddAssessCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<AssessArgs>();
  auto* cmd = app.add_subcommand("assess",
      "Judge papers on criteria (innovation, practical value, rigour, impact, and your own): the reranker's\n"
      "P(yes) per criterion instruction (cue-word BM25 without one), a weighted composite ranked overall and\n"
      "per topic, and the seminal papers of the records' own citation graph. These are judgements, not facts.");
  AddDocumentSourceOptions(cmd, &a->source);
  cmd->add_option("-c,--criteria", a->criteria_file,
                  "Criteria file (JSON or TOML): your criteria and weights, added to or replacing the built-ins");
  cmd->add_option("-r,--reranker", a->models.reranker, "Reranker GGUF (default: $LITRANK_RERANKER)");
  cmd->add_flag("--no-rerank", a->models.no_rerank, "Score by cue words even when a reranker is configured");
  cmd->add_option("--threads", a->models.threads, "CPU threads for the model (0 = all)")->capture_default_str();
  cmd->add_option("--gpu-layers", a->models.gpu_layers, "Layers to offload to the GPU (-1 = all)")->capture_default_str();
  cmd->add_option("-k,--k,--topics", a->k, "Topics for the per-topic rankings (0 = choose)")->check(CLI::Range(0, 10000));
  cmd->add_flag("--no-topics", a->no_topics, "No per-topic rankings");
  cmd->add_option("-n,--show", a->show, "Papers shown in the table")->capture_default_str();
  cmd->add_option("--seminal", a->seminal, "Seminal papers listed")->check(CLI::Range(0, 10000))->capture_default_str();
  cmd->add_option("--json", a->json_out, "Write the whole assessment as JSON");
  AddPoolFlags(cmd, &a->pool, "the criteria");
  cmd->footer("\nExamples:\n"
              "  litrank assess --db papers.db -r reranker.gguf --json assessment.json\n"
              "  litrank assess --docs papers.jsonl --criteria criteria.toml --no-topics\n"
              "\ncriteria.toml:\n"
              "  [[criterion]]\n"
              "  name = \"reproducibility\"\n"
              "  instruction = \"Judge whether the paper shares its code and data so others can reproduce it\"\n"
              "  cues = [\"code\", \"open data\", \"github\", \"reproducible\"]\n"
              "  weight = 2\n"
              "  [[criterion]]\n"
              "  name = \"impact\"   # a built-in: only its weight changes\n"
              "  weight = 0.5\n");
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace litrank::cli

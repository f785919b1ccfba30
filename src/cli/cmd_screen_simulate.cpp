// `litrank screen simulate`: replay a fully labelled review and measure how
// soon the screening model finds its relevant records.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>

#include "cli/cli_common.h"
#include "litrank/screening.h"

namespace litrank::cli {
namespace {

struct SimulateArgs {
  std::string file, review, question, json_out, plot_out, strategy = "certainty";
  SimulationOptions options;
  bool no_progress = false, with_order = false;
};

nlohmann::json ResultJson(const SimulateArgs& a, const SimulationResult& r, const std::vector<bool>& included) {
  nlohmann::json runs = nlohmann::json::array();
  for (const SimulationRun& run : r.runs) {
    runs.push_back({{"seed", run.seed}, {"wss95", run.wss95}, {"rrf10", run.rrf10},
                    {"screened_at_95", run.screened_at_95}, {"stop_at", run.stop_at},
                    {"recall_at_stop", run.recall_at_stop}, {"retrains", run.retrains},
                    {"seconds", run.seconds}});
    if (a.with_order) runs.back()["order"] = run.order;
  }
  const ScreeningModelOptions& m = a.options.model;
  nlohmann::json out = {{"file", a.file},
          {"review", a.review},
          {"question", a.question},
          {"records", r.records},
          {"included", r.included},
          {"seeds", a.options.seeds},
          {"wss95", r.wss95},
          {"rrf10", r.rrf10},
          {"screened_at_95", r.screened_at_95},
          {"stopping", {{"method", "knee (Cormack & Grossman 2016, adjusted)"},
                        {"reached_95_share", r.stop_reached_95},
                        {"mean_recall_at_stop", r.mean_recall_at_stop},
                        {"mean_stop_at", r.mean_stop_at}}},
          {"model", {{"features", m.keyword_features ? "tfidf 1-2 grams: title, abstract, keywords"
                                                     : "tfidf 1-2 grams: title, abstract"},
                     {"learner", m.learner}, {"c", m.c}, {"strategy", a.strategy},
                     {"prior", a.question.empty() ? "none" : "bm25 of the question"},
                     {"prior_weight", m.prior_weight}, {"retrain_share", m.retrain_share}}},
          {"ms_per_update", r.mean_retrain_ms},
          {"runs", runs}};
  if (a.with_order) out["labels"] = included;
  return out;
}

int Run(SimulateArgs& a) {
  if (a.strategy == "certainty") a.options.model.strategy = QueryStrategy::kCertainty;
  else if (a.strategy == "uncertainty") a.options.model.strategy = QueryStrategy::kUncertainty;
  else if (a.strategy == "mixed") a.options.model.strategy = QueryStrategy::kMixed;
  else return Fail(Status::InvalidArgument("--strategy must be certainty, uncertainty or mixed"));
  std::vector<Document> docs;
  std::vector<bool> included;
  Status st = ReadLabelledReview(a.file, a.review, &docs, &included);
  if (!st.ok()) return Fail(st);
  a.options.question = a.question;
  a.options.keep_order = !a.plot_out.empty() || a.with_order;
  ProgressBar bar("simulating " + std::to_string(a.options.seeds) + " runs", !a.no_progress);
  StatusOr<SimulationResult> result =
      SimulateScreening(docs, included, a.options, [&](int done, int total) { bar.Update(done, total); });
  bar.Finish();
  if (!result.ok()) return Fail(result.status());
  std::printf("%s%s: %lld records, %lld included, %d seeds\n", a.file.c_str(),
              a.review.empty() ? "" : (" [" + a.review + "]").c_str(), static_cast<long long>(result->records),
              static_cast<long long>(result->included), a.options.seeds);
  std::printf("WSS@95 %.3f   RRF@10 %.3f   screened to 95%% recall %.1f   stopping aid reached 95%% in %.0f%% of runs\n",
              result->wss95, result->rrf10, result->screened_at_95, 100 * result->stop_reached_95);
  if (!a.json_out.empty()) {
    std::ofstream out(a.json_out);
    out << ResultJson(a, *result, included).dump(2) << "\n";
    if (!out) return Fail(Status::IOError("cannot write " + a.json_out));
  }
  if (!a.plot_out.empty()) {
    std::ofstream out(a.plot_out);
    char wss[32];
    std::snprintf(wss, sizeof wss, " (WSS@95 %.3f)", result->wss95);
    out << RecallCurveSvg(*result, included, "Recall curve: " + (a.review.empty() ? a.file : a.review) + wss);
    if (!out) return Fail(Status::IOError("cannot write " + a.plot_out));
  }
  return kExitOk;
}

}  // namespace

void AddScreenSimulateCommand(CLI::App& screen, int* exit_code) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* cmd = screen.add_subcommand(
      "simulate", "Replay a fully labelled review (ASReview CSV, JSONL, RIS) and report WSS@95, RRF@10");
  cmd->add_option("file", args->file, "Labelled records (label_included / included column)")->required();
  cmd->add_option("--review", args->review, "Pick one review out of a file holding several (its review field)");
  cmd->add_option("--question", args->question, "Research question: BM25 zero-shot prior (default: none)");
  cmd->add_option("--seeds", args->options.seeds, "Runs, each from one random include + one exclude")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--first-seed", args->options.first_seed, "Seed of the first run");
  cmd->add_option("--learner", args->options.model.learner, "svm or logistic")
      ->check(CLI::IsMember({"svm", "logistic"}));
  cmd->add_option("--c", args->options.model.c, "Inverse regularisation strength")->check(CLI::PositiveNumber);
  cmd->add_option("--strategy", args->strategy, "certainty, uncertainty or mixed");
  cmd->add_option("--prior-weight", args->options.model.prior_weight, "Weight of the question's prior")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--retrain-share", args->options.model.retrain_share,
                  "Retrain after this share of the records screened so far")->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("!--no-keywords", args->options.model.keyword_features, "Leave keywords / MeSH out of the features");
  cmd->add_option("--json", args->json_out, "Write the results as JSON");
  cmd->add_option("--plot", args->plot_out, "Write the recall curves as SVG");
  cmd->add_flag("--with-order", args->with_order, "Also write each run's screening order and the labels");
  cmd->add_flag("--no-progress", args->no_progress, "No progress bar");
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace litrank::cli

// `litrank screen`: screening projects for systematic reviews — start, next,
// label, import, status, export (and `simulate`, in cmd_screen_simulate.cpp).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/cli_common.h"
#include "cli/pool_wait.h"
#include "distributed/pool_jobs.h"
#include "litrank/reranker.h"
#include "litrank/screening.h"
#include "store/sql.h"

namespace litrank::cli {
namespace {

struct ScreenArgs {
  std::string db, project = "default";
  // start
  ScreeningSettings settings;
  std::string reranker;
  int threads = 0, gpu_layers = 0;
  size_t batch = 64;
  bool batch_invariant = true;  // screening decisions must not depend on what shared a round
  bool no_prior = false;
  // next / label / import / export
  size_t count = 1;
  int64_t id = 0;
  std::string decision, file, format = "csv", out;
  bool json = false, no_progress = false;
  // prior on a worker pool
  std::string queue, prefix = "litrank";
  size_t task_size = 64;
};

std::string DbPath(const ScreenArgs& a) { return a.db.empty() ? DefaultDbPath() : a.db; }

std::atomic<bool> g_interrupted{false};

// --queue: the records not scored yet go to the worker pool as a "screen-prior"
// job (the workers open the same model path); prints how many were scored.
int ScoreOnPool(ScreeningProject& project, const ScreenArgs& a, Reranker& reranker) {
  auto queue = WorkQueue::Open(a.queue, a.prefix);
  if (!queue.ok()) return Fail(queue.status());
  auto corpus = Corpus::Open(DbPath(a), /*create=*/false);
  if (!corpus.ok()) return Fail(corpus.status());
  auto collection = (*corpus)->CollectionId();
  if (!collection.ok()) return Fail(collection.status());
  int64_t job = 0, records = 0;
  if (Status st = SubmitScreenPriorJob(project, **queue, DbPath(a), *collection, a.project, a.reranker,
                                       reranker.fingerprint(), a.batch_invariant, a.task_size, &job, &records);
      !st.ok()) {
    return Fail(st);
  }
  int64_t scored = 0;
  if (job > 0) {
    auto state = AwaitPoolJob(**queue, job, "records", records, a.task_size, a.queue, !a.no_progress);
    if (!state.ok()) return Fail(state.status());
    scored = state->items;
  }
  std::printf("%lld\n", static_cast<long long>(scored));
  return kExitOk;
}

int ScoreWithReranker(ScreeningProject& project, const ScreenArgs& a) {
  RerankerConfig config;
  config.threads = a.threads;
  config.gpu_layers = a.gpu_layers;
  config.batch_invariant = a.batch_invariant;
  auto reranker = Reranker::Open(a.reranker, config);
  if (!reranker.ok()) return Fail(reranker.status(), /*model_related=*/true);
  if (!a.queue.empty()) return ScoreOnPool(project, a, **reranker);
  std::signal(SIGINT, [](int) { g_interrupted = true; });
  ProgressBar bar("zero-shot scores", !a.no_progress);
  Status st = project.ComputeRerankerPrior(**reranker, a.batch, [&](size_t d, size_t t) { bar.Update(d, t); },
                                           [] { return g_interrupted.load(); });
  bar.Finish();
  std::signal(SIGINT, SIG_DFL);
  if (!st.ok()) return Fail(st);
  return kExitOk;
}

void PrintStatus(const ScreeningStatus& s, bool json) {
  if (json) {
    std::printf("%s\n", nlohmann::json{{"project", s.name}, {"question", s.question}, {"criteria", s.criteria},
                                      {"prior", s.prior}, {"records", s.records}, {"screened", s.screened},
                                      {"included", s.included}, {"excluded", s.excluded}, {"maybe", s.maybe},
                                      {"prior_scored", s.prior_scored}, {"model_trained", s.model_trained},
                                      {"stopping", {{"estimated_remaining", s.stopping.estimated_remaining},
                                                    {"suggest_stop", s.stopping.suggest_stop},
                                                    {"knee_slope_ratio", s.stopping.knee_slope_ratio}}}}
                               .dump(2).c_str());
    return;
  }
  std::printf("project %s: %s\n", s.name.c_str(), s.question.c_str());
  std::printf("  screened %lld of %lld (%.1f%%): %lld included, %lld excluded, %lld maybe\n",
              static_cast<long long>(s.screened), static_cast<long long>(s.records),
              s.records > 0 ? 100.0 * static_cast<double>(s.screened) / static_cast<double>(s.records) : 0.0,
              static_cast<long long>(s.included), static_cast<long long>(s.excluded), static_cast<long long>(s.maybe));
  std::printf("  ranking: %s%s\n", s.model_trained ? "classifier on your labels + " : "zero-shot ",
              s.prior.c_str());
  std::printf("  estimated relevant records not yet found: %.1f\n", s.stopping.estimated_remaining);
  std::printf("  stopping aid (knee rule): %s\n",
              s.stopping.suggest_stop ? "you may stop: the includes have levelled off"
                                      : "keep screening");
}

int Start(ScreenArgs& a) {
  int64_t imported = 0;
  auto project = ScreeningProject::Create(DbPath(a), a.project, a.settings, &imported);
  if (!project.ok()) return Fail(project.status());
  std::printf("started screening project '%s' on %s (%lld labels imported from the records)\n", a.project.c_str(),
              sql::DisplayLocation(DbPath(a)).c_str(), static_cast<long long>(imported));
  if (!a.reranker.empty()) return ScoreWithReranker(**project, a);
  std::printf("zero-shot order: BM25 of the question (give --reranker for Qwen3-Reranker scores)\n");
  return kExitOk;
}

int WithProject(const ScreenArgs& a, const std::function<int(ScreeningProject&)>& fn) {
  auto project = ScreeningProject::Open(DbPath(a), a.project);
  if (!project.ok()) return Fail(project.status());
  return fn(**project);
}

int Next(const ScreenArgs& a) {
  return WithProject(a, [&](ScreeningProject& p) -> int {
    auto next = p.Next(a.count);
    if (!next.ok()) return Fail(next.status());
    if (a.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const ScreenCandidate& c : *next) {
        out.push_back({{"id", c.rowid}, {"score", c.score}, {"title", c.doc.doc.title},
                       {"abstract", c.doc.doc.abstract}, {"year", c.doc.doc.year}, {"doi", c.doc.doc.doi}});
      }
      std::printf("%s\n", out.dump(2).c_str());
      return kExitOk;
    }
    if (next->empty()) std::printf("every record has been screened\n");
    for (const ScreenCandidate& c : *next) {
      std::printf("[%lld] score %.3f  %s (%d)\n    %s\n\n", static_cast<long long>(c.rowid), c.score,
                  c.doc.doc.title.c_str(), c.doc.doc.year, c.doc.doc.abstract.substr(0, 600).c_str());
    }
    return kExitOk;
  });
}

}  // namespace

void AddScreenCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<ScreenArgs>();
  CLI::App* screen = app.add_subcommand("screen", "Screen records for a systematic review with active learning");
  screen->require_subcommand(1);
  auto common = [&](CLI::App* cmd) {
    cmd->add_option("--db", a->db, "Collection: a file, or postgresql://USER@HOST:PORT/DB (default $LITRANK_DB or ./litrank.db)");
    cmd->add_option("-p,--project", a->project, "Screening project name")->capture_default_str();
  };

  CLI::App* start = screen->add_subcommand("start", "Start a project on a collection: question, criteria, prior");
  common(start);
  start->add_option("-q,--question", a->settings.question, "The research question")->required();
  start->add_option("-c,--criteria", a->settings.criteria, "Inclusion criteria (the reranker's instruction)");
  start->add_option("-r,--reranker", a->reranker, "Qwen3-Reranker GGUF for zero-shot scores (else BM25)");
  start->add_option("--threads", a->threads, "CPU threads for the reranker (0 = all)");
  start->add_option("--gpu-layers", a->gpu_layers, "Layers on the GPU (CUDA builds; -1 = all)");
  start->add_flag("--batch-invariant,!--no-batch-invariant", a->batch_invariant,
                  "Bit-identical prior scores whatever else is decoded with them, also across a resumed run "
                  "(default, CPU builds; --no-batch-invariant: about twice as fast, scores vary below 1e-3)");
  start->add_option("--batch", a->batch, "Records per committed batch of zero-shot scores")->check(CLI::Range(1, 4096));
  start->add_option("--learner", a->settings.model.learner, "svm or logistic")->check(CLI::IsMember({"svm", "logistic"}));
  start->add_flag("--no-progress", a->no_progress, "No progress bar");
  start->callback([a, exit_code] { *exit_code = Start(*a); });

  CLI::App* prior = screen->add_subcommand("prior", "(Re)compute or resume the reranker's zero-shot scores");
  common(prior);
  prior->add_option("-r,--reranker", a->reranker, "Qwen3-Reranker GGUF")->required();
  prior->add_option("--threads", a->threads, "CPU threads (0 = all)");
  prior->add_option("--gpu-layers", a->gpu_layers, "Layers on the GPU (CUDA builds; -1 = all)");
  prior->add_flag("--batch-invariant,!--no-batch-invariant", a->batch_invariant,
                  "Bit-identical prior scores whatever else is decoded with them, also across a resumed run "
                  "(default, CPU builds; --no-batch-invariant: about twice as fast, scores vary below 1e-3)");
  prior->add_option("--batch", a->batch, "Records per committed batch")->check(CLI::Range(1, 4096));
  prior->add_flag("--no-progress", a->no_progress, "No progress bar");
  prior->add_option("--queue", a->queue,
                    "Score on a worker pool instead (redis://HOST:PORT; workers run `litrank worker` on this collection "
                    "and can open the same model path); prints the number of records scored");
  prior->add_option("--prefix", a->prefix, "Key prefix of the queue (as the workers were given)")->capture_default_str();
  prior->add_option("--task-size", a->task_size, "Records per task on the pool")->check(CLI::Range(1, 4096));
  prior->callback([a, exit_code] {
    *exit_code = WithProject(*a, [&](ScreeningProject& p) -> int { return ScoreWithReranker(p, *a); });
  });

  CLI::App* next = screen->add_subcommand("next", "Show the records to screen next, most likely relevant first");
  common(next);
  next->add_option("-n,--count", a->count, "How many")->check(CLI::Range(1, 10000));
  next->add_flag("--json", a->json, "JSON output");
  next->callback([a, exit_code] { *exit_code = Next(*a); });

  CLI::App* label = screen->add_subcommand("label", "Record a decision: label ID include|exclude|maybe");
  common(label);
  label->add_option("id", a->id, "Record id (as `next` shows it)")->required();
  label->add_option("decision", a->decision, "include, exclude or maybe")->required();
  label->callback([a, exit_code] {
    ScreenDecision d;
    if (!ParseScreenDecision(a->decision, &d)) {
      *exit_code = Fail(Status::InvalidArgument("decision must be include, exclude or maybe, not '" + a->decision + "'"));
      return;
    }
    *exit_code = WithProject(*a, [&](ScreeningProject& p) -> int {
      Status st = p.Label(a->id, d, "cli");
      if (!st.ok()) return Fail(st);
      std::printf("%lld: %s\n", static_cast<long long>(a->id), ScreenDecisionName(d));
      return kExitOk;
    });
  });

  CLI::App* import = screen->add_subcommand("import", "Import decisions from a labelled file (ASReview CSV, RIS, JSONL)");
  common(import);
  import->add_option("file", a->file, "Labelled records")->required();
  import->callback([a, exit_code] {
    *exit_code = WithProject(*a, [&](ScreeningProject& p) -> int {
      int64_t matched = 0, unmatched = 0;
      Status st = p.ImportLabels(a->file, &matched, &unmatched);
      if (!st.ok()) return Fail(st);
      std::printf("%s: %lld labels imported, %lld labelled records not in the collection\n", a->file.c_str(),
                  static_cast<long long>(matched), static_cast<long long>(unmatched));
      return kExitOk;
    });
  });

  CLI::App* status = screen->add_subcommand("status", "Progress and the stopping estimate");
  common(status);
  status->add_flag("--json", a->json, "JSON output");
  status->callback([a, exit_code] {
    *exit_code = WithProject(*a, [&](ScreeningProject& p) -> int {
      auto s = p.GetStatus();
      if (!s.ok()) return Fail(s.status());
      PrintStatus(*s, a->json);
      return kExitOk;
    });
  });

  CLI::App* exp = screen->add_subcommand("export", "Write the records with decisions: csv (ASReview), ris, bibtex");
  common(exp);
  exp->add_option("-f,--format", a->format, "csv, ris or bibtex (included records only)")
      ->check(CLI::IsMember({"csv", "ris", "bibtex"}));
  exp->add_option("-o,--out", a->out, "Output file (default stdout)");
  exp->callback([a, exit_code] {
    *exit_code = WithProject(*a, [&](ScreeningProject& p) -> int {
      std::ofstream file;
      if (!a->out.empty()) file.open(a->out, std::ios::binary);
      std::ostream& out = a->out.empty() ? std::cout : file;
      Status st = p.Export(a->format, out);
      if (st.ok() && !out.flush()) st = Status::IOError("cannot write " + a->out);
      return st.ok() ? kExitOk : Fail(st);
    });
  });

  CLI::App* list = screen->add_subcommand("list", "List the screening projects of a collection");
  list->add_option("--db", a->db, "Collection: a file or postgresql://USER@HOST:PORT/DB");
  list->callback([a, exit_code] {
    std::vector<std::string> names;
    Status st = ScreeningProject::List(DbPath(*a), &names);
    if (!st.ok()) { *exit_code = Fail(st); return; }
    for (const std::string& n : names) std::printf("%s\n", n.c_str());
    *exit_code = kExitOk;
  });

  AddScreenSimulateCommand(*screen, exit_code);
}

}  // namespace litrank::cli

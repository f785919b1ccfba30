// `litrank review`: from a collection (and a question) to report.md + report.html.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>

#include "cli/cli_common.h"
#include "cli/pool_prescore.h"
#include "cli/document_source.h"
#include "cli/search_models.h"
#include "litrank/corpus.h"
#include "litrank/review.h"

namespace litrank::cli {
namespace {

struct ReviewArgs {
  DocumentSource source;
  std::string out, thesaurus, criteria;
  bool quiet = false, no_assess = false;
  SearchModelArgs models;
  PoolFlags pool;
  ReviewOptions options;
};

int Run(ReviewArgs a) {
  if (!a.thesaurus.empty()) {
    if (Status st = LoadThesaurus(a.thesaurus, &a.options.keywords.thesaurus); !st.ok()) return Fail(st);
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<Document> docs;
  std::vector<std::string> ids;
  if (Status st = LoadDocumentSource(a.source, &docs, &ids); !st.ok()) return Fail(st);
  if (!a.quiet) {
    a.options.progress = [](const std::string& step, int n, int steps) {
      std::fprintf(stderr, "[%d/%d] %s\n", n, steps, step.c_str());
    };
  }
  a.options.assess = !a.no_assess;
  if (!a.criteria.empty()) {
    StatusOr<std::vector<Criterion>> criteria = LoadCriteriaFile(a.criteria);
    if (!criteria.ok()) return Fail(criteria.status());
    a.options.assessment.criteria = std::move(*criteria);
  }
  // The assessment's reranker (flag only); on a collection its scores are kept in
  // the file, so a repeated or interrupted review decodes only what is missing.
  std::unique_ptr<Reranker> reranker;
  std::unique_ptr<Embedder> unused;
  SearchModelArgs models = a.models;
  models.no_dense = true;
  models.no_rerank = a.models.reranker.empty() || a.no_assess;
  if (int rc = OpenSearchModels(models, &reranker, &unused); rc != kExitOk) return rc;
  std::unique_ptr<Corpus> corpus;
  if (reranker && a.source.docs.empty()) {
    auto opened = Corpus::Open(a.source.db.empty() ? DefaultDbPath() : a.source.db, /*create=*/false);
    if (!opened.ok()) return Fail(opened.status());
    corpus = std::move(*opened);
  }
  if (!a.pool.queue.empty()) {  // the assessment's pairs scored by the pool first
    if (!reranker || !corpus) {
      return Fail(Status::InvalidArgument("--queue needs a reranker (-r) and a stored collection (--db)"));
    }
    int64_t pairs = 0;
    ReviewOptions dry = a.options;
    dry.progress = {};
    Status st = PrescoreOnPool(a.pool, a.source.db.empty() ? DefaultDbPath() : a.source.db, *corpus,
                               ModelFromFlagOrEnv(a.models.reranker, "LITRANK_RERANKER"), *reranker,
                               [&](const CriterionScorer& s) {
                                 dry.scorer = s;
                                 return BuildReview(docs, dry).status();
                               },
                               &pairs);
    if (!st.ok()) return Fail(st);
  }
  ProgressBar bar("assess", !a.quiet);
  if (reranker) {
    a.options.scorer = RerankerScorer(reranker.get(), corpus.get(), {},
                                      [&](size_t done, size_t total) { bar.Update(done, total); });
  }
  StatusOr<Review> review = BuildReview(docs, a.options);
  bar.Finish();
  if (!review.ok()) return Fail(review.status());
  if (Status st = WriteReview(*review, docs, ids, a.out); !st.ok()) return Fail(st);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s/report.html\n%s/report.md\n", a.out.c_str(), a.out.c_str());
  std::fprintf(stderr, "%zu records, %zu sections, %.1f s%s%s\n", docs.size(), review->outline.size(), seconds,
               review->trends ? "" : ("; no trends: " + review->trends_note).c_str(),
               review->keywords ? "" : ("; no keyword network: " + review->keywords_note).c_str());
  return kExitOk;
}

}  // namespace

void AddReviewCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<ReviewArgs>();
  auto* cmd = app.add_subcommand("review",
      "One step from a collection to a review report: topics, trends and bursts, the keyword network, the\n"
      "assessment (criteria, seminal papers), key papers per topic and an outline; writes DIR/report.md, a self-contained DIR/report.html and the JSON.");
  AddDocumentSourceOptions(cmd, &a->source);
  AddPoolFlags(cmd, &a->pool, "the assessment");
  cmd->add_option("-o,--out", a->out, "Directory for the report (created)")->required();
  cmd->add_option("-q,--question", a->options.question, "The review question: orders sections and key papers");
  cmd->add_option("-k,--k,--topics", a->options.topics.k, "Number of sections/topics (0 = choose, at most 12)")
      ->check(CLI::Range(0, 10000));
  cmd->add_option("--key-papers", a->options.key_papers, "Key papers per section")->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--thesaurus", a->thesaurus, "VOSviewer thesaurus for the keyword network");
  cmd->add_option("-r,--reranker", a->models.reranker, "Reranker GGUF that judges the assessment's criteria (else cue words)");
  cmd->add_option("--threads", a->models.threads, "CPU threads for the reranker (0 = all)")->capture_default_str();
  cmd->add_option("--criteria", a->criteria, "Assessment criteria file (TOML or JSON; see `litrank assess`)");
  cmd->add_flag("--no-assess", a->no_assess, "Leave the assessment out");
  cmd->add_option("--seed", a->options.topics.seed, "Seed (same input and seed, same report)")->capture_default_str();
  cmd->add_flag("--quiet", a->quiet, "No progress lines");
  cmd->footer(
      "\nExamples:\n"
      "  litrank review --db review.db --out report --question \"statins and dementia\"\n");
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace litrank::cli

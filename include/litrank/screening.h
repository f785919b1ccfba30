// litrank — screening for systematic reviews: active learning over a
// collection's records, a zero-shot start from the research question, a
// stopping aid, and simulation on fully labelled reviews.
//
// The classifier is a linear model (liblinear) on TF-IDF unigrams and bigrams
// of title + abstract + keywords; after each decision it is retrained on every
// label so far and the record it rates most relevant is shown next (certainty
// sampling). Before the first include and exclude exist, records are ordered by
// the zero-shot prior: the Qwen3-Reranker's score against the question (with
// the inclusion criteria as its instruction) or, without a model, BM25 of the
// question.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "litrank/corpus.h"
#include "litrank/document.h"
#include "litrank/status.h"

namespace litrank {

/// How the next record is chosen from the classifier's scores.
enum class QueryStrategy {
  kCertainty,    ///< the highest score first (ASReview's "max")
  kUncertainty,  ///< the score closest to the decision boundary first
  kMixed,        ///< certainty, with a share of random picks (random_share)
};

/// The learner and its schedule.
struct ScreeningModelOptions {
  std::string learner = "svm";   ///< "svm" (linear SVM) or "logistic"
  double c = 0.11;               ///< inverse regularisation strength
  QueryStrategy strategy = QueryStrategy::kCertainty;
  double random_share = 0.05;    ///< kMixed: share of picks made at random
  /// Weight of the standardised zero-shot prior added to the classifier's score,
  /// divided by the number of includes so far (the prior fades as labels grow).
  double prior_weight = 0.3;
  /// Retrain after this share of the records screened so far (at least every
  /// record while few are screened; 0.02 = after every 2%).
  double retrain_share = 0.02;
  bool keyword_features = true;  ///< also learn from keywords / MeSH terms
};

/// Decision on one record.
enum class ScreenDecision { kExclude = 0, kInclude = 1, kMaybe = 2 };

/// Parses "include"/"exclude"/"maybe" (also "1"/"0", "yes"/"no", case-insensitive).
bool ParseScreenDecision(const std::string& text, ScreenDecision* out);
/// "include", "exclude" or "maybe".
const char* ScreenDecisionName(ScreenDecision d);

/// The label a record carries from its source file, if any: ASReview's
/// `label_included` / `included` (1/0, -1 = unseen), RIS N1/LB notes like
/// "included"/"excluded", JSONL `label_included`. Read from Document::extra_json.
std::optional<ScreenDecision> LabelFromRecord(const Document& doc);

/// The stopping aid at one point of a review.
struct StoppingEstimate {
  int64_t screened = 0;
  int64_t found = 0;              ///< includes so far
  double estimated_remaining = 0; ///< relevant records estimated still unseen
  bool suggest_stop = false;      ///< the knee rule's verdict (see docs)
  double knee_slope_ratio = 0;
};

/// Computes the stopping aid from the sequence of decisions in screening order
/// (true = include) out of `total` records. Documented in docs/SCREENING.md.
StoppingEstimate EstimateStopping(const std::vector<bool>& included_in_order, int64_t total);

/// Settings of a simulation.
struct SimulationOptions {
  int seeds = 5;
  uint64_t first_seed = 0;
  std::string question;          ///< the zero-shot prior's query (BM25); "" = none
  ScreeningModelOptions model;
  bool keep_order = false;       ///< keep each run's screening order (for plots)
};

/// One replayed review.
struct SimulationRun {
  uint64_t seed = 0;
  double wss95 = 0;
  double rrf10 = 0;
  int64_t screened_at_95 = 0;
  int64_t stop_at = 0;           ///< where the stopping aid first said stop (records screened)
  double recall_at_stop = 0;     ///< recall reached there
  std::vector<uint32_t> order;   ///< record indexes in screening order (keep_order)
  double seconds = 0;
  int retrains = 0;
};

/// Means over runs, plus every run.
struct SimulationResult {
  int64_t records = 0;
  int64_t included = 0;
  double wss95 = 0, rrf10 = 0, screened_at_95 = 0;
  double stop_reached_95 = 0;    ///< share of runs where stopping at the aid's suggestion had recall >= 0.95
  double mean_recall_at_stop = 0, mean_stop_at = 0;
  double mean_retrain_ms = 0;
  std::vector<SimulationRun> runs;
};

/// Replays a fully labelled review (`included[i]` for docs[i]): each seed starts
/// from one random include and one random exclude as prior knowledge (as
/// ASReview's simulations do), then screens everything in the model's order.
/// InvalidArgument when there are no includes or no excludes, or sizes differ.
/// `progress(done_runs, total_runs)` may be empty.
StatusOr<SimulationResult> SimulateScreening(const std::vector<Document>& docs,
                                             const std::vector<bool>& included,
                                             const SimulationOptions& options,
                                             const std::function<void(int, int)>& progress = {});

/// An SVG line chart of recall against records screened for each run, with the
/// random-screening diagonal and the 95% line.
std::string RecallCurveSvg(const SimulationResult& result, const std::vector<bool>& included,
                           const std::string& title);

}  // namespace litrank

namespace litrank {

/// Reads a fully labelled review for simulation: any format `ingest` reads
/// (ASReview/SYNERGY CSV, JSONL with `label_included`, RIS with labels in N1/LB).
/// `review` non-empty keeps only records whose `review` field equals it (a
/// JSONL holding several reviews). Errors: the reader's, InvalidArgument when
/// no record carries a label, when some records lack one (names how many and
/// the first), or when `review` matches no record (lists the reviews present).
Status ReadLabelledReview(const std::string& path, const std::string& review, std::vector<Document>* docs,
                          std::vector<bool>* included);

}  // namespace litrank

namespace litrank {

class Reranker;

/// What a screening project is for, fixed when it starts.
struct ScreeningSettings {
  std::string question;   ///< the research question (zero-shot query)
  std::string criteria;   ///< inclusion criteria: the reranker's instruction
  ScreeningModelOptions model;
};

/// A record shown for screening.
struct ScreenCandidate {
  int64_t rowid = 0;
  double score = 0;       ///< the model's relevance score (larger = more likely relevant)
  StoredDocument doc;
};

/// Where a project stands.
struct ScreeningStatus {
  std::string name, question, criteria;
  std::string prior;      ///< "bm25", "none" or "reranker:<model fingerprint>"
  int64_t records = 0, screened = 0, included = 0, excluded = 0, maybe = 0;
  int64_t prior_scored = 0;     ///< records with a reranker prior score
  bool model_trained = false;   ///< both an include and an exclude exist
  StoppingEstimate stopping;
};

/// One screening project inside a collection file. Every label is committed
/// before Label returns (kill -9 loses none); Next re-ranks from the labels in
/// the file, so any process can pick a project up where another left it.
/// Not thread-safe: one object per thread.
class ScreeningProject {
 public:
  /// Starts project `name` on every record of the collection at `db_path`.
  /// Labels that records brought from their files (see LabelFromRecord) are
  /// imported with source "import"; *imported (may be null) gets their count.
  /// InvalidArgument for an empty name or question, an empty collection, or a
  /// name already taken.
  static StatusOr<std::unique_ptr<ScreeningProject>> Create(const std::string& db_path, const std::string& name,
                                                            const ScreeningSettings& settings, int64_t* imported);
  /// Opens an existing project; NotFound (listing the projects) when absent.
  static StatusOr<std::unique_ptr<ScreeningProject>> Open(const std::string& db_path, const std::string& name);
  /// The projects in a collection file.
  static Status List(const std::string& db_path, std::vector<std::string>* names);
  virtual ~ScreeningProject() = default;

  /// Scores every record against the question with the reranker (criteria as
  /// its instruction) and keeps the scores as the project's prior. Resumable:
  /// records already scored are skipped; each batch is committed. `progress`
  /// and `cancelled` may be empty; on cancel returns Cancelled with the work so
  /// far kept.
  virtual Status ComputeRerankerPrior(Reranker& reranker, size_t batch,
                                      const std::function<void(size_t, size_t)>& progress,
                                      const std::function<bool()>& cancelled) = 0;
  /// The two halves of ComputeRerankerPrior, for scoring on a worker pool: makes
  /// the model with `fingerprint` the project's prior (another model's scores are
  /// dropped: they are not comparable) and lists the records not scored yet.
  virtual Status BeginRerankerPrior(const std::string& fingerprint, std::vector<int64_t>* todo) = 0;
  /// Scores `rowids` (ones deleted since are skipped) with `reranker` and stores
  /// them, in one transaction; running it twice stores the same. InvalidArgument
  /// when the project's prior is no longer this reranker's (BeginRerankerPrior ran
  /// for another model since).
  virtual Status ScorePrior(Reranker& reranker, const std::vector<int64_t>& rowids,
                            const std::function<bool()>& cancelled) = 0;
  /// The `count` unscreened records to look at next, best first (retrains when
  /// enough labels arrived since the last ranking). Records are logged as shown.
  virtual StatusOr<std::vector<ScreenCandidate>> Next(size_t count) = 0;
  /// Records a decision (replacing an earlier one). NotFound for an unknown id.
  virtual Status Label(int64_t rowid, ScreenDecision decision, const std::string& source) = 0;
  /// Labels from a file of records (any ingest format) matched to this
  /// collection by DOI, source id, or title + year. *matched / *unmatched get
  /// counts. InvalidArgument when the file has no labels or none match.
  virtual Status ImportLabels(const std::string& path, int64_t* matched, int64_t* unmatched) = 0;
  /// Counts, the prior in use and the stopping aid.
  virtual StatusOr<ScreeningStatus> GetStatus() = 0;
  /// The rowids whose current decision is `decision`, in the order they were
  /// screened (what `cluster --project` and the other map-of-the-field commands read).
  virtual Status Decided(ScreenDecision decision, std::vector<int64_t>* rowids) = 0;
  /// Writes every record with its decision: "csv" (ASReview-compatible:
  /// label_included 1/0/-1, screening order), "ris" (decision in N1 as
  /// ASReview_relevant / ASReview_irrelevant / ASReview_not_seen) or "bibtex"
  /// (the included records only).
  virtual Status Export(const std::string& format, std::ostream& out) = 0;
};

}  // namespace litrank

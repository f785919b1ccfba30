// `litrank bench screen`: screening simulations on the shared reviews (Cohen
// 2006, SYNERGY) side by side with the reference ASReview-style script
// (../shared/tools/screen_ref.py: TF-IDF + linear SVM, certainty sampling),
// and the time of one model update at 10,000 records. Table + JSON.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "bench_support.h"
#include "cli/cli_common.h"
#include "ingest/record_reader.h"
#include "litrank/screening.h"
#include "screen/active_learner.h"
#include "screen/screen_features.h"

namespace litrank::cli {
namespace {

struct ScreenBenchArgs {
  std::string shared = "../shared", out_dir = "bench/results", python = "/usr/bin/python3";
  int seeds = 5, reference_seeds = 3, update_records = 10000, updates = 20;
  bool no_reference = false;
  std::vector<std::string> only;
};

/// A shared review and the question litrank uses for it: the Cohen reviews'
/// drug classes and the SYNERGY reviews' published titles.
struct Review {
  std::string name, file, review, question;
};

std::vector<Review> Reviews(const std::string& shared) {
  const std::string c = shared + "/datasets/cohen2006/cohen2006_5reviews.jsonl";
  const std::string s = shared + "/datasets/synergy/";
  return {
      {"ACEInhibitors", c, "ACEInhibitors", "ACE inhibitors (angiotensin-converting enzyme inhibitors)"},
      {"ADHD", c, "ADHD", "drugs for attention deficit hyperactivity disorder (ADHD)"},
      {"Antihistamines", c, "Antihistamines", "newer antihistamines"},
      {"AtypicalAntipsychotics", c, "AtypicalAntipsychotics", "atypical antipsychotics"},
      {"Triptans", c, "Triptans", "triptans for migraine"},
      {"Donners_2021", s + "Donners_2021.csv", "", "Pharmacokinetics and associated efficacy of emicizumab in humans: a systematic review"},
      {"Meijboom_2021", s + "Meijboom_2021.csv", "",
       "Patients retransitioning from biosimilar TNFalpha inhibitor to the corresponding originator after initial "
       "transitioning to the biosimilar: a systematic review"},
      {"van_der_Valk_2021", s + "van_der_Valk_2021.csv", "",
       "Cross-sectional relation of long-term glucocorticoids in hair with anthropometric measurements and their "
       "possible determinants: a systematic review and meta-analysis"},
  };
}

/// Runs the reference script; its one JSON line, or null when it fails.
nlohmann::json RunReference(const ScreenBenchArgs& a, const Review& r) {
  std::string cmd = a.python + " " + a.shared + "/tools/screen_ref.py " + r.file + " --seeds " +
                    std::to_string(a.reference_seeds) + (r.review.empty() ? "" : " --review " + r.review) +
                    " 2>/dev/null";
  std::string out;
  if (!bench::RunCapture(cmd, &out)) return nullptr;
  const nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
  return j.is_object() ? j : nlohmann::json(nullptr);
}

/// Median milliseconds of one model update (retrain + score + pick) over
/// `records` real abstracts (SciFact + the Cohen reviews), a few percent labelled.
StatusOr<nlohmann::json> TimeUpdates(const ScreenBenchArgs& a) {
  std::vector<Document> docs;
  for (const std::string& path : {a.shared + "/datasets/scifact/corpus.jsonl",
                                 a.shared + "/datasets/cohen2006/cohen2006_5reviews.jsonl"}) {
    Status st = ReadRecords(path, RecordReadOptions{}, [&](Document&& d) {
      if (docs.size() < static_cast<size_t>(a.update_records)) docs.push_back(std::move(d));
      return Status::Ok();
    }, nullptr);
    LITRANK_RETURN_IF_ERROR(st);
  }
  auto t0 = std::chrono::steady_clock::now();
  StatusOr<screen::ScreeningFeatures> features = screen::BuildScreeningFeatures(docs, "statins and dementia", {});
  if (!features.ok()) return features.status();
  const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  screen::RelevanceModel model(features->rows, features->prior, {});
  std::mt19937_64 rng(1);
  nlohmann::json rows = nlohmann::json::array();
  for (double share : {0.01, 0.1, 0.5}) {
    screen::LabelVector labels(docs.size(), -1);
    std::bernoulli_distribution labelled(share), relevant(0.1);
    for (int8_t& l : labels) {
      if (labelled(rng)) l = relevant(rng) ? 1 : 0;
    }
    std::vector<double> ms, scores;
    for (int i = 0; i < a.updates; ++i) {
      const auto s = std::chrono::steady_clock::now();
      LITRANK_RETURN_IF_ERROR(model.Score(labels, &scores));
      model.Pick(labels, {}, scores, 10, rng);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count());
    }
    rows.push_back({{"labelled_share", share}, {"median_ms", bench::Median(ms)}, {"p90_ms", bench::Percentile(ms, 90)}});
  }
  return nlohmann::json{{"records", docs.size()}, {"features", features->rows.dims},
                        {"feature_build_s", build_s}, {"updates", rows}};
}

int RunScreenBench(const ScreenBenchArgs& a) {
  if (!std::filesystem::exists(a.shared + "/datasets")) {
    return Fail(Status::NotFound(a.shared + "/datasets is absent: the screening benchmark needs the shared reviews"));
  }
  const bool reference = !a.no_reference && std::filesystem::exists(a.shared + "/tools/screen_ref.py");
  nlohmann::json records = nlohmann::json::array();
  std::printf("%-24s %7s %5s | %-15s | %-15s | %-15s\n", "review", "records", "incl", "litrank+question",
              "litrank no prior", reference ? "reference (py)" : "reference: off");
  std::printf("%-24s %7s %5s | %7s %7s | %7s %7s | %7s %7s\n", "", "", "", "WSS@95", "RRF@10", "WSS@95", "RRF@10",
              "WSS@95", "RRF@10");
  double sums[6] = {0, 0, 0, 0, 0, 0};
  int counted = 0, ref_counted = 0;
  for (const Review& r : Reviews(a.shared)) {
    if (!a.only.empty() && std::find(a.only.begin(), a.only.end(), r.name) == a.only.end()) continue;
    std::vector<Document> docs;
    std::vector<bool> included;
    if (Status st = ReadLabelledReview(r.file, r.review, &docs, &included); !st.ok()) return Fail(st);
    nlohmann::json row = {{"review", r.name}, {"question", r.question}};
    SimulationResult results[2];
    for (int with_question = 1; with_question >= 0; --with_question) {
      SimulationOptions options;
      options.seeds = a.seeds;
      options.question = with_question ? r.question : "";
      const auto start = std::chrono::steady_clock::now();
      StatusOr<SimulationResult> res = SimulateScreening(docs, included, options);
      if (!res.ok()) return Fail(res.status());
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      results[with_question] = *res;
      row[with_question ? "litrank_question" : "litrank_no_prior"] = {
          {"wss95", res->wss95}, {"rrf10", res->rrf10}, {"screened_at_95", res->screened_at_95},
          {"stop_reached_95", res->stop_reached_95}, {"mean_recall_at_stop", res->mean_recall_at_stop},
          {"mean_stop_at", res->mean_stop_at}, {"seeds", a.seeds}, {"wall_seconds", wall}};
      row["records"] = res->records;
      row["included"] = res->included;
    }
    nlohmann::json ref = reference ? RunReference(a, r) : nlohmann::json(nullptr);
    row["reference"] = ref;
    records.push_back(row);
    ++counted;
    sums[0] += results[1].wss95; sums[1] += results[1].rrf10;
    sums[2] += results[0].wss95; sums[3] += results[0].rrf10;
    char ref_cells[64] = "      -       -";
    if (ref.is_object()) {
      ++ref_counted;
      sums[4] += ref.value("wss95", 0.0);
      sums[5] += ref.value("rrf10", 0.0);
      std::snprintf(ref_cells, sizeof ref_cells, "%7.3f %7.3f", ref.value("wss95", 0.0), ref.value("rrf10", 0.0));
    }
    std::printf("%-24s %7lld %5lld | %7.3f %7.3f | %7.3f %7.3f | %s\n", r.name.c_str(),
                static_cast<long long>(results[1].records), static_cast<long long>(results[1].included),
                results[1].wss95, results[1].rrf10, results[0].wss95, results[0].rrf10, ref_cells);
    std::fflush(stdout);
  }
  if (counted > 0) {
    std::printf("%-24s %7s %5s | %7.3f %7.3f | %7.3f %7.3f |", "mean", "", "", sums[0] / counted, sums[1] / counted,
                sums[2] / counted, sums[3] / counted);
    if (ref_counted > 0) std::printf(" %7.3f %7.3f", sums[4] / ref_counted, sums[5] / ref_counted);
    std::printf("\n");
  }
  StatusOr<nlohmann::json> updates = TimeUpdates(a);
  if (!updates.ok()) return Fail(updates.status());
  std::printf("model update at %d records (retrain + score + pick, one core):", updates->value("records", 0));
  for (const auto& u : (*updates)["updates"]) {
    std::printf("  %.0f%% labelled: %.1f ms", 100 * u.value("labelled_share", 0.0), u.value("median_ms", 0.0));
  }
  std::printf("\n");
  nlohmann::json out = {{"reviews", records}, {"update_timing", *updates}};
  std::printf("wrote %s\n", bench::WriteBenchJson(a.out_dir, "screen", out.dump(2)).c_str());
  return kExitOk;
}

}  // namespace

void AddScreenBenchCommand(CLI::App& bench, int* exit_code) {
  auto a = std::make_shared<ScreenBenchArgs>();
  auto* cmd = bench.add_subcommand("screen",
      "Screening simulations on the shared reviews, side by side with the reference script\n"
      "(TF-IDF + linear SVM, ASReview-style), and the time of one model update at 10,000 records.");
  cmd->add_option("--shared", a->shared, "The shared folder (datasets/, tools/)")->capture_default_str();
  cmd->add_option("--seeds", a->seeds, "litrank runs per review")->capture_default_str();
  cmd->add_option("--reference-seeds", a->reference_seeds, "Reference runs per review")->capture_default_str();
  cmd->add_flag("--no-reference", a->no_reference, "Skip the reference script");
  cmd->add_option("--python", a->python, "Python with scikit-learn for the reference")->capture_default_str();
  cmd->add_option("--only", a->only, "Only these reviews");
  cmd->add_option("--update-records", a->update_records, "Records in the update timing")->capture_default_str();
  cmd->add_option("--out-dir", a->out_dir, "Where the JSON goes")->capture_default_str();
  cmd->callback([a, exit_code] { *exit_code = RunScreenBench(*a); });
}

}  // namespace litrank::cli

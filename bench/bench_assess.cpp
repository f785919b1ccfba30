// `litrank bench assess`: does the model-free assessment see quality? On the
// Cohen 2006 drug-class reviews (DERP: inclusion asks for controlled trials of
// adequate quality), the AUC of each criterion's cue score and of the composite
// against the inclusion label, per review (0.5 = chance), and the time taken.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "bench_support.h"
#include "cli/cli_common.h"
#include "ingest/record_reader.h"
#include "litrank/assess.h"

namespace litrank::cli {
namespace {

struct AssessBenchArgs {
  std::string shared = "../shared", out_dir = "bench/results";
};

/// Mann-Whitney AUC: the chance a positive outscores a negative (ties half).
double Auc(const std::vector<double>& scores, const std::vector<bool>& positive) {
  std::vector<double> neg;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (!positive[i]) neg.push_back(scores[i]);
  }
  std::sort(neg.begin(), neg.end());
  double sum = 0;
  size_t pos = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (!positive[i]) continue;
    ++pos;
    const auto lo = std::lower_bound(neg.begin(), neg.end(), scores[i]);
    const auto hi = std::upper_bound(neg.begin(), neg.end(), scores[i]);
    sum += static_cast<double>(lo - neg.begin()) + 0.5 * static_cast<double>(hi - lo);
  }
  return pos == 0 || neg.empty() ? 0.5 : sum / static_cast<double>(pos) / static_cast<double>(neg.size());
}

int RunAssessBench(const AssessBenchArgs& a) {
  const std::string path = a.shared + "/datasets/cohen2006/cohen2006_5reviews.jsonl";
  std::map<std::string, std::pair<std::vector<Document>, std::vector<bool>>> reviews;
  Status st = ReadRecords(path, RecordReadOptions{}, [&](Document&& d) {
    const nlohmann::json extra = nlohmann::json::parse(d.extra_json, nullptr, false);
    const std::string review = extra.value("review", "");
    const std::string label = extra.contains("label_included") ? extra["label_included"].dump() : "";
    auto& [docs, labels] = reviews[review];
    labels.push_back(label.find('1') != std::string::npos);
    docs.push_back(std::move(d));
    return Status::Ok();
  }, nullptr);
  if (!st.ok()) return Fail(st);
  const std::vector<Criterion> criteria = BuiltInCriteria();
  std::printf("%-24s %6s %5s", "review", "papers", "incl");
  for (const Criterion& c : criteria) std::printf(" %15.15s", c.name.c_str());
  std::printf(" %9s %8s\n", "composite", "seconds");
  nlohmann::json rows = nlohmann::json::array();
  size_t total = 0;
  double total_seconds = 0;
  for (const auto& [name, set] : reviews) {
    const auto& [docs, labels] = set;
    const auto start = std::chrono::steady_clock::now();
    StatusOr<Assessment> assessed = Assess(docs, AssessOptions{}, nullptr);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!assessed.ok()) return Fail(assessed.status());
    std::vector<std::vector<double>> scores(criteria.size(), std::vector<double>(docs.size()));
    std::vector<double> composite(docs.size());
    for (const PaperAssessment& p : assessed->papers) {
      for (size_t c = 0; c < criteria.size(); ++c) scores[c][p.index] = p.scores[c];
      composite[p.index] = p.composite;
    }
    const size_t included = static_cast<size_t>(std::count(labels.begin(), labels.end(), true));
    nlohmann::json auc = nlohmann::json::object();
    std::printf("%-24s %6zu %5zu", name.c_str(), docs.size(), included);
    for (size_t c = 0; c < criteria.size(); ++c) {
      auc[criteria[c].name] = Auc(scores[c], labels);
      std::printf(" %15.3f", auc[criteria[c].name].get<double>());
    }
    auc["composite"] = Auc(composite, labels);
    std::printf(" %9.3f %8.2f\n", auc["composite"].get<double>(), seconds);
    rows.push_back({{"review", name}, {"papers", docs.size()}, {"included", included}, {"auc", auc},
                    {"seconds", seconds}});
    total += docs.size();
    total_seconds += seconds;
  }
  std::printf("%zu papers assessed in %.2f s without a model (AUC 0.5 = chance)\n", total, total_seconds);
  const std::string out = bench::WriteBenchJson(a.out_dir, "assess", rows.dump(1));
  std::printf("wrote %s\n", out.c_str());
  return kExitOk;
}

}  // namespace

void AddAssessBenchCommand(CLI::App& bench, int* exit_code) {
  auto a = std::make_shared<AssessBenchArgs>();
  auto* cmd = bench.add_subcommand("assess",
      "Model-free assessment on the Cohen 2006 reviews: AUC of each criterion's cue score and of the composite\n"
      "against the inclusion label (DERP includes controlled trials of adequate quality), and its time.");
  cmd->add_option("--shared", a->shared, "The shared folder (datasets/)")->capture_default_str();
  cmd->add_option("--out-dir", a->out_dir, "Where the JSON goes")->capture_default_str();
  cmd->callback([a, exit_code] { *exit_code = RunAssessBench(*a); });
}

}  // namespace litrank::cli

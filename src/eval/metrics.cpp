#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace litrank {
namespace {

int Grade(const std::unordered_map<std::string, int>& judged, const std::string& doc) {
  auto it = judged.find(doc);
  return it == judged.end() ? 0 : it->second;
}

size_t RelevantCount(const std::unordered_map<std::string, int>& judged) {
  return static_cast<size_t>(std::count_if(judged.begin(), judged.end(), [](const auto& j) { return j.second > 0; }));
}

}  // namespace

double NdcgAt(const std::vector<std::string>& ranked, const std::unordered_map<std::string, int>& judged, int k) {
  std::vector<int> ideal;
  for (const auto& [doc, grade] : judged) {
    if (grade > 0) ideal.push_back(grade);
  }
  std::sort(ideal.rbegin(), ideal.rend());
  double idcg = 0;
  for (size_t i = 0; i < ideal.size() && i < static_cast<size_t>(k); ++i) idcg += ideal[i] / std::log2(i + 2.0);
  if (idcg == 0) return 0;
  double dcg = 0;
  std::unordered_set<std::string> seen;  // a document listed twice counts once, as in trec_eval
  for (size_t i = 0, rank = 0; i < ranked.size() && rank < static_cast<size_t>(k); ++i) {
    if (!seen.insert(ranked[i]).second) continue;
    const int grade = Grade(judged, ranked[i]);
    if (grade > 0) dcg += grade / std::log2(rank + 2.0);
    ++rank;
  }
  return dcg / idcg;
}

double RecallAt(const std::vector<std::string>& ranked, const std::unordered_map<std::string, int>& judged, int k) {
  const size_t relevant = RelevantCount(judged);
  if (relevant == 0) return 0;
  std::unordered_set<std::string> found;
  for (size_t i = 0; i < ranked.size() && i < static_cast<size_t>(k); ++i) {
    if (Grade(judged, ranked[i]) > 0) found.insert(ranked[i]);
  }
  return static_cast<double>(found.size()) / static_cast<double>(relevant);
}

double ReciprocalRankAt(const std::vector<std::string>& ranked, const std::unordered_map<std::string, int>& judged,
                        int k) {
  for (size_t i = 0; i < ranked.size() && i < static_cast<size_t>(k); ++i) {
    if (Grade(judged, ranked[i]) > 0) return 1.0 / static_cast<double>(i + 1);
  }
  return 0;
}

MetricSummary Evaluate(const Qrels& qrels, const Rankings& run, const std::vector<int>& ks) {
  MetricSummary summary;
  static const std::vector<std::string> kEmpty;
  for (const auto& [query, judged] : qrels) {
    if (RelevantCount(judged) == 0) continue;
    auto it = run.find(query);
    const std::vector<std::string>& ranked = it == run.end() ? kEmpty : it->second;
    for (int k : ks) {
      summary.ndcg[k] += NdcgAt(ranked, judged, k);
      summary.recall[k] += RecallAt(ranked, judged, k);
      summary.mrr[k] += ReciprocalRankAt(ranked, judged, k);
    }
    ++summary.queries;
  }
  for (auto* table : {&summary.ndcg, &summary.recall, &summary.mrr}) {
    for (auto& [k, total] : *table) total = summary.queries > 0 ? total / static_cast<double>(summary.queries) : 0;
  }
  return summary;
}

}  // namespace litrank

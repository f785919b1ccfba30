#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <string_view>
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

// The cut-off as a count (a k <= 0 keeps nothing).
size_t Cut(int k) { return k > 0 ? static_cast<size_t>(k) : 0; }

// The first k distinct documents of a ranking: a document listed twice counts
// once, at its first rank, as in trec_eval (whose runs cannot repeat a document).
std::vector<const std::string*> TopK(const std::vector<std::string>& ranked, int k) {
  std::vector<const std::string*> top;
  std::unordered_set<std::string_view> seen;
  for (size_t i = 0; i < ranked.size() && top.size() < Cut(k); ++i) {
    if (seen.insert(ranked[i]).second) top.push_back(&ranked[i]);
  }
  return top;
}

}  // namespace

double NdcgAt(const std::vector<std::string>& ranked, const std::unordered_map<std::string, int>& judged, int k) {
  std::vector<int> ideal;
  for (const auto& [doc, grade] : judged) {
    if (grade > 0) ideal.push_back(grade);
  }
  std::sort(ideal.rbegin(), ideal.rend());
  const std::vector<const std::string*> top = TopK(ranked, k);
  double idcg = 0, dcg = 0;
  for (size_t i = 0; i < ideal.size() && i < Cut(k); ++i) idcg += ideal[i] / std::log2(i + 2.0);
  if (idcg == 0) return 0;
  for (size_t i = 0; i < top.size(); ++i) {
    const int grade = Grade(judged, *top[i]);
    if (grade > 0) dcg += grade / std::log2(i + 2.0);
  }
  return dcg / idcg;
}

double RecallAt(const std::vector<std::string>& ranked, const std::unordered_map<std::string, int>& judged, int k) {
  const size_t relevant = RelevantCount(judged);
  if (relevant == 0) return 0;
  const std::vector<const std::string*> top = TopK(ranked, k);
  const auto found = std::count_if(top.begin(), top.end(), [&](const std::string* doc) { return Grade(judged, *doc) > 0; });
  return static_cast<double>(found) / static_cast<double>(relevant);
}

double ReciprocalRankAt(const std::vector<std::string>& ranked, const std::unordered_map<std::string, int>& judged,
                        int k) {
  const std::vector<const std::string*> top = TopK(ranked, k);
  for (size_t i = 0; i < top.size(); ++i) {
    if (Grade(judged, *top[i]) > 0) return 1.0 / static_cast<double>(i + 1);
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

// Retrieval metrics with the pytrec_eval / BEIR conventions, so figures compare
// with published ones: nDCG@k (linear gain = relevance grade, log2 discount, ideal
// from all judged documents with grade > 0), Recall@k and MRR@k.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace litrank {

/// query id -> (document id -> graded relevance; <= 0 counts as not relevant).
using Qrels = std::unordered_map<std::string, std::unordered_map<std::string, int>>;
/// query id -> document ids, best first (a "run" in TREC terms).
using Rankings = std::unordered_map<std::string, std::vector<std::string>>;

/// Metric means over the judged queries (those with at least one relevant
/// document); a judged query missing from the run scores 0.
struct MetricSummary {
  std::map<int, double> ndcg;    ///< k -> mean nDCG@k
  std::map<int, double> recall;  ///< k -> mean Recall@k
  std::map<int, double> mrr;     ///< k -> mean MRR@k
  size_t queries = 0;            ///< judged queries averaged over
};

// In all three metrics a document listed twice counts once, at its first rank
// (as trec_eval, whose runs cannot repeat one), and a k <= 0 scores 0.

/// nDCG@k of one ranking against one query's judgements (0 when nothing is relevant).
double NdcgAt(const std::vector<std::string>& ranked, const std::unordered_map<std::string, int>& judged, int k);
/// Relevant documents in the top k over all relevant documents (0 when none).
double RecallAt(const std::vector<std::string>& ranked, const std::unordered_map<std::string, int>& judged, int k);
/// 1 / rank of the first relevant document within the top k, else 0.
double ReciprocalRankAt(const std::vector<std::string>& ranked, const std::unordered_map<std::string, int>& judged,
                        int k);

/// Every metric at every cut-off in `ks`, averaged over judged queries.
MetricSummary Evaluate(const Qrels& qrels, const Rankings& run, const std::vector<int>& ks);

}  // namespace litrank

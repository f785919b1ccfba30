// Internal to analysis/: turning a partition of documents into topics, shared
// by the lexical path (LSA k-means) and the embedding path (kNN graph, Leiden).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/lsa.h"
#include "litrank/topics.h"

namespace litrank::analysis {

/// Documents the silhouette is measured on, at most.
constexpr size_t kSilhouetteSample = 2000;

/// The rows of `x` at `idx`, in that order.
DenseRows Rows(const DenseRows& x, const std::vector<Eigen::Index>& idx);
/// Up to `n` rows of `x` drawn without replacement (seeded; all when fewer), in row order.
DenseRows SampleRows(const DenseRows& x, size_t n, uint64_t seed);

/// Fills model->topic_of (docs.size() entries, -1 outside `usable`), k topics
/// numbered by size (largest first; ties by the lower label) with members,
/// year spans, representatives (members nearest their centre in `rows`),
/// c-TF-IDF keywords from `terms` and its label, and the mean silhouette of a
/// sample. `labels[i]` in 0..k-1 is the topic of docs[usable[i]], whose row in
/// `rows` (unit length) is i. Sets model->k; leaves features and k_chosen.
void AssembleTopics(const std::vector<Document>& docs, const std::vector<std::vector<std::string>>& terms,
                    const std::vector<size_t>& usable, const std::vector<int>& labels, int k, const DenseRows& rows,
                    const TopicOptions& o, TopicModel* model);

}  // namespace litrank::analysis

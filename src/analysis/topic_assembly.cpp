// AssembleTopics: from a partition to topics (numbered by size, members, year
// spans, central documents, c-TF-IDF keywords, silhouette); one copy for the
// lexical and the embedding path.
#include "analysis/topic_assembly.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <unordered_map>

#include "analysis/kmeans.h"

namespace litrank::analysis {
namespace {

/// Up to `n` row indexes of `rows`, drawn without replacement (all when fewer).
std::vector<Eigen::Index> SampleIndexes(Eigen::Index rows, size_t n, uint64_t seed) {
  std::vector<Eigen::Index> idx(static_cast<size_t>(rows));
  std::iota(idx.begin(), idx.end(), 0);
  if (idx.size() > n) {
    std::mt19937_64 rng(seed);
    std::shuffle(idx.begin(), idx.end(), rng);
    idx.resize(n);
    std::sort(idx.begin(), idx.end());
  }
  return idx;
}

}  // namespace

DenseRows Rows(const DenseRows& x, const std::vector<Eigen::Index>& idx) {
  DenseRows out(static_cast<Eigen::Index>(idx.size()), x.cols());
  for (size_t i = 0; i < idx.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = x.row(idx[i]);
  return out;
}

DenseRows SampleRows(const DenseRows& x, size_t n, uint64_t seed) { return Rows(x, SampleIndexes(x.rows(), n, seed)); }

namespace {

/// Class-based TF-IDF (Grootendorst 2022): weight of term t in topic c is
/// tf(t, c) / words(c) · ln(1 + A / f(t)), A = mean words per topic, f(t) =
/// occurrences of t in all topics. Terms in fewer than min_df documents are ignored.
void Keywords(const std::vector<std::vector<std::string>>& terms, const std::vector<int>& topic_of, int k,
              const TopicOptions& o, std::vector<Topic>* topics) {
  std::unordered_map<std::string, uint32_t> ids;
  std::vector<std::string> names;
  std::vector<uint32_t> df;
  std::vector<std::vector<uint32_t>> doc_ids(terms.size());
  for (size_t d = 0; d < terms.size(); ++d) {
    if (topic_of[d] < 0) continue;
    for (const std::string& t : terms[d]) {
      auto [it, inserted] = ids.emplace(t, static_cast<uint32_t>(names.size()));
      if (inserted) names.push_back(t), df.push_back(0);
      doc_ids[d].push_back(it->second);
    }
    std::vector<uint32_t> distinct = doc_ids[d];
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    for (uint32_t id : distinct) ++df[id];
  }
  const uint32_t min_df = std::max<uint32_t>(o.min_df, 1);
  std::vector<std::unordered_map<uint32_t, double>> tf(static_cast<size_t>(k));
  std::vector<double> words(static_cast<size_t>(k), 0), total(names.size(), 0);
  for (size_t d = 0; d < terms.size(); ++d) {
    if (topic_of[d] < 0) continue;
    for (uint32_t id : doc_ids[d]) {
      if (df[id] < min_df) continue;
      tf[topic_of[d]][id] += 1;
      words[topic_of[d]] += 1;
      total[id] += 1;
    }
  }
  const double mean_words = std::accumulate(words.begin(), words.end(), 0.0) / k;
  for (int c = 0; c < k; ++c) {
    std::vector<std::pair<double, uint32_t>> scored;
    for (const auto& [id, n] : tf[c]) {
      scored.emplace_back(n / std::max(1.0, words[c]) * std::log(1 + mean_words / total[id]), id);
    }
    const size_t keep = std::min(scored.size(), static_cast<size_t>(std::max(0, o.keywords)));
    std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(keep), scored.end(),
                      [&](const auto& a, const auto& b) {
                        return a.first != b.first ? a.first > b.first : names[a.second] < names[b.second];
                      });
    Topic& topic = (*topics)[c];
    for (size_t i = 0; i < keep; ++i) topic.keywords.push_back(names[scored[i].second]);
    for (size_t i = 0; i < std::min<size_t>(3, topic.keywords.size()); ++i) {
      topic.label += (i ? ", " : "") + topic.keywords[i];
    }
  }
}

}  // namespace

void AssembleTopics(const std::vector<Document>& docs, const std::vector<std::vector<std::string>>& terms,
                    const std::vector<size_t>& usable, const std::vector<int>& labels, int k, const DenseRows& rows,
                    const TopicOptions& o, TopicModel* model) {
  model->topic_of.assign(docs.size(), -1);
  // Number topics by size, largest first (ties: the lower k-means label).
  std::vector<size_t> size(static_cast<size_t>(k), 0);
  for (int l : labels) ++size[l];
  std::vector<int> order(static_cast<size_t>(k));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return size[a] > size[b]; });
  std::vector<int> rank(static_cast<size_t>(k));
  for (int i = 0; i < k; ++i) rank[order[i]] = i;
  model->k = k;
  model->topics.resize(static_cast<size_t>(k));
  for (int i = 0; i < k; ++i) model->topics[i].id = i;
  std::vector<int> local(usable.size());
  for (size_t i = 0; i < usable.size(); ++i) {
    local[i] = rank[labels[i]];
    model->topic_of[usable[i]] = local[i];
    Topic& t = model->topics[local[i]];
    t.members.push_back(usable[i]);
    const int year = docs[usable[i]].year;
    if (year > 0) {
      t.year_min = t.year_min == 0 ? year : std::min(t.year_min, year);
      t.year_max = std::max(t.year_max, year);
    }
  }
  // Representatives: members nearest their centre (rows are unit length, so by cosine).
  DenseRows centres = DenseRows::Zero(k, rows.cols());
  for (size_t i = 0; i < usable.size(); ++i) centres.row(labels[i]) += rows.row(static_cast<Eigen::Index>(i));
  for (int c = 0; c < k; ++c) {
    Topic& t = model->topics[rank[c]];
    Eigen::RowVectorXf centre = centres.row(c);
    if (centre.norm() > 0) centre.normalize();
    std::vector<std::pair<float, size_t>> scored;
    for (size_t i = 0; i < usable.size(); ++i) {
      if (labels[i] == c) scored.emplace_back(rows.row(static_cast<Eigen::Index>(i)).dot(centre), usable[i]);
    }
    const size_t keep = std::min(scored.size(), static_cast<size_t>(std::max(0, o.representatives)));
    std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(keep), scored.end(),
                      [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    for (size_t i = 0; i < keep; ++i) t.representatives.push_back(scored[i].second);
  }
  Keywords(terms, model->topic_of, k, o, &model->topics);
  const std::vector<Eigen::Index> sample = SampleIndexes(rows.rows(), kSilhouetteSample, o.seed);
  std::vector<int> sample_labels;
  for (Eigen::Index i : sample) sample_labels.push_back(local[static_cast<size_t>(i)]);
  model->silhouette = MeanSilhouette(Rows(rows, sample), sample_labels, k);
}

}  // namespace litrank::analysis

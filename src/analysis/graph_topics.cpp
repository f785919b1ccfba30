// FindTopicsFromEmbeddings: a k-nearest-neighbour graph of the embeddings
// (vector/ indexes), Leiden communities (igraph), then the shared assembly.
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "analysis/igraph_graph.h"
#include "analysis/topic_assembly.h"
#include "litrank/topics.h"
#include "text/tfidf.h"
#include "vector/vector_index.h"

namespace litrank {
namespace {

constexpr size_t kExactUpTo = 5000;   // documents searched exactly; HNSW past this
constexpr int kResolutionSteps = 40;  // bisection steps on log(resolution) to hit k

struct Edge {
  size_t a, b;
  double w;
};

/// Each document's `neighbours` nearest by cosine, both directions merged
/// (a pair once, its weight the cosine); non-positive similarities dropped.
StatusOr<std::vector<Edge>> KnnGraph(const analysis::DenseRows& z, int neighbours) {
  const auto n = static_cast<size_t>(z.rows());
  const auto dims = static_cast<uint32_t>(z.cols());
  StatusOr<std::unique_ptr<VectorIndex>> index = n <= kExactUpTo ? NewFlatIndex(dims) : NewHnswIndex(dims);
  if (!index.ok()) return index.status();
  std::vector<int64_t> ids(n);
  std::iota(ids.begin(), ids.end(), 0);
  LITRANK_RETURN_IF_ERROR((*index)->Add(ids, z.data()));
  std::map<std::pair<size_t, size_t>, double> pairs;
  std::vector<VectorHit> hits;
  for (size_t i = 0; i < n; ++i) {
    LITRANK_RETURN_IF_ERROR((*index)->Search(z.row(static_cast<Eigen::Index>(i)).data(),
                                             static_cast<size_t>(neighbours) + 1, &hits));
    for (const VectorHit& h : hits) {
      const auto j = static_cast<size_t>(h.id);
      if (j == i || h.score <= 0) continue;
      pairs[{std::min(i, j), std::max(i, j)}] = h.score;
    }
  }
  std::vector<Edge> edges;
  edges.reserve(pairs.size());
  for (const auto& [p, w] : pairs) edges.push_back({p.first, p.second, w});
  return edges;
}

/// Leiden communities of the weighted graph (modularity at `resolution`, seeded).
class LeidenGraph {
 public:
  static StatusOr<std::unique_ptr<LeidenGraph>> Create(size_t n, const std::vector<Edge>& edges) {
    std::unique_ptr<LeidenGraph> g(new LeidenGraph());
    std::vector<std::pair<size_t, size_t>> ends;
    for (const Edge& e : edges) ends.emplace_back(e.a, e.b);
    StatusOr<std::unique_ptr<analysis::IgraphGraph>> graph = analysis::IgraphGraph::FromEdges(n, ends, false);
    if (!graph.ok()) return graph.status();
    g->graph_ = std::move(*graph);
    g->weights_.resize(edges.size());
    g->strength_.assign(n, 0.0);
    for (size_t i = 0; i < edges.size(); ++i) {
      g->weights_[i] = edges[i].w;
      g->strength_[edges[i].a] += edges[i].w;
      g->strength_[edges[i].b] += edges[i].w;
      g->total_ += edges[i].w;
    }
    return g;
  }

  /// Membership (0-based, dense) at `resolution`; returns the community count.
  StatusOr<int> Partition(double resolution, uint64_t seed, std::vector<int>* membership) {
    const size_t n = strength_.size();
    membership->assign(n, 0);
    if (total_ <= 0) {  // no edges: every document alone
      std::iota(membership->begin(), membership->end(), 0);
      return static_cast<int>(n);
    }
    igraph_vector_t weights, strength;
    igraph_vector_int_t members;
    igraph_vector_view(&weights, weights_.data(), static_cast<igraph_integer_t>(weights_.size()));
    igraph_vector_view(&strength, strength_.data(), static_cast<igraph_integer_t>(n));
    if (igraph_vector_int_init(&members, 0) != IGRAPH_SUCCESS) return Status::Internal("igraph: out of memory");
    igraph_rng_seed(igraph_rng_default(), static_cast<igraph_uint_t>(seed));
    igraph_integer_t clusters = 0;
    igraph_real_t quality = 0;
    const igraph_error_t rc = igraph_community_leiden(graph_->get(), &weights, &strength, resolution / (2 * total_),
                                                      0.01, false, -1, &members, &clusters, &quality);
    if (rc == IGRAPH_SUCCESS) {
      for (size_t i = 0; i < n; ++i) (*membership)[i] = static_cast<int>(VECTOR(members)[static_cast<igraph_integer_t>(i)]);
    }
    igraph_vector_int_destroy(&members);
    LITRANK_RETURN_IF_ERROR(analysis::IgraphStatus(rc, "Leiden"));
    return static_cast<int>(clusters);
  }

 private:
  LeidenGraph() = default;
  std::unique_ptr<analysis::IgraphGraph> graph_;
  std::vector<double> weights_, strength_;
  double total_ = 0;
};

/// Merges the smallest community into the one it links to most (the largest
/// when it links to none) until `k` are left (k > 0) or none is under
/// `min_size` (k = 0); relabels densely, in order of first member.
int MergeSmallest(const std::vector<Edge>& edges, int count, int k, size_t min_size, std::vector<int>* labels) {
  std::vector<int> parent(static_cast<size_t>(count));
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](int c) {
    while (parent[c] != c) c = parent[c] = parent[parent[c]];
    return c;
  };
  std::vector<size_t> size(static_cast<size_t>(count), 0);
  for (int l : *labels) ++size[l];
  int alive = count;
  while (alive > 1) {
    int smallest = -1;
    for (int c = 0; c < count; ++c) {
      if (find(c) == c && (smallest < 0 || size[c] < size[smallest])) smallest = c;
    }
    const bool done = k > 0 ? alive <= k : size[smallest] >= min_size;
    if (done) break;
    std::map<int, double> link;
    for (const Edge& e : edges) {
      const int ca = find((*labels)[e.a]), cb = find((*labels)[e.b]);
      if (ca == smallest && cb != smallest) link[cb] += e.w;
      if (cb == smallest && ca != smallest) link[ca] += e.w;
    }
    int into = -1;
    for (const auto& [c, w] : link) {
      if (into < 0 || w > link[into]) into = c;
    }
    if (into < 0) {
      for (int c = 0; c < count; ++c) {
        if (find(c) == c && c != smallest && (into < 0 || size[c] > size[into])) into = c;
      }
    }
    parent[smallest] = into;
    size[into] += size[smallest];
    --alive;
  }
  std::map<int, int> dense;
  for (int& l : *labels) {
    const int root = find(l);
    auto it = dense.emplace(root, static_cast<int>(dense.size())).first;
    l = it->second;
  }
  return static_cast<int>(dense.size());
}

/// Leiden at options.resolution (k = 0: singletons join their nearest
/// community), or the resolution found by bisection that gives k (the
/// closest count at or above k, merged down).
StatusOr<int> GraphPartition(size_t n, const std::vector<Edge>& edges, const TopicOptions& o, std::vector<int>* labels) {
  std::lock_guard<std::mutex> lock(analysis::IgraphLock());
  StatusOr<std::unique_ptr<LeidenGraph>> g = LeidenGraph::Create(n, edges);
  if (!g.ok()) return g.status();
  if (o.k == 0) {
    StatusOr<int> count = (*g)->Partition(o.resolution, o.seed, labels);
    if (!count.ok()) return count.status();
    return MergeSmallest(edges, *count, 0, 2, labels);
  }
  double lo = 1e-4, hi = 1e4, resolution = 1.0;
  std::vector<int> best, current;
  int best_count = -1;
  for (int step = 0; step < kResolutionSteps; ++step) {
    StatusOr<int> count = (*g)->Partition(resolution, o.seed, &current);
    if (!count.ok()) return count.status();
    const bool better = best_count < 0 || (*count >= o.k && (best_count < o.k || *count < best_count)) ||
                        (*count < o.k && best_count < o.k && *count > best_count);
    if (better) best = current, best_count = *count;
    if (*count == o.k) break;
    (*count < o.k ? lo : hi) = resolution;
    resolution = std::sqrt(lo * hi);
  }
  *labels = std::move(best);
  return MergeSmallest(edges, best_count, o.k, 0, labels);
}

}  // namespace

StatusOr<TopicModel> FindTopicsFromEmbeddings(const std::vector<Document>& docs, const std::vector<float>& embeddings,
                                              uint32_t dims, const TopicOptions& o) {
  if (docs.empty()) return Status::InvalidArgument("no documents to cluster");
  if (dims == 0 || embeddings.size() != docs.size() * dims) {
    return Status::InvalidArgument("embeddings: expected " + std::to_string(docs.size()) + " × " +
                                   std::to_string(dims) + " values, got " + std::to_string(embeddings.size()));
  }
  if (o.k < 0 || o.k > 10000) return Status::InvalidArgument("k must be 0 (choose) or 1..10000");
  if (o.neighbours < 1 || o.neighbours > 200) return Status::InvalidArgument("neighbours must be 1..200");
  if (!(o.resolution > 0) || !std::isfinite(o.resolution)) return Status::InvalidArgument("resolution must be > 0");
  // Documents without an embedding (a zero row: no text) cannot be placed.
  std::vector<size_t> usable;
  for (size_t i = 0; i < docs.size(); ++i) {
    double norm = 0;
    for (uint32_t d = 0; d < dims; ++d) norm += static_cast<double>(embeddings[i * dims + d]) * embeddings[i * dims + d];
    if (norm > 0 && std::isfinite(norm)) usable.push_back(i);
  }
  if (usable.size() < 2) return Status::InvalidArgument("too few documents with text to cluster (" +
                                                        std::to_string(usable.size()) + ")");
  if (o.k > 0 && static_cast<size_t>(o.k) > usable.size()) {
    return Status::InvalidArgument("k = " + std::to_string(o.k) + " topics for " + std::to_string(usable.size()) +
                                   " documents with text: ask for fewer topics");
  }
  analysis::DenseRows z(static_cast<Eigen::Index>(usable.size()), dims);
  for (size_t r = 0; r < usable.size(); ++r) {
    for (uint32_t d = 0; d < dims; ++d) z(static_cast<Eigen::Index>(r), d) = embeddings[usable[r] * dims + d];
  }
  analysis::NormalizeRows(&z);
  StatusOr<std::vector<Edge>> edges = KnnGraph(z, o.neighbours);
  if (!edges.ok()) return edges.status();
  std::vector<int> labels;
  StatusOr<int> k = GraphPartition(usable.size(), *edges, o, &labels);
  if (!k.ok()) return k.status();

  std::vector<std::string> texts;
  texts.reserve(docs.size());
  for (const Document& d : docs) texts.push_back(SearchText(d));
  TextTermOptions term_options;
  term_options.stemmer = o.stemmer;
  term_options.stem = o.stem;
  term_options.broad_stopwords = true;
  StatusOr<std::vector<std::vector<std::string>>> terms = AnalyzeTexts(texts, term_options);
  if (!terms.ok()) return terms.status();
  TopicModel model;
  model.k_chosen = o.k == 0;
  analysis::AssembleTopics(docs, *terms, usable, labels, *k, z, o, &model);
  return model;
}

}  // namespace litrank

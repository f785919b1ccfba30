#include "analysis/igraph_graph.h"

namespace litrank::analysis {
namespace {

void SetUpOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_set_warning_handler(igraph_warning_handler_ignore);
    igraph_set_attribute_table(&igraph_cattribute_table);
  });
}

}  // namespace

std::mutex& IgraphLock() {
  static std::mutex mu;
  SetUpOnce();
  return mu;
}

Status IgraphStatus(igraph_error_t code, const char* what) {
  if (code == IGRAPH_SUCCESS) return Status::Ok();
  return Status::Internal(std::string("igraph: ") + what + ": " + igraph_strerror(code));
}

StatusOr<std::unique_ptr<IgraphGraph>> IgraphGraph::FromEdges(size_t nodes,
                                                               const std::vector<std::pair<size_t, size_t>>& edges,
                                                               bool directed) {
  std::unique_ptr<IgraphGraph> g(new IgraphGraph());
  igraph_vector_int_t ends;
  if (igraph_vector_int_init(&ends, static_cast<igraph_integer_t>(2 * edges.size())) != IGRAPH_SUCCESS) {
    return Status::Internal("igraph: out of memory");
  }
  for (size_t i = 0; i < edges.size(); ++i) {
    VECTOR(ends)[2 * i] = static_cast<igraph_integer_t>(edges[i].first);
    VECTOR(ends)[2 * i + 1] = static_cast<igraph_integer_t>(edges[i].second);
  }
  const igraph_error_t rc = igraph_create(&g->graph_, &ends, static_cast<igraph_integer_t>(nodes),
                                          directed ? IGRAPH_DIRECTED : IGRAPH_UNDIRECTED);
  igraph_vector_int_destroy(&ends);
  LITRANK_RETURN_IF_ERROR(IgraphStatus(rc, "create"));
  g->made_ = true;
  return g;
}

StatusOr<std::unique_ptr<IgraphGraph>> IgraphGraph::Create(const KeywordNetwork& net, bool attributes) {
  std::vector<std::pair<size_t, size_t>> edges;
  edges.reserve(net.edges.size());
  for (const auto& e : net.edges) edges.emplace_back(e.a, e.b);
  StatusOr<std::unique_ptr<IgraphGraph>> made = FromEdges(net.nodes.size(), edges, /*directed=*/false);
  if (!made.ok()) return made.status();
  std::unique_ptr<IgraphGraph> g = std::move(*made);
  if (!attributes) return g;
  for (size_t i = 0; i < net.nodes.size(); ++i) {
    const KeywordNode& n = net.nodes[i];
    const auto v = static_cast<igraph_integer_t>(i);
    LITRANK_RETURN_IF_ERROR(IgraphStatus(SETVAS(&g->graph_, "label", v, n.label.c_str()), "label"));
    LITRANK_RETURN_IF_ERROR(IgraphStatus(SETVAS(&g->graph_, "id", v, n.label.c_str()), "id"));
    LITRANK_RETURN_IF_ERROR(IgraphStatus(SETVAN(&g->graph_, "occurrences", v, static_cast<double>(n.occurrences)), "occurrences"));
    LITRANK_RETURN_IF_ERROR(IgraphStatus(SETVAN(&g->graph_, "cluster", v, n.cluster), "cluster"));
    LITRANK_RETURN_IF_ERROR(IgraphStatus(SETVAN(&g->graph_, "x", v, n.x), "x"));
    LITRANK_RETURN_IF_ERROR(IgraphStatus(SETVAN(&g->graph_, "y", v, n.y), "y"));
  }
  for (size_t i = 0; i < net.edges.size(); ++i) {
    const auto e = static_cast<igraph_integer_t>(i);
    LITRANK_RETURN_IF_ERROR(IgraphStatus(SETEAN(&g->graph_, "weight", e, static_cast<double>(net.edges[i].cooccurrences)), "weight"));
    LITRANK_RETURN_IF_ERROR(IgraphStatus(SETEAN(&g->graph_, "association", e, net.edges[i].association), "association"));
  }
  return g;
}

IgraphGraph::~IgraphGraph() {
  if (made_) igraph_destroy(&graph_);
}

}  // namespace litrank::analysis

// Internal to analysis/: an igraph graph built from a KeywordNetwork, owned, with
// igraph set up once for the process (errors returned, never aborts; the C
// attribute handler for the file writers). igraph's global state is shared, so
// every use holds IgraphLock().
#pragma once

#include <igraph/igraph.h>

#include <utility>
#include <vector>

#include <memory>
#include <mutex>

#include "litrank/keywords.h"
#include "litrank/status.h"

namespace litrank::analysis {

/// The lock every igraph call in litrank holds (igraph's error handler,
/// attribute table and RNG are process-wide).
std::mutex& IgraphLock();

/// An undirected igraph graph with one vertex per node and one edge per edge of
/// `net`, in the same order; with `attributes`, also the vertex attributes
/// label/occurrences/cluster/x/y and edge weight/association that the writers
/// export. Hold IgraphLock() for its whole life.
class IgraphGraph {
 public:
  static StatusOr<std::unique_ptr<IgraphGraph>> Create(const KeywordNetwork& net, bool attributes);
  /// A graph of `nodes` vertices and the given edges (each end < nodes);
  /// directed edges run first → second.
  static StatusOr<std::unique_ptr<IgraphGraph>> FromEdges(size_t nodes,
                                                         const std::vector<std::pair<size_t, size_t>>& edges,
                                                         bool directed);
  ~IgraphGraph();
  IgraphGraph(const IgraphGraph&) = delete;
  IgraphGraph& operator=(const IgraphGraph&) = delete;

  igraph_t* get() { return &graph_; }

 private:
  IgraphGraph() = default;
  igraph_t graph_{};
  bool made_ = false;
};

/// Status from an igraph return code, naming the call.
Status IgraphStatus(igraph_error_t code, const char* what);

}  // namespace litrank::analysis

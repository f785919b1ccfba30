#include "analysis/graph_layout.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <sstream>
#include <vector>

namespace litrank::analysis {
namespace {

// A qualitative palette (ColorBrewer Set1/Dark2 hues) for clusters 1..12; later ones cycle.
constexpr const char* kPalette[] = {"#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628",
                                    "#f781bf", "#1b9e77", "#d95f02", "#7570b3", "#66a61e", "#e6ab02"};
constexpr size_t kMaxDrawnEdges = 400;

// graphviz keeps global state (plugins, error buffer): one user at a time.
std::mutex& GraphvizLock() {
  static std::mutex mu;
  return mu;
}

void Set(void* obj, const char* name, const std::string& value) {
  agsafeset(obj, const_cast<char*>(name), const_cast<char*>(value.c_str()), const_cast<char*>(""));
}

/// Graphviz label text: backslashes doubled (a lone one starts an escape).
std::string LabelText(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += '\\';
    out += c;
  }
  return out;
}

/// The process's one graphviz context, made on first use (under GraphvizLock) and
/// never freed: graphviz 2.42's pango text layout keeps the last font name in a
/// static that gvFreeContext frees, so a second context reads freed memory.
GVC_t* Context() {
  static GVC_t* gvc = gvContext();
  return gvc;
}

/// One graphviz graph of the network, freed when it goes.
class GvGraph {
 public:
  GvGraph() : gvc_(Context()) {}
  ~GvGraph() {
    if (g_ != nullptr) {
      if (laid_out_) gvFreeLayout(gvc_, g_);
      agclose(g_);
    }
  }
  Status Build(const KeywordNetwork& net, bool pinned, uint64_t seed, bool styled) {
    if (gvc_ == nullptr) return Status::Internal("graphviz: no context");
    g_ = agopen(const_cast<char*>("keywords"), Agundirected, nullptr);
    if (g_ == nullptr) return Status::Internal("graphviz: cannot create a graph");
    Set(g_, "overlap", "false");
    Set(g_, "splines", "false");
    Set(g_, "outputorder", "edgesfirst");
    Set(g_, "start", std::to_string(seed % 1000000007));
    size_t top = 1;
    for (const KeywordNode& n : net.nodes) top = std::max(top, n.occurrences);
    nodes_.clear();
    for (size_t i = 0; i < net.nodes.size(); ++i) {
      const KeywordNode& n = net.nodes[i];
      std::string name = "n";  // appended, not operator+: GCC 12 -Wrestrict false positive
      name += std::to_string(i);
      Agnode_t* v = agnode(g_, const_cast<char*>(name.c_str()), 1);
      nodes_.push_back(v);
      Set(v, "label", LabelText(n.label));
      if (pinned) {
        char pos[64];
        std::snprintf(pos, sizeof pos, "%.2f,%.2f!", n.x, n.y);  // points, as nop reads them
        Set(v, "pos", pos);
      }
      if (styled) {
        const double share = static_cast<double>(n.occurrences) / static_cast<double>(top);
        Set(v, "shape", "ellipse");
        Set(v, "style", "filled");
        const char* colour = kPalette[static_cast<size_t>(std::max(n.cluster, 1) - 1) % std::size(kPalette)];
        Set(v, "fillcolor", std::string(colour) + "55");
        Set(v, "color", colour);
        Set(v, "fontname", "Helvetica");
        Set(v, "fontsize", std::to_string(static_cast<int>(9 + 15 * share)));
        Set(v, "tooltip", LabelText(n.label) + ": " + std::to_string(n.occurrences) + " documents, cluster " +
                              std::to_string(n.cluster));
      }
    }
    std::vector<size_t> order(net.edges.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    if (styled) {  // the drawing keeps the strongest edges only
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return net.edges[a].cooccurrences > net.edges[b].cooccurrences;
      });
      if (order.size() > kMaxDrawnEdges) order.resize(kMaxDrawnEdges);
    }
    size_t top_edge = 1;
    for (const KeywordEdge& e : net.edges) top_edge = std::max(top_edge, e.cooccurrences);
    for (size_t i : order) {
      const KeywordEdge& e = net.edges[i];
      Agedge_t* edge = agedge(g_, nodes_[e.a], nodes_[e.b], nullptr, 1);
      Set(edge, "weight", std::to_string(e.cooccurrences));
      if (styled) {
        Set(edge, "color", "#88888866");
        Set(edge, "penwidth", std::to_string(0.5 + 3.0 * static_cast<double>(e.cooccurrences) / static_cast<double>(top_edge)));
      }
    }
    if (gvLayout(gvc_, g_, pinned ? "nop" : "neato") != 0) return Status::Internal("graphviz: layout failed");
    laid_out_ = true;
    return Status::Ok();
  }
  StatusOr<std::string> Render(const char* format) {
    char* data = nullptr;
    unsigned int length = 0;
    if (gvRenderData(gvc_, g_, format, &data, &length) != 0 || data == nullptr) {
      return Status::Internal(std::string("graphviz: cannot render ") + format);
    }
    std::string out(data, length);
    gvFreeRenderData(data);
    return out;
  }

 private:
  GVC_t* gvc_;
  Agraph_t* g_ = nullptr;
  bool laid_out_ = false;
  std::vector<Agnode_t*> nodes_;
};

}  // namespace

Status LayOut(KeywordNetwork* net, uint64_t seed) {
  std::lock_guard<std::mutex> lock(GraphvizLock());
  GvGraph g;
  LITRANK_RETURN_IF_ERROR(g.Build(*net, /*pinned=*/false, seed, /*styled=*/false));
  StatusOr<std::string> plain = g.Render("plain");
  if (!plain.ok()) return plain.status();
  // "node nK X Y ..." in inches.
  std::istringstream in(*plain);
  std::string word;
  while (in >> word) {
    if (word != "node") {
      std::string rest;
      std::getline(in, rest);
      continue;
    }
    std::string name;
    double x = 0, y = 0;
    in >> name >> x >> y;
    std::string rest;
    std::getline(in, rest);
    if (name.size() < 2 || name[0] != 'n') continue;
    const size_t i = std::strtoul(name.c_str() + 1, nullptr, 10);
    if (i < net->nodes.size()) net->nodes[i].x = x * 72, net->nodes[i].y = y * 72;
  }
  return Status::Ok();
}

StatusOr<std::string> DrawSvg(const KeywordNetwork& net) {
  std::lock_guard<std::mutex> lock(GraphvizLock());
  GvGraph g;
  LITRANK_RETURN_IF_ERROR(g.Build(net, /*pinned=*/true, 0, /*styled=*/true));
  return g.Render("svg");
}

}  // namespace litrank::analysis

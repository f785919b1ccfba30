// The keyword network's files: GraphML and Pajek through igraph's writers,
// GEXF and VOSviewer's map + network files written here (igraph has neither).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>

#include "analysis/graph_layout.h"
#include "analysis/igraph_graph.h"
#include "litrank/keywords.h"

namespace litrank {
namespace {

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

/// Runs an igraph writer on the attributed graph into `path`.
Status WriteWithIgraph(const KeywordNetwork& net, const std::string& path,
                       igraph_error_t (*write)(const igraph_t*, FILE*), const char* what) {
  std::lock_guard<std::mutex> lock(analysis::IgraphLock());
  auto graph = analysis::IgraphGraph::Create(net, /*attributes=*/true);
  if (!graph.ok()) return graph.status();
  std::unique_ptr<FILE, FileCloser> f(std::fopen(path.c_str(), "wb"));
  if (!f) return Status::IOError("cannot write " + path);
  LITRANK_RETURN_IF_ERROR(analysis::IgraphStatus(write((*graph)->get(), f.get()), what));
  if (std::fflush(f.get()) != 0) return Status::IOError("cannot write " + path);
  return Status::Ok();
}

igraph_error_t GraphmlWriter(const igraph_t* g, FILE* f) { return igraph_write_graph_graphml(g, f, true); }
igraph_error_t PajekWriter(const igraph_t* g, FILE* f) { return igraph_write_graph_pajek(g, f); }

/// XML text: the five predefined entities escaped, control characters dropped.
std::string Xml(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c >= 0x20 || c == '\t' || c == '\n') out += static_cast<char>(c);
    }
  }
  return out;
}

/// A TSV field: tabs and line breaks become spaces.
std::string Tsv(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

Status Finish(std::ofstream& out, const std::string& path) {
  out.flush();
  return out ? Status::Ok() : Status::IOError("cannot write " + path);
}

}  // namespace

Status WriteGraphml(const KeywordNetwork& net, const std::string& path) {
  return WriteWithIgraph(net, path, GraphmlWriter, "GraphML");
}

Status WritePajek(const KeywordNetwork& net, const std::string& path) {
  // Pajek labels are quoted with no escape for a quote (igraph writes \" and
  // cannot read it back): a double quote in a label becomes a single one.
  KeywordNetwork copy = net;
  for (KeywordNode& n : copy.nodes) std::replace(n.label.begin(), n.label.end(), '"', '\'');
  return WriteWithIgraph(copy, path, PajekWriter, "Pajek");
}

Status WriteGexf(const KeywordNetwork& net, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError("cannot write " + path);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<gexf xmlns=\"http://gexf.net/1.3\" xmlns:viz=\"http://gexf.net/1.3/viz\" version=\"1.3\">\n"
         "  <meta><creator>litrank</creator><description>keyword co-occurrence network</description></meta>\n"
         "  <graph defaultedgetype=\"undirected\" mode=\"static\">\n"
         "    <attributes class=\"node\">\n"
         "      <attribute id=\"occurrences\" title=\"occurrences\" type=\"integer\"/>\n"
         "      <attribute id=\"cluster\" title=\"cluster\" type=\"integer\"/>\n"
         "      <attribute id=\"betweenness\" title=\"betweenness\" type=\"double\"/>\n"
         "    </attributes>\n"
         "    <attributes class=\"edge\">\n"
         "      <attribute id=\"association\" title=\"association strength\" type=\"double\"/>\n"
         "    </attributes>\n"
         "    <nodes>\n";
  for (size_t i = 0; i < net.nodes.size(); ++i) {
    const KeywordNode& n = net.nodes[i];
    out << "      <node id=\"" << i << "\" label=\"" << Xml(n.label) << "\">\n"
        << "        <attvalues><attvalue for=\"occurrences\" value=\"" << n.occurrences << "\"/>"
        << "<attvalue for=\"cluster\" value=\"" << n.cluster << "\"/>"
        << "<attvalue for=\"betweenness\" value=\"" << n.betweenness << "\"/></attvalues>\n"
        << "        <viz:position x=\"" << n.x << "\" y=\"" << n.y << "\" z=\"0.0\"/>\n"
        << "        <viz:size value=\"" << n.occurrences << "\"/>\n"
        << "      </node>\n";
  }
  out << "    </nodes>\n    <edges>\n";
  for (size_t i = 0; i < net.edges.size(); ++i) {
    const KeywordEdge& e = net.edges[i];
    out << "      <edge id=\"" << i << "\" source=\"" << e.a << "\" target=\"" << e.b << "\" weight=\""
        << e.cooccurrences << "\"><attvalues><attvalue for=\"association\" value=\"" << e.association
        << "\"/></attvalues></edge>\n";
  }
  out << "    </edges>\n  </graph>\n</gexf>\n";
  return Finish(out, path);
}

Status WriteVosviewer(const KeywordNetwork& net, const std::string& map_path, const std::string& network_path) {
  std::ofstream map(map_path, std::ios::binary | std::ios::trunc);
  if (!map) return Status::IOError("cannot write " + map_path);
  // VOSviewer's map file: ids from 1; x, y in its own units (any scale works).
  map << "id\tlabel\tx\ty\tcluster\tweight<Links>\tweight<Total link strength>\tweight<Occurrences>\n";
  for (size_t i = 0; i < net.nodes.size(); ++i) {
    const KeywordNode& n = net.nodes[i];
    map << i + 1 << '\t' << Tsv(n.label) << '\t' << n.x / 100 << '\t' << -n.y / 100 << '\t' << n.cluster << '\t'
        << n.links << '\t' << n.total_link_strength << '\t' << n.occurrences << '\n';
  }
  LITRANK_RETURN_IF_ERROR(Finish(map, map_path));
  std::ofstream network(network_path, std::ios::binary | std::ios::trunc);
  if (!network) return Status::IOError("cannot write " + network_path);
  for (const KeywordEdge& e : net.edges) network << e.a + 1 << '\t' << e.b + 1 << '\t' << e.cooccurrences << '\n';
  return Finish(network, network_path);
}

StatusOr<std::string> DrawKeywordNetworkSvg(const KeywordNetwork& net) { return analysis::DrawSvg(net); }

}  // namespace litrank

// `litrank keywords`: the keyword co-occurrence network and its exports.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "util/text_file.h"
#include "cli/document_source.h"
#include "litrank/keywords.h"
#include "report/json_views.h"
#include "util/utf8.h"

namespace litrank::cli {
namespace {

struct KeywordsArgs {
  DocumentSource source;
  std::string thesaurus, json_out, graphml, gexf, pajek, vosviewer, svg;
  bool no_plurals = false;
  int show = 30;
  KeywordNetworkOptions options;
};

Status WriteOutputs(const KeywordsArgs& a, const KeywordNetwork& net) {
  if (!a.json_out.empty()) LITRANK_RETURN_IF_ERROR(WriteTextFile(a.json_out, report::KeywordNetworkJson(net).dump(1) + "\n"));
  if (!a.graphml.empty()) LITRANK_RETURN_IF_ERROR(WriteGraphml(net, a.graphml));
  if (!a.gexf.empty()) LITRANK_RETURN_IF_ERROR(WriteGexf(net, a.gexf));
  if (!a.pajek.empty()) LITRANK_RETURN_IF_ERROR(WritePajek(net, a.pajek));
  if (!a.vosviewer.empty()) {
    LITRANK_RETURN_IF_ERROR(WriteVosviewer(net, a.vosviewer + "_map.txt", a.vosviewer + "_network.txt"));
  }
  if (!a.svg.empty()) {
    StatusOr<std::string> svg = DrawKeywordNetworkSvg(net);
    if (!svg.ok()) return svg.status();
    LITRANK_RETURN_IF_ERROR(WriteTextFile(a.svg, *svg));
  }
  return Status::Ok();
}

int Run(KeywordsArgs a) {
  if (!a.thesaurus.empty()) {
    if (Status st = LoadThesaurus(a.thesaurus, &a.options.thesaurus); !st.ok()) return Fail(st);
  }
  a.options.fold_plurals = !a.no_plurals;
  std::vector<Document> docs;
  std::vector<std::string> ids;
  if (Status st = LoadDocumentSource(a.source, &docs, &ids); !st.ok()) return Fail(st);
  StatusOr<KeywordNetwork> net = BuildKeywordNetwork(docs, a.options);
  if (!net.ok()) return Fail(net.status());
  std::printf("%-32s %7s %6s %6s %8s %11s\n", "keyword", "cluster", "docs", "links", "strength", "betweenness");
  for (size_t i = 0; i < net->nodes.size() && static_cast<int>(i) < a.show; ++i) {
    const KeywordNode& n = net->nodes[i];
    std::printf("%-32s %7d %6zu %6zu %8zu %11.1f\n", n.label.substr(0, Utf8SafePrefix(n.label, 32)).c_str(), n.cluster,
                n.occurrences, n.links, n.total_link_strength, n.betweenness);
  }
  std::fprintf(stderr, "%zu keywords%s, %zu links, %d clusters (modularity %.3f); %zu of %zu documents contribute\n",
               net->nodes.size(), net->from_text ? " (title/abstract words: too few records carry keywords)" : "",
               net->edges.size(), net->clusters, net->modularity, net->documents_with_terms, net->documents);
  if (Status st = WriteOutputs(a, *net); !st.ok()) return Fail(st);
  return kExitOk;
}

}  // namespace

void AddKeywordsCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<KeywordsArgs>();
  auto* cmd = app.add_subcommand("keywords",
      "The keyword co-occurrence network: normalised keywords (case, plurals, a VOSviewer thesaurus),\n"
      "association strength, Leiden clusters, centralities; GraphML, GEXF, Pajek, VOSviewer and SVG files.");
  AddDocumentSourceOptions(cmd, &a->source);
  cmd->add_option("--thesaurus", a->thesaurus, "VOSviewer thesaurus file (label<TAB>replace by)");
  cmd->add_option("--min-occurrences", a->options.min_occurrences, "Keywords in fewer documents are left out")
      ->check(CLI::Range(1, 1000000000))->capture_default_str();
  cmd->add_option("--max-keywords", a->options.max_keywords, "The most frequent keywords kept")
      ->check(CLI::Range(1, 100000))->capture_default_str();
  cmd->add_option("--resolution", a->options.resolution, "Leiden resolution: higher gives more clusters")
      ->check(CLI::Range(0.01, 100.0))->capture_default_str();
  cmd->add_flag("--no-plurals", a->no_plurals, "Do not fold plurals onto singulars");
  cmd->add_option("--seed", a->options.seed, "Seed for clusters and layout")->capture_default_str();
  cmd->add_option("--json", a->json_out, "Nodes and edges as JSON");
  cmd->add_option("--graphml", a->graphml, "GraphML file (Gephi, igraph, Cytoscape)");
  cmd->add_option("--gexf", a->gexf, "GEXF file (Gephi)");
  cmd->add_option("--pajek", a->pajek, "Pajek .net file");
  cmd->add_option("--vosviewer", a->vosviewer, "VOSviewer files PREFIX_map.txt and PREFIX_network.txt");
  cmd->add_option("--svg", a->svg, "A drawing of the network (graphviz layout)");
  cmd->add_option("--show", a->show, "Keywords listed on stdout")->check(CLI::Range(0, 100000))->capture_default_str();
  cmd->footer(
      "\nExamples:\n"
      "  litrank keywords --db review.db --svg keywords.svg --vosviewer keywords\n"
      "  litrank keywords --docs papers.ris --thesaurus thesaurus.txt --graphml k.graphml --gexf k.gexf\n");
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace litrank::cli

// litrank — the keyword network of a document set: normalised keywords, their
// co-occurrences with association strength, communities (Leiden), centralities,
// a layout, and the files VOSviewer, Gephi and Pajek open.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "litrank/document.h"
#include "litrank/status.h"

namespace litrank {

/// How the network is built.
struct KeywordNetworkOptions {
  size_t min_occurrences = 2;   ///< keywords in fewer documents are left out
  size_t max_keywords = 100;    ///< the most frequent kept (ties: alphabetical)
  bool fold_plurals = true;     ///< "networks" → "network" when both occur
  /// Replacements in VOSviewer's thesaurus form (see LoadThesaurus); a keyword
  /// mapped to "" is dropped. Applied after case folding, before plurals.
  std::map<std::string, std::string> thesaurus;
  /// When under 10% of the documents carry keywords: title + abstract words
  /// (general stop list removed, in at most half the documents) stand in.
  bool terms_when_no_keywords = true;
  double resolution = 1.0;      ///< Leiden modularity resolution: higher, more communities
  uint64_t seed = 42;
  bool layout = true;           ///< compute x, y (graphviz sfdp) for the map and the drawing
};

/// One keyword.
struct KeywordNode {
  std::string label;
  size_t occurrences = 0;          ///< documents with it
  int cluster = 0;                 ///< community, numbered by size from 1 (VOSviewer's convention)
  size_t links = 0;                ///< keywords it co-occurs with
  size_t total_link_strength = 0;  ///< its co-occurrences, summed
  double betweenness = 0;          ///< unweighted betweenness centrality
  double x = 0, y = 0;             ///< layout position (0 when layout is off)
};

/// Two keywords in at least one document together; a < b.
struct KeywordEdge {
  size_t a = 0, b = 0;
  size_t cooccurrences = 0;
  /// 2m · c_ab / (s_a · s_b), s the nodes' total link strength, m the sum of all
  /// co-occurrences (van Eck & Waltman 2009): 1 when they co-occur as often as
  /// chance predicts, higher when more.
  double association = 0;
};

/// The network.
struct KeywordNetwork {
  std::vector<KeywordNode> nodes;  ///< by occurrences, most first
  std::vector<KeywordEdge> edges;
  int clusters = 0;
  double modularity = 0;
  size_t documents = 0;            ///< documents given
  size_t documents_with_terms = 0; ///< ... that contributed at least one kept keyword
  bool from_text = false;          ///< true when words stood in for absent keywords
};

/// Reads a VOSviewer thesaurus: a tab-separated text file whose first line is
/// the header "label<TAB>replace by", then one "label<TAB>replacement" per line
/// (replacement empty = drop the label). Labels are case-folded.
/// Errors: NotFound, InvalidArgument (no header, a line without a tab; the
/// message gives the line).
Status LoadThesaurus(const std::string& path, std::map<std::string, std::string>* thesaurus);

/// Builds the network of `docs`' keywords. Deterministic for a given seed.
/// Errors: InvalidArgument (no documents; no keyword or term reaches
/// min_occurrences), Internal (igraph or graphviz failed).
StatusOr<KeywordNetwork> BuildKeywordNetwork(const std::vector<Document>& docs, const KeywordNetworkOptions& options);

/// Writes GraphML (igraph's writer: node label, occurrences, cluster, x, y; edge
/// weight = co-occurrences, association).
Status WriteGraphml(const KeywordNetwork& net, const std::string& path);
/// Writes GEXF 1.3 (Gephi), with the same attributes and viz positions.
Status WriteGexf(const KeywordNetwork& net, const std::string& path);
/// Writes Pajek .net (igraph's writer: labels, with any double quote made a
/// single one, which Pajek cannot escape; edge weights = co-occurrences).
Status WritePajek(const KeywordNetwork& net, const std::string& path);
/// Writes VOSviewer's map file (id, label, x, y, cluster, weights) and network
/// file (id, id, co-occurrences).
Status WriteVosviewer(const KeywordNetwork& net, const std::string& map_path, const std::string& network_path);
/// Draws the network as a self-contained SVG (graphviz: node size by
/// occurrences, colour by cluster, edges the strongest first).
StatusOr<std::string> DrawKeywordNetworkSvg(const KeywordNetwork& net);

}  // namespace litrank

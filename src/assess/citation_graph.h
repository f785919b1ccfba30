// Internal to assess/: the citation graph of a document set, from the
// references its records carry (extra_json), and its PageRank.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "litrank/document.h"
#include "litrank/status.h"

namespace litrank::assess {

/// Who cites whom inside one document set.
struct CitationGraph {
  size_t references = 0;                         ///< reference entries found in the records
  size_t resolved = 0;                           ///< of them, naming another record of the set (not itself)
  std::vector<std::pair<size_t, size_t>> edges;  ///< citing → cited (input indexes), unique, no self-loops
  std::vector<size_t> in_degree;                 ///< per document: records of the set citing it
};

/// Reads each record's references from extra_json: `references`,
/// `referenced_works` (OpenAlex), `reference` (Crossref objects: DOI, else key),
/// `cites` / `cited_references` (strings, or one string split on , ; or
/// whitespace), and `cited_by` (reverse: records that cite this one). A
/// reference matches a record by id, DOI (any doi.org form, case-insensitive),
/// PMID or OpenAlex id (W123…, URL or bare).
CitationGraph BuildCitationGraph(const std::vector<Document>& docs);

/// PageRank (damping 0.85, igraph's PRPACK) of the directed graph; uniform
/// when it has no edge.
StatusOr<std::vector<double>> CitationPageRank(const CitationGraph& graph, size_t nodes);

}  // namespace litrank::assess

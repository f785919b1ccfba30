// BuildKeywordNetwork: normalised keywords → co-occurrences → association
// strength, Leiden communities and betweenness (igraph), layout (graphviz).
#include <algorithm>
#include <fstream>
#include <numeric>
#include <set>
#include <unordered_map>

#include "analysis/graph_layout.h"
#include "analysis/igraph_graph.h"
#include "litrank/keywords.h"
#include "text/tfidf.h"
#include "util/ascii.h"

namespace litrank {
namespace {

constexpr double kKeywordShare = 0.10;  // below this share of documents with keywords, words stand in

/// Case-folded, trimmed, applied thesaurus ("" = dropped).
std::string Normalize(const std::string& k, const std::map<std::string, std::string>& thesaurus) {
  std::string term = Lower(Trim(k));
  if (const auto it = thesaurus.find(term); it != thesaurus.end()) term = it->second;
  return term;
}

/// The singular a plural folds to when both occur: "networks" → "network",
/// "studies" → "study"; "" when `term` is no such plural.
std::string Singular(const std::string& term, const std::set<std::string>& all) {
  if (term.size() < 4 || term.back() != 's') return "";
  if (term.ends_with("ss") || term.ends_with("us") || term.ends_with("is")) return "";
  if (term.ends_with("ies")) {
    std::string y = term.substr(0, term.size() - 3) + "y";
    if (all.count(y)) return y;
  }
  std::string s = term.substr(0, term.size() - 1);
  return all.count(s) ? s : "";
}

/// Each document's distinct terms: keywords, or (when too few documents have
/// any) analysed words.
StatusOr<std::vector<std::vector<std::string>>> DocumentTerms(const std::vector<Document>& docs,
                                                             const KeywordNetworkOptions& o, bool* from_text) {
  size_t with_keywords = 0;
  for (const Document& d : docs) with_keywords += d.keywords.empty() ? 0 : 1;
  std::vector<std::vector<std::string>> terms(docs.size());
  *from_text = o.terms_when_no_keywords && static_cast<double>(with_keywords) < kKeywordShare * static_cast<double>(docs.size());
  if (*from_text) {
    std::vector<std::string> texts;
    for (const Document& d : docs) texts.push_back(SearchText(d));
    TextTermOptions to;
    to.broad_stopwords = true;
    StatusOr<std::vector<std::vector<std::string>>> words = AnalyzeTexts(texts, to);
    if (!words.ok()) return words.status();
    std::unordered_map<std::string, size_t> df;
    for (auto& w : *words) {
      std::sort(w.begin(), w.end());
      w.erase(std::unique(w.begin(), w.end()), w.end());
      for (const std::string& t : w) ++df[t];
    }
    for (size_t i = 0; i < docs.size(); ++i) {
      for (std::string& t : (*words)[i]) {
        if (2 * df[t] <= docs.size()) terms[i].push_back(Normalize(t, o.thesaurus));  // in at most half
      }
    }
  } else {
    for (size_t i = 0; i < docs.size(); ++i) {
      for (const std::string& k : docs[i].keywords) terms[i].push_back(Normalize(k, o.thesaurus));
    }
  }
  if (o.fold_plurals) {
    std::set<std::string> all;
    for (const auto& t : terms) all.insert(t.begin(), t.end());
    std::unordered_map<std::string, std::string> fold;
    for (const std::string& t : all) {
      if (std::string s = Singular(t, all); !s.empty()) fold[t] = s;
    }
    for (auto& t : terms) {
      for (std::string& w : t) {
        if (const auto it = fold.find(w); it != fold.end()) w = it->second;
      }
    }
  }
  for (auto& t : terms) {
    t.erase(std::remove(t.begin(), t.end(), std::string()), t.end());
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
  }
  return terms;
}

/// Leiden (modularity, weights = co-occurrences) and betweenness through igraph.
Status Communities(KeywordNetwork* net, const KeywordNetworkOptions& o) {
  std::lock_guard<std::mutex> lock(analysis::IgraphLock());
  auto graph = analysis::IgraphGraph::Create(*net, /*attributes=*/false);
  if (!graph.ok()) return graph.status();
  igraph_t* g = (*graph)->get();
  igraph_vector_t weights, strength;
  igraph_vector_int_t membership;
  igraph_vector_init(&weights, static_cast<igraph_integer_t>(net->edges.size()));
  igraph_vector_init(&strength, static_cast<igraph_integer_t>(net->nodes.size()));
  igraph_vector_int_init(&membership, 0);
  double total = 0;
  for (size_t i = 0; i < net->edges.size(); ++i) {
    VECTOR(weights)[i] = static_cast<double>(net->edges[i].cooccurrences);
    total += VECTOR(weights)[i];
  }
  for (size_t i = 0; i < net->nodes.size(); ++i) VECTOR(strength)[i] = static_cast<double>(net->nodes[i].total_link_strength);
  igraph_rng_seed(igraph_rng_default(), static_cast<igraph_uint_t>(o.seed));
  igraph_integer_t clusters = 0;
  igraph_real_t quality = 0;
  Status st = Status::Ok();
  if (total > 0) {
    st = analysis::IgraphStatus(igraph_community_leiden(g, &weights, &strength, o.resolution / (2 * total), 0.01,
                                                        false, -1, &membership, &clusters, &quality),
                                "Leiden");
  } else {  // no edges: every keyword its own community
    igraph_vector_int_resize(&membership, static_cast<igraph_integer_t>(net->nodes.size()));
    for (size_t i = 0; i < net->nodes.size(); ++i) VECTOR(membership)[i] = static_cast<igraph_integer_t>(i);
    clusters = static_cast<igraph_integer_t>(net->nodes.size());
  }
  igraph_vector_t betweenness;
  igraph_vector_init(&betweenness, 0);
  if (st.ok()) st = analysis::IgraphStatus(igraph_betweenness(g, &betweenness, igraph_vss_all(), false, nullptr), "betweenness");
  if (st.ok()) {
    // Communities numbered by size from 1, as VOSviewer does (ties: the lower id).
    std::vector<size_t> size(static_cast<size_t>(clusters), 0);
    for (size_t i = 0; i < net->nodes.size(); ++i) ++size[static_cast<size_t>(VECTOR(membership)[i])];
    std::vector<int> order(size.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return size[a] > size[b]; });
    std::vector<int> rank(size.size());
    for (size_t r = 0; r < order.size(); ++r) rank[order[r]] = static_cast<int>(r) + 1;
    for (size_t i = 0; i < net->nodes.size(); ++i) {
      net->nodes[i].cluster = rank[static_cast<size_t>(VECTOR(membership)[i])];
      net->nodes[i].betweenness = VECTOR(betweenness)[i];
    }
    net->clusters = static_cast<int>(clusters);
    net->modularity = quality;
  }
  igraph_vector_destroy(&betweenness);
  igraph_vector_int_destroy(&membership);
  igraph_vector_destroy(&strength);
  igraph_vector_destroy(&weights);
  return st;
}

}  // namespace

Status LoadThesaurus(const std::string& path, std::map<std::string, std::string>* thesaurus) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open thesaurus " + path);
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    const size_t tab = line.find('\t');
    if (line_no == 1) {
      if (tab == std::string::npos || Lower(Trim(line.substr(0, tab))) != "label" ||
          Lower(Trim(line.substr(tab + 1))) != "replace by") {
        return Status::InvalidArgument(path + ":1: a VOSviewer thesaurus starts with the header \"label<TAB>replace by\"");
      }
      continue;
    }
    if (Trim(line).empty()) continue;
    if (tab == std::string::npos) {
      return Status::InvalidArgument(path + ":" + std::to_string(line_no) + ": expected \"label<TAB>replacement\"");
    }
    const std::string label = Lower(Trim(line.substr(0, tab)));
    if (label.empty()) return Status::InvalidArgument(path + ":" + std::to_string(line_no) + ": empty label");
    (*thesaurus)[label] = Lower(Trim(line.substr(tab + 1)));
  }
  if (line_no == 0) return Status::InvalidArgument(path + " is empty: expected the header \"label<TAB>replace by\"");
  return Status::Ok();
}

StatusOr<KeywordNetwork> BuildKeywordNetwork(const std::vector<Document>& docs, const KeywordNetworkOptions& o) {
  if (docs.empty()) return Status::InvalidArgument("no documents to build a keyword network from");
  if (o.max_keywords == 0) return Status::InvalidArgument("max_keywords must be at least 1");
  KeywordNetwork net;
  net.documents = docs.size();
  StatusOr<std::vector<std::vector<std::string>>> terms = DocumentTerms(docs, o, &net.from_text);
  if (!terms.ok()) return terms.status();

  std::map<std::string, size_t> occurrences;
  for (const auto& t : *terms) {
    for (const std::string& w : t) ++occurrences[w];
  }
  std::vector<std::pair<std::string, size_t>> kept;
  for (const auto& [w, n] : occurrences) {
    if (n >= std::max<size_t>(o.min_occurrences, 1)) kept.emplace_back(w, n);
  }
  std::stable_sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (kept.size() > o.max_keywords) kept.resize(o.max_keywords);
  if (kept.empty()) {
    return Status::InvalidArgument("no " + std::string(net.from_text ? "term" : "keyword") + " occurs in " +
                                   std::to_string(o.min_occurrences) + " or more of the " +
                                   std::to_string(docs.size()) + " documents");
  }
  std::unordered_map<std::string, size_t> index;
  for (const auto& [w, n] : kept) {
    index.emplace(w, net.nodes.size());
    KeywordNode node;
    node.label = w;
    node.occurrences = n;
    net.nodes.push_back(std::move(node));
  }
  std::map<std::pair<size_t, size_t>, size_t> pairs;
  std::vector<size_t> ids;
  for (const auto& t : *terms) {
    ids.clear();
    for (const std::string& w : t) {
      if (const auto it = index.find(w); it != index.end()) ids.push_back(it->second);
    }
    if (!ids.empty()) ++net.documents_with_terms;
    std::sort(ids.begin(), ids.end());
    for (size_t i = 0; i < ids.size(); ++i) {
      for (size_t j = i + 1; j < ids.size(); ++j) ++pairs[{ids[i], ids[j]}];
    }
  }
  double m = 0;
  for (const auto& [ab, c] : pairs) {
    net.nodes[ab.first].total_link_strength += c;
    net.nodes[ab.second].total_link_strength += c;
    ++net.nodes[ab.first].links;
    ++net.nodes[ab.second].links;
    m += static_cast<double>(c);
  }
  for (const auto& [ab, c] : pairs) {
    KeywordEdge e;
    e.a = ab.first;
    e.b = ab.second;
    e.cooccurrences = c;
    e.association = 2 * m * static_cast<double>(c) /
                    (static_cast<double>(net.nodes[e.a].total_link_strength) * static_cast<double>(net.nodes[e.b].total_link_strength));
    net.edges.push_back(e);
  }
  LITRANK_RETURN_IF_ERROR(Communities(&net, o));
  if (o.layout) LITRANK_RETURN_IF_ERROR(analysis::LayOut(&net, o.seed));
  return net;
}

}  // namespace litrank

// CitationGraph: record keys, reference normalisation, edges; PageRank by igraph.
#include "assess/citation_graph.h"

#include <algorithm>
#include <set>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "analysis/igraph_graph.h"
#include "util/ascii.h"

namespace litrank::assess {
namespace {

constexpr size_t kMaxReferencesPerRecord = 10000;

bool IsOpenAlexWork(const std::string& s) {
  if (s.size() < 2 || s[0] != 'w') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// The key a reference string or a record id matches on: "doi:10.…",
/// "openalex:w…" or "id:…" (lower case, trimmed).
std::string KeyOf(const std::string& raw) {
  std::string s = Lower(Trim(raw));
  if (s.empty()) return "";
  for (const char* prefix : {"https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"}) {
    const std::string p(prefix);
    if (s.compare(0, p.size(), p) == 0) return "doi:" + std::string(Trim(s.substr(p.size())));
  }
  if (s.compare(0, 3, "10.") == 0 && s.find('/') != std::string::npos) return "doi:" + s;
  for (const char* prefix : {"https://openalex.org/", "http://openalex.org/"}) {
    const std::string p(prefix);
    if (s.compare(0, p.size(), p) == 0) s = s.substr(p.size());
  }
  if (IsOpenAlexWork(s)) return "openalex:" + s;
  if (s.compare(0, 5, "pmid:") == 0) s = std::string(Trim(s.substr(5)));
  return "id:" + s;
}

/// Reference strings of one field value.
void CollectReferences(const nlohmann::json& value, std::vector<std::string>* out) {
  auto add = [&](const std::string& s) {
    if (out->size() < kMaxReferencesPerRecord && !Trim(s).empty()) out->push_back(s);
  };
  if (value.is_string()) {
    std::string item;
    for (char c : value.get_ref<const std::string&>()) {
      if (c == ',' || c == ';' || c == ' ' || c == '\n' || c == '\t' || c == '\r') {
        add(item);
        item.clear();
      } else {
        item += c;
      }
    }
    add(item);
    return;
  }
  if (!value.is_array()) return;
  for (const auto& v : value) {
    if (v.is_string()) {
      add(v.get<std::string>());
    } else if (v.is_number_integer()) {
      add(std::to_string(v.get<int64_t>()));
    } else if (v.is_object()) {
      for (const char* key : {"DOI", "doi", "id", "pmid", "key"}) {
        auto it = v.find(key);
        if (it != v.end() && it->is_string()) {
          add(it->get<std::string>());
          break;
        }
      }
    }
  }
}

}  // namespace

CitationGraph BuildCitationGraph(const std::vector<Document>& docs) {
  CitationGraph g;
  g.in_degree.assign(docs.size(), 0);
  // Keys of every record; a key two records share names neither (ambiguous).
  std::unordered_map<std::string, size_t> owner;
  std::set<std::string> ambiguous;
  auto own = [&](const std::string& raw, size_t i) {
    const std::string key = KeyOf(raw);
    if (key.empty() || key == "id:") return;
    auto [it, inserted] = owner.emplace(key, i);
    if (!inserted && it->second != i) ambiguous.insert(key);
  };
  std::vector<nlohmann::json> extras(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    const Document& d = docs[i];
    own(d.id, i);
    if (!d.doi.empty()) own("doi:" + d.doi, i);
    if (d.url.find("openalex.org/") != std::string::npos) own(d.url, i);
    extras[i] = nlohmann::json::parse(d.extra_json, nullptr, false);
    if (!extras[i].is_object()) continue;
    for (const char* key : {"pmid", "PMID", "openalex", "openalex_id"}) {
      auto it = extras[i].find(key);
      if (it != extras[i].end() && it->is_string()) own(it->get<std::string>(), i);
    }
  }
  auto resolve = [&](const std::string& raw) -> long {
    const std::string key = KeyOf(raw);
    auto it = owner.find(key);
    if (it == owner.end() || ambiguous.count(key)) return -1;
    return static_cast<long>(it->second);
  };
  std::set<std::pair<size_t, size_t>> edges;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (!extras[i].is_object()) continue;
    std::vector<std::string> cited, citing;
    for (const char* key : {"references", "referenced_works", "reference", "cites", "cited_references"}) {
      auto it = extras[i].find(key);
      if (it != extras[i].end()) CollectReferences(*it, &cited);
    }
    if (auto it = extras[i].find("cited_by"); it != extras[i].end()) CollectReferences(*it, &citing);
    g.references += cited.size();
    for (const std::string& r : cited) {
      const long j = resolve(r);
      if (j < 0 || static_cast<size_t>(j) == i) continue;  // unknown, ambiguous, or itself
      ++g.resolved;
      edges.emplace(i, static_cast<size_t>(j));
    }
    for (const std::string& r : citing) {
      const long j = resolve(r);
      if (j >= 0 && static_cast<size_t>(j) != i) edges.emplace(static_cast<size_t>(j), i);
    }
  }
  g.edges.assign(edges.begin(), edges.end());
  for (const auto& e : g.edges) ++g.in_degree[e.second];
  return g;
}

StatusOr<std::vector<double>> CitationPageRank(const CitationGraph& graph, size_t nodes) {
  if (nodes == 0) return std::vector<double>{};
  if (graph.edges.empty()) return std::vector<double>(nodes, 1.0 / static_cast<double>(nodes));
  std::lock_guard<std::mutex> lock(analysis::IgraphLock());
  StatusOr<std::unique_ptr<analysis::IgraphGraph>> g = analysis::IgraphGraph::FromEdges(nodes, graph.edges, true);
  if (!g.ok()) return g.status();
  igraph_vector_t ranks;
  if (igraph_vector_init(&ranks, 0) != IGRAPH_SUCCESS) return Status::Internal("igraph: out of memory");
  igraph_real_t eigen = 0;
  const igraph_error_t rc = igraph_pagerank((*g)->get(), IGRAPH_PAGERANK_ALGO_PRPACK, &ranks, &eigen, igraph_vss_all(),
                                            /*directed=*/true, 0.85, /*weights=*/nullptr, /*options=*/nullptr);
  std::vector<double> out;
  if (rc == IGRAPH_SUCCESS) {
    out.resize(nodes);
    for (size_t i = 0; i < nodes; ++i) out[i] = VECTOR(ranks)[static_cast<igraph_integer_t>(i)];
  }
  igraph_vector_destroy(&ranks);
  LITRANK_RETURN_IF_ERROR(analysis::IgraphStatus(rc, "pagerank"));
  return out;
}

}  // namespace litrank::assess

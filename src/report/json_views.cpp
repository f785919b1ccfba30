#include "report/json_views.h"

#include "search/search_json.h"
#include "util/utf8.h"

namespace litrank::report {

std::string DisplayTitle(const Document& d, size_t bytes) {
  const std::string& text = d.title.empty() ? d.abstract : d.title;
  std::string s = text.substr(0, Utf8SafePrefix(text, bytes));
  for (char& c : s) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  }
  return s.size() < text.size() ? s + "…" : s;
}

nlohmann::json TopicsJson(const TopicModel& m, const std::vector<Document>& docs, const std::vector<std::string>& ids) {
  nlohmann::json topics = nlohmann::json::array();
  for (const Topic& t : m.topics) {
    nlohmann::json reps = nlohmann::json::array();
    for (size_t i : t.representatives) reps.push_back({{"index", i}, {"id", ids[i]}, {"title", DisplayTitle(docs[i])}});
    nlohmann::json j = {{"id", t.id}, {"label", t.label}, {"keywords", t.keywords}, {"size", t.members.size()},
                        {"representatives", reps}};
    if (t.year_min > 0) j["year_min"] = t.year_min, j["year_max"] = t.year_max;
    topics.push_back(std::move(j));
  }
  return {{"k", m.k}, {"k_chosen", m.k_chosen}, {"silhouette", m.silhouette}, {"features", m.features},
          {"documents_total", docs.size()}, {"topics", topics}, {"assignments", m.topic_of}, {"ids", ids}};
}

nlohmann::json TrendsJson(const Trends& t, const TopicModel* model) {
  nlohmann::json per_year = nlohmann::json::array();
  for (size_t y = 0; y < t.per_year.size(); ++y) {
    per_year.push_back({{"year", t.first_year + static_cast<int>(y)}, {"papers", t.per_year[y]}});
  }
  nlohmann::json bursts = nlohmann::json::array();
  for (const Burst& b : t.bursts) {
    bursts.push_back({{"term", b.term}, {"start", b.start}, {"end", b.end}, {"strength", b.strength},
                      {"documents", b.documents}});
  }
  nlohmann::json topics = nlohmann::json::array();
  for (size_t i = 0; model != nullptr && i < t.topics.size() && i < model->topics.size(); ++i) {
    const TopicTrend& tt = t.topics[i];
    const Topic& topic = model->topics[i];
    topics.push_back({{"id", tt.topic}, {"label", topic.label}, {"size", topic.members.size()},
                      {"status", tt.status}, {"recent_share", tt.recent_share}, {"earlier_share", tt.earlier_share},
                      {"per_year", tt.per_year}});
  }
  return {{"documents", t.documents}, {"missing_year", t.missing_year}, {"first_year", t.first_year},
          {"last_year", t.last_year}, {"papers_per_year", per_year}, {"bursts", bursts}, {"topics", topics}};
}

nlohmann::json KeywordNetworkJson(const KeywordNetwork& net) {
  nlohmann::json nodes = nlohmann::json::array();
  for (size_t i = 0; i < net.nodes.size(); ++i) {
    const KeywordNode& n = net.nodes[i];
    nodes.push_back({{"id", i}, {"label", n.label}, {"occurrences", n.occurrences}, {"cluster", n.cluster},
                     {"links", n.links}, {"total_link_strength", n.total_link_strength},
                     {"betweenness", n.betweenness}, {"x", n.x}, {"y", n.y}});
  }
  nlohmann::json edges = nlohmann::json::array();
  for (const KeywordEdge& e : net.edges) {
    edges.push_back({{"source", e.a}, {"target", e.b}, {"cooccurrences", e.cooccurrences}, {"association", e.association}});
  }
  return {{"documents", net.documents}, {"documents_with_terms", net.documents_with_terms},
          {"from_text", net.from_text}, {"clusters", net.clusters}, {"modularity", net.modularity},
          {"nodes", nodes}, {"edges", edges}};
}

nlohmann::json AssessmentJson(const Assessment& a, const std::vector<Document>& docs,
                              const std::vector<std::string>& ids) {
  nlohmann::json criteria = nlohmann::json::array();
  for (const Criterion& c : a.criteria) {
    criteria.push_back({{"name", c.name}, {"instruction", c.instruction}, {"query", c.query}, {"cues", c.cues},
                        {"weight", c.weight}});
  }
  nlohmann::json papers = nlohmann::json::array();
  for (const PaperAssessment& p : a.papers) {
    nlohmann::json scores = nlohmann::json::object(), pct = nlohmann::json::object();
    for (size_t c = 0; c < a.criteria.size(); ++c) {
      scores[a.criteria[c].name] = p.scores[c];
      pct[a.criteria[c].name] = p.percentiles[c];
    }
    papers.push_back({{"rank", p.rank}, {"index", p.index}, {"id", ids[p.index]}, {"title", DisplayTitle(docs[p.index])},
                      {"year", docs[p.index].year}, {"topic", p.topic}, {"composite", p.composite},
                      {"scores", scores}, {"percentiles", pct}});
  }
  nlohmann::json topics = nlohmann::json::array();
  for (const auto& [topic, members] : a.by_topic) topics.push_back({{"topic", topic}, {"papers", members}});
  nlohmann::json seminal = nlohmann::json::array();
  for (const SeminalPaper& s : a.seminal) {
    nlohmann::json j = {{"index", s.index}, {"id", ids[s.index]}, {"title", DisplayTitle(docs[s.index])},
                        {"year", docs[s.index].year}, {"local_citations", s.local_citations},
                        {"pagerank", s.pagerank}, {"score", s.score}};
    j["citations_per_year"] = s.citations_per_year >= 0 ? nlohmann::json(s.citations_per_year) : nlohmann::json();
    j["instruction_score"] = s.instruction_score >= 0 ? nlohmann::json(s.instruction_score) : nlohmann::json();
    seminal.push_back(std::move(j));
  }
  return {{"scored_by", a.model ? "reranker" : "cue words (BM25)"}, {"notes", a.notes}, {"criteria", criteria},
          {"papers", papers}, {"by_topic", topics}, {"references", a.references},
          {"resolved_references", a.resolved_references}, {"seminal", seminal}};
}

nlohmann::json CitationReportJson(const CitationReport& r) {
  nlohmann::json sentences = nlohmann::json::array();
  for (const CitedSentence& s : r.sentences) {
    nlohmann::json cites = nlohmann::json::array();
    for (const SentenceCitation& c : s.citations) {
      nlohmann::json j = StoredDocumentJson(c.document);
      j["score"] = c.score;
      j["relative"] = c.relative;
      cites.push_back(std::move(j));
    }
    sentences.push_back({{"text", s.text}, {"begin", s.begin}, {"end", s.end}, {"searched", s.searched},
                         {"citations", cites}});
  }
  nlohmann::json refs = nlohmann::json::array();
  for (const SuggestedReference& ref : r.references) {
    nlohmann::json j = StoredDocumentJson(ref.document);
    j["sentences"] = ref.sentences;
    j["best_score"] = ref.best_score;
    refs.push_back(std::move(j));
  }
  return {{"stages", r.stages}, {"notes", r.notes}, {"sentences", sentences}, {"references", refs}};
}

}  // namespace litrank::report

// WriteReview: report.md, a self-contained report.html and the JSON of each step.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <sstream>

#include "litrank/review.h"
#include "report/json_views.h"
#include "report/svg_charts.h"
#include "util/text_file.h"

namespace litrank {
namespace {

using report::Escape;

constexpr size_t kBurstsShown = 25;
constexpr size_t kTrendLines = 8;
constexpr size_t kKeywordsListed = 15;

std::string Today() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

/// A score with three decimals.
std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string Join(const std::vector<std::string>& words, size_t n, const char* sep = ", ") {
  std::string out;
  for (size_t i = 0; i < words.size() && i < n; ++i) out += (i ? sep : "") + words[i];
  return out;
}

/// Markdown table cell: pipes escaped, one line.
std::string Cell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

std::string PaperLine(const Document& d, const std::string& id) {
  std::string line = report::DisplayTitle(d, 240);
  if (d.year > 0) line += " (" + std::to_string(d.year) + ")";
  return line + " [" + id + "]";
}

std::string Markdown(const Review& r, const std::vector<Document>& docs, const std::vector<std::string>& ids) {
  std::ostringstream md;
  md << "# Literature review" << (r.question.empty() ? "" : ": " + r.question) << "\n\n";
  md << "Made by litrank on " << Today() << " from " << docs.size() << " records. Topics, trends and the keyword "
        "network are computed from the records' text (no language model); key papers are ranked by "
     << (!r.question.empty() ? "BM25 relevance to the question"
         : r.assessment ? "their composite assessment score (below)" : "how central they are to their topic")
     << ".\n\n";
  md << "## Outline\n\n";
  for (size_t i = 0; i < r.outline.size(); ++i) {
    const ReviewSection& s = r.outline[i];
    const Topic& t = r.topics.topics[static_cast<size_t>(s.topic)];
    md << "### " << i + 1 << ". " << s.title << "\n\n";
    md << t.members.size() << " papers";
    if (t.year_min > 0) md << ", " << t.year_min << "–" << t.year_max;
    if (!s.status.empty()) md << ", " << s.status;
    md << ". Keywords: " << Join(s.keywords, 8) << ".\n\n";
    for (size_t p : s.key_papers) md << "- " << PaperLine(docs[p], ids[p]) << "\n";
    md << "\n";
  }
  md << "## Topics\n\n| # | label | papers | years | trend |\n|---|---|---|---|---|\n";
  for (size_t i = 0; i < r.topics.topics.size(); ++i) {
    const Topic& t = r.topics.topics[i];
    md << "| " << t.id << " | " << Cell(t.label) << " | " << t.members.size() << " | "
       << (t.year_min > 0 ? std::to_string(t.year_min) + "–" + std::to_string(t.year_max) : "") << " | "
       << (r.trends && i < r.trends->topics.size() ? r.trends->topics[i].status : "") << " |\n";
  }
  md << "\n## Trends\n\n";
  if (r.trends) {
    const Trends& tr = *r.trends;
    md << "Papers per year, " << tr.first_year << "–" << tr.last_year;
    if (tr.missing_year) md << " (" << tr.missing_year << " records without a year left out)";
    md << ":\n\n| year | papers |\n|---|---|\n";
    for (size_t y = 0; y < tr.per_year.size(); ++y) md << "| " << tr.first_year + static_cast<int>(y) << " | " << tr.per_year[y] << " |\n";
    md << "\n### Bursts\n\n";
    if (tr.bursts.empty()) md << "No term bursts above the reporting strength.\n";
    else md << "| term | start | end | strength |\n|---|---|---|---|\n";
    for (size_t i = 0; i < tr.bursts.size() && i < kBurstsShown; ++i) {
      const Burst& b = tr.bursts[i];
      char strength[32];
      std::snprintf(strength, sizeof strength, "%.2f", b.strength);
      md << "| " << Cell(b.term) << " | " << b.start << " | " << b.end << " | " << strength << " |\n";
    }
  } else {
    md << "No trends: " << r.trends_note << ".\n";
  }
  md << "\n## Keyword network\n\n";
  if (r.keywords) {
    const KeywordNetwork& k = *r.keywords;
    md << k.nodes.size() << " " << (k.from_text ? "terms (records carry too few keywords)" : "keywords") << ", "
       << k.edges.size() << " links, " << k.clusters << " clusters.\n\n| keyword | cluster | papers | links |\n|---|---|---|---|\n";
    for (size_t i = 0; i < k.nodes.size() && i < kKeywordsListed; ++i) {
      md << "| " << Cell(k.nodes[i].label) << " | " << k.nodes[i].cluster << " | " << k.nodes[i].occurrences << " | "
         << k.nodes[i].links << " |\n";
    }
  } else {
    md << "No keyword network: " << r.keywords_note << ".\n";
  }
  if (r.assessment) {
    const Assessment& a = *r.assessment;
    md << "\n## Assessment\n\n";
    for (const std::string& n : a.notes) md << "> " << n << "\n>\n";
    md << "\n| rank | composite |";
    for (const Criterion& c : a.criteria) md << " " << c.name << " |";
    md << " paper |\n|---|---|";
    for (size_t c = 0; c < a.criteria.size(); ++c) md << "---|";
    md << "---|\n";
    for (size_t i = 0; i < a.papers.size() && i < 10; ++i) {
      const PaperAssessment& p = a.papers[i];
      md << "| " << p.rank << " | " << Fixed(p.composite) << " |";
      for (double v : p.scores) md << " " << Fixed(v) << " |";
      md << " " << PaperLine(docs[p.index], ids[p.index]) << " |\n";
    }
    if (!a.seminal.empty()) {
      md << "\n### Seminal papers\n\n";
      for (const SeminalPaper& sp : a.seminal) {
        md << "- " << PaperLine(docs[sp.index], ids[sp.index]) << " (cited by " << sp.local_citations
           << " records here; score " << Fixed(sp.score) << ")\n";
      }
    }
  }
  md << "\nThe files beside this report hold every step as JSON: topics.json, trends.json, keywords.json, "
     << (r.assessment ? "assessment.json, " : "") << "outline.json.\n";
  return md.str();
}

/// An SVG document as an inline element (its XML prolog and doctype dropped).
std::string InlineSvg(const std::string& svg) {
  const size_t start = svg.find("<svg");
  return start == std::string::npos ? "" : svg.substr(start);
}

std::string Html(const Review& r, const std::vector<Document>& docs, const std::vector<std::string>& ids) {
  std::ostringstream h;
  const std::string title = "Literature review" + (r.question.empty() ? "" : ": " + r.question);
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>"
    << Escape(title) << "</title><style>"
       "body{font-family:Georgia,'Noto Serif CJK SC',serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}"
       "h1,h2,h3{font-family:Helvetica,Arial,'Noto Sans CJK SC',sans-serif}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2.2rem}"
       "table{border-collapse:collapse;margin:.6rem 0}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}"
       "th{background:#f3f3f3}svg{max-width:100%;height:auto}.meta{color:#666}.kw{color:#555;font-size:.92em}"
       "nav ol{columns:2}section.topic{break-inside:avoid}"
       "@media print{body{max-width:none;margin:0}h2{break-before:auto}nav{display:none}a{color:inherit;text-decoration:none}"
       "svg,table,section.topic{break-inside:avoid}}"
       "</style></head><body>\n";
  h << "<h1>" << Escape(title) << "</h1>\n<p class=\"meta\">Made by litrank on " << Today() << " from " << docs.size()
    << " records. Topics, trends and the keyword network come from the records' text (no language model); key papers "
       "are ranked by "
    << (r.question.empty() ? "how central they are to their topic" : "BM25 relevance to the question") << ".</p>\n";
  h << "<nav><h2>Outline</h2><ol>";
  for (size_t i = 0; i < r.outline.size(); ++i) h << "<li><a href=\"#s" << i + 1 << "\">" << Escape(r.outline[i].title) << "</a></li>";
  h << "</ol></nav>\n";

  h << "<h2>Topics</h2>\n";
  std::vector<std::string> labels;
  std::vector<size_t> sizes;
  for (const Topic& t : r.topics.topics) labels.push_back(t.label), sizes.push_back(t.members.size());
  h << report::HorizontalBars(labels, sizes) << "\n";
  if (r.trends) {
    const Trends& tr = *r.trends;
    h << "<h2>Papers per year</h2>\n" << report::YearBars(tr.first_year, tr.per_year) << "\n";
    if (tr.missing_year) h << "<p class=\"meta\">" << tr.missing_year << " records without a year are left out.</p>\n";
    h << "<h2>Topics over time</h2>\n";
    std::vector<std::string> names;
    std::vector<std::vector<size_t>> series;
    for (size_t i = 0; i < tr.topics.size() && i < kTrendLines; ++i) {
      names.push_back(r.topics.topics[i].label + " (" + tr.topics[i].status + ")");
      series.push_back(tr.topics[i].per_year);
    }
    h << report::TrendLines(tr.first_year, names, series) << "\n";
    h << "<h2>Bursts</h2>\n";
    if (tr.bursts.empty()) {
      h << "<p>No term bursts above the reporting strength.</p>\n";
    } else {
      std::vector<Burst> shown(tr.bursts.begin(), tr.bursts.begin() + static_cast<std::ptrdiff_t>(std::min(tr.bursts.size(), kBurstsShown)));
      std::stable_sort(shown.begin(), shown.end(), [](const Burst& a, const Burst& b) { return a.start < b.start; });
      h << report::BurstTimeline(tr.first_year, tr.last_year, shown) << "\n";
    }
  } else {
    h << "<h2>Trends</h2>\n<p>No trends: " << Escape(r.trends_note) << ".</p>\n";
  }
  h << "<h2>Keyword network</h2>\n";
  if (r.keywords) {
    StatusOr<std::string> svg = DrawKeywordNetworkSvg(*r.keywords);
    if (svg.ok()) h << InlineSvg(*svg) << "\n";
    h << "<p class=\"meta\">" << r.keywords->nodes.size() << " " << (r.keywords->from_text ? "terms" : "keywords") << ", "
      << r.keywords->edges.size() << " links, " << r.keywords->clusters << " clusters (Leiden).</p>\n";
  } else {
    h << "<p>No keyword network: " << Escape(r.keywords_note) << ".</p>\n";
  }
  if (r.assessment) {
    const Assessment& a = *r.assessment;
    h << "<h2>Assessment</h2>\n";
    for (const std::string& n : a.notes) h << "<p class=\"meta\">" << Escape(n) << "</p>\n";
    h << "<table><tr><th>rank</th><th>composite</th>";
    for (const Criterion& c : a.criteria) h << "<th>" << Escape(c.name) << "</th>";
    h << "<th>paper</th></tr>\n";
    for (size_t i = 0; i < a.papers.size() && i < 10; ++i) {
      const PaperAssessment& p = a.papers[i];
      h << "<tr><td>" << p.rank << "</td><td>" << Fixed(p.composite) << "</td>";
      for (double v : p.scores) h << "<td>" << Fixed(v) << "</td>";
      h << "<td>" << Escape(PaperLine(docs[p.index], ids[p.index])) << "</td></tr>\n";
    }
    h << "</table>\n";
    if (!a.seminal.empty()) {
      h << "<h3>Seminal papers</h3><ol>";
      for (const SeminalPaper& sp : a.seminal) {
        h << "<li>" << Escape(PaperLine(docs[sp.index], ids[sp.index])) << " <span class=\"meta\">cited by "
          << sp.local_citations << " records here; score " << Fixed(sp.score) << "</span></li>";
      }
      h << "</ol>\n";
    }
  }
  h << "<h2>Sections and key papers</h2>\n";
  for (size_t i = 0; i < r.outline.size(); ++i) {
    const ReviewSection& s = r.outline[i];
    const Topic& t = r.topics.topics[static_cast<size_t>(s.topic)];
    h << "<section class=\"topic\" id=\"s" << i + 1 << "\"><h3>" << i + 1 << ". " << Escape(s.title) << "</h3><p class=\"kw\">"
      << t.members.size() << " papers";
    if (t.year_min > 0) h << ", " << t.year_min << "–" << t.year_max;
    if (!s.status.empty()) h << ", " << Escape(s.status);
    h << ". Keywords: " << Escape(Join(s.keywords, 8)) << ".</p><ol>";
    for (size_t p : s.key_papers) h << "<li>" << Escape(PaperLine(docs[p], ids[p])) << "</li>";
    h << "</ol></section>\n";
  }
  h << "<p class=\"meta\">Every step's data: topics.json, trends.json, keywords.json, outline.json.</p>\n</body></html>\n";
  return h.str();
}

nlohmann::json OutlineJson(const Review& r, const std::vector<std::string>& ids) {
  nlohmann::json sections = nlohmann::json::array();
  for (const ReviewSection& s : r.outline) {
    nlohmann::json papers = nlohmann::json::array();
    for (size_t p : s.key_papers) {
      nlohmann::json j = {{"index", p}, {"id", ids[p]}};
      if (!r.relevance.empty()) j["bm25"] = r.relevance[p];
      papers.push_back(std::move(j));
    }
    sections.push_back({{"topic", s.topic}, {"title", s.title}, {"keywords", s.keywords}, {"status", s.status},
                        {"relevance", s.relevance}, {"key_papers", papers}});
  }
  return {{"question", r.question}, {"sections", sections}};
}

}  // namespace

Status WriteReview(const Review& r, const std::vector<Document>& docs, const std::vector<std::string>& ids,
                   const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());
  const std::filesystem::path d(dir);
  LITRANK_RETURN_IF_ERROR(WriteTextFile((d / "topics.json").string(), report::TopicsJson(r.topics, docs, ids).dump(1) + "\n"));
  nlohmann::json trends = r.trends ? report::TrendsJson(*r.trends, &r.topics) : nlohmann::json{{"note", r.trends_note}};
  LITRANK_RETURN_IF_ERROR(WriteTextFile((d / "trends.json").string(), trends.dump(1) + "\n"));
  nlohmann::json keywords = r.keywords ? report::KeywordNetworkJson(*r.keywords) : nlohmann::json{{"note", r.keywords_note}};
  LITRANK_RETURN_IF_ERROR(WriteTextFile((d / "keywords.json").string(), keywords.dump(1) + "\n"));
  if (r.assessment) {
    LITRANK_RETURN_IF_ERROR(
        WriteTextFile((d / "assessment.json").string(), report::AssessmentJson(*r.assessment, docs, ids).dump(1) + "\n"));
  }
  LITRANK_RETURN_IF_ERROR(WriteTextFile((d / "outline.json").string(), OutlineJson(r, ids).dump(1) + "\n"));
  LITRANK_RETURN_IF_ERROR(WriteTextFile((d / "report.md").string(), Markdown(r, docs, ids)));
  return WriteTextFile((d / "report.html").string(), Html(r, docs, ids));
}

}  // namespace litrank

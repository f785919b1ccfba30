// FindTrends: papers per year, burst terms, and how each topic moves.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <unordered_map>

#include "litrank/trends.h"
#include "text/tfidf.h"
#include "util/ascii.h"

namespace litrank {
namespace {

/// A keyword as a term: trimmed, ASCII lower case (readers already collapse
/// inner space).
std::string NormalizeKeyword(const std::string& k) { return Lower(Trim(k)); }

Status Check(const std::vector<Document>& docs, const TrendOptions& o, const TopicModel* topics) {
  if (docs.empty()) return Status::InvalidArgument("no documents to find trends in");
  if (o.window < 1) return Status::InvalidArgument("the recent window must be at least one year");
  if (!(o.bursts.scale > 1)) return Status::InvalidArgument("the burst scale must be above 1");
  if (!(o.bursts.gamma >= 0)) return Status::InvalidArgument("the burst cost gamma must be 0 or more");
  if (topics != nullptr && topics->topic_of.size() != docs.size()) {
    return Status::InvalidArgument("the topic model was fitted on another document set");
  }
  return Status::Ok();
}

/// The status rule of TopicTrend::status.
std::string TopicStatus(const TopicTrend& t, size_t in_window, size_t before_window, bool has_earlier_years) {
  if (!has_earlier_years) return "unknown";
  if (before_window == 0 && in_window > 0) return "emerging";
  if (in_window == 0) return "declining";
  const double ratio = t.earlier_share > 0 ? t.recent_share / t.earlier_share : 0;
  if (2 * in_window > in_window + before_window && ratio >= 2) return "emerging";
  if (ratio >= 1.25) return "growing";
  if (ratio <= 0.8) return "declining";
  return "stable";
}

}  // namespace

StatusOr<Trends> FindTrends(const std::vector<Document>& docs, const TrendOptions& o, const TopicModel* topics) {
  LITRANK_RETURN_IF_ERROR(Check(docs, o, topics));
  Trends out;
  out.documents = docs.size();
  for (const Document& d : docs) {
    if (d.year <= 0) {
      ++out.missing_year;
      continue;
    }
    out.first_year = out.first_year == 0 ? d.year : std::min(out.first_year, d.year);
    out.last_year = std::max(out.last_year, d.year);
  }
  if (out.first_year == 0) {
    return Status::InvalidArgument("none of the " + std::to_string(docs.size()) + " documents has a year");
  }
  const size_t years = static_cast<size_t>(out.last_year - out.first_year + 1);
  out.per_year.assign(years, 0);
  for (const Document& d : docs) {
    if (d.year > 0) ++out.per_year[static_cast<size_t>(d.year - out.first_year)];
  }

  // Terms per dated document (each counted once per document), then per year.
  std::vector<std::vector<std::string>> words(docs.size());
  if (o.text_terms) {
    std::vector<std::string> texts;
    texts.reserve(docs.size());
    for (const Document& d : docs) texts.push_back(d.year > 0 ? SearchText(d) : std::string());
    TextTermOptions term_options;
    term_options.stemmer = o.stemmer;
    term_options.broad_stopwords = true;
    StatusOr<std::vector<std::vector<std::string>>> analysed = AnalyzeTexts(texts, term_options);
    if (!analysed.ok()) return analysed.status();
    words = std::move(*analysed);
  }
  // Per term, the year of each dated document that has it (memory grows with
  // the input, not with terms × years: a 1000..2999 span stays cheap).
  std::unordered_map<std::string, std::vector<uint32_t>> years_of;
  std::set<std::string> seen;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (docs[i].year <= 0) continue;
    seen.clear();
    for (std::string& w : words[i]) seen.insert(std::move(w));
    if (o.keywords) {
      for (const std::string& k : docs[i].keywords) {
        std::string term = NormalizeKeyword(k);
        if (!term.empty()) seen.insert(std::move(term));
      }
    }
    const auto year = static_cast<uint32_t>(docs[i].year - out.first_year);
    for (const std::string& term : seen) years_of[term].push_back(year);
  }
  std::vector<std::string> terms;
  for (const auto& [term, ys] : years_of) {
    if (ys.size() >= o.bursts.min_documents) terms.push_back(term);
  }
  std::sort(terms.begin(), terms.end());
  std::vector<size_t> hits(years);
  for (const std::string& term : terms) {
    std::fill(hits.begin(), hits.end(), 0);
    for (uint32_t y : years_of[term]) ++hits[y];
    for (Burst& b : DetectBursts(term, out.first_year, hits, out.per_year, o.bursts)) {
      out.bursts.push_back(std::move(b));
    }
  }
  std::stable_sort(out.bursts.begin(), out.bursts.end(),
                   [](const Burst& a, const Burst& b) { return a.strength > b.strength; });

  if (topics != nullptr) {
    const int window_start = std::max(out.first_year, out.last_year - o.window + 1);
    const bool has_earlier_years = window_start > out.first_year;
    size_t all_in = 0, all_before = 0;
    for (size_t y = 0; y < years; ++y) {
      (out.first_year + static_cast<int>(y) >= window_start ? all_in : all_before) += out.per_year[y];
    }
    for (const Topic& topic : topics->topics) {
      TopicTrend t;
      t.topic = topic.id;
      t.per_year.assign(years, 0);
      size_t in = 0, before = 0;
      for (size_t m : topic.members) {
        const int year = docs[m].year;
        if (year <= 0) continue;
        ++t.per_year[static_cast<size_t>(year - out.first_year)];
        (year >= window_start ? in : before) += 1;
      }
      t.recent_share = all_in ? static_cast<double>(in) / static_cast<double>(all_in) : 0;
      t.earlier_share = all_before ? static_cast<double>(before) / static_cast<double>(all_before) : 0;
      t.status = TopicStatus(t, in, before, has_earlier_years);
      out.topics.push_back(std::move(t));
    }
  }
  return out;
}

}  // namespace litrank

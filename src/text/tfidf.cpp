#include "text/tfidf.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "text/analyzer.h"
#include "text/stopwords.h"

namespace litrank {

StatusOr<std::vector<std::vector<std::string>>> AnalyzeTexts(const std::vector<std::string>& texts,
                                                             const TextTermOptions& options) {
  AnalyzerOptions analyzer_options;
  analyzer_options.stemmer = options.stemmer;
  analyzer_options.stem = options.stem;
  StatusOr<std::unique_ptr<Analyzer>> analyzer = Analyzer::Create(analyzer_options);
  if (!analyzer.ok()) return analyzer.status();
  std::vector<std::vector<std::string>> out(texts.size());
  std::vector<std::string> words;
  for (size_t i = 0; i < texts.size(); ++i) {
    words.clear();
    (*analyzer)->Analyze(texts[i], &words);
    for (std::string& w : words) {
      const bool number = w.find_first_not_of("0123456789.,") == std::string::npos;
      if (options.broad_stopwords && IsGeneralEnglishStopword(w)) continue;
      if (w.size() > 1 && !number) out[i].push_back(std::move(w));  // size in bytes: a CJK character stays
    }
  }
  return out;
}

SparseRows BuildTfidf(const std::vector<std::vector<std::string>>& docs, const TfidfOptions& options) {
  // Pass 1: term counts per document, with one id per distinct term or bigram.
  std::unordered_map<std::string, uint32_t> ids;
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> counts(docs.size());
  std::vector<uint32_t> df;
  std::unordered_map<uint32_t, uint32_t> tf;
  for (size_t d = 0; d < docs.size(); ++d) {
    const std::vector<std::string>& terms = docs[d];
    tf.clear();
    auto add = [&](const std::string& term) {
      auto [it, inserted] = ids.emplace(term, static_cast<uint32_t>(ids.size()));
      if (inserted) df.push_back(0);
      ++tf[it->second];
    };
    for (size_t i = 0; i < terms.size(); ++i) {
      add(terms[i]);
      if (options.bigrams && i + 1 < terms.size()) add(terms[i] + ' ' + terms[i + 1]);
    }
    auto& row = counts[d];
    row.assign(tf.begin(), tf.end());
    for (const auto& [id, n] : row) ++df[id];
  }

  // Columns: terms with df >= min_df, renumbered densely.
  std::vector<int64_t> column(df.size(), -1);
  uint32_t dims = 0;
  for (size_t t = 0; t < df.size(); ++t) {
    if (df[t] >= options.min_df) column[t] = dims++;
  }
  std::vector<float> idf(df.size());
  const double n = static_cast<double>(docs.size());
  for (size_t t = 0; t < df.size(); ++t) idf[t] = static_cast<float>(std::log((1 + n) / (1 + df[t])) + 1);

  SparseRows x;
  x.dims = dims;
  x.offsets.reserve(docs.size() + 1);
  std::vector<std::pair<uint32_t, float>> row;
  for (auto& doc : counts) {
    row.clear();
    double norm = 0;
    for (const auto& [id, count] : doc) {
      if (column[id] < 0) continue;
      const double w = (options.sublinear_tf ? 1 + std::log(static_cast<double>(count)) : count) * idf[id];
      row.emplace_back(static_cast<uint32_t>(column[id]), static_cast<float>(w));
      norm += w * w;
    }
    std::sort(row.begin(), row.end());
    const double inv = norm > 0 ? 1 / std::sqrt(norm) : 0;
    for (const auto& [c, v] : row) {
      x.cols.push_back(c);
      x.vals.push_back(static_cast<float>(v * inv));
    }
    x.offsets.push_back(x.cols.size());
    std::vector<std::pair<uint32_t, uint32_t>>().swap(doc);
  }
  return x;
}

double RowDot(const SparseRows& x, size_t r, const std::vector<double>& w) {
  double s = 0;
  for (size_t i = x.offsets[r]; i < x.offsets[r + 1]; ++i) {
    if (x.cols[i] < w.size()) s += w[x.cols[i]] * x.vals[i];
  }
  return s;
}

}  // namespace litrank

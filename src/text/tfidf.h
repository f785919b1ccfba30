// Internal: TF-IDF rows of analysed texts, shared by screening (the classifier's
// features) and topics (LSA's input).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "litrank/status.h"

namespace litrank {

/// Sparse rows (CSR): row r's features are cols/vals[offsets[r], offsets[r+1]),
/// columns ascending, each row L2-normalised (an empty row stays empty).
struct SparseRows {
  std::vector<size_t> offsets{0};
  std::vector<uint32_t> cols;
  std::vector<float> vals;
  uint32_t dims = 0;  ///< number of distinct columns
  size_t rows() const { return offsets.size() - 1; }
};

/// How terms become TF-IDF rows. Defaults match the reference screening model
/// (scikit-learn's TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
/// stop_words="english")); the terms come from litrank's analyzer (ICU words,
/// Snowball stems, Chinese segmented) in place of its regular expression.
struct TfidfOptions {
  bool bigrams = true;        ///< add pairs of adjacent terms
  bool sublinear_tf = true;   ///< 1 + ln(tf) instead of tf
  uint32_t min_df = 1;        ///< drop terms in fewer documents
};

/// How texts become terms.
struct TextTermOptions {
  std::string stemmer = "english";  ///< Snowball language (checked even when stem is false)
  bool stem = false;                ///< Snowball stems instead of the words themselves
  /// Also drop the 318-word general English stop list (text/stopwords.h), as
  /// topics do; screening keeps the analyzer's 33 words (what it was measured with).
  bool broad_stopwords = false;
};

/// Analyses each text: the BM25 analyzer's words (ICU word break, case folding,
/// stopwords; Chinese segmented), unstemmed unless options.stem, without
/// one-character words and bare numbers (as scikit-learn's default token
/// pattern, which the reference screening and clustering models use; measured:
/// unstemmed words screen better than stems on the shared reviews).
StatusOr<std::vector<std::vector<std::string>>> AnalyzeTexts(const std::vector<std::string>& texts,
                                                             const TextTermOptions& options);

/// Turns each document's terms into a TF-IDF row (smoothed idf:
/// ln((1 + n) / (1 + df)) + 1, as scikit-learn's).
SparseRows BuildTfidf(const std::vector<std::vector<std::string>>& docs, const TfidfOptions& options);

/// Dot product of row `r` with a dense weight vector (columns past w.size() count 0).
double RowDot(const SparseRows& x, size_t r, const std::vector<double>& w);

}  // namespace litrank

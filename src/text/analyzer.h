// Text analysis for the lexical (BM25) index: UTF-8 text in, index terms out.
//
// Pipeline: ICU NFKC + case folding ("nfkc_cf") -> ICU word BreakIterator (root
// locale; dictionary segmentation for Chinese, Japanese, Thai, ...) -> word tokens
// only (letters, numbers, ideographs, kana; punctuation and spaces dropped) ->
// for alphabetic words: possessive "'s" dropped, English stopwords dropped,
// Snowball stemming. CJK words are kept whole. Documents and queries must go
// through analyzers built with equal options, or their terms will not meet.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "litrank/status.h"
#include "text/language.h"  // DetectLanguage, the analyzer's companion

namespace litrank {

/// How an Analyzer turns words into terms.
struct AnalyzerOptions {
  /// Snowball-stem alphabetic words (Latin, Greek, Cyrillic, ...; never Han, kana,
  /// Hangul or Thai-like scripts, which are kept whole).
  bool stem = true;
  /// Any libstemmer algorithm name ("english", "porter", "german", ...). Checked by
  /// Create even when `stem` is false, so a typo is never silently ignored.
  std::string stemmer = "english";
  /// Drop the 33 English stopwords of Lucene's EnglishAnalyzer (a an and are as at
  /// be but by for if in into is it no not of on or such that the their then there
  /// these they this to was will with). Matched after case folding, before stemming.
  bool stopwords = true;
};

/// Words longer than this many UTF-8 bytes (after normalisation) are dropped:
/// they are URLs, sequences or encoded blobs, never useful terms.
inline constexpr size_t kMaxTermBytes = 255;

/// Turns text into index terms. Not thread-safe: make one per thread. Create
/// costs a break-iterator clone and a stemmer (microseconds), so one per query
/// batch is fine; the normaliser, iterator and stemmer are reused across calls,
/// and up to 100k recent stems are remembered (about 10 MB) to skip re-stemming.
class Analyzer {
 public:
  /// An analyzer for `options`; InvalidArgument for an unknown stemmer name,
  /// Internal if ICU cannot provide its normaliser or word break rules.
  static StatusOr<std::unique_ptr<Analyzer>> Create(const AnalyzerOptions& options = {});
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  /// Appends the terms of `text`, in text order and with repeats, to *terms.
  /// `text` is UTF-8; ill-formed bytes act as separators. Never fails: on an
  /// internal ICU error or exhausted memory, the terms found so far are kept.
  void Analyze(std::string_view text, std::vector<std::string>* terms);

  /// The options this analyzer was built with.
  const AnalyzerOptions& options() const;

 private:
  struct Impl;
  explicit Analyzer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace litrank

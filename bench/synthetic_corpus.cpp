#include "synthetic_corpus.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace litrank::bench {
namespace {

constexpr size_t kVocabulary = 60000;

// Pronounceable pseudo-words: 2-4 syllables, distinct by construction of the index.
std::string PseudoWord(size_t index) {
  static const char* onsets[] = {"b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "br", "st", "tr"};
  static const char* vowels[] = {"a", "e", "i", "o", "u", "ai", "ou", "ea"};
  std::string word;
  size_t x = index + 17;
  do {
    word += onsets[x % 16];
    x /= 16;
    word += vowels[x % 8];
    x /= 8;
  } while (x > 0);
  return word;
}

class ZipfWords {
 public:
  explicit ZipfWords(uint64_t seed) : rng_(seed) {
    cumulative_.resize(kVocabulary);
    double total = 0;
    for (size_t i = 0; i < kVocabulary; ++i) cumulative_[i] = total += 1.0 / std::pow(i + 1.0, 1.05);
    for (double& c : cumulative_) c /= total;
    words_.reserve(kVocabulary);
    for (size_t i = 0; i < kVocabulary; ++i) words_.push_back(PseudoWord(i));
  }
  const std::string& Next() {
    const double u = uniform_(rng_);
    size_t i = static_cast<size_t>(std::lower_bound(cumulative_.begin(), cumulative_.end(), u) - cumulative_.begin());
    return words_[std::min(i, kVocabulary - 1)];
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
  std::vector<double> cumulative_;
  std::vector<std::string> words_;
};

std::string Sentence(ZipfWords& words, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) s += ' ';
    s += words.Next();
  }
  return s;
}

}  // namespace

std::vector<Document> SyntheticDocuments(size_t n, size_t words, uint64_t seed) {
  ZipfWords zipf(seed);
  std::normal_distribution<double> length(static_cast<double>(words), words / 4.0);
  std::vector<Document> docs(n);
  for (size_t i = 0; i < n; ++i) {
    docs[i].id = "syn" + std::to_string(i);
    docs[i].title = Sentence(zipf, 10);
    docs[i].abstract = Sentence(zipf, static_cast<size_t>(std::max(20.0, length(zipf.rng()))));
    docs[i].year = 1990 + static_cast<int>(i % 35);
    docs[i].language = "en";
  }
  return docs;
}

std::vector<std::string> SyntheticQueries(const std::vector<Document>& docs, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> queries;
  for (size_t q = 0; q < n && !docs.empty(); ++q) {
    const Document& d = docs[rng() % docs.size()];
    std::vector<std::string> words;
    size_t start = 0;
    const std::string& text = d.abstract;
    for (size_t i = 0; i <= text.size(); ++i) {
      if (i == text.size() || text[i] == ' ') {
        words.push_back(text.substr(start, i - start));
        start = i + 1;
      }
    }
    const size_t k = 3 + rng() % 6;
    std::string query;
    for (size_t i = 0; i < k; ++i) query += (i ? " " : "") + words[rng() % words.size()];
    queries.push_back(query);
  }
  return queries;
}

}  // namespace litrank::bench

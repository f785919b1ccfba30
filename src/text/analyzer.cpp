// Analyzer: ICU normalisation and word segmentation, libstemmer stemming.
#include "text/analyzer.h"

#include <libstemmer.h>
#include <unicode/brkiter.h>
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <new>
#include <unordered_map>
#include <utility>

#include "util/utf8.h"

namespace litrank {
namespace {

/// Lucene EnglishAnalyzer's default stop set (ENGLISH_STOP_WORDS_SET), sorted.
constexpr std::array<std::string_view, 33> kEnglishStopwords = {
    "a",    "an",    "and",  "are",  "as",    "at",   "be",    "but",  "by",
    "for",  "if",    "in",   "into", "is",    "it",   "no",    "not",  "of",
    "on",   "or",    "such", "that", "the",   "their", "then", "there", "these",
    "they", "this",  "to",   "was",  "will",  "with"};

bool IsEnglishStopword(std::string_view word) {
  return std::binary_search(kEnglishStopwords.begin(), kEnglishStopwords.end(), word);
}

/// ICU word-break rule status ranges (UBRK_WORD_*): below 100 is not a word.
enum class WordKind { kNone, kNumber, kLetter, kKana, kIdeo };

WordKind KindOfStatus(int32_t status) {
  if (status < UBRK_WORD_NONE_LIMIT) return WordKind::kNone;
  if (status < UBRK_WORD_NUMBER_LIMIT) return WordKind::kNumber;
  if (status < UBRK_WORD_LETTER_LIMIT) return WordKind::kLetter;
  if (status < UBRK_WORD_KANA_LIMIT) return WordKind::kKana;
  return WordKind::kIdeo;
}

/// True for scripts written without inflectional suffixes a Snowball stemmer
/// could remove, or segmented by dictionary: their words are kept whole.
bool IsWholeWordScript(UScriptCode script) {
  switch (script) {
    case USCRIPT_HAN: case USCRIPT_HIRAGANA: case USCRIPT_KATAKANA: case USCRIPT_HANGUL:
    case USCRIPT_THAI: case USCRIPT_LAO: case USCRIPT_KHMER: case USCRIPT_MYANMAR:
      return true;
    default:
      return false;
  }
}

/// True when a letter word may be stemmed: no code point of a whole-word script.
bool IsStemmable(std::string_view word) {
  const auto* s = reinterpret_cast<const uint8_t*>(word.data());
  const auto length = static_cast<int32_t>(word.size());
  for (int32_t i = 0; i < length;) {
    if (s[i] < 0x80) { ++i; continue; }
    UChar32 c;
    U8_NEXT(s, i, length, c);
    UErrorCode status = U_ZERO_ERROR;
    if (c >= 0 && IsWholeWordScript(uscript_getScript(c, &status))) return false;
  }
  return true;
}

/// False for words of symbols only: ICU counts '@' as a letter (to keep e-mail
/// addresses whole), so a lone "@" would otherwise be a word. Any non-ASCII
/// character in a word is a letter, digit or mark, so it counts.
bool HasLetterOrDigit(std::string_view word) {
  return std::any_of(word.begin(), word.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

/// Copies `text` with every ill-formed UTF-8 sequence replaced by one space.
std::string ReplaceIllFormedUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int64_t>(text.size());
  for (int64_t i = 0; i < length;) {
    const int64_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) {
      out.push_back(' ');
    } else {
      out.append(text.data() + start, static_cast<size_t>(i - start));
    }
  }
  return out;
}

/// Longest text normalised and segmented in one piece. ICU's break positions are
/// int32_t and NFKC grows UTF-8 at most 11-fold (U+FDFA), so 64 MiB stays in range.
constexpr size_t kMaxChunkBytes = size_t{64} << 20;

/// Most words whose stems an analyzer remembers (about 10 MB); then it starts over.
constexpr size_t kStemCacheEntries = 100000;

/// U+2019 RIGHT SINGLE QUOTATION MARK, the typographic apostrophe.
constexpr std::string_view kCurlyApostrophe = "\xE2\x80\x99";

/// Rewrites typographic apostrophes as ASCII ones, so "don’t" and "don't" meet.
void StraightenApostrophes(std::string* word) {
  if (word->find(kCurlyApostrophe) == std::string::npos) return;
  std::string& w = *word;
  size_t out = 0;  // compacts in place: the replacement is shorter
  for (size_t in = 0; in < w.size();) {
    if (w.compare(in, kCurlyApostrophe.size(), kCurlyApostrophe) == 0) {
      w[out++] = '\'';
      in += kCurlyApostrophe.size();
    } else {
      w[out++] = w[in++];
    }
  }
  w.resize(out);
}

/// Drops a trailing possessive "'s" (Lucene's EnglishPossessiveFilter; the
/// full-width apostrophe is already ASCII after NFKC).
void DropPossessive(std::string* word) {
  const size_t n = word->size();
  if (n > 2 && (*word)[n - 1] == 's' && (*word)[n - 2] == '\'') word->resize(n - 2);
}

}  // namespace

struct Analyzer::Impl {
  AnalyzerOptions options;
  const icu::Normalizer2* normalizer = nullptr;  // ICU-owned singleton
  std::unique_ptr<icu::BreakIterator> words;
  sb_stemmer* stemmer = nullptr;
  UText* utext = nullptr;   // reopened over `normalized` for each text
  std::string normalized;   // NFKC_CF of the current text, kept alive for `words`
  std::string word;         // scratch for the current word
  // Stems of recent words. Word frequencies are Zipfian, so most lookups hit and
  // skip the Snowball run, which otherwise is a third of the analyzer's time.
  std::unordered_map<std::string, std::string> stems;

  ~Impl() {
    if (stemmer != nullptr) sb_stemmer_delete(stemmer);
    if (utext != nullptr) utext_close(utext);
  }

  /// Normalises `text` into `normalized` and points the break iterator at it.
  bool Prepare(std::string_view text);
  /// Replaces `word` by its stem, from the cache when it was seen before.
  void Stem();
  /// Appends the term for `word` (of `kind`) to *terms, unless it is dropped.
  void EmitTerm(WordKind kind, std::vector<std::string>* terms);
};

bool Analyzer::Impl::Prepare(std::string_view text) {
  std::string cleaned;
  if (!IsValidUtf8(text)) {
    cleaned = ReplaceIllFormedUtf8(text);
    text = cleaned;
  }
  normalized.clear();
  UErrorCode status = U_ZERO_ERROR;
  icu::StringByteSink<std::string> sink(&normalized);
  normalizer->normalizeUTF8(0, icu::StringPiece(text.data(), static_cast<int32_t>(text.size())),
                            sink, nullptr, status);
  if (U_FAILURE(status)) return false;
  utext = utext_openUTF8(utext, normalized.data(), static_cast<int64_t>(normalized.size()),
                         &status);
  if (U_FAILURE(status)) return false;
  words->setText(utext, status);
  return U_SUCCESS(status);
}

void Analyzer::Impl::Stem() {
  if (const auto it = stems.find(word); it != stems.end()) {
    word = it->second;
    return;
  }
  const sb_symbol* stem = sb_stemmer_stem(
      stemmer, reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
  if (stem == nullptr) return;  // the stemmer is out of memory: keep the word as it is
  if (stems.size() >= kStemCacheEntries) stems.clear();
  auto& cached = stems[word];
  cached.assign(reinterpret_cast<const char*>(stem), static_cast<size_t>(sb_stemmer_length(stemmer)));
  word = cached;
}

void Analyzer::Impl::EmitTerm(WordKind kind, std::vector<std::string>* terms) {
  if (word.size() > kMaxTermBytes || !HasLetterOrDigit(word)) return;
  if (kind == WordKind::kLetter && IsStemmable(word)) {
    StraightenApostrophes(&word);
    DropPossessive(&word);
    if (options.stopwords && IsEnglishStopword(word)) return;
    if (stemmer != nullptr) Stem();
  }
  if (!word.empty()) terms->push_back(word);
}

Analyzer::Analyzer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Analyzer::~Analyzer() = default;

const AnalyzerOptions& Analyzer::options() const { return impl_->options; }

StatusOr<std::unique_ptr<Analyzer>> Analyzer::Create(const AnalyzerOptions& options) {
  try {
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->stemmer = sb_stemmer_new(options.stemmer.c_str(), "UTF_8");
    if (impl->stemmer == nullptr) {
      std::string names;
      for (const char** name = sb_stemmer_list(); *name != nullptr; ++name) {
        names += names.empty() ? "" : ", ";
        names += *name;
      }
      return Status::InvalidArgument("unknown stemmer '" + options.stemmer +
                                     "' (libstemmer has: " + names + ")");
    }
    if (!options.stem) {
      sb_stemmer_delete(impl->stemmer);
      impl->stemmer = nullptr;
    }
    UErrorCode status = U_ZERO_ERROR;
    impl->normalizer = icu::Normalizer2::getInstance(nullptr, "nfkc_cf", UNORM2_COMPOSE, status);
    if (U_FAILURE(status)) {
      return Status::Internal(std::string("ICU nfkc_cf normaliser unavailable: ") +
                              u_errorName(status));
    }
    impl->words.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
    if (U_FAILURE(status) || impl->words == nullptr) {
      return Status::Internal(std::string("ICU word break iterator unavailable: ") +
                              u_errorName(status));
    }
    return std::unique_ptr<Analyzer>(new Analyzer(std::move(impl)));
  } catch (const std::bad_alloc&) {
    return Status::Internal("out of memory creating the text analyzer");
  }
}

void Analyzer::Analyze(std::string_view text, std::vector<std::string>* terms) {
  if (text.size() > kMaxChunkBytes) {  // split at a character boundary (rarely: a word too)
    const size_t cut = Utf8SafePrefix(text, kMaxChunkBytes);
    Analyze(text.substr(0, cut), terms);
    Analyze(text.substr(cut), terms);
    return;
  }
  Impl& impl = *impl_;
  try {
    if (text.empty() || !impl.Prepare(text)) return;
    icu::BreakIterator& words = *impl.words;
    int32_t start = words.first();
    for (int32_t end = words.next(); end != icu::BreakIterator::DONE;
         start = end, end = words.next()) {
      const WordKind kind = KindOfStatus(words.getRuleStatus());
      if (kind == WordKind::kNone) continue;
      impl.word.assign(impl.normalized, static_cast<size_t>(start),
                       static_cast<size_t>(end - start));
      impl.EmitTerm(kind, terms);
    }
  } catch (const std::bad_alloc&) {
    // Documented: the terms found so far stay; nothing escapes.
  }
}

}  // namespace litrank

#include "text/sentences.h"

#include <unicode/brkiter.h>
#include <unicode/unistr.h>

#include <memory>

namespace litrank {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/// Byte offset in UTF-8 of each UTF-16 index of `u` (size u.length() + 1).
std::vector<size_t> Utf8Offsets(const icu::UnicodeString& u) {
  std::vector<size_t> offsets(static_cast<size_t>(u.length()) + 1, 0);
  size_t bytes = 0;
  for (int32_t i = 0; i < u.length();) {
    const UChar32 c = u.char32At(i);
    const int32_t units = U16_LENGTH(c);
    for (int32_t k = 0; k < units; ++k) offsets[static_cast<size_t>(i + k)] = bytes;
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    i += units;
  }
  offsets.back() = bytes;
  return offsets;
}

}  // namespace

std::vector<Sentence> SplitSentences(const std::string& original) {
  std::vector<Sentence> out;
  // ICU ends a sentence at every line break; a hard-wrapped paragraph's single line
  // breaks become spaces (same byte length, so offsets hold), blank lines still split.
  std::string text = original;
  // Whether the line next to the '\n' at `i` (before or after) holds only spaces.
  auto blank_line = [&text](size_t i, int dir) {
    for (size_t j = i; dir < 0 ? j > 0 : j + 1 < text.size();) {
      j = dir < 0 ? j - 1 : j + 1;
      const char c = text[j];
      if (c == '\n') return true;
      if (c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\v') return false;
    }
    return dir > 0;  // spaces up to the end of the text: nothing follows
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' || blank_line(i, -1) || blank_line(i, +1)) continue;
    text[i] = ' ';
    if (i > 0 && text[i - 1] == '\r') text[i - 1] = ' ';
  }
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> it(icu::BreakIterator::createSentenceInstance(icu::Locale::getRoot(), status));
  const std::vector<size_t> offsets = Utf8Offsets(u);
  auto add = [&](size_t begin, size_t end) {
    while (begin < end && IsSpace(text[begin])) ++begin;
    while (end > begin && IsSpace(text[end - 1])) --end;
    if (end > begin) out.push_back({text.substr(begin, end - begin), begin, end});
  };
  if (U_FAILURE(status) || !it) {  // no ICU data: the whole text is one sentence
    add(0, text.size());
    return out;
  }
  it->setText(u);
  int32_t start = it->first();
  for (int32_t end = it->next(); end != icu::BreakIterator::DONE; start = end, end = it->next()) {
    add(offsets[static_cast<size_t>(start)], offsets[static_cast<size_t>(end)]);
  }
  return out;
}

size_t CountWords(const std::string& text) {
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> it(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status) || !it) return 0;
  it->setText(u);
  size_t words = 0;
  it->first();
  for (int32_t end = it->next(); end != icu::BreakIterator::DONE; end = it->next()) {
    if (it->getRuleStatus() >= UBRK_WORD_NONE_LIMIT) ++words;
  }
  return words;
}

}  // namespace litrank

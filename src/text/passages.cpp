// Passages: word windows over a document's long text.
#include "text/passages.h"

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <nlohmann/json.hpp>

namespace litrank {
namespace {

bool IsSpace(UChar32 c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x80 && u_isUWhiteSpace(c)); }

bool IsCjk(UChar32 c) {
  if (c < 0x2E80) return false;
  UErrorCode status = U_ZERO_ERROR;
  const UScriptCode script = uscript_getScript(c, &status);
  return script == USCRIPT_HAN || script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA ||
         script == USCRIPT_HANGUL;
}

// Byte spans of the words of `text`, as the header defines a word.
std::vector<PassageSpan> Words(const std::string& text) {
  std::vector<PassageSpan> words;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  bool in_word = false;
  for (int32_t i = 0; i < length;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c >= 0 && IsSpace(c)) {
      in_word = false;
    } else if (c >= 0 && IsCjk(c)) {
      words.push_back({static_cast<size_t>(start), static_cast<size_t>(i)});
      in_word = false;
    } else if (in_word) {
      words.back().end = static_cast<size_t>(i);
    } else {
      words.push_back({static_cast<size_t>(start), static_cast<size_t>(i)});
      in_word = true;
    }
  }
  return words;
}

}  // namespace

std::string PassageSource(const Document& doc) {
  if (doc.extra_json.find("\"full_text\"") != std::string::npos) {
    const nlohmann::json extra = nlohmann::json::parse(doc.extra_json, nullptr, /*allow_exceptions=*/false);
    if (extra.is_object()) {
      auto it = extra.find("full_text");
      if (it != extra.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
        return it->get<std::string>();
      }
    }
  }
  return doc.abstract;
}

namespace {

// Windows over the words `w` of a text (see SplitPassages).
std::vector<PassageSpan> Windows(const std::vector<PassageSpan>& w, size_t words, size_t stride) {
  if (words == 0) words = 1;
  if (stride == 0 || stride > words) stride = words;
  std::vector<PassageSpan> out;
  if (w.empty()) return out;
  for (size_t first = 0;; first += stride) {
    const size_t last = std::min(first + words, w.size()) - 1;
    out.push_back({w[first].begin, w[last].end});
    if (last + 1 == w.size()) break;
  }
  return out;
}

}  // namespace

std::vector<PassageSpan> SplitPassages(const std::string& text, size_t words, size_t stride) {
  return Windows(Words(text), words, stride);
}

size_t CountPassageWords(const std::string& text) { return Words(text).size(); }

std::vector<PassageSpan> LongTextPassages(const std::string& source) {
  const std::vector<PassageSpan> w = Words(source);  // one pass: counted and split
  if (w.size() <= kLongDocumentWords) return {};
  return Windows(w, kPassageWords, kPassageStride);
}

uint32_t FirstWindowUnit(const Document& doc, const std::string& source) {
  return source != doc.abstract ? 1 : 0;
}

std::string PassageSlice(const std::string& source, const PassageSpan& span) {
  const size_t begin = std::min(span.begin, source.size());
  const size_t end = std::min(std::max(span.end, begin), source.size());
  return source.substr(begin, end - begin);
}

std::string PassageText(const Document& doc, const std::string& source, const PassageSpan& span) {
  std::string passage = PassageSlice(source, span);
  return doc.title.empty() ? passage : doc.title + "\n" + passage;
}

}  // namespace litrank

// DetectLanguage: counts letters by script with ICU's character properties.
#include "text/language.h"

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <cstdint>

namespace litrank {
namespace {

/// Letters of each script family that matters for the guess.
struct ScriptCounts {
  int64_t han = 0;
  int64_t kana = 0;
  int64_t hangul = 0;
  int64_t latin = 0;
  int64_t other = 0;  // letters of any other script (Cyrillic, Arabic, Thai, ...)
};

void CountCodePoint(UChar32 c, ScriptCounts* counts) {
  if (c < 0x80) {  // ASCII fast path: only letters count
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) ++counts->latin;
    return;
  }
  UErrorCode status = U_ZERO_ERROR;
  switch (uscript_getScript(c, &status)) {
    case USCRIPT_HAN: ++counts->han; return;
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA: ++counts->kana; return;
    case USCRIPT_HANGUL: ++counts->hangul; return;
    case USCRIPT_LATIN: if (u_isalpha(c)) ++counts->latin; return;
    default: if (u_isalpha(c)) ++counts->other; return;
  }
}

}  // namespace

std::string DetectLanguage(std::string_view text) {
  ScriptCounts counts;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int64_t>(text.size());
  for (int64_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(s, i, length, c);  // c < 0 for an ill-formed sequence: skipped
    if (c >= 0) CountCodePoint(c, &counts);
  }
  const int64_t cjk = counts.han + counts.kana + counts.hangul;
  const int64_t letters = cjk + counts.latin + counts.other;
  if (letters == 0) return "und";
  if (3 * cjk >= counts.latin + counts.other) {
    if (counts.hangul > counts.han + counts.kana) return "ko";
    if (20 * counts.kana >= counts.han + counts.kana) return "ja";
    return "zh";
  }
  if (2 * counts.latin >= letters) return "en";
  return "und";
}

}  // namespace litrank

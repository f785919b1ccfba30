// Cheap script-based language guess for documents without a language tag.
#pragma once

#include <string>
#include <string_view>

namespace litrank {

/// Guesses a document's language from the scripts of its letters (digits,
/// punctuation and spaces do not count; ill-formed UTF-8 bytes are skipped):
///   - "ko" / "ja" / "zh" when CJK characters carry the text (each CJK character
///     weighs as much as three Latin letters, since a Chinese word is about two
///     characters and an English word about six letters): Hangul above Han+kana
///     gives "ko"; else kana at least 5% of Han+kana gives "ja"; else "zh";
///   - "en" when at least half of the letters are Latin (any Latin-script
///     language: this is a script test, not a vocabulary test);
///   - "und" otherwise, including text without letters.
/// One pass over the code points; no dictionaries, no allocation.
std::string DetectLanguage(std::string_view text);

}  // namespace litrank

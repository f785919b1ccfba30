#include "ingest/latex.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "util/utf8.h"

namespace litrank::ingest {
namespace {

// Combining mark (UTF-8) for an accent command, or nullptr.
const char* AccentMark(std::string_view name) {
  static constexpr std::pair<const char*, const char*> kMarks[] = {
      {"`", "\u0300"}, {"'", "\u0301"}, {"^", "\u0302"}, {"~", "\u0303"}, {"=", "\u0304"},
      {"u", "\u0306"}, {".", "\u0307"}, {"\"", "\u0308"}, {"r", "\u030A"}, {"H", "\u030B"},
      {"v", "\u030C"}, {"d", "\u0323"}, {"c", "\u0327"}, {"k", "\u0328"}, {"b", "\u0331"}};
  for (const auto& [n, mark] : kMarks) {
    if (name == n) return mark;
  }
  return nullptr;
}

// Text for a letter or symbol command, or nullptr.
const char* Symbol(std::string_view name) {
  static constexpr std::pair<const char*, const char*> kSymbols[] = {
      {"ss", "ß"}, {"o", "ø"}, {"O", "Ø"}, {"ae", "æ"}, {"AE", "Æ"}, {"oe", "œ"}, {"OE", "Œ"},
      {"aa", "å"}, {"AA", "Å"}, {"l", "ł"}, {"L", "Ł"}, {"i", "ı"}, {"j", "ȷ"},
      {"textendash", "–"}, {"textemdash", "—"}, {"ldots", "…"}, {"dots", "…"},
      {"textquoteright", "’"}, {"textquoteleft", "‘"}, {"textregistered", "®"},
      {"copyright", "©"}, {"textdegree", "°"}, {"S", "§"}, {"P", "¶"}};
  for (const auto& [n, text] : kSymbols) {
    if (name == n) return text;
  }
  return nullptr;
}

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Bytes in the UTF-8 sequence that starts with `lead` (1 for stray bytes).
size_t SequenceLength(unsigned char lead) {
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  if (lead >= 0xE0) return lead <= 0xEF ? 3 : 1;
  if (lead >= 0xC2) return 2;
  return 1;
}

class Converter {
 public:
  explicit Converter(std::string_view s) : s_(s) {}

  std::string Run() {
    std::string out;
    while (pos_ < s_.size()) Step(&out);
    return out;
  }

 private:
  // Converts the character, command or brace at pos_.
  void Step(std::string* out) {
    const char c = s_[pos_];
    if (c == '\\') return Command(out);
    ++pos_;
    if (c == '{' || c == '}' || c == '$') return;
    if (c == '~') {
      *out += ' ';
    } else if (c == '-') {
      size_t n = 1;
      while (pos_ < s_.size() && s_[pos_] == '-' && n < 3) ++pos_, ++n;
      *out += n == 3 ? "—" : n == 2 ? "–" : "-";
    } else {
      *out += c;
    }
  }

  void Command(std::string* out) {
    ++pos_;  // the backslash
    if (pos_ >= s_.size()) return;
    const char c = s_[pos_];
    // A backslash before a non-ASCII character: drop the backslash, keep the
    // character whole (taking only its first byte would break its UTF-8).
    if (static_cast<unsigned char>(c) >= 0x80) return;
    if (!IsLetter(c)) {  // control symbol
      ++pos_;
      if (const char* mark = AccentMark(std::string_view(&c, 1))) return Accent(mark, out);
      if (std::strchr("&%$#_{}", c) != nullptr) {
        *out += c;
      } else if (std::strchr(",;: \\\n", c) != nullptr) {
        *out += ' ';
      }
      return;  // others (\- \/ ...) print nothing
    }
    const size_t start = pos_;
    while (pos_ < s_.size() && IsLetter(s_[pos_])) ++pos_;
    const std::string_view name = s_.substr(start, pos_ - start);
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;  // spaces after a control word
    if (const char* mark = name.size() == 1 ? AccentMark(name) : nullptr) return Accent(mark, out);
    if (const char* text = Symbol(name)) *out += text;
    // Any other command: drop its name; its argument is read as plain text.
  }

  // Appends the accent's argument with `mark` after its first character.
  void Accent(const char* mark, std::string* out) {
    std::string arg = Argument();
    // \'{\i} is í. (Built by append: GCC 12 warns falsely on replace() or insert()
    // here, -Wrestrict, PR 105651.)
    for (const auto& [dotless, ascii] : {std::pair{"ı", "i"}, std::pair{"ȷ", "j"}}) {
      if (!arg.starts_with(dotless)) continue;
      std::string fixed(ascii);
      fixed.append(arg, std::strlen(dotless));
      arg = std::move(fixed);
    }
    // A stray lead byte may promise more bytes than the argument has (invalid UTF-8
    // passes through, for the caller's check to find).
    const size_t first =
        arg.empty() ? 0 : std::min(arg.size(), SequenceLength(static_cast<unsigned char>(arg[0])));
    *out += arg.substr(0, first) + mark + arg.substr(first);
  }

  // An accent's argument: a {group}, a command, or one character; converted.
  std::string Argument() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
    if (pos_ >= s_.size()) return "";
    std::string out;
    if (s_[pos_] == '{') {
      int depth = 0;
      const size_t start = pos_;
      for (; pos_ < s_.size(); ++pos_) {
        depth += s_[pos_] == '{' ? 1 : s_[pos_] == '}' ? -1 : 0;
        if (depth == 0) break;
      }
      const size_t end = pos_ < s_.size() ? pos_++ : pos_;
      return Converter(s_.substr(start + 1, end - start - 1)).Run();
    }
    if (s_[pos_] == '\\') {
      Command(&out);
      return out;
    }
    const size_t n = std::min(s_.size() - pos_, SequenceLength(static_cast<unsigned char>(s_[pos_])));
    out = std::string(s_.substr(pos_, n));
    pos_ += n;
    return out;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// NFC composition, so "o" + U+0308 is stored as "ö"; the input unchanged if ICU fails.
std::string Compose(std::string s) {
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(err);
  if (U_FAILURE(err)) return s;
  const icu::UnicodeString composed =
      nfc->normalize(icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size()))), err);
  if (U_FAILURE(err)) return s;
  std::string out;
  composed.toUTF8String(out);
  return out;
}

}  // namespace

std::string LatexToUtf8(std::string_view s) {
  std::string out = Converter(s).Run();
  for (unsigned char c : out) {
    // Invalid UTF-8 is left for the caller's check to find, not papered over.
    if (c >= 0x80) return IsValidUtf8(out) ? Compose(std::move(out)) : out;
  }
  return out;
}

}  // namespace litrank::ingest

// CleanPost: one left-to-right pass over the post.
#include "text/posts.h"

namespace litrank {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordByte(char c) { return IsUpper(c) || IsLower(c) || IsDigit(c) || c == '_' || (c & 0x80) != 0; }

bool StartsWith(std::string_view s, size_t at, std::string_view prefix) {
  return s.size() - at >= prefix.size() && s.compare(at, prefix.size(), prefix) == 0;
}

/// Appends a tag or handle's word, split at lower→upper and letter↔digit changes and at '_'.
void AppendSplit(std::string_view word, std::string* out) {
  for (size_t i = 0; i < word.size(); ++i) {
    const char c = word[i];
    if (c == '_') {
      *out += ' ';
      continue;
    }
    if (i > 0) {
      const char p = word[i - 1];
      const bool letter_p = IsUpper(p) || IsLower(p), letter_c = IsUpper(c) || IsLower(c);
      const bool boundary = (IsLower(p) && IsUpper(c)) || (IsDigit(p) && letter_c) || (letter_p && IsDigit(c)) ||
                            (IsUpper(p) && IsUpper(c) && i + 1 < word.size() && IsLower(word[i + 1]));  // "HTMLParser"
      if (boundary) *out += ' ';
    }
    *out += c;
  }
}

}  // namespace

std::string CleanPost(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const bool word_start = i == 0 || IsSpace(s[i - 1]);
    if (word_start && (StartsWith(s, i, "http://") || StartsWith(s, i, "https://") || StartsWith(s, i, "www."))) {
      while (i < s.size() && !IsSpace(s[i])) ++i;
      continue;
    }
    if (word_start && StartsWith(s, i, "RT") && (i + 2 == s.size() || IsSpace(s[i + 2]) || s[i + 2] == ':')) {
      i += s.size() > i + 2 && s[i + 2] == ':' ? 3 : 2;
      continue;
    }
    if ((s[i] == '#' || s[i] == '@') && i + 1 < s.size() && IsWordByte(s[i + 1])) {
      size_t end = i + 1;
      while (end < s.size() && IsWordByte(s[end])) ++end;
      if (!out.empty() && !IsSpace(out.back())) out += ' ';
      AppendSplit(s.substr(i + 1, end - i - 1), &out);
      i = end;
      continue;
    }
    if (s[i] == '&') {
      bool decoded = false;
      for (const auto& [entity, ch] : {std::pair<std::string_view, char>{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'},
                                       {"&quot;", '"'}, {"&#39;", '\''}}) {
        if (StartsWith(s, i, entity)) {
          out += ch;
          i += entity.size();
          decoded = true;
          break;
        }
      }
      if (decoded) continue;
    }
    out += s[i++];
  }
  return out;
}

}  // namespace litrank

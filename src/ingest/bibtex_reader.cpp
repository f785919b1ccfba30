// BibTeX: @type{key, field = {value} # "value" # macro, ...}, with @string,
// @comment and @preamble. Entries are gathered line by line until their braces
// balance, so memory holds one entry.
#include <map>
#include <utility>

#include "ingest/json_util.h"
#include "ingest/latex.h"
#include "ingest/readers.h"
#include "util/utf8.h"

namespace litrank::ingest {
namespace {

using Macros = std::map<std::string, std::string>;

// An entry still open after this many bytes is taken for unbalanced.
constexpr size_t kMaxEntryBytes = 16u << 20;
// The longest field value, macros (@string) expanded: "a # a # a" nested over
// a few @strings would otherwise grow exponentially (BibTeX's billion laughs).
constexpr size_t kMaxValueBytes = 4u << 20;

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_-:.+/'").find(c) != std::string_view::npos;
}

// Parses one entry's text. Field values keep their inner braces and LaTeX.
class EntryParser {
 public:
  EntryParser(std::string_view text, const Macros& macros) : s_(text), macros_(macros) {}

  // Reads "@type{key, name = value, ...}". False with *why on a syntax error.
  bool Parse(std::string* type, std::string* key, std::vector<std::pair<std::string, std::string>>* fields,
             std::string* why) {
    Expect('@');
    *type = Lower(Name());
    SkipSpace();
    if (pos_ >= s_.size() || (s_[pos_] != '{' && s_[pos_] != '(')) return Fail("expected { after @" + *type, why);
    close_ = s_[pos_++] == '{' ? '}' : ')';
    if (*type == "comment" || *type == "preamble") return true;
    if (*type != "string") {
      SkipSpace();
      const size_t start = pos_;
      while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != close_) ++pos_;
      *key = std::string(Trim(s_.substr(start, pos_ - start)));
      if (pos_ < s_.size() && s_[pos_] == ',') ++pos_;
    }
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size()) return Fail("entry not closed", why);
      if (s_[pos_] == close_) return true;
      std::string name = Lower(Name());
      if (name.empty()) return Fail("expected a field name", why);
      SkipSpace();
      if (!Expect('=')) return Fail("expected = after field \"" + name + "\"", why);
      std::string value;
      if (!Value(&value, why)) return false;
      fields->emplace_back(std::move(name), std::move(value));
      SkipSpace();
      if (pos_ < s_.size() && s_[pos_] == ',') ++pos_;
      else if (pos_ >= s_.size() || s_[pos_] != close_) return Fail("expected , or end of entry", why);
    }
  }

 private:
  bool Fail(std::string msg, std::string* why) {
    *why = std::move(msg);
    return false;
  }
  void SkipSpace() {
    while (pos_ < s_.size() && std::string_view(" \t\r\n").find(s_[pos_]) != std::string_view::npos) ++pos_;
  }
  bool Expect(char c) {
    if (pos_ >= s_.size() || s_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  std::string Name() {
    const size_t start = pos_;
    while (pos_ < s_.size() && IsNameChar(s_[pos_])) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }
  // piece ('#' piece)*, where a piece is {...}, "...", a number or a macro.
  bool Value(std::string* out, std::string* why) {
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size()) return Fail("missing value", why);
      const char c = s_[pos_];
      if (c == '{' || c == '"') {
        if (!Delimited(c, out, why)) return false;
      } else {
        const std::string name = Name();
        if (name.empty()) return Fail("bad value", why);
        const auto it = macros_.find(Lower(name));
        *out += name.find_first_not_of("0123456789") == std::string::npos ? name
                : it != macros_.end()                                    ? it->second
                                                                         : "";
      }
      if (out->size() > kMaxValueBytes) return Fail("value longer than 4 MiB (after @string macros)", why);
      SkipSpace();
      if (!Expect('#')) return true;
    }
  }

  // A {braced} or "quoted" piece at pos_ (braces inside must balance); appends its inside.
  bool Delimited(char open, std::string* out, std::string* why) {
    int depth = open == '{' ? 1 : 0;
    const size_t start = ++pos_;
    for (; pos_ < s_.size(); ++pos_) {
      const char c = s_[pos_];
      if (c == '{') ++depth;
      if (c == '}' && --depth == 0 && open == '{') break;
      if (depth < 0) return Fail("unbalanced braces", why);
      if (c == '"' && open == '"' && depth == 0) break;
    }
    if (pos_ >= s_.size()) return Fail(open == '{' ? "unbalanced braces" : "unterminated quoted value", why);
    *out += s_.substr(start, pos_++ - start);
    return true;
  }

  std::string_view s_;
  const Macros& macros_;
  size_t pos_ = 0;
  char close_ = '}';
};

// "A and B and {C and D}" → {"A", "B", "{C and D}"}: splits at brace depth 0.
std::vector<std::string> SplitAuthors(std::string_view s) {
  std::vector<std::string> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    depth += s[i] == '{' ? 1 : s[i] == '}' ? -1 : 0;
    if (depth == 0 && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t') && i + 5 <= s.size() &&
        Lower(s.substr(i + 1, 3)) == "and" && (s[i + 4] == ' ' || s[i + 4] == '\n' || s[i + 4] == '\t')) {
      out.push_back(LatexToUtf8(s.substr(start, i - start)));
      start = i + 5;
      i += 4;
    }
  }
  out.push_back(LatexToUtf8(s.substr(start)));
  return out;
}

// Month macros BibTeX predefines.
Macros DefaultMacros() {
  static const char* const kMonths[] = {"January", "February", "March", "April", "May", "June", "July",
                                        "August", "September", "October", "November", "December"};
  Macros m;
  for (const char* month : kMonths) m[Lower(std::string_view(month).substr(0, 3))] = month;
  return m;
}

// Tracks one entry's brace (or parenthesis) balance across lines.
struct EntryScan {
  char opener = 0;  // '{' or '(' once seen
  int depth = 0;    // braces open inside the entry
  // Scans more text; true when the entry's closing delimiter was in it.
  bool Feed(std::string_view text) {
    for (char c : text) {
      if (opener == 0) {
        if (c == '{' || c == '(') opener = c;
        continue;
      }
      if (c == '{') ++depth;
      if (opener == '{' && c == '}' && depth-- == 0) return true;
      if (c == '}' && opener == '(') --depth;
      if (opener == '(' && c == ')' && depth == 0) return true;
    }
    return false;
  }
};

// Parses a gathered entry and emits it (or records a macro, or skips it).
Status HandleEntry(const std::string& text, size_t line, Macros& macros, RecordContext& ctx) {
  if (!IsValidUtf8(text)) {
    ctx.Skip(line, "invalid UTF-8");
    return Status::Ok();
  }
  std::string type, key, why;
  std::vector<std::pair<std::string, std::string>> fields;
  if (!EntryParser(text, macros).Parse(&type, &key, &fields, &why)) {
    ctx.Skip(line, "bad BibTeX entry: " + why);
    return Status::Ok();
  }
  if (type == "comment" || type == "preamble") return Status::Ok();
  if (type == "string") {
    for (auto& [name, value] : fields) macros[name] = std::move(value);
    return Status::Ok();
  }
  Document doc;
  doc.id = key;
  nlohmann::json extra = {{"type", type}};
  std::string date, journal, booktitle;
  for (const auto& [name, raw] : fields) {
    if (name == "author") {
      doc.authors = SplitAuthors(raw);
      continue;
    }
    std::string value = LatexToUtf8(raw);
    if (name == "title") doc.title = std::move(value);
    else if (name == "abstract") doc.abstract = std::move(value);
    else if (name == "year") doc.year = ParseYear(value);
    else if (name == "date") date = std::move(value);
    else if (name == "journal" || name == "journaltitle") journal = std::move(value);
    else if (name == "booktitle") booktitle = std::move(value);
    else if (name == "doi") doc.doi = std::move(value);
    else if (name == "url") doc.url = std::string(Trim(raw));  // URLs keep their "_" and "%"
    else if (name == "keywords") doc.keywords = SplitList(value, ";,");
    else if (name == "language" || name == "langid") doc.language = std::move(value);
    else extra[name] = std::move(value);
  }
  if (doc.year == 0) doc.year = ParseYear(date);
  doc.venue = !journal.empty() ? journal : booktitle;
  doc.extra_json = DumpJson(extra);
  return ctx.Emit(std::move(doc), line);
}

}  // namespace

bool IsBibtexEntryStart(std::string_view line) {
  line = Trim(line);
  if (!line.starts_with('@')) return false;
  size_t i = 1;
  while (i < line.size() && ((line[i] >= 'a' && line[i] <= 'z') || (line[i] >= 'A' && line[i] <= 'Z'))) ++i;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return i > 1 && i < line.size() && (line[i] == '{' || line[i] == '(');
}

Status ReadBibtex(LineSource& in, RecordContext& ctx) {
  Macros macros = DefaultMacros();
  std::string entry;
  size_t start = 0;  // line of the open entry; 0 = none
  bool any_entry = false;
  EntryScan scan;
  std::string_view line;
  while (in.Next(&line)) {
    if (IsBibtexEntryStart(line)) {
      if (start != 0) ctx.Skip(start, "unbalanced braces");
      entry.clear();
      scan = EntryScan{};
      start = in.line_number();
      any_entry = true;
    } else if (start == 0) {
      continue;  // text between entries is a comment
    } else {
      entry += '\n';
    }
    entry += line;
    if (entry.size() > kMaxEntryBytes) {
      ctx.Skip(start, "unbalanced braces (entry longer than 16 MiB)");
      start = 0;
    } else if (scan.Feed(line)) {
      LITRANK_RETURN_IF_ERROR(HandleEntry(entry, start, macros, ctx));
      start = 0;
    }
  }
  if (start != 0) ctx.Skip(start, "unbalanced braces (entry not closed at end of file)");
  if (!any_entry && in.line_number() > 0 && in.status().ok()) {
    return Status::Corruption(ctx.file() + " is not BibTeX: no @type{...} entry found");
  }
  return Status::Ok();
}

}  // namespace litrank::ingest

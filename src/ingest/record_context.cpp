#include "ingest/record_context.h"

#include <algorithm>
#include <utility>

#include "util/utf8.h"

namespace litrank::ingest {
namespace {

constexpr size_t kMaxListedSkips = 10000;

// Length of the whitespace character at the start of `s`, 0 if none.
size_t SpaceLength(std::string_view s) {
  if (!s.empty() && IsAsciiSpace(s[0])) return 1;
  if (s.starts_with("\xC2\xA0")) return 2;      // U+00A0 no-break space
  if (s.starts_with("\xE3\x80\x80")) return 3;  // U+3000 ideographic space
  return 0;
}

// Collapses every string in *list, drops empty ones and exact repeats.
void CleanList(std::vector<std::string>* list) {
  std::vector<std::string> out;
  for (const std::string& s : *list) {
    std::string c = CollapseSpace(s);
    if (!c.empty() && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(std::move(c));
  }
  *list = std::move(out);
}

// Whether every text field of `doc` is valid UTF-8.
bool AllUtf8(const Document& doc) {
  for (const std::string* s : {&doc.id, &doc.title, &doc.abstract, &doc.venue, &doc.doi,
                               &doc.language, &doc.url, &doc.extra_json}) {
    if (!IsValidUtf8(*s)) return false;
  }
  const auto valid = [](const std::string& s) { return IsValidUtf8(s); };
  return std::all_of(doc.authors.begin(), doc.authors.end(), valid) &&
         std::all_of(doc.keywords.begin(), doc.keywords.end(), valid);
}

}  // namespace

RecordContext::RecordContext(std::string file, RecordFormat format, const RecordSink& sink,
                             RecordReadReport* report, bool keep_textless)
    : file_(std::move(file)), format_(format), sink_(sink),
      report_(report != nullptr ? report : &scratch_), keep_textless_(keep_textless) {}

void RecordContext::Skip(size_t line, std::string reason) {
  ++report_->skipped_total;
  if (report_->skipped.size() < kMaxListedSkips) {
    report_->skipped.push_back(SkippedRecord{file_, line, std::move(reason)});
  }
}

std::string RecordContext::Where(size_t line) const { return file_ + ":" + std::to_string(line) + ": "; }

Status RecordContext::Emit(Document&& doc, size_t line) {
  if (!AllUtf8(doc)) {
    Skip(line, "invalid UTF-8");
    return Status::Ok();
  }
  doc.id = std::string(Trim(doc.id));
  doc.title = CollapseSpace(doc.title);
  doc.abstract = CollapseSpace(doc.abstract);
  doc.venue = CollapseSpace(doc.venue);
  doc.doi = NormalizeDoi(doc.doi);
  doc.language = NormalizeLanguage(doc.language);
  doc.url = std::string(Trim(doc.url));
  CleanList(&doc.authors);
  CleanList(&doc.keywords);
  if (doc.extra_json.empty()) doc.extra_json = "{}";
  if (doc.title.empty() && doc.abstract.empty() && !keep_textless_) {
    Skip(line, "no title or abstract");
    return Status::Ok();
  }
  doc.source = RecordFormatName(format_);
  LITRANK_RETURN_IF_ERROR(sink_(std::move(doc)));
  ++report_->records;
  return Status::Ok();
}

std::string CollapseSpace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending = false;
  while (!s.empty()) {
    if (const size_t n = SpaceLength(s); n > 0) {
      pending = !out.empty();
      s.remove_prefix(n);
      continue;
    }
    if (pending) out += ' ';
    pending = false;
    out += s.front();
    s.remove_prefix(1);
  }
  return out;
}

std::string NormalizeDoi(std::string_view s) {
  std::string doi = Lower(Trim(s));
  for (const char* prefix : {"https://doi.org/", "http://doi.org/", "https://dx.doi.org/",
                             "http://dx.doi.org/", "doi.org/", "doi:", "doi "}) {
    if (std::string_view(doi).starts_with(prefix)) {
      doi.erase(0, std::char_traits<char>::length(prefix));
      break;
    }
  }
  return std::string(Trim(doi));
}

int ParseYear(std::string_view s) {
  for (size_t i = 0; i + 4 <= s.size(); ++i) {
    size_t n = 0;
    while (i + n < s.size() && s[i + n] >= '0' && s[i + n] <= '9') ++n;
    if (n == 0) continue;
    if (n == 4) {
      const int year = std::stoi(std::string(s.substr(i, 4)));
      return year >= 1000 && year <= 2999 ? year : 0;
    }
    i += n - 1;  // a run of another length is not a year; move past it
  }
  return 0;
}

std::string NormalizeLanguage(std::string_view s) {
  static constexpr const char* kTable[][5] = {
      // code, ISO 639-2 (B), ISO 639-2 (T), English name, native name
      {"en", "eng", "eng", "english", "english"},  {"zh", "chi", "zho", "chinese", "中文"},
      {"ja", "jpn", "jpn", "japanese", "日本語"}, {"ko", "kor", "kor", "korean", "한국어"},
      {"de", "ger", "deu", "german", "deutsch"},   {"fr", "fre", "fra", "french", "français"},
      {"es", "spa", "spa", "spanish", "español"},  {"it", "ita", "ita", "italian", "italiano"},
      {"pt", "por", "por", "portuguese", "português"}, {"ru", "rus", "rus", "russian", "русский"},
      {"nl", "dut", "nld", "dutch", "nederlands"}, {"pl", "pol", "pol", "polish", "polski"},
      {"tr", "tur", "tur", "turkish", "türkçe"},   {"ar", "ara", "ara", "arabic", "العربية"},
  };
  std::string lang = Lower(Trim(s));
  if (lang.size() > 2 && (lang[2] == '-' || lang[2] == '_')) lang.resize(2);  // "en-US", "zh_CN"
  for (const auto& row : kTable) {
    for (const char* name : row) {
      if (lang == name) return row[0];
    }
  }
  return "";
}

std::vector<std::string> SplitList(std::string_view s, std::string_view separators) {
  char sep = 0;
  for (char c : separators) {
    if (s.find(c) != std::string_view::npos) {
      sep = c;
      break;
    }
  }
  std::vector<std::string> out;
  while (true) {
    const size_t cut = sep != 0 ? s.find(sep) : std::string_view::npos;
    const std::string_view piece = Trim(s.substr(0, cut));
    if (!piece.empty()) out.emplace_back(piece);
    if (cut == std::string_view::npos) break;
    s.remove_prefix(cut + 1);
  }
  return out;
}

}  // namespace litrank::ingest

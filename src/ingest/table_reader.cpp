// CSV and TSV exports (ASReview, SYNERGY, Scopus, Zotero): a header row, then
// one record per row, columns mapped to Document fields by name.
#include <charconv>
#include <optional>
#include <utility>

#include "ingest/csv_parser.h"
#include "ingest/json_util.h"
#include "ingest/readers.h"
#include "util/utf8.h"

namespace litrank::ingest {
namespace {

constexpr int kMaxResyncs = 16;  // unterminated quotes recovered from per file

enum Field { kId, kTitle, kAbstract, kYear, kAuthors, kDoi, kKeywords, kVenue, kLanguage, kUrl,
             kCitations, kLabel, kFieldCount };

// Header names tried, in order, when the mapping leaves a field empty.
const std::vector<std::string>& AutoNames(int field) {
  static const std::vector<std::string> kNames[kFieldCount] = {
      {"id", "_id", "record_id", "pmid", "key"},
      {"title", "primary_title", "article title", "document title"},
      {"abstract", "text", "abstract_note", "abstract note"},
      {"year", "publication_year", "publication year", "py", "pub_year"},
      {"authors", "author", "author full names"},
      {"doi"},
      {"keywords", "keyword", "author keywords"},
      {"venue", "journal", "source title", "publication title", "secondary_title", "journal/book"},
      {"language", "lang"},
      {"url", "link"},
      {"citations", "cited_by_count", "cited by", "n_citation", "times_cited", "times cited"},
      {"label_included", "included", "label"},
  };
  return kNames[field];
}

// The mapping's explicit column name for a field ("" = auto; the label has none).
const std::string& Explicit(const ColumnMapping& m, int field) {
  static const std::string kNone;
  const std::string* names[kFieldCount] = {&m.id, &m.title, &m.abstract, &m.year, &m.authors,
                                           &m.doi, &m.keywords, &m.venue, &m.language, &m.url,
                                           &m.citations, &kNone};
  return *names[field];
}

// "A; B" or "A and B" (one author per piece); else one author.
std::vector<std::string> SplitAuthors(std::string_view s) {
  if (s.find(';') != std::string_view::npos) return SplitList(s, ";");
  std::vector<std::string> out;
  for (size_t cut; (cut = s.find(" and ")) != std::string_view::npos; s.remove_prefix(cut + 5)) {
    out.emplace_back(Trim(s.substr(0, cut)));
  }
  out.emplace_back(Trim(s));
  return out;
}

// A whole number from "12" or "12.0"; nullopt otherwise.
std::optional<int64_t> ParseCount(std::string_view s) {
  s = Trim(s);
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || s.empty()) return std::nullopt;
  const std::string_view rest = s.substr(static_cast<size_t>(end - s.data()));
  if (rest.empty()) return v;
  if (rest[0] == '.' && rest.find_first_not_of('0', 1) == std::string_view::npos) return v;
  return std::nullopt;
}

// Whether every cell is valid UTF-8.
bool AllUtf8(const std::vector<std::string>& row) {
  for (const std::string& s : row) {
    if (!IsValidUtf8(s)) return false;
  }
  return true;
}

class Table {
 public:
  Table(const ColumnMapping& mapping, RecordContext& ctx) : mapping_(mapping), ctx_(ctx) {}

  // Resolves every field's column; InvalidArgument for an unknown explicit name.
  Status SetHeader(std::vector<std::string> header) {
    for (std::string& h : header) h = std::string(Trim(h));
    header_ = std::move(header);
    std::vector<bool> used(header_.size(), false);
    for (int f = 0; f < kFieldCount; ++f) {
      const std::string& name = Explicit(mapping_, f);
      if (!name.empty()) {
        column_[f] = FindColumn(header_, name);
        if (!column_[f]) return UnknownColumn(name);
      } else {
        for (const std::string& n : AutoNames(f)) {
          if (!column_[f]) column_[f] = FindColumn(header_, n);
        }
      }
      if (column_[f]) used[*column_[f]] = true;
    }
    for (size_t i = 0; i < header_.size(); ++i) {
      if (!used[i] && !header_[i].empty()) extra_columns_.push_back(i);
    }
    return Status::Ok();
  }

  Status AddRow(const std::vector<std::string>& row, size_t line) {
    if (row.size() == 1 && Trim(row[0]).empty()) return Status::Ok();  // blank line
    if (row.size() != header_.size()) {
      ctx_.Skip(line, "expected " + std::to_string(header_.size()) + " fields, found " +
                          std::to_string(row.size()));
      return Status::Ok();
    }
    if (!AllUtf8(row)) {
      ctx_.Skip(line, "invalid UTF-8");
      return Status::Ok();
    }
    const auto cell = [&](int f) -> std::string { return column_[f] ? row[*column_[f]] : ""; };
    Document doc;
    doc.id = cell(kId);
    doc.title = cell(kTitle);
    doc.abstract = cell(kAbstract);
    doc.year = ParseYear(cell(kYear));
    doc.authors = SplitAuthors(cell(kAuthors));
    doc.doi = cell(kDoi);
    doc.keywords = SplitList(cell(kKeywords), ";,");
    doc.venue = cell(kVenue);
    doc.language = cell(kLanguage);
    doc.url = cell(kUrl);
    doc.citations = ParseCount(cell(kCitations));
    nlohmann::json extra = nlohmann::json::object();
    if (const std::string label(Trim(cell(kLabel))); !label.empty()) {
      const std::optional<int64_t> n = ParseCount(label);
      extra["label"] = n ? nlohmann::json(*n) : nlohmann::json(label);
    }
    for (size_t i : extra_columns_) {
      if (!Trim(row[i]).empty()) extra[header_[i]] = row[i];
    }
    doc.extra_json = DumpJson(extra);
    return ctx_.Emit(std::move(doc), line);
  }

 private:
  Status UnknownColumn(const std::string& name) const {
    std::string available;
    for (const std::string& h : header_) available += (available.empty() ? "\"" : ", \"") + h + "\"";
    return Status::InvalidArgument("no column \"" + name + "\" in " + ctx_.file() +
                                   "; available columns: " + available);
  }

  const ColumnMapping& mapping_;
  RecordContext& ctx_;
  std::vector<std::string> header_;
  std::optional<size_t> column_[kFieldCount];
  std::vector<size_t> extra_columns_;
};

}  // namespace

Status ReadTable(LineSource& in, char delim, const ColumnMapping& columns, RecordContext& ctx) {
  CsvParser parser(in, delim);
  Table table(columns, ctx);
  std::vector<std::string> fields;
  bool have_header = false;
  int resyncs = 0;
  size_t line = 0;
  for (auto r = parser.Next(&fields, &line); r != CsvParser::Result::kEnd;
       r = parser.Next(&fields, &line)) {
    if (r == CsvParser::Result::kUnterminated) {
      if (++resyncs > kMaxResyncs) {
        ctx.Skip(line, "unterminated quoted field; too many, the rest of the input was not read");
        break;
      }
      ctx.Skip(line, "unterminated quoted field");
    } else if (!have_header) {
      if (fields.size() == 1 && Trim(fields[0]).empty()) continue;  // leading blank lines
      LITRANK_RETURN_IF_ERROR(table.SetHeader(fields));
      have_header = true;
    } else {
      LITRANK_RETURN_IF_ERROR(table.AddRow(fields, line));
    }
  }
  return Status::Ok();
}

}  // namespace litrank::ingest

// JSON Lines: generic records, BEIR corpus.jsonl and the arXiv metadata snapshot.
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <set>
#include <utility>

#include "ingest/json_util.h"
#include "ingest/readers.h"

namespace litrank::ingest {
namespace {

using nlohmann::json;

// A file whose first lines all fail to parse is not JSON Lines at all.
constexpr int kMaxLeadingFailures = 5;

// Looks fields up by alternative names and remembers which ones it used, so
// the rest can go to extra_json.
class Fields {
 public:
  explicit Fields(const json& obj) : obj_(obj) {}

  // The first of `keys` present and not null; nullptr if none.
  const json* Find(std::initializer_list<const char*> keys) {
    for (const char* key : keys) {
      const auto it = obj_.find(key);
      if (it == obj_.end()) continue;
      used_.insert(key);
      if (!it->is_null()) return &*it;
    }
    return nullptr;
  }
  // The field named `key` when present and not null (a name the user gave).
  const json* FindNamed(const std::string& key) {
    const auto it = obj_.find(key);
    if (it == obj_.end()) return nullptr;
    used_.insert(key);
    return it->is_null() ? nullptr : &*it;
  }
  // The first of `keys` as text ("" if none or not a scalar).
  std::string Text(std::initializer_list<const char*> keys) {
    const json* v = Find(keys);
    return v != nullptr ? ScalarText(*v) : "";
  }
  // Marks `key` used without reading it.
  void Use(const char* key) { used_.insert(key); }
  // Every field not used, as a JSON object text; an object field named
  // `flatten` contributes its members instead of itself.
  std::string Extra(const char* flatten = nullptr) const {
    json extra = json::object();
    for (const auto& [key, value] : obj_.items()) {
      if (used_.count(key) != 0) continue;
      if (flatten != nullptr && key == flatten && value.is_object()) {
        for (const auto& [k, v] : value.items()) extra[k] = v;
      } else {
        extra[key] = value;
      }
    }
    return DumpJson(extra);
  }

 private:
  const json& obj_;
  std::set<std::string> used_;
};

// The title or abstract text: a string, or the first string of an array
// (Crossref's "title": ["..."]). Sets *bad for any other non-null type.
std::string TextValue(const json* v, bool* bad) {
  if (v == nullptr) return "";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_array() && !v->empty() && (*v)[0].is_string()) return (*v)[0].get<std::string>();
  *bad = true;
  return "";
}
std::string TextField(Fields& f, std::initializer_list<const char*> keys, bool* bad) {
  return TextValue(f.Find(keys), bad);
}

// A whole number from a JSON number or numeric string.
std::optional<int64_t> Count(const json* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_number_unsigned()) {
    const uint64_t n = v->get<uint64_t>();
    if (n > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(n);
  }
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float()) {
    const double d = v->get<double>();  // casting an out-of-range double is undefined
    if (d >= -9.2e18 && d <= 9.2e18) return static_cast<int64_t>(d);
    return std::nullopt;
  }
  if (v->is_string()) {
    const std::string s = v->get<std::string>();
    char* end = nullptr;
    const long long n = std::strtoll(s.c_str(), &end, 10);
    if (end != s.c_str() && Trim(end).empty()) return n;
  }
  return std::nullopt;
}

// Generic JSONL: the common field names of bibliographic dumps; a field that
// `columns` names replaces that field's auto-detection (as in CSV).
bool MapGeneric(const json& obj, const ColumnMapping& columns, Document* doc, std::string* why) {
  Fields f(obj);
  bool bad = false;
  if (!columns.id.empty()) {
    const json* id = f.FindNamed(columns.id);
    doc->id = id != nullptr ? ScalarText(*id) : "";
  } else {
    doc->id = f.Text({"id", "_id", "pmid", "paper_id", "doc_id"});
  }
  doc->title = !columns.title.empty() ? TextValue(f.FindNamed(columns.title), &bad) : TextField(f, {"title"}, &bad);
  doc->abstract = !columns.abstract.empty() ? TextValue(f.FindNamed(columns.abstract), &bad)
                                            : TextField(f, {"abstract", "text", "content", "contents"}, &bad);
  if (bad) {
    *why = "title or abstract is not a string";
    return false;
  }
  const json* y = !columns.year.empty() ? f.FindNamed(columns.year)
                                        : f.Find({"year", "publication_year", "date", "publication_date",
                                                  "pub_date", "published"});
  if (y != nullptr) {
    if (y->is_number()) {
      const double d = y->get<double>();  // range-checked before the cast (NaN fails both)
      doc->year = d >= 1000 && d < 3000 ? static_cast<int>(d) : 0;
    } else {
      doc->year = ParseYear(ScalarText(*y));
    }
  }
  if (const json* a = f.Find({"authors", "author"})) doc->authors = StringList(*a, false);
  doc->doi = f.Text({"doi"});
  if (const json* k = f.Find({"keywords", "keyword", "mesh_terms", "keywords_mesh"})) {
    doc->keywords = StringList(*k, true);
  }
  doc->language = f.Text({"language", "lang"});
  doc->venue = f.Text({"venue", "journal", "booktitle", "container-title"});
  doc->url = f.Text({"url"});
  doc->citations = Count(f.Find({"citations", "cited_by_count", "n_citation", "citation_count"}));
  doc->extra_json = f.Extra();
  return true;
}

// BEIR corpus.jsonl: _id, title, text, metadata (its members go to extra).
bool MapBeir(const json& obj, Document* doc, std::string* why) {
  Fields f(obj);
  bool bad = false;
  doc->id = f.Text({"_id"});
  doc->title = TextField(f, {"title"}, &bad);
  doc->abstract = TextField(f, {"text"}, &bad);
  if (bad) {
    *why = "title or text is not a string";
    return false;
  }
  doc->extra_json = f.Extra("metadata");
  return true;
}

// arXiv's "A. One, B. Two and C. Three".
std::vector<std::string> SplitArxivAuthors(const std::string& s) {
  std::vector<std::string> out;
  for (std::string& piece : SplitList(s, ",")) {
    std::string_view rest = piece;
    for (size_t cut; (cut = rest.find(" and ")) != std::string_view::npos; rest.remove_prefix(cut + 5)) {
      out.emplace_back(Trim(rest.substr(0, cut)));
    }
    if (rest.starts_with("and ")) rest.remove_prefix(4);  // Oxford comma
    out.emplace_back(Trim(rest));
  }
  return out;
}

// The Kaggle arXiv snapshot: one paper per line.
bool MapArxiv(const json& obj, Document* doc, std::string* why) {
  Fields f(obj);
  bool bad = false;
  doc->id = f.Text({"id"});
  doc->title = TextField(f, {"title"}, &bad);
  doc->abstract = TextField(f, {"abstract"}, &bad);
  if (bad) {
    *why = "title or abstract is not a string";
    return false;
  }
  const json* parsed = f.Find({"authors_parsed"});
  if (parsed != nullptr && parsed->is_array()) {
    for (const json& a : *parsed) {
      if (!a.is_array() || a.empty()) continue;
      std::string name = ScalarText(a[0]);
      if (a.size() > 1 && !ScalarText(a[1]).empty()) name += ", " + ScalarText(a[1]);
      if (a.size() > 2 && !ScalarText(a[2]).empty()) name += ", " + ScalarText(a[2]);
      doc->authors.push_back(std::move(name));
    }
    f.Use("authors");
  } else {
    doc->authors = SplitArxivAuthors(f.Text({"authors"}));
  }
  doc->keywords = SplitList(f.Text({"categories"}), " ");
  doc->doi = f.Text({"doi"});
  doc->venue = f.Text({"journal-ref"});
  const json* versions = f.Find({"versions"});
  if (versions != nullptr && versions->is_array() && !versions->empty() &&
      (*versions)[0].is_object()) {
    // Not json::value(key, default): it throws when "created" is not a string.
    const json& first = (*versions)[0];
    if (const auto it = first.find("created"); it != first.end()) doc->year = ParseYear(ScalarText(*it));
  }
  if (doc->year == 0) {
    const auto updated = obj.find("update_date");  // stays in extra too
    if (updated != obj.end()) doc->year = ParseYear(ScalarText(*updated));
  }
  if (!doc->id.empty()) doc->url = "https://arxiv.org/abs/" + doc->id;
  doc->extra_json = f.Extra();
  return true;
}

}  // namespace

Status ReadJsonl(LineSource& in, RecordFormat format, const ColumnMapping& columns, RecordContext& ctx) {
  const auto map = [format, &columns](const json& obj, Document* doc, std::string* why) {
    return format == RecordFormat::kBeirCorpus  ? MapBeir(obj, doc, why)
           : format == RecordFormat::kArxivJson ? MapArxiv(obj, doc, why)
                                                : MapGeneric(obj, columns, doc, why);
  };
  std::string_view line;
  json obj;
  std::string why, first_why;
  int leading_failures = 0;  // lines that failed to parse before any parsed
  bool any_parsed = false;
  while (in.Next(&line)) {
    if (Trim(line).empty()) continue;
    const size_t line_no = in.line_number();
    Document doc;
    if (!ParseJsonLine(line, &obj, &why)) {
      if (!any_parsed && ++leading_failures == 1) first_why = ctx.Where(line_no) + why;
      if (leading_failures == kMaxLeadingFailures) break;
      ctx.Skip(line_no, why);
      continue;
    }
    any_parsed = true;
    if (!map(obj, &doc, &why)) {
      ctx.Skip(line_no, why);
      continue;
    }
    LITRANK_RETURN_IF_ERROR(ctx.Emit(std::move(doc), line_no));
  }
  if (!any_parsed && leading_failures > 0) {
    return Status::Corruption(ctx.file() + " is not JSON Lines (" + first_why + ")");
  }
  return Status::Ok();
}

}  // namespace litrank::ingest

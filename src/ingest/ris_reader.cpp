// RIS (Zotero, EndNote, Mendeley exports): "TY  - JOUR" ... "ER  - ".
#include <algorithm>
#include <map>
#include <utility>

#include "ingest/json_util.h"
#include "ingest/readers.h"
#include "util/utf8.h"

namespace litrank::ingest {
namespace {

// The most text one record may gather (a missing "ER" and no next "TY" would
// otherwise make the rest of the file one record in memory).
constexpr size_t kMaxRecordBytes = 16u << 20;

// One record's tags in file order, values of repeated tags kept apart.
struct RisRecord {
  size_t line = 0;  // where it starts; 0 = no record open
  bool bad_utf8 = false;
  size_t bytes = 0;  // of its values, continuation lines included
  std::vector<std::pair<std::string, std::string>> tags;
};

// Splits "XX  - value" into tag and value; false when the line is no tag line.
bool ParseTagLine(std::string_view line, std::string* tag, std::string_view* value) {
  if (line.size() < 5 || line.substr(2, 3) != "  -") return false;
  for (char c : line.substr(0, 2)) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  if (line.size() > 5 && line[5] != ' ') return false;
  *tag = std::string(line.substr(0, 2));
  *value = Trim(line.substr(5));
  return true;
}

// The first value of the first of `tags` the record has; "" if none.
std::string First(const RisRecord& rec, std::initializer_list<const char*> tags) {
  for (const char* t : tags) {
    for (const auto& [tag, value] : rec.tags) {
      if (tag == t && !value.empty()) return value;
    }
  }
  return "";
}

// Every value of `tag`, in order.
std::vector<std::string> All(const RisRecord& rec, const char* tag) {
  std::vector<std::string> out;
  for (const auto& [t, value] : rec.tags) {
    if (t == tag) out.push_back(value);
  }
  return out;
}

// Turns a finished record into a Document and emits it.
Status Finish(RisRecord& rec, RecordContext& ctx) {
  if (rec.line == 0) return Status::Ok();
  const size_t line = rec.line;
  rec.line = 0;
  if (rec.bad_utf8 || rec.bytes > kMaxRecordBytes) {
    ctx.Skip(line, rec.bad_utf8 ? "invalid UTF-8" : "record longer than 16 MiB");
    rec = RisRecord{};
    return Status::Ok();
  }
  Document doc;
  doc.id = First(rec, {"ID", "AN"});
  doc.title = First(rec, {"TI", "T1", "CT"});
  doc.abstract = First(rec, {"AB", "N2"});
  doc.year = ParseYear(First(rec, {"PY", "Y1", "DA"}));
  doc.authors = All(rec, "AU");
  if (doc.authors.empty()) doc.authors = All(rec, "A1");
  doc.venue = First(rec, {"JF", "T2", "JO", "JA"});
  doc.doi = First(rec, {"DO"});
  for (std::string& kw : All(rec, "KW")) {
    for (std::string& k : SplitList(kw, ";")) doc.keywords.push_back(std::move(k));
  }
  doc.language = First(rec, {"LA"});
  doc.url = First(rec, {"UR"});
  static const std::map<std::string, std::string> kExtraNames = {
      {"TY", "type"}, {"VL", "volume"}, {"IS", "issue"}, {"SP", "start_page"},
      {"EP", "end_page"}, {"SN", "issn"}, {"PB", "publisher"}, {"CY", "place"}};
  static const char* const kMapped[] = {"ID", "AN", "TI", "T1", "CT", "AB", "N2", "PY", "Y1", "DA",
                                        "AU", "A1", "JF", "T2", "JO", "JA", "DO", "KW", "LA", "UR", "ER"};
  nlohmann::json extra = nlohmann::json::object();
  for (const auto& [tag, value] : rec.tags) {
    if (std::find(std::begin(kMapped), std::end(kMapped), tag) != std::end(kMapped)) continue;
    const auto it = kExtraNames.find(tag);
    const std::string key = it != kExtraNames.end() ? it->second : tag;
    if (!extra.contains(key)) {
      extra[key] = value;
    } else {  // a repeated tag becomes a list
      if (!extra[key].is_array()) extra[key] = nlohmann::json::array({extra[key]});
      extra[key].push_back(value);
    }
  }
  doc.extra_json = DumpJson(extra);
  rec = RisRecord{};
  return ctx.Emit(std::move(doc), line);
}

}  // namespace

Status ReadRis(LineSource& in, RecordContext& ctx) {
  RisRecord rec;
  std::string_view line;
  std::string tag;
  std::string_view value;
  bool any_tag = false;
  while (in.Next(&line)) {
    if (!ParseTagLine(line, &tag, &value)) {
      // A continuation of the previous tag's value (blank lines between records are not).
      if (rec.line != 0 && !rec.tags.empty() && !Trim(line).empty()) {
        rec.bytes += line.size() + 1;
        if (rec.bytes > kMaxRecordBytes) continue;  // skipped when the record ends
        rec.bad_utf8 |= !IsValidUtf8(line);
        std::string& last = rec.tags.back().second;
        if (!last.empty()) last += ' ';
        last += Trim(line);
      }
      continue;
    }
    any_tag = true;
    if (tag == "ER") {
      LITRANK_RETURN_IF_ERROR(Finish(rec, ctx));
      continue;
    }
    if (tag == "TY") LITRANK_RETURN_IF_ERROR(Finish(rec, ctx));  // a record without ER
    if (rec.line == 0) rec.line = in.line_number();
    rec.bytes += value.size() + 6;
    if (rec.bytes > kMaxRecordBytes) continue;
    rec.bad_utf8 |= !IsValidUtf8(value);
    rec.tags.emplace_back(tag, std::string(value));
  }
  LITRANK_RETURN_IF_ERROR(Finish(rec, ctx));  // the last record may lack ER
  if (!any_tag && in.line_number() > 0 && in.status().ok()) {
    return Status::Corruption(ctx.file() + " is not RIS: no \"XX  - value\" tag lines");
  }
  return Status::Ok();
}

}  // namespace litrank::ingest

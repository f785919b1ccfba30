#include "store/document_row.h"

#include <nlohmann/json.hpp>
#include <tuple>

#include "util/hash.h"

namespace litrank {
namespace {

std::string ToJsonArray(const std::vector<std::string>& items) { return nlohmann::json(items).dump(); }

std::vector<std::string> FromJsonArray(const std::string& text) {
  std::vector<std::string> out;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const auto& item : j) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::string Hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

}  // namespace

std::string SearchText(const Document& doc) {
  if (doc.title.empty()) return doc.abstract;
  if (doc.abstract.empty()) return doc.title;
  return doc.title + "\n" + doc.abstract;
}

void BindDocumentColumns(sql::Stmt& stmt, int first, const Document& doc) {
  stmt.Bind(first, doc.id)
      .Bind(first + 1, doc.title)
      .Bind(first + 2, doc.abstract)
      .Bind(first + 3, static_cast<int64_t>(doc.year))
      .Bind(first + 4, ToJsonArray(doc.authors))
      .Bind(first + 5, doc.venue)
      .Bind(first + 6, doc.doi)
      .Bind(first + 7, ToJsonArray(doc.keywords))
      .Bind(first + 8, doc.language)
      .Bind(first + 9, doc.source);
  if (doc.citations) {
    stmt.Bind(first + 10, *doc.citations);
  } else {
    stmt.BindNull(first + 10);
  }
  stmt.Bind(first + 11, doc.url).Bind(first + 12, doc.extra_json.empty() ? "{}" : doc.extra_json);
}

Document ReadDocumentColumns(const sql::Stmt& stmt, int first) {
  Document doc;
  doc.id = stmt.Text(first);
  doc.title = stmt.Text(first + 1);
  doc.abstract = stmt.Text(first + 2);
  doc.year = static_cast<int>(stmt.Int(first + 3));
  doc.authors = FromJsonArray(stmt.Text(first + 4));
  doc.venue = stmt.Text(first + 5);
  doc.doi = stmt.Text(first + 6);
  doc.keywords = FromJsonArray(stmt.Text(first + 7));
  doc.language = stmt.Text(first + 8);
  doc.source = stmt.Text(first + 9);
  if (!stmt.IsNull(first + 10)) doc.citations = stmt.Int(first + 10);
  doc.url = stmt.Text(first + 11);
  doc.extra_json = stmt.Text(first + 12);
  return doc;
}

std::string NormalizeTitle(std::string_view title) {
  std::string out;
  for (unsigned char c : title) {
    if (c >= 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string DedupeKey(const Document& doc) {
  if (!doc.doi.empty()) return "doi:" + doc.doi;
  std::string title = NormalizeTitle(doc.title);
  if (!title.empty()) return "title:" + title + "|" + std::to_string(doc.year);
  return "text:" + Hex(Sha256Fields({doc.abstract}));
}

bool ConflictingRecords(const Document& stored, const Document& incoming) {
  if (!incoming.doi.empty() && incoming.doi == stored.doi) return false;  // a DOI names one work
  if (stored.abstract.empty() || incoming.abstract.empty() || stored.abstract == incoming.abstract) return false;
  return !stored.id.empty() && !incoming.id.empty() && stored.id != incoming.id;
}

std::string QualifiedDedupeKey(const std::string& base, const Document& doc) {
  if (!doc.id.empty()) return base + "|id:" + doc.id;
  return base + "|text:" + Hex(Sha256Fields({doc.abstract}));
}

void MergeDocument(const Document& incoming, Document* existing) {
  auto take = [](const std::string& from, std::string* to) {
    if (!from.empty()) *to = from;
  };
  take(incoming.id, &existing->id);
  take(incoming.title, &existing->title);
  take(incoming.abstract, &existing->abstract);
  if (incoming.year != 0) existing->year = incoming.year;
  if (!incoming.authors.empty()) existing->authors = incoming.authors;
  take(incoming.venue, &existing->venue);
  take(incoming.doi, &existing->doi);
  if (!incoming.keywords.empty()) existing->keywords = incoming.keywords;
  take(incoming.language, &existing->language);
  take(incoming.source, &existing->source);
  if (incoming.citations) existing->citations = incoming.citations;
  take(incoming.url, &existing->url);
  nlohmann::json merged = nlohmann::json::parse(existing->extra_json, nullptr, false);
  nlohmann::json extra = nlohmann::json::parse(incoming.extra_json, nullptr, false);
  if (!merged.is_object()) merged = nlohmann::json::object();
  if (extra.is_object()) merged.update(extra);
  existing->extra_json = merged.dump();
}

bool SameContent(const Document& a, const Document& b) {
  auto tie = [](const Document& d) {
    return std::tie(d.id, d.title, d.abstract, d.year, d.authors, d.venue, d.doi, d.keywords,
                    d.language, d.source, d.citations, d.url);
  };
  if (tie(a) != tie(b)) return false;
  return nlohmann::json::parse(a.extra_json, nullptr, false) ==
         nlohmann::json::parse(b.extra_json, nullptr, false);
}

}  // namespace litrank

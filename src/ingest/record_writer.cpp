#include "ingest/record_writer.h"

#include <cctype>

namespace litrank {
namespace {

std::string OneLine(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) out += (c == '\n' || c == '\r') ? ' ' : c;
  return out;
}

// Drops braces that do not pair up, so a value can sit inside {…}.
std::string BalancedBraces(std::string_view s) {
  std::string out;
  std::vector<size_t> open;
  for (char c : s) {
    if (c == '{') {
      open.push_back(out.size());
      out += c;
    } else if (c == '}') {
      if (open.empty()) continue;
      open.pop_back();
      out += c;
    } else {
      out += c;
    }
  }
  for (auto it = open.rbegin(); it != open.rend(); ++it) out.erase(*it, 1);
  return OneLine(out);
}

}  // namespace

void WriteRisRecord(const Document& doc, const std::vector<std::string>& notes, std::ostream& out) {
  auto tag = [&](const char* t, std::string_view v) {
    if (!v.empty()) out << t << "  - " << OneLine(v) << "\r\n";
  };
  tag("TY", doc.venue.empty() ? "GEN" : "JOUR");
  tag("ID", doc.id);
  tag("TI", doc.title);
  for (const std::string& a : doc.authors) tag("AU", a);
  if (doc.year > 0) tag("PY", std::to_string(doc.year));
  tag("JO", doc.venue);
  tag("AB", doc.abstract);
  tag("DO", doc.doi);
  for (const std::string& k : doc.keywords) tag("KW", k);
  tag("LA", doc.language);
  tag("UR", doc.url);
  for (const std::string& n : notes) tag("N1", n);
  out << "ER  - \r\n\r\n";
}

std::string BibtexKey(const Document& doc, int64_t rowid) {
  std::string family;
  if (!doc.authors.empty()) {
    const std::string& a = doc.authors.front();
    const size_t comma = a.find(',');
    std::string name = comma != std::string::npos ? a.substr(0, comma) : a.substr(a.rfind(' ') + 1);
    for (char c : name) {
      if (std::isalpha(static_cast<unsigned char>(c))) family += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (family.empty()) return "record" + std::to_string(rowid);
  return family + (doc.year > 0 ? std::to_string(doc.year) : "") + "_" + std::to_string(rowid);
}

void WriteBibtexEntry(const Document& doc, const std::string& key, std::ostream& out) {
  out << (doc.venue.empty() ? "@misc{" : "@article{") << key << ",\n";
  auto field = [&](const char* name, std::string_view v) {
    if (!v.empty()) out << "  " << name << " = {" << BalancedBraces(v) << "},\n";
  };
  field("title", doc.title);
  std::string authors;
  for (const std::string& a : doc.authors) authors += (authors.empty() ? "" : " and ") + a;
  field("author", authors);
  if (doc.year > 0) field("year", std::to_string(doc.year));
  field("journal", doc.venue);
  field("doi", doc.doi);
  field("url", doc.url);
  std::string keywords;
  for (const std::string& k : doc.keywords) keywords += (keywords.empty() ? "" : "; ") + k;
  field("keywords", keywords);
  field("abstract", doc.abstract);
  out << "}\n\n";
}

void WriteCsvRow(const std::vector<std::string>& fields, std::ostream& out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out << ',';
    const std::string& f = fields[i];
    if (f.find_first_of(",\"\r\n") == std::string::npos) {
      out << f;
      continue;
    }
    out << '"';
    for (char c : f) {
      if (c == '"') out << '"';
      out << c;
    }
    out << '"';
  }
  out << '\n';
}

}  // namespace litrank

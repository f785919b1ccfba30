#include "io/document_reader.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "ingest/csv_parser.h"
#include "ingest/json_util.h"
#include "ingest/line_source.h"
#include "util/ascii.h"
#include "util/utf8.h"

namespace litrank {
namespace {

using ingest::FindColumn;
using nlohmann::json;

constexpr size_t kMaxProblems = 1000;  // problems listed; later ones only counted
constexpr int kMaxCsvResyncs = 16;     // unterminated quotes recovered from per file
constexpr std::pair<const char*, DocFormat> kFormatNames[] = {
    {"auto", DocFormat::kAuto}, {"jsonl", DocFormat::kJsonl}, {"csv", DocFormat::kCsv},
    {"tsv", DocFormat::kTsv}, {"lines", DocFormat::kLines}};

// Counts documents and records problems as "NAME:LINE: reason".
class Reporter {
 public:
  Reporter(const std::string& name, ReadReport* report)
      : name_(name), report_(report != nullptr ? report : &scratch_) {}
  void Read() { ++report_->read; }
  // Counts a skipped record and says why.
  void Skip(size_t line, const std::string& reason) {
    ++report_->skipped;
    if (report_->problems.size() < kMaxProblems) {
      report_->problems.push_back(name_ + ":" + std::to_string(line) + ": " + reason);
    } else if (report_->problems.size() == kMaxProblems) {
      report_->problems.push_back(name_ + ": further problems not listed");
    }
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  ReadReport scratch_;
  ReadReport* report_;
};

// "Title. Abstract"; no extra period when the title already ends a sentence.
std::string JoinTitleAbstract(std::string_view title, std::string_view abstract) {
  title = Trim(title);
  abstract = Trim(abstract);
  if (title.empty()) return std::string(abstract);
  if (abstract.empty()) return std::string(title);
  const char last = title.back();
  const bool ends_sentence = last == '.' || last == '?' || last == '!' ||
                             title.ends_with("\u3002") || title.ends_with("\uFF1F") ||
                             title.ends_with("\uFF01");
  return std::string(title) + (ends_sentence ? " " : ". ") + std::string(abstract);
}

// Appends a document after the checks every format shares.
void Emit(std::string id, std::string_view text, size_t line, Reporter& rep,
          std::vector<InputDocument>* docs) {
  text = Trim(text);
  if (!IsValidUtf8(text) || !IsValidUtf8(id)) return rep.Skip(line, "invalid UTF-8");
  if (text.empty()) return rep.Skip(line, "empty text");
  if (id.empty()) id = std::to_string(line);
  docs->push_back(InputDocument{std::move(id), std::string(text), line});
  rep.Read();
}

// Calls fn(line_number, line) for every line, without its "\n" or "\r\n".
template <typename Fn>
void ForEachLine(std::string_view content, Fn&& fn) {
  ingest::LineSource lines(content);
  for (std::string_view line; lines.Next(&line);) fn(lines.line_number(), line);
}

// ---- JSONL ----------------------------------------------------------------

// The record's id: a string or a scalar printed as JSON; "" when absent.
std::string GetId(const json& obj, const std::string& key) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null() || it->is_structured()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// Picks the text of one JSONL record, or says in *why why there is none.
// Missing and null fields are passed over; any other non-string is an error.
std::optional<std::string> JsonText(const json& obj, const ReadOptions& options, std::string* why) {
  std::string bad;  // first field found with the wrong type
  const auto str = [&](const std::string& key) -> std::optional<std::string> {
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return std::nullopt;
    if (it->is_string()) return it->get<std::string>();
    if (bad.empty()) bad = key;
    return std::nullopt;
  };
  if (!options.column.empty()) {
    if (auto t = str(options.column)) return t;
  } else if (auto t = str("text")) {
    return t;
  } else if (bad.empty()) {
    const auto title = str("title"), abstract = str("abstract");
    if (bad.empty() && (title || abstract)) {
      return JoinTitleAbstract(title.value_or(""), abstract.value_or(""));
    }
    if (auto c = bad.empty() ? str("contents") : std::nullopt) return c;
  }
  if (!bad.empty()) {
    *why = "field \"" + bad + "\" is not a string";
  } else if (!options.column.empty()) {
    *why = "no field \"" + options.column + "\"";
  } else {
    *why = "no text field (expected \"text\", \"title\"/\"abstract\" or \"contents\")";
  }
  return std::nullopt;
}

// Parses one non-blank JSONL line into a document, or skips it with a reason.
void ReadJsonRecord(std::string_view line, size_t line_no, const ReadOptions& options,
                    Reporter& rep, std::vector<InputDocument>* docs) {
  json obj;
  std::string why;
  if (!ingest::ParseJsonLine(line, &obj, &why)) return rep.Skip(line_no, why);
  const std::optional<std::string> text = JsonText(obj, options, &why);
  if (!text) return rep.Skip(line_no, why);
  std::string id;
  if (!options.id_column.empty()) {
    id = GetId(obj, options.id_column);
    if (id.empty()) return rep.Skip(line_no, "no id field \"" + options.id_column + "\"");
  } else {
    id = GetId(obj, "id");
    if (id.empty()) id = GetId(obj, "_id");
  }
  Emit(std::move(id), *text, line_no, rep, docs);
}

// ---- CSV / TSV --------------------------------------------------------------

// Turns a header plus rows into documents; shared by CSV and TSV.
class TableReader {
 public:
  TableReader(const ReadOptions& options, Reporter& rep, std::vector<InputDocument>* docs)
      : options_(options), rep_(rep), docs_(docs) {}

  // Chooses the text and id columns; InvalidArgument for an unknown name.
  Status SetHeader(std::vector<std::string> header) {
    for (std::string& h : header) h = std::string(Trim(h));
    header_ = std::move(header);
    LITRANK_RETURN_IF_ERROR(Resolve(options_.column, &text_));
    LITRANK_RETURN_IF_ERROR(Resolve(options_.id_column, &id_));
    if (options_.column.empty()) {
      text_ = FindColumn(header_, "text");
      if (!text_) {
        title_ = FindColumn(header_, "title");
        abstract_ = FindColumn(header_, "abstract");
        if (!title_ && !abstract_) text_ = 0;
      }
    }
    if (options_.id_column.empty()) {
      for (const char* name : {"id", "_id", "record_id"}) {
        if (!id_) id_ = FindColumn(header_, name);
      }
    }
    return Status::Ok();
  }

  void AddRow(const std::vector<std::string>& fields, size_t line) {
    if (fields.size() == 1 && Trim(fields[0]).empty()) return;  // blank line
    if (fields.size() != header_.size()) {
      return rep_.Skip(line, "expected " + std::to_string(header_.size()) + " fields, found " +
                                 std::to_string(fields.size()));
    }
    std::string text = text_ ? fields[*text_]
                             : JoinTitleAbstract(title_ ? fields[*title_] : "",
                                                 abstract_ ? fields[*abstract_] : "");
    std::string id = id_ ? std::string(Trim(fields[*id_])) : "";
    Emit(std::move(id), text, line, rep_, docs_);
  }

 private:
  Status Resolve(const std::string& name, std::optional<size_t>* index) {
    if (name.empty()) return Status::Ok();
    *index = FindColumn(header_, name);
    if (*index) return Status::Ok();
    std::string available;
    for (const std::string& h : header_) {
      available += (available.empty() ? "\"" : ", \"") + h + "\"";
    }
    return Status::InvalidArgument("no column \"" + name + "\" in " + rep_.name() +
                                   "; available columns: " + available);
  }

  const ReadOptions& options_;
  Reporter& rep_;
  std::vector<InputDocument>* docs_;
  std::vector<std::string> header_;
  std::optional<size_t> text_, title_, abstract_, id_;
};

// CSV or, with delim '\t', TSV: a header row, then one document per record.
Status ReadTable(std::string_view content, char delim, const ReadOptions& options, Reporter& rep,
                 std::vector<InputDocument>* docs) {
  ingest::LineSource lines(content);
  ingest::CsvParser parser(lines, delim);
  TableReader table(options, rep, docs);
  std::vector<std::string> fields;
  bool have_header = false;
  int resyncs = 0;
  size_t line = 0;
  for (auto r = parser.Next(&fields, &line); r != ingest::CsvParser::Result::kEnd;
       r = parser.Next(&fields, &line)) {
    if (r == ingest::CsvParser::Result::kUnterminated) {
      if (++resyncs > kMaxCsvResyncs) {
        rep.Skip(line, "unterminated quoted field; too many, the rest of the input was not read");
        break;
      }
      rep.Skip(line, "unterminated quoted field");  // the parser resumes on the next line
    } else if (!have_header) {
      if (fields.size() == 1 && Trim(fields[0]).empty()) continue;  // leading blank lines
      LITRANK_RETURN_IF_ERROR(table.SetHeader(fields));
      have_header = true;
    } else {
      table.AddRow(fields, line);
    }
  }
  return Status::Ok();
}

void ReadLines(std::string_view content, Reporter& rep, std::vector<InputDocument>* docs) {
  ForEachLine(content, [&](size_t line_no, std::string_view line) {
    if (!Trim(line).empty()) Emit("", line, line_no, rep, docs);
  });
}

}  // namespace

DocFormat DocFormatFromPath(std::string_view path) {
  const std::string ext = Lower(std::filesystem::path(path).extension().string());
  if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") return DocFormat::kJsonl;
  if (ext == ".csv") return DocFormat::kCsv;
  if (ext == ".tsv" || ext == ".tab") return DocFormat::kTsv;
  return DocFormat::kLines;
}

bool ParseDocFormat(std::string_view name, DocFormat* format) {
  for (const auto& [n, f] : kFormatNames) {
    if (Lower(name) != n) continue;
    *format = f;
    return true;
  }
  return false;
}

const char* DocFormatName(DocFormat format) {
  for (const auto& [n, f] : kFormatNames) {
    if (f == format) return n;
  }
  return "auto";
}

Status ReadDocumentsFromStream(std::istream& in, const std::string& name, DocFormat format,
                               const ReadOptions& options, std::vector<InputDocument>* docs,
                               ReadReport* report) {
  if (docs == nullptr) return Status::InvalidArgument("ReadDocuments: docs is null");
  std::string content;
  char buf[1 << 16];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    content.append(buf, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return Status::IOError("error reading " + name);
  if (content.starts_with("\x1f\x8b")) {
    return Status::Unsupported(name + " looks gzip-compressed; decompress it first");
  }
  std::string_view text = content;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 BOM

  if (format == DocFormat::kAuto) format = options.format;
  if (format == DocFormat::kAuto) format = DocFormatFromPath(name);
  Reporter rep(name, report);
  switch (format) {
    case DocFormat::kJsonl:
      ForEachLine(text, [&](size_t line_no, std::string_view line) {
        if (!Trim(line).empty()) ReadJsonRecord(line, line_no, options, rep, docs);
      });
      return Status::Ok();
    case DocFormat::kCsv: return ReadTable(text, ',', options, rep, docs);
    case DocFormat::kTsv: return ReadTable(text, '\t', options, rep, docs);
    case DocFormat::kAuto:
    case DocFormat::kLines: ReadLines(text, rep, docs); return Status::Ok();
  }
  return Status::Ok();
}

Status ReadDocuments(const std::string& path, const ReadOptions& options,
                     std::vector<InputDocument>* docs, ReadReport* report) {
  if (path == "-") {
    return ReadDocumentsFromStream(std::cin, "<stdin>", options.format, options, docs, report);
  }
  std::error_code ec;
  const std::filesystem::file_status st = std::filesystem::status(path, ec);
  if (st.type() == std::filesystem::file_type::not_found) {
    return Status::NotFound("no such file: " + path);
  }
  if (st.type() == std::filesystem::file_type::directory) {
    return Status::IOError(path + " is a directory, not a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  return ReadDocumentsFromStream(in, path, options.format, options, docs, report);
}

}  // namespace litrank

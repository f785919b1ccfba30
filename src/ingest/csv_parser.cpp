#include "ingest/csv_parser.h"

#include "util/ascii.h"

namespace litrank::ingest {

bool CsvParser::NextLine(std::string* line, size_t* line_no) {
  if (!replay_.empty()) {
    *line_no = replay_.front().first;
    *line = std::move(replay_.front().second);
    replay_.pop_front();
    return true;
  }
  std::string_view view;
  if (!in_.Next(&view)) return false;
  *line_no = in_.line_number();
  line->assign(view);
  return true;
}

CsvParser::Result CsvParser::Next(std::vector<std::string>* fields, size_t* start_line) {
  fields->clear();
  std::string line;
  size_t line_no = 0;
  if (!NextLine(&line, &line_no)) return Result::kEnd;
  *start_line = line_no;
  std::vector<std::pair<size_t, std::string>> consumed;  // this record's later lines
  size_t bytes = 0;
  std::string field;
  bool in_quotes = false, quoted = false;
  while (true) {
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (in_quotes) {
        if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (c == '"') {
          in_quotes = false;
        } else {
          field += c;
        }
      } else if (c == delim_) {
        fields->push_back(std::move(field));
        field.clear();
        quoted = false;
      } else if (c == '"' && field.empty() && !quoted) {
        in_quotes = quoted = true;
      } else {
        field += c;
      }
    }
    if (!in_quotes) break;
    // The quoted field goes on: take the next line, or give up on this record.
    bytes += line.size() + 1;
    std::string next;
    if (bytes > kMaxRecordBytes || !NextLine(&next, &line_no)) {
      for (auto it = consumed.rbegin(); it != consumed.rend(); ++it) replay_.push_front(std::move(*it));
      fields->clear();
      return Result::kUnterminated;
    }
    consumed.emplace_back(line_no, next);
    field += '\n';
    line = std::move(next);
  }
  fields->push_back(std::move(field));
  return Result::kRecord;
}

std::optional<size_t> FindColumn(const std::vector<std::string>& header, std::string_view name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  const std::string lower = Lower(name);
  for (size_t i = 0; i < header.size(); ++i) {
    if (Lower(header[i]) == lower) return i;
  }
  return std::nullopt;
}

}  // namespace litrank::ingest

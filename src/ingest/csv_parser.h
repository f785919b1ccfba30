// Internal to ingest (and io/document_reader): RFC 4180 records from a
// LineSource, streaming.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/line_source.h"

namespace litrank::ingest {

/// Splits RFC 4180 text (or the same with tabs) into records: quoted fields may
/// hold delimiters, doubled quotes and newlines (CRLF inside quotes becomes
/// "\n"). Lenient where the RFC is silent: a quote inside an unquoted field is
/// literal, and text after a closing quote is kept.
class CsvParser {
 public:
  enum class Result { kRecord, kEnd, kUnterminated };

  /// `in` must outlive the parser. `delim` is ',' or '\t'.
  CsvParser(LineSource& in, char delim) : in_(in), delim_(delim) {}

  /// Reads the next record into *fields; *start_line is its first line.
  /// kUnterminated: a quoted field ran to the end of the input (or past
  /// kMaxRecordBytes); reading then resumes on the line after *start_line.
  Result Next(std::vector<std::string>* fields, size_t* start_line);

  /// The longest record kept before a quote is declared unterminated.
  static constexpr size_t kMaxRecordBytes = 16u << 20;

 private:
  bool NextLine(std::string* line, size_t* line_no);

  LineSource& in_;
  char delim_;
  std::deque<std::pair<size_t, std::string>> replay_;  // lines to read again after a bad record
};

/// Index of the column `name` in a header record: an exact match first, then an
/// ASCII case-insensitive one; nullopt when neither.
std::optional<size_t> FindColumn(const std::vector<std::string>& header, std::string_view name);

}  // namespace litrank::ingest

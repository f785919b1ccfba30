// litrank — reading the documents to rank (`litrank rerank --docs FILE`).
//
// Formats: JSON Lines, CSV (RFC 4180), TSV and plain text (one document per
// line). Bad records never fail the whole file: they are skipped and listed in
// ReadReport::problems as "FILE:LINE: reason". Only problems with the input as
// a whole (missing file, read error, unknown column) return a non-OK Status.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "litrank/status.h"

namespace litrank {

/// One input document: the text to score plus where it came from.
struct InputDocument {
  std::string id;    ///< from the record's id field/column, else the line number
  std::string text;  ///< valid UTF-8, trimmed, never empty
  size_t line = 0;   ///< 1-based line where the record starts
};

/// Input format; kAuto picks one from the file name's extension.
enum class DocFormat { kAuto, kJsonl, kCsv, kTsv, kLines };

/// How to read an input.
struct ReadOptions {
  /// kAuto: from the extension (.jsonl/.ndjson/.json, .csv, .tsv/.tab, else
  /// plain lines; stdin is plain lines).
  DocFormat format = DocFormat::kAuto;
  /// Field (JSONL) or column (CSV/TSV) holding the text. "" = auto: "text",
  /// else "title" + "abstract" joined, else ("contents" in JSONL) the first
  /// CSV/TSV column. Column names match exactly, else case-insensitively.
  std::string column;
  /// Field or column holding the id. "" = auto: "id", else "_id" (else
  /// "record_id" in CSV/TSV), else the line number.
  std::string id_column;
};

/// What happened while reading; counts accumulate across calls.
struct ReadReport {
  size_t read = 0;                    ///< documents appended
  size_t skipped = 0;                 ///< records skipped as malformed
  std::vector<std::string> problems;  ///< "FILE:LINE: reason", first 1000 only
};

/// Reads documents from a file path, or "-" for stdin, appending to *docs.
/// Format from the extension unless options.format says otherwise.
/// JSONL: text from "text", else "title" + ". " + "abstract" (either may be
/// missing), else "contents"; id from "id" or "_id" or the line number.
/// CSV: RFC 4180 with a header row (quoted fields may hold commas, doubled
/// quotes and newlines); a UTF-8 BOM is stripped. TSV: the same rules with
/// tabs for commas.
/// Plain lines: one document per non-empty line.
/// Malformed records (bad JSON, no text, invalid UTF-8, unterminated quotes,
/// a field count unlike the header's) are skipped and reported; after an
/// unterminated quote, reading resumes on the line after the record's start.
/// `report` may be null.
/// Errors: NotFound (no such file), IOError (unreadable), InvalidArgument
/// (unknown CSV/TSV column; the message lists the available ones),
/// Unsupported (gzip-compressed input).
Status ReadDocuments(const std::string& path, const ReadOptions& options,
                     std::vector<InputDocument>* docs, ReadReport* report);

/// Same, from an already-open stream; `name` is used in messages and, when
/// `format` and options.format are both kAuto, for the extension.
Status ReadDocumentsFromStream(std::istream& in, const std::string& name, DocFormat format,
                               const ReadOptions& options, std::vector<InputDocument>* docs,
                               ReadReport* report);

/// The format a path's extension implies (case-insensitive); kLines if none.
DocFormat DocFormatFromPath(std::string_view path);

/// Parses "auto", "jsonl", "csv", "tsv" or "lines" (as in a --format flag).
/// Returns false and leaves *format alone for anything else.
bool ParseDocFormat(std::string_view name, DocFormat* format);

/// The lower-case name ParseDocFormat accepts for `format`.
const char* DocFormatName(DocFormat format);

}  // namespace litrank

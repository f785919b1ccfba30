// Internal to ingest: what every reader shares — the checks and clean-up a
// record gets before the sink sees it, skip reporting, and text helpers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/record_reader.h"
#include "litrank/document.h"
#include "litrank/status.h"
#include "util/ascii.h"  // Trim, Lower: the readers use them unqualified

namespace litrank::ingest {

/// One file being read: forwards finished records to the sink and lists skips.
class RecordContext {
 public:
  /// `report` may be null. `keep_textless`: pass on records with neither
  /// title nor abstract instead of skipping them.
  RecordContext(std::string file, RecordFormat format, const RecordSink& sink,
                RecordReadReport* report, bool keep_textless = false);

  /// Lists a skipped record starting at `line`.
  void Skip(size_t line, std::string reason);
  /// Validates and cleans `doc` (see record_reader.h), sets its source, and
  /// passes it to the sink; a record that fails the checks is skipped instead
  /// (and OK returned). Returns the sink's Status.
  Status Emit(Document&& doc, size_t line);

  const std::string& file() const { return file_; }
  /// "FILE:LINE: " for messages.
  std::string Where(size_t line) const;

 private:
  std::string file_;
  RecordFormat format_;
  const RecordSink& sink_;
  RecordReadReport scratch_;
  RecordReadReport* report_;
  bool keep_textless_;
};

/// Trimmed, with every run of whitespace (ASCII, NBSP, U+3000) replaced by one space.
std::string CollapseSpace(std::string_view s);
/// Bare lower-case DOI: strips "https://doi.org/", "http://dx.doi.org/", "doi:"
/// and surrounding space. "" stays "".
std::string NormalizeDoi(std::string_view s);
/// Year from the first four-digit run in `s` ("2019-05-01", "1999.0",
/// "1998 Dec-1999 Jan"); 0 when none or outside 1000..2999.
int ParseYear(std::string_view s);
/// ISO 639-1 code for a language name or code we recognise ("eng", "English",
/// "en-US", "chi", "zh_CN" ...), else "".
std::string NormalizeLanguage(std::string_view s);
/// Splits on the first of `separators` that occurs in `s` (e.g. ";," splits on
/// ';' if any, else ','); pieces trimmed, empty ones dropped.
std::vector<std::string> SplitList(std::string_view s, std::string_view separators);

}  // namespace litrank::ingest

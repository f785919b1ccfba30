// Internal to screen/: a project's settings as JSON, its exports, and labels
// files matched to a collection's records.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "litrank/corpus.h"
#include "litrank/screening.h"

namespace litrank::screen {

/// Model options as stored in screen_projects.settings.
std::string ModelOptionsToJson(const ScreeningModelOptions& options);
/// Reads them back; unknown or missing keys keep their defaults. Corruption
/// when the text is not a JSON object.
Status ModelOptionsFromJson(const std::string& text, ScreeningModelOptions* options);

/// One record of an export.
struct ExportRow {
  int64_t rowid = 0;
  int label = -1;      ///< -1 unseen, else a ScreenDecision value
  int64_t order = 0;   ///< 1-based place in the screening order; 0 = not screened
  double score = 0;    ///< the model's score (unscreened records)
};

/// Writes `rows` (with `docs` in the same order) as "csv", "ris" or "bibtex";
/// InvalidArgument for another format.
Status WriteProjectExport(const std::string& format, const std::vector<ExportRow>& rows,
                          const std::vector<StoredDocument>& docs, std::ostream& out);

/// Reads the labelled records of `path` and finds each in `stored` by DOI,
/// source id, or normalised title (+ year when both have one). *found gets
/// (rowid, decision) pairs; *unmatched the labelled records not found.
/// InvalidArgument when the file has no labelled record or none matches.
Status MatchLabelledRecords(const std::string& path, const std::vector<StoredDocument>& stored,
                            std::vector<std::pair<int64_t, ScreenDecision>>* found, int64_t* unmatched);

}  // namespace litrank::screen

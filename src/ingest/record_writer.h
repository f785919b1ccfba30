// The reader stack's counterpart: Documents written back out as RIS, BibTeX
// and CSV records that `ingest` (and Zotero, EndNote, ASReview) read again.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "litrank/document.h"

namespace litrank {

/// One RIS record ("TY  - JOUR" … "ER  - "). `notes` become N1 lines. Line
/// breaks inside fields become spaces (RIS has one field per line).
void WriteRisRecord(const Document& doc, const std::vector<std::string>& notes, std::ostream& out);

/// One BibTeX entry keyed `key` (@article, or @misc without a venue). Braces
/// that do not balance are dropped from values so the entry always parses.
void WriteBibtexEntry(const Document& doc, const std::string& key, std::ostream& out);

/// A BibTeX key from the first author's family name and the year
/// ("smith2020"), falling back to "record<rowid>"; ASCII letters and digits only.
std::string BibtexKey(const Document& doc, int64_t rowid);

/// One CSV row (RFC 4180: fields with a comma, quote or line break quoted,
/// quotes doubled), ended by "\n".
void WriteCsvRow(const std::vector<std::string>& fields, std::ostream& out);

}  // namespace litrank

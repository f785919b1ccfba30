// The documents a map-of-the-field command works on (`cluster`, `trends`): a
// collection (--db) or a documents file (--docs), with the same flags everywhere.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "litrank/document.h"
#include "litrank/status.h"

namespace litrank::cli {

/// Where the documents come from.
struct DocumentSource {
  std::string db;             ///< collection file; "" = $LITRANK_DB or ./litrank.db (when docs is "")
  std::string docs;           ///< documents file, any format `ingest` reads
  std::string format = "auto";
  std::string column;         ///< JSONL field / CSV column holding the whole text
  std::string project;        ///< with a collection: only this screening project's included records
};

/// Adds --db, -d/--docs, --doc-format, --column and --project to `cmd`.
void AddDocumentSourceOptions(CLI::App* cmd, DocumentSource* source);

/// Reads the documents, in input order, with ids[i] the id of docs[i] (a file
/// record without one gets its 1-based record number; a stored one its row id).
/// Every record of a file counts, blank lines of a lines file and records
/// without text included (they have empty text), so outputs line up with the
/// input; malformed records (bad JSON, invalid UTF-8) are skipped with a
/// warning on stderr. Errors: InvalidArgument (both --docs and --db, an unknown
/// format, a file with records but no text in any), the reader's and the
/// store's errors.
/// `rowids` (may be null) gets the stored documents' rowids (left empty for a file).
Status LoadDocumentSource(const DocumentSource& source, std::vector<Document>* docs, std::vector<std::string>* ids,
                          std::vector<int64_t>* rowids = nullptr);

}  // namespace litrank::cli

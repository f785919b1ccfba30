// How a Document maps to a row of the `documents` table, and how records are
// recognised as the same paper (deduplication).
#pragma once

#include <string>
#include <string_view>

#include "litrank/document.h"
#include "store/sql.h"

namespace litrank {

/// Column list matching BindDocumentColumns / ReadDocumentColumns.
inline constexpr const char* kDocumentColumns =
    "ext_id, title, abstract, year, authors, venue, doi, keywords, language, source, citations, "
    "url, extra";
/// Number of columns in kDocumentColumns.
inline constexpr int kDocumentColumnCount = 13;

/// Binds the document's fields to parameters first..first+12.
void BindDocumentColumns(sql::Stmt& stmt, int first, const Document& doc);
/// Reads the fields from result columns first..first+12.
Document ReadDocumentColumns(const sql::Stmt& stmt, int first);

/// Lower-case letters and digits of a title, everything else dropped (non-ASCII
/// characters such as CJK are kept as they are), so punctuation, case and spacing
/// differences do not make two records of one paper look different.
std::string NormalizeTitle(std::string_view title);
/// "doi:<doi>" when the record has a DOI, else "title:<normalised title>|<year>",
/// else "text:<hex hash of the abstract>".
std::string DedupeKey(const Document& doc);
/// Whether a stored record and an incoming one that share a dedupe key are
/// nevertheless different works: no shared DOI, both have abstracts and they
/// differ, and both carry source ids that differ. Generic titles ("Summary",
/// "Corresponding author:") collide this way in real corpora.
bool ConflictingRecords(const Document& stored, const Document& incoming);
/// The key a record is stored under when its dedupe key is taken by a different
/// work: the dedupe key qualified by the source id, else by a hash of the abstract.
std::string QualifiedDedupeKey(const std::string& base, const Document& doc);
/// Copies every non-empty field of `incoming` over `existing` (keywords and
/// authors replace as a whole; extra JSON objects are merged key by key).
void MergeDocument(const Document& incoming, Document* existing);
/// Whether two documents have the same stored content.
bool SameContent(const Document& a, const Document& b);

}  // namespace litrank

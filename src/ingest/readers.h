// Internal to ingest: one function per format. Each streams records from its
// input to ctx.Emit, lists malformed records with ctx.Skip, and returns
// non-OK only for whole-input problems or a sink error.
#pragma once

#include <string>
#include <string_view>

#include "ingest/line_source.h"
#include "ingest/record_context.h"
#include "ingest/record_reader.h"
#include "litrank/status.h"

namespace litrank::ingest {

/// RIS (Zotero/EndNote exports).
Status ReadRis(LineSource& in, RecordContext& ctx);
/// BibTeX (.bib).
Status ReadBibtex(LineSource& in, RecordContext& ctx);
/// Whether a line opens a BibTeX entry ("@word{" or "@word(" after spaces).
bool IsBibtexEntryStart(std::string_view line);
/// CSV (delim ',') or TSV ('\t') with a header row, mapped by `columns`.
Status ReadTable(LineSource& in, char delim, const ColumnMapping& columns, RecordContext& ctx);
/// JSON Lines: `format` is kJsonl (generic fields; a field `columns` names, of
/// id, title, abstract and year, replaces that one's auto-detection), kBeirCorpus
/// or kArxivJson.
Status ReadJsonl(LineSource& in, RecordFormat format, const ColumnMapping& columns, RecordContext& ctx);
/// One record per line; the line is the abstract. Blank lines are skipped
/// unless `keep_blank` (then they are textless records, so record i is line i).
Status ReadLines(LineSource& in, bool keep_blank, RecordContext& ctx);
/// A PDF, one record per file (MuPDF): title (document information, else the
/// largest type on page one), authors (information, else a byline), the
/// abstract after its heading (else the body), sections, references (their
/// DOIs in extra "references", the strings in "reference_strings"), the body in
/// "full_text". Errors naming the file: encrypted, no text layer, unreadable.
Status ReadPdf(const std::string& path, RecordContext& ctx);
/// PubMed/MEDLINE XML, streamed with libxml2's xmlTextReader.
Status ReadPubmedXml(const std::string& path, ProgressMeter& meter, RecordContext& ctx);

}  // namespace litrank::ingest

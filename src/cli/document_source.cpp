#include "cli/document_source.h"
#include "analysis/collection_documents.h"

#include <algorithm>
#include <cstdio>

#include "cli/cli_common.h"
#include "ingest/record_reader.h"
#include "litrank/corpus.h"

namespace litrank::cli {
namespace {

constexpr size_t kSkipsShown = 20;

Status LoadFile(const DocumentSource& s, std::vector<Document>* docs, std::vector<std::string>* ids) {
  RecordReadOptions ro;
  if (!ParseRecordFormat(s.format, &ro.format)) return Status::InvalidArgument("unknown --doc-format " + s.format);
  ro.columns.abstract = s.column;
  ro.keep_textless = true;
  ro.keep_blank_lines = true;
  RecordReadReport report;
  LITRANK_RETURN_IF_ERROR(ReadRecords(s.docs, ro, [&](Document&& d) {
    if (!s.column.empty()) d.title.clear();  // --column: that field is the whole text
    ids->push_back(d.id.empty() ? std::to_string(ids->size() + 1) : d.id);
    docs->push_back(std::move(d));
    return Status::Ok();
  }, &report));
  for (size_t i = 0; i < report.skipped.size() && i < kSkipsShown; ++i) {
    const SkippedRecord& k = report.skipped[i];
    std::fprintf(stderr, "litrank: warning: skipped %s:%zu: %s\n", k.file.c_str(), k.line, k.reason.c_str());
  }
  if (report.skipped_total > kSkipsShown) {
    std::fprintf(stderr, "litrank: warning: ... and %zu more skipped records\n", report.skipped_total - kSkipsShown);
  }
  const bool any_text = std::any_of(docs->begin(), docs->end(),
                                    [](const Document& d) { return !d.title.empty() || !d.abstract.empty(); });
  if (!docs->empty() && !any_text) {
    return Status::InvalidArgument(s.docs + ": none of its " + std::to_string(docs->size()) + " records has text" +
                                   (s.column.empty() ? "" : " in field '" + s.column + "'"));
  }
  return Status::Ok();
}

}  // namespace

void AddDocumentSourceOptions(CLI::App* cmd, DocumentSource* source) {
  cmd->add_option("--db", source->db, "Collection: a file, or postgresql://USER@HOST:PORT/DB (default $LITRANK_DB or ./litrank.db)");
  cmd->add_option("-d,--docs", source->docs, "Documents file instead of a collection (any format `ingest` reads)");
  cmd->add_option("--doc-format", source->format, "Format of --docs (auto, lines, jsonl, csv, tsv, ris, bibtex, pubmed, ...)")
      ->capture_default_str();
  cmd->add_option("--column", source->column,
                  "JSONL field or CSV/TSV column holding the whole text (default: title + abstract)");
  cmd->add_option("--project", source->project,
                  "Only the records a screening project of the collection included (`litrank screen`)");
}

Status LoadDocumentSource(const DocumentSource& s, std::vector<Document>* docs, std::vector<std::string>* ids,
                          std::vector<int64_t>* rowids) {
  if (!s.docs.empty() && !s.db.empty()) return Status::InvalidArgument("give --docs or --db, not both");
  if (!s.docs.empty() && !s.project.empty()) {
    return Status::InvalidArgument("--project selects from a collection (--db), not from a --docs file");
  }
  if (!s.docs.empty()) return LoadFile(s, docs, ids);
  const std::string path = s.db.empty() ? DefaultDbPath() : s.db;
  auto corpus = Corpus::Open(path, /*create=*/false);
  if (!corpus.ok()) return corpus.status();
  return analysis::ReadCollectionDocuments(**corpus, path, s.project, docs, ids, rowids);
}

}  // namespace litrank::cli

// litrank — reading bibliographic files into Document records (`litrank ingest`).
//
// Formats: RIS, BibTeX, CSV/TSV (ASReview/SYNERGY exports included), generic
// JSON Lines, BEIR corpus.jsonl, the arXiv metadata snapshot, PubMed/MEDLINE
// XML, plain lines, and PDF (one record per file, MuPDF). Every reader streams: memory stays bounded by the size
// of one record, so multi-GB JSONL and XML files are fine.
//
// Bad records never fail a file: they are skipped and listed (file, line,
// reason). Only problems with the input as a whole return a non-OK Status.
//
// What every reader does to a record before handing it on:
//   - all text must be valid UTF-8 (else the record is skipped, with a reason);
//   - title, abstract, venue, authors and keywords are trimmed and their
//     whitespace runs collapsed to one space; empty authors/keywords dropped;
//   - a record with neither title nor abstract is skipped;
//   - the DOI is bare and lower-case ("https://doi.org/", "doi:" stripped);
//   - `source` is the format name ("ris", "pubmed_xml", ...);
//   - `language` is an ISO 639-1 code when the source names a language we
//     recognise ("eng", "English", "zh-CN" ...), else empty (the store guesses);
//   - source fields with no Document slot go into `extra_json` (an object).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "litrank/document.h"
#include "litrank/status.h"

namespace litrank {

/// Input format; kAuto detects it (see DetectRecordFormat).
enum class RecordFormat {
  kAuto, kRis, kBibtex, kCsv, kTsv, kJsonl, kPubmedXml, kArxivJson, kBeirCorpus, kLines, kPdf
};

/// Parses a format name as a --format flag spells it: "auto", "ris", "bibtex"
/// (or "bib"), "csv", "tsv", "jsonl", "pubmed" (or "pubmed_xml"), "arxiv"
/// (or "arxiv_json"), "beir", "lines", "pdf"; case-insensitive. Returns false and
/// leaves *out alone for anything else.
bool ParseRecordFormat(std::string_view name, RecordFormat* out);

/// The canonical name of `f` ("ris", "bibtex", "csv", "tsv", "jsonl",
/// "pubmed_xml", "arxiv", "beir", "lines", "pdf", "auto"); also Document::source.
const char* RecordFormatName(RecordFormat f);

/// Detects the format of the file at `path`: first by sniffing its first
/// bytes ("%PDF-" → PDF, "TY  - " → RIS, "@article{" → BibTeX, "<PubmedArticleSet" → PubMed,
/// a JSON object with "_id" → BEIR, with "abstract" and "categories" → arXiv,
/// another JSON object → JSONL), then by extension (.ris .bib .csv .tsv/.tab
/// .jsonl/.ndjson/.json .xml .txt .pdf). Falls back to plain lines.
/// Errors: NotFound, IOError, Unsupported (gzip-compressed input, or an .xml
/// file that is not PubMed XML).
StatusOr<RecordFormat> DetectRecordFormat(const std::string& path);

/// CSV/TSV columns, one per Document field. An empty name means auto-detect by
/// common names (case-insensitive), ASReview's included:
///   id: id, _id, record_id, pmid, key;  title: title, primary_title;
///   abstract: abstract, text, abstract_note;  year: year, publication_year, py;
///   authors: authors, author (split on ";", else " and ");  doi: doi;
///   keywords: keywords, keyword, author keywords (split on ";", else ",");
///   venue: venue, journal, source title, publication title, secondary_title;
///   language: language, lang;  url: url, link;
///   citations: citations, cited_by_count, cited by, n_citation, times_cited.
/// label_included / included / label go to extra_json "label" (a number when
/// numeric); other non-empty columns go to extra_json under their header name.
/// A named column missing from the header is an InvalidArgument error.
struct ColumnMapping {
  std::string id, title, abstract, year, authors, doi, keywords, venue, language, url, citations;
};

/// How to read a file.
struct RecordReadOptions {
  RecordFormat format = RecordFormat::kAuto;  ///< kAuto: DetectRecordFormat
  /// CSV/TSV columns; in generic JSONL, the id, title, abstract and year
  /// fields (the others are ignored there).
  ColumnMapping columns;
  /// Pass on records with neither title nor abstract (skipped by default: the
  /// store refuses them). Screening simulations keep them, since a review
  /// counts every record it screened.
  bool keep_textless = false;
  /// Plain lines with keep_textless: a blank line is a textless record too, so
  /// record i is line i (for outputs aligned with a line-per-record gold file).
  bool keep_blank_lines = false;
};

/// A record that was not turned into a Document.
struct SkippedRecord {
  std::string file;
  size_t line = 0;     ///< 1-based line where the record starts
  std::string reason;  ///< for people: "invalid UTF-8", "no title or abstract", ...
};

/// What a read did; counts and lists accumulate across calls.
struct RecordReadReport {
  size_t records = 0;                 ///< documents the sink accepted
  std::vector<SkippedRecord> skipped; ///< malformed records (the first 10,000 only)
  size_t skipped_total = 0;           ///< all skipped records, listed or not
};

/// Receives each record; a non-OK Status stops reading and is returned.
using RecordSink = std::function<Status(Document&&)>;

/// Called now and then with bytes read so far and the file's size, and once at
/// the end with bytes_done == bytes_total. May be empty.
using ReadProgress = std::function<void(uint64_t bytes_done, uint64_t bytes_total)>;

/// Streams records from `path` to `sink`. Malformed records are skipped and
/// listed in `report` (may be null) with file and line. Returns non-OK only for
/// whole-input problems: NotFound (no file), IOError (unreadable), InvalidArgument
/// (unknown column), Corruption (not the claimed format at all, or XML broken
/// past recovery: the message gives the line), Unsupported (gzip input), or
/// whatever the sink returned.
Status ReadRecords(const std::string& path, const RecordReadOptions& options,
                   const RecordSink& sink, RecordReadReport* report,
                   const ReadProgress& progress = {});

}  // namespace litrank

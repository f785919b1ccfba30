#include "ingest/record_reader.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <utility>

#include "ingest/json_util.h"
#include "ingest/readers.h"
#include "util/ascii.h"

namespace litrank {
namespace {

constexpr std::pair<const char*, RecordFormat> kNames[] = {
    {"auto", RecordFormat::kAuto},         {"ris", RecordFormat::kRis},
    {"bibtex", RecordFormat::kBibtex},     {"bib", RecordFormat::kBibtex},
    {"csv", RecordFormat::kCsv},           {"tsv", RecordFormat::kTsv},
    {"jsonl", RecordFormat::kJsonl},       {"pubmed_xml", RecordFormat::kPubmedXml},
    {"pubmed", RecordFormat::kPubmedXml},  {"arxiv", RecordFormat::kArxivJson},
    {"arxiv_json", RecordFormat::kArxivJson}, {"beir", RecordFormat::kBeirCorpus},
    {"lines", RecordFormat::kLines},       {"pdf", RecordFormat::kPdf}};
constexpr size_t kSniffBytes = 64 * 1024;

// The format a path's extension implies; kAuto when it implies none.
RecordFormat FromExtension(const std::string& path) {
  const std::string ext = Lower(std::filesystem::path(path).extension().string());
  if (ext == ".ris") return RecordFormat::kRis;
  if (ext == ".bib" || ext == ".bibtex") return RecordFormat::kBibtex;
  if (ext == ".csv") return RecordFormat::kCsv;
  if (ext == ".tsv" || ext == ".tab") return RecordFormat::kTsv;
  if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") return RecordFormat::kJsonl;
  if (ext == ".xml") return RecordFormat::kPubmedXml;
  if (ext == ".txt") return RecordFormat::kLines;
  if (ext == ".pdf") return RecordFormat::kPdf;
  return RecordFormat::kAuto;
}

// The JSON flavour of a first line: BEIR, arXiv or generic; kAuto if not an object.
RecordFormat JsonFlavour(std::string_view line) {
  if (!ingest::JsonNestingWithin(line, ingest::kMaxJsonDepth)) return RecordFormat::kJsonl;
  const nlohmann::json obj = nlohmann::json::parse(line, nullptr, false);
  if (!obj.is_object()) return RecordFormat::kAuto;
  if (obj.contains("_id")) return RecordFormat::kBeirCorpus;
  if (obj.contains("abstract") && obj.contains("categories")) return RecordFormat::kArxivJson;
  return RecordFormat::kJsonl;
}

// Format from the first bytes of the file; kAuto when they say nothing.
RecordFormat Sniff(std::string_view head, const std::string& first_line) {
  if (head.starts_with("%PDF-")) return RecordFormat::kPdf;
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  const std::string_view body = Trim(head);
  if (body.starts_with("TY  -")) return RecordFormat::kRis;
  if (body.starts_with('{')) {
    std::string_view line = first_line;
    if (line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    return JsonFlavour(line);
  }
  if (body.starts_with('<')) {
    const bool pubmed = head.find("<PubmedArticleSet") != std::string_view::npos ||
                        head.find("<PubmedArticle>") != std::string_view::npos ||
                        head.find("<MedlineCitationSet") != std::string_view::npos;
    return pubmed ? RecordFormat::kPubmedXml : RecordFormat::kAuto;
  }
  // BibTeX files may open with comments; look for an entry at a line start.
  size_t pos = 0;
  while (pos < head.size()) {
    size_t end = head.find('\n', pos);
    if (end == std::string_view::npos) end = head.size();
    if (ingest::IsBibtexEntryStart(head.substr(pos, end - pos))) return RecordFormat::kBibtex;
    pos = end + 1;
  }
  return RecordFormat::kAuto;
}

// Checks the path names a readable regular file.
Status CheckFile(const std::string& path) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (st.type() == std::filesystem::file_type::not_found) return Status::NotFound("no such file: " + path);
  if (st.type() == std::filesystem::file_type::directory) {
    return Status::IOError(path + " is a directory, not a file");
  }
  if (ec) return Status::IOError("cannot read " + path + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

bool ParseRecordFormat(std::string_view name, RecordFormat* out) {
  const std::string lower = Lower(name);
  for (const auto& [n, f] : kNames) {
    if (lower != n) continue;
    *out = f;
    return true;
  }
  return false;
}

const char* RecordFormatName(RecordFormat f) {
  switch (f) {
    case RecordFormat::kAuto: return "auto";
    case RecordFormat::kRis: return "ris";
    case RecordFormat::kBibtex: return "bibtex";
    case RecordFormat::kCsv: return "csv";
    case RecordFormat::kTsv: return "tsv";
    case RecordFormat::kJsonl: return "jsonl";
    case RecordFormat::kPubmedXml: return "pubmed_xml";
    case RecordFormat::kArxivJson: return "arxiv";
    case RecordFormat::kBeirCorpus: return "beir";
    case RecordFormat::kLines: return "lines";
    case RecordFormat::kPdf: return "pdf";
  }
  return "auto";
}

StatusOr<RecordFormat> DetectRecordFormat(const std::string& path) {
  LITRANK_RETURN_IF_ERROR(CheckFile(path));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open " + path);
  std::string first_line;
  std::getline(in, first_line);
  in.clear();
  in.seekg(0);
  std::string head(kSniffBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) return Status::IOError("error reading " + path);
  if (head.starts_with("\x1f\x8b")) {
    return Status::Unsupported(path + " looks gzip-compressed; decompress it first");
  }
  const RecordFormat sniffed = Sniff(head, first_line);
  if (sniffed != RecordFormat::kAuto) return sniffed;
  const RecordFormat by_ext = FromExtension(path);
  if (by_ext == RecordFormat::kPubmedXml) {
    return Status::Unsupported(path + " is not PubMed XML (no <PubmedArticleSet>); "
                               "the only XML format read is PubMed/MEDLINE");
  }
  return by_ext == RecordFormat::kAuto ? RecordFormat::kLines : by_ext;
}

namespace ingest {

Status ReadLines(LineSource& in, bool keep_blank, RecordContext& ctx) {
  std::string_view line;
  while (in.Next(&line)) {
    if (Trim(line).empty() && !keep_blank) continue;
    Document doc;
    doc.abstract = std::string(line);
    LITRANK_RETURN_IF_ERROR(ctx.Emit(std::move(doc), in.line_number()));
  }
  return in.status();
}

}  // namespace ingest

Status ReadRecords(const std::string& path, const RecordReadOptions& options,
                   const RecordSink& sink, RecordReadReport* report, const ReadProgress& progress) {
  if (!sink) return Status::InvalidArgument("ReadRecords: no sink");
  LITRANK_RETURN_IF_ERROR(CheckFile(path));
  RecordFormat format = options.format;
  if (format == RecordFormat::kAuto) {
    StatusOr<RecordFormat> detected = DetectRecordFormat(path);
    if (!detected.ok()) return detected.status();
    format = *detected;
  }
  std::error_code ec;
  const uint64_t total = std::filesystem::file_size(path, ec);
  ingest::ProgressMeter meter(progress, ec ? 0 : total);
  ingest::RecordContext ctx(path, format, sink, report, options.keep_textless);
  Status st;
  if (format == RecordFormat::kPubmedXml) {
    st = ingest::ReadPubmedXml(path, meter, ctx);
  } else if (format == RecordFormat::kPdf) {
    st = ingest::ReadPdf(path, ctx);
  } else {
    ingest::LineSource in(path, &meter);
    LITRANK_RETURN_IF_ERROR(in.status());
    switch (format) {
      case RecordFormat::kRis: st = ingest::ReadRis(in, ctx); break;
      case RecordFormat::kBibtex: st = ingest::ReadBibtex(in, ctx); break;
      case RecordFormat::kCsv: st = ingest::ReadTable(in, ',', options.columns, ctx); break;
      case RecordFormat::kTsv: st = ingest::ReadTable(in, '\t', options.columns, ctx); break;
      case RecordFormat::kJsonl:
      case RecordFormat::kBeirCorpus:
      case RecordFormat::kArxivJson: st = ingest::ReadJsonl(in, format, options.columns, ctx); break;
      default: st = ingest::ReadLines(in, options.keep_textless && options.keep_blank_lines, ctx); break;
    }
    if (st.ok() && !in.status().ok()) {
      st = in.status().code() == Status::Code::kIOError ? Status::IOError(path + ": " + in.status().message())
                                                         : in.status();
    }
  }
  if (st.ok()) meter.Finish();
  return st;
}

}  // namespace litrank

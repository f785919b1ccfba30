// /v1/collections: upload records (JSON or a RIS/BibTeX/CSV/... file), two-stage
// search with its explain trace, and document lookup. Thin layers over Corpus,
// the record readers and Searcher.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "ingest/record_reader.h"
#include "search/corpus_embedding.h"
#include "search/search_json.h"
#include "server/server_state.h"

namespace litrank::server {
namespace {

using nlohmann::json;

constexpr size_t kAddBatch = 500;

/// The collection named in the path; `create` for uploads.
ApiError Find(ServerState& s, const httplib::Request& req, bool create, std::shared_ptr<Collection>* out) {
  auto c = s.collections->Get(req.matches[1], create);
  if (!c.ok()) return FromStatus(c.status());
  *out = std::move(c.value());
  return {};
}

/// Counts of what adding records did.
struct UploadReport {
  size_t added = 0, updated = 0, unchanged = 0;
  std::vector<json> skipped;
  size_t skipped_total = 0;
};

Status AddBatch(Corpus& corpus, std::vector<Document>* batch, UploadReport* report) {
  if (batch->empty()) return Status::Ok();
  std::vector<AddOutcome> outcomes;
  LITRANK_RETURN_IF_ERROR(corpus.Add(*batch, &outcomes));
  for (AddOutcome o : outcomes) {
    (o == AddOutcome::kAdded ? report->added : o == AddOutcome::kUpdated ? report->updated : report->unchanged) += 1;
  }
  batch->clear();
  return Status::Ok();
}

/// A temporary file holding `content`, removed when this goes out of scope.
class TempFile {
 public:
  TempFile(const std::string& content, const std::string& extension) {
    path_ = (std::filesystem::temp_directory_path() / ("litrank-upload-" + std::to_string(getpid()) + "-" +
                                                      RequestId("") + extension)).string();
    std::ofstream out(path_, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    ok_ = static_cast<bool>(out);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }
  bool ok() const { return ok_; }

 private:
  std::string path_;
  bool ok_ = false;
};

/// The file extension that tells the readers a format ("" = sniff the content).
std::string ExtensionFor(const std::string& filename, const std::string& content_type) {
  const std::string ext = std::filesystem::path(filename).extension().string();
  if (!ext.empty()) return ext;
  if (content_type.find("csv") != std::string::npos) return ".csv";
  if (content_type.find("tab-separated") != std::string::npos) return ".tsv";
  if (content_type.find("bibtex") != std::string::npos) return ".bib";
  if (content_type.find("research-info-systems") != std::string::npos) return ".ris";
  if (content_type.find("xml") != std::string::npos) return ".xml";
  return "";
}

/// An upload read and checked before anything is written: its records and what was skipped.
struct Upload {
  std::vector<Document> docs;
  UploadReport report;
};

void NoteSkipped(UploadReport* report, json item) {
  ++report->skipped_total;
  if (report->skipped.size() < 100) report->skipped.push_back(std::move(item));
}

/// A body that is JSON records rather than a file: the content type says so, or (as
/// `curl -d` sends form encoding) the body starts like a JSON object or list.
bool IsJsonBody(const httplib::Request& req) {
  if (req.has_param("format") || req.is_multipart_form_data()) return false;
  if (req.get_header_value("Content-Type").find("json") != std::string::npos) return true;
  const size_t first = req.body.find_first_not_of(" \t\r\n");
  return first != std::string::npos && (req.body[first] == '{' || req.body[first] == '[');
}

/// Reads the request's records into `up` (bounded by the body limit); nothing touches
/// the collection yet, so a malformed upload creates and changes nothing.
ApiError ParseUpload(const httplib::Request& req, const RequestLimits& limits, Upload* up) {
  if (IsJsonBody(req)) {
    json body;
    if (ApiError e = ParseJsonBody(req.body, &body); !e.ok()) return e;
    std::vector<std::string> skipped;
    if (ApiError e = ParseDocumentsRequest(body, limits, &up->docs, &skipped); !e.ok()) return e;
    for (const std::string& why : skipped) NoteSkipped(&up->report, {{"reason", why}});
    return {};
  }
  std::string content = req.body, filename, type = req.get_header_value("Content-Type");
  if (req.is_multipart_form_data()) {
    if (!req.has_file("file")) return BadRequest("send the records as the multipart field \"file\"", "missing_field");
    const auto f = req.get_file_value("file");
    content = f.content, filename = f.filename, type = f.content_type;
  }
  if (content.empty()) return BadRequest("the uploaded file is empty", "missing_field");
  if (content.find('\0') != std::string::npos) {
    return BadRequest("the upload looks like a binary file (it holds NUL bytes): send RIS, BibTeX, CSV/TSV, JSONL, "
                      "PubMed XML or plain text", "unsupported_input");
  }
  RecordReadOptions options;
  if (req.has_param("format") && !ParseRecordFormat(req.get_param_value("format"), &options.format)) {
    return BadRequest("unknown format \"" + req.get_param_value("format") + "\" (ris, bibtex, csv, tsv, jsonl, pubmed, arxiv, beir, lines)");
  }
  TempFile file(content, ExtensionFor(filename, type));
  if (!file.ok()) return FromStatus(Status::IOError("cannot buffer the upload on disk"));
  RecordReadReport read;
  const Status st = ReadRecords(file.path(), options, [&](Document&& d) {
    if (up->docs.size() >= limits.max_documents) {
      return Status::InvalidArgument("more than " + std::to_string(limits.max_documents) +
                                     " records in one upload; split the file or raise --max-documents");
    }
    up->docs.push_back(std::move(d));
    return Status::Ok();
  }, &read);
  // Whatever went wrong here is the file's fault: a 400 (413 for too many records).
  if (!st.ok() && up->docs.size() >= limits.max_documents) return TooLarge(st.message(), "too_many_documents");
  if (!st.ok()) return BadRequest(st.message(), "unsupported_input");
  for (const SkippedRecord& r : read.skipped) NoteSkipped(&up->report, {{"line", r.line}, {"reason", r.reason}});
  up->report.skipped_total = read.skipped_total;
  return {};
}

/// Adds the upload's records to the corpus in batches.
ApiError Store(Corpus& corpus, Upload* up) {
  for (size_t i = 0; i < up->docs.size(); i += kAddBatch) {
    std::vector<Document> batch(std::make_move_iterator(up->docs.begin() + static_cast<long>(i)),
                                std::make_move_iterator(up->docs.begin() + static_cast<long>(std::min(up->docs.size(), i + kAddBatch))));
    if (Status st = AddBatch(corpus, &batch, &up->report); !st.ok()) return FromStatus(st);
  }
  return {};
}

ApiError PostDocuments(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  if (!IsValidCollectionName(req.matches[1])) return FromStatus(s.collections->Get(req.matches[1], false).status());
  Upload up;
  if (ApiError e = ParseUpload(req, s.config.limits, &up); !e.ok()) return e;
  if (up.docs.empty()) {
    return BadRequest("no usable record in the upload (" + std::to_string(up.report.skipped_total) + " skipped" +
                      (up.report.skipped.empty() ? "" : ": " + up.report.skipped[0]["reason"].get<std::string>()) + ")",
                      "no_records");
  }
  std::shared_ptr<Collection> c;
  if (ApiError e = Find(s, req, /*create=*/true, &c); !e.ok()) return e;
  auto lane = c->Acquire();
  if (!lane.ok()) return FromStatus(lane.status());
  Corpus& corpus = lane->corpus();
  if (ApiError e = Store(corpus, &up); !e.ok()) return e;
  const UploadReport& report = up.report;
  EmbedReport embedded;
  const bool embed = s.embedder && req.get_param_value("embed") != "false";
  if (embed) {
    if (Status st = EmbedMissingDocuments(corpus, *s.embedder, 256, &embedded); !st.ok()) return FromStatus(st);
  }
  auto count = corpus.Count();
  SendJson(res, report.added > 0 ? 201 : 200,
           {{"collection", c->name()}, {"added", report.added}, {"updated", report.updated},
            {"unchanged", report.unchanged}, {"skipped", report.skipped_total}, {"skipped_records", report.skipped},
            {"embedded", embedded.embedded}, {"documents", count.ok() ? *count : 0}});
  return {};
}

ApiError DeleteCollection(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  if (Status st = s.collections->Remove(req.matches[1]); !st.ok()) return FromStatus(st);
  SendJson(res, 200, {{"collection", std::string(req.matches[1])}, {"deleted", true}});
  return {};
}

ApiError PostSearch(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  std::shared_ptr<Collection> c;
  if (ApiError e = Find(s, req, /*create=*/false, &c); !e.ok()) return e;
  SearchRequest r;
  if (ApiError e = ReadRequest(req, s.config.limits, ParseSearchRequest, &r); !e.ok()) return e;
  r.options.cancelled = ClientGone(req);
  r.options.shared_scores = s.shared_scores.get();
  std::vector<SearchHit> hits;
  SearchReport report;
  {
    auto lane = c->Acquire();
    if (!lane.ok()) return FromStatus(lane.status());
    if (Status st = lane->searcher().Search(r.query, r.options, &hits, &report); !st.ok()) return FromStatus(st);
  }
  json results = json::array();
  size_t rank = 0;
  for (const SearchHit& h : hits) results.push_back(SearchHitJson(h, ++rank, r.explain, r.return_text));
  SendJson(res, 200, {{"collection", c->name()}, {"query", r.query}, {"stages", report.stages},
                      {"notes", report.notes}, {"seconds", report.seconds},
                      {"rerank_cache_hits", report.rerank_cache_hits},
                      {"rerank_decoded_tokens", report.rerank_decoded_tokens}, {"results", results}});
  return {};
}

ApiError GetDocument(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  std::shared_ptr<Collection> c;
  if (ApiError e = Find(s, req, /*create=*/false, &c); !e.ok()) return e;
  const std::string id = req.matches[2];
  int64_t rowid = 0;
  try {
    size_t used = 0;
    rowid = std::stoll(id, &used);
    if (used != id.size()) throw std::invalid_argument(id);
  } catch (const std::exception&) {
    return BadRequest("document ids are the integer \"rowid\" that search returns, not \"" + id + "\"");
  }
  auto lane = c->Acquire();
  if (!lane.ok()) return FromStatus(lane.status());
  auto doc = lane->corpus().Get(rowid);
  if (!doc.ok()) return FromStatus(doc.status());
  SendJson(res, 200, StoredDocumentJson(*doc));
  return {};
}

ApiError GetCollections(const httplib::Request&, httplib::Response& res, ServerState& s) {
  json data = json::array();
  for (const std::string& name : s.collections->Names()) data.push_back({{"name", name}});
  SendJson(res, 200, {{"object", "list"}, {"data", data}});
  return {};
}

}  // namespace

void AddCorpusRoutes(httplib::Server& http, ServerState& state) {
  http.Get("/v1/collections", MakeHandler(state, "/v1/collections", Guard::kApi, GetCollections));
  http.Post(R"(/v1/collections/([^/]+)/documents)",
            MakeHandler(state, "/v1/collections/{name}/documents", Guard::kApi, PostDocuments));
  http.Delete(R"(/v1/collections/([^/]+))",
              MakeHandler(state, "/v1/collections/{name}", Guard::kApi, DeleteCollection));
  http.Post(R"(/v1/collections/([^/]+)/search)",
            MakeHandler(state, "/v1/collections/{name}/search", Guard::kApi, PostSearch));
  http.Get(R"(/v1/collections/([^/]+)/documents/([^/]+))",
           MakeHandler(state, "/v1/collections/{name}/documents/{id}", Guard::kApi, GetDocument));
}

}  // namespace litrank::server

#include "server/api_requests.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "ingest/json_util.h"
#include "util/utf8.h"
#include "util/ascii.h"

namespace litrank::server {
namespace {

using nlohmann::json;

/// Reads optional fields of one object, remembering the first error.
class Fields {
 public:
  explicit Fields(const json& body) : body_(body) {}
  const ApiError& error() const { return error_; }
  bool has(const char* key) const { return body_.contains(key) && !body_.at(key).is_null(); }
  const json& at(const char* key) const { return body_.at(key); }

  void String(const char* key, std::string* out, bool required = false) {
    if (!has(key)) {
      if (required) Fail(BadRequest(std::string("\"") + key + "\" is required", "missing_field"));
      return;
    }
    if (!at(key).is_string()) return Fail(BadRequest(std::string("\"") + key + "\" must be a string"));
    *out = at(key).get<std::string>();
    if (!IsValidUtf8(*out)) Fail(BadRequest(std::string("\"") + key + "\" is not valid UTF-8"));
  }
  void Bool(const char* key, bool* out) {
    if (!has(key)) return;
    if (!at(key).is_boolean()) return Fail(BadRequest(std::string("\"") + key + "\" must be true or false"));
    *out = at(key).get<bool>();
  }
  /// An integer in [lo, hi].
  template <typename T>
  void Int(const char* key, T* out, int64_t lo, int64_t hi) {
    if (!has(key)) return;
    const json& v = at(key);
    const double f = v.is_number() ? v.get<double>() : 0.5;
    const bool integral = v.is_number_integer() || (v.is_number_float() && std::isfinite(f) && std::fabs(f) < 9e18 && f == std::floor(f));
    if (!integral) return Fail(BadRequest(std::string("\"") + key + "\" must be an integer"));
    const double d = v.get<double>();
    if (d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
      return Fail(BadRequest(std::string("\"") + key + "\" must be between " + std::to_string(lo) + " and " + std::to_string(hi)));
    }
    *out = static_cast<T>(v.is_number_unsigned() ? static_cast<int64_t>(v.get<uint64_t>()) : v.get<int64_t>());
  }
  void Double(const char* key, double* out) {
    if (!has(key)) return;
    if (!at(key).is_number()) return Fail(BadRequest(std::string("\"") + key + "\" must be a number"));
    *out = at(key).get<double>();
  }
  void StringList(const char* key, std::vector<std::string>* out) {
    if (!has(key)) return;
    const json& v = at(key);
    if (v.is_string()) { out->assign(1, v.get<std::string>()); return; }
    if (!v.is_array()) return Fail(BadRequest(std::string("\"") + key + "\" must be a string or a list of strings"));
    out->clear();
    for (const json& e : v) {
      if (!e.is_string()) return Fail(BadRequest(std::string("\"") + key + "\" must hold strings only"));
      out->push_back(e.get<std::string>());
    }
  }
  void Fail(ApiError e) { if (error_.ok()) error_ = std::move(e); }

 private:
  const json& body_;
  ApiError error_;
};

ApiError RequireObject(const json& body) {
  return body.is_object() ? ApiError{} : BadRequest("the request body must be a JSON object");
}

/// Texts of a documents list: strings, or objects with "text" (Jina, Cohere v1).
ApiError ReadDocuments(const json& v, const char* key, const RequestLimits& limits, std::vector<std::string>* out) {
  if (!v.is_array() || v.empty()) return BadRequest(std::string("\"") + key + "\" must be a non-empty list", "missing_field");
  if (v.size() > limits.max_documents) {
    return TooLarge(std::to_string(v.size()) + " documents in one request; the limit is " +
                    std::to_string(limits.max_documents), "too_many_documents");
  }
  out->clear();
  for (size_t i = 0; i < v.size(); ++i) {
    const json& d = v[i];
    if (d.is_string()) out->push_back(d.get<std::string>());
    else if (d.is_object() && d.contains("text") && d["text"].is_string()) out->push_back(d["text"].get<std::string>());
    else return BadRequest(std::string(key) + "[" + std::to_string(i) + "] must be a string or an object with a \"text\" string");
    if (!IsValidUtf8(out->back())) return BadRequest(std::string(key) + "[" + std::to_string(i) + "] is not valid UTF-8");
  }
  return {};
}


/// A token-id list, or false when `v` is not one.
bool TokenList(const json& v, std::vector<int32_t>* out) {
  if (!v.is_array() || v.empty()) return false;
  out->clear();
  for (const json& e : v) {
    if (!e.is_number_integer()) return false;
    const int64_t id = e.is_number_unsigned() ? static_cast<int64_t>(std::min<uint64_t>(e.get<uint64_t>(), 1ull << 40)) : e.get<int64_t>();
    if (id < std::numeric_limits<int32_t>::min() || id > std::numeric_limits<int32_t>::max()) out->push_back(-1);
    else out->push_back(static_cast<int32_t>(id));
  }
  return true;
}

}  // namespace

ApiError ParseJsonBody(const std::string& body, nlohmann::json* out) {
  if (!ingest::JsonNestingWithin(body, ingest::kMaxJsonDepth)) {
    return BadRequest("the body nests arrays/objects deeper than " + std::to_string(ingest::kMaxJsonDepth) +
                      " levels", "invalid_json");
  }
  try {
    *out = json::parse(body);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
    return BadRequest(std::string("the body is not valid JSON: ") + e.what(), "invalid_json");
  }
  return {};
}

ApiError ParseRerankRequest(const json& body, const RequestLimits& limits, RerankRequest* out) {
  if (ApiError e = RequireObject(body); !e.ok()) return e;
  *out = RerankRequest{};
  Fields f(body);
  out->tei = f.has("texts") && !f.has("documents");
  f.String("model", &out->model);
  f.String("query", &out->query, /*required=*/true);
  f.String("instruction", &out->instruction);
  if (!f.error().ok()) return f.error();
  if (IsBlank(out->query)) return BadRequest("\"query\" is empty", "missing_field");
  const char* key = out->tei ? "texts" : "documents";
  if (!f.has(key)) return BadRequest(std::string("\"") + key + "\" is required", "missing_field");
  if (ApiError e = ReadDocuments(f.at(key), key, limits, &out->documents); !e.ok()) return e;
  f.Int("top_n", &out->top_n, 0, std::numeric_limits<int32_t>::max());
  f.Bool(out->tei ? "return_text" : "return_documents", &out->return_documents);
  f.Bool("raw_scores", &out->raw_scores);
  f.Bool("truncate", &out->truncate);
  if (f.has("truncation_direction")) {
    std::string dir;
    f.String("truncation_direction", &dir);
    if (f.error().ok() && dir != "Right" && dir != "right") {
      f.Fail(BadRequest("only truncation_direction \"Right\" is supported: the document's end is cut"));
    }
  }
  if (f.has("max_tokens_per_doc")) {
    uint32_t m = 0;
    f.Int("max_tokens_per_doc", &m, 1, limits.max_length);
    out->max_tokens_per_doc = m;
  }
  return f.error();
}

ApiError ParseCohereV2RerankRequest(const json& body, const RequestLimits& limits, RerankRequest* out) {
  if (ApiError e = RequireObject(body); !e.ok()) return e;
  if (!body.contains("model") || !body["model"].is_string() || IsBlank(body["model"].get<std::string>())) {
    return BadRequest("\"model\" is required (a string) on /v2/rerank", "missing_field");
  }
  if (body.contains("documents") && body["documents"].is_array()) {
    const json& docs = body["documents"];
    for (size_t i = 0; i < docs.size(); ++i) {
      if (!docs[i].is_string()) return BadRequest("documents[" + std::to_string(i) + "] must be a string on /v2/rerank");
    }
  }
  for (const char* key : {"texts", "return_documents", "rank_fields"}) {
    if (body.contains(key)) return BadRequest(std::string("\"") + key + "\" is not part of Cohere's v2 rerank API; use /v1/rerank");
  }
  if (ApiError e = ParseRerankRequest(body, limits, out); !e.ok()) return e;
  if (!out->max_tokens_per_doc) out->max_tokens_per_doc = std::min(kCohereV2DefaultMaxTokensPerDoc, limits.max_length);
  return {};
}

ApiError ParseScoreRequest(const json& body, const RequestLimits& limits, ScoreRequest* out) {
  if (ApiError e = RequireObject(body); !e.ok()) return e;
  *out = ScoreRequest{};
  Fields f(body);
  f.String("model", &out->model);
  f.String("instruction", &out->instruction);
  std::vector<std::string> a, b;
  if (!f.has("text_1") || !f.has("text_2")) return BadRequest("\"text_1\" and \"text_2\" are required", "missing_field");
  f.StringList("text_1", &a);
  f.StringList("text_2", &b);
  if (!f.error().ok()) return f.error();
  if (a.empty() || b.empty()) return BadRequest("\"text_1\" and \"text_2\" must not be empty", "missing_field");
  if (a.size() != 1 && a.size() != b.size()) {
    return BadRequest("\"text_1\" must be one text or as many texts as \"text_2\" (" + std::to_string(b.size()) + ")");
  }
  if (b.size() > limits.max_documents) {
    return TooLarge(std::to_string(b.size()) + " pairs in one request; the limit is " + std::to_string(limits.max_documents),
                    "too_many_documents");
  }
  for (size_t i = 0; i < b.size(); ++i) {
    const std::string& q = a.size() == 1 ? a[0] : a[i];
    if (!IsValidUtf8(q) || !IsValidUtf8(b[i])) return BadRequest("pair " + std::to_string(i) + " is not valid UTF-8");
    if (IsBlank(q)) return BadRequest("text_1 of pair " + std::to_string(i) + " is empty", "missing_field");
    out->queries.push_back(q);
    out->documents.push_back(b[i]);
  }
  return {};
}

ApiError ParseEmbeddingsRequest(const json& body, const RequestLimits& limits, EmbeddingsRequest* out) {
  if (ApiError e = RequireObject(body); !e.ok()) return e;
  *out = EmbeddingsRequest{};
  Fields f(body);
  f.String("model", &out->model);
  f.String("task", &out->task);
  std::string format = "float", input_type = "document";
  f.String("encoding_format", &format);
  f.String("input_type", &input_type);
  f.Int("dimensions", &out->dimensions, 1, 1 << 20);
  if (!f.error().ok()) return f.error();
  if (format != "float" && format != "base64") return BadRequest("\"encoding_format\" must be \"float\" or \"base64\"");
  out->base64 = format == "base64";
  if (input_type != "query" && input_type != "document" && input_type != "passage") {
    return BadRequest("\"input_type\" must be \"query\" or \"document\"");
  }
  out->queries = input_type == "query";
  if (!f.has("input")) return BadRequest("\"input\" is required", "missing_field");
  const json& in = f.at("input");
  std::vector<int32_t> ids;
  if (in.is_string()) {
    out->texts.push_back(in.get<std::string>());
  } else if (TokenList(in, &ids)) {
    out->tokens.push_back(std::move(ids));
  } else if (in.is_array() && !in.empty()) {
    for (size_t i = 0; i < in.size(); ++i) {
      if (in[i].is_string() && out->tokens.empty()) out->texts.push_back(in[i].get<std::string>());
      else if (out->texts.empty() && TokenList(in[i], &ids)) out->tokens.push_back(std::move(ids));
      else return BadRequest("input[" + std::to_string(i) + "] must be a string, or every input a list of token ids");
    }
  } else {
    return BadRequest("\"input\" must be a string, a list of strings, or token ids", "missing_field");
  }
  const size_t n = out->texts.size() + out->tokens.size();
  if (n > limits.max_inputs) {
    return TooLarge(std::to_string(n) + " inputs in one request; the limit is " + std::to_string(limits.max_inputs),
                    "too_many_inputs");
  }
  if (!out->tokens.empty() && out->queries) return BadRequest("token inputs cannot be formatted as queries");
  for (size_t i = 0; i < out->texts.size(); ++i) {
    if (!IsValidUtf8(out->texts[i])) return BadRequest("input[" + std::to_string(i) + "] is not valid UTF-8");
    if (IsBlank(out->texts[i])) return BadRequest("input[" + std::to_string(i) + "] is empty");
  }
  return {};
}

ApiError ParseSearchRequest(const json& body, const RequestLimits& limits, SearchRequest* out) {
  if (ApiError e = RequireObject(body); !e.ok()) return e;
  *out = SearchRequest{};
  SearchOptions& o = out->options;
  Fields f(body);
  f.String("query", &out->query, /*required=*/true);
  f.String("instruction", &o.instruction);
  f.String("task", &o.embed_task);
  f.Bool("explain", &out->explain);
  f.Bool("return_text", &out->return_text);
  f.Bool("bm25", &o.bm25);
  f.Bool("dense", &o.dense);
  f.Bool("rerank", &o.rerank);
  const auto most = static_cast<int64_t>(limits.max_candidates);
  f.Int("top_k", &o.top_k, 0, static_cast<int64_t>(limits.max_top_k));
  if (o.top_k == 0) o.top_k = limits.max_top_k;  // "all" is never more than the limit
  f.Int("bm25_candidates", &o.bm25_candidates, 1, most);
  f.Int("dense_candidates", &o.dense_candidates, 1, most);
  f.Int("rerank_candidates", &o.rerank_candidates, 0, static_cast<int64_t>(limits.max_documents));
  f.Int("rrf_k", &o.rrf_k, 1, most);
  f.Int("dims", &o.dims, 0, 1 << 20);
  f.Int("max_length", &o.max_length, 1, limits.max_length);
  f.Double("bm25_k1", &o.bm25_k1);
  f.Double("bm25_b", &o.bm25_b);
  std::string passages = PassageModeName(o.passages);
  f.String("passages", &passages);
  f.Int("rerank_passages", &o.rerank_passages, 1, 64);
  if (f.has("threshold")) {
    double t = 0;
    f.Double("threshold", &t);
    o.threshold = t;
  }
  f.Int("year_from", &o.filter.year_min, 0, 9999);
  f.Int("year_to", &o.filter.year_max, 0, 9999);
  f.StringList("keywords", &o.filter.keywords);
  f.StringList("languages", &o.filter.languages);
  if (!f.error().ok()) return f.error();
  if (o.filter.keywords.size() + o.filter.languages.size() > limits.max_filter_values) {
    return BadRequest("at most " + std::to_string(limits.max_filter_values) + " keywords and languages together");
  }
  if (IsBlank(out->query)) return BadRequest("\"query\" is empty", "missing_field");
  if (o.bm25_k1 < 0 || o.bm25_b < 0 || o.bm25_b > 1) return BadRequest("bm25_k1 must be >= 0 and bm25_b in [0, 1]");
  if (!o.bm25 && !o.dense) return BadRequest("at least one of \"bm25\" and \"dense\" must be on");
  if (!ParsePassageMode(passages, &o.passages)) return BadRequest("\"passages\" must be \"max\", \"first\" or \"whole\"");
  return {};
}

ApiError ParseDocumentsRequest(const json& body, const RequestLimits& limits, std::vector<Document>* out,
                               std::vector<std::string>* skipped) {
  const json* list = &body;
  if (body.is_object() && body.contains("documents")) list = &body["documents"];
  if (!list->is_array() || list->empty()) return BadRequest("send {\"documents\": [records]} with at least one record", "missing_field");
  if (list->size() > limits.max_documents) {
    return TooLarge(std::to_string(list->size()) + " records in one request; the limit is " +
                    std::to_string(limits.max_documents), "too_many_documents");
  }
  out->clear();
  for (size_t i = 0; i < list->size(); ++i) {
    const json& r = (*list)[i];
    const std::string where = "record " + std::to_string(i) + ": ";
    if (!r.is_object()) { skipped->push_back(where + "not an object"); continue; }
    Fields f(r);
    Document d;
    f.String("id", &d.id);
    f.String("title", &d.title);
    f.String("abstract", &d.abstract);
    if (d.abstract.empty()) f.String("text", &d.abstract);
    f.String("doi", &d.doi);
    f.String("venue", &d.venue);
    f.String("language", &d.language);
    f.String("url", &d.url);
    f.Int("year", &d.year, 0, 9999);
    f.StringList("authors", &d.authors);
    f.StringList("keywords", &d.keywords);
    if (f.has("citations")) {
      int64_t c = 0;
      f.Int("citations", &c, 0, std::numeric_limits<int32_t>::max());
      d.citations = c;
    }
    if (!f.error().ok()) { skipped->push_back(where + f.error().message); continue; }
    if (IsBlank(d.title) && IsBlank(d.abstract)) { skipped->push_back(where + "no title or abstract"); continue; }
    d.source = "api";
    out->push_back(std::move(d));
  }
  return {};
}

bool IsValidCollectionName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; });
}

}  // namespace litrank::server

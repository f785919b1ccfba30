// /v1/rerank (Jina / Cohere / llama-server, TEI), /v1/score (vLLM), /v1/embeddings
// (OpenAI), /v1/models: thin layers over RerankScheduler and the shared Embedder.
#include <chrono>
#include <map>

#include "server/server_state.h"

namespace litrank::server {
namespace {

using nlohmann::json;

ApiError NoModel(const char* what, const char* flag) {
  return {404, "not_found_error", "model_not_loaded",
          std::string("no ") + what + " is loaded: start the server with " + flag + " FILE"};
}

/// Scores one query against documents through the shared scheduler; `gone` (the
/// request's ClientGone, probed once per request) cancels it.
ApiError Score(ServerState& s, const std::function<bool()>& gone, const std::string& query,
               const std::vector<std::string>& docs, const std::string& instruction,
               std::optional<uint32_t> max_tokens_per_doc, RerankResult* result) {
  RerankOptions o;
  o.instruction = instruction;
  o.max_length = s.config.limits.max_length;
  o.cancelled = gone;
  o.score_store = s.shared_scores.get();  // scores another replica computed count as cached
  auto fixed = s.reranker->PairTokens(query, "", o);  // system turn + instruction + query + suffix
  if (!fixed.ok()) return FromStatus(fixed.status());
  if (fixed->size() > s.config.limits.max_query_tokens) {
    return {422, "invalid_request_error", "too_many_tokens",
            "the query and instruction take " + std::to_string(fixed->size()) + " tokens with the prompt; the limit is " +
                std::to_string(s.config.limits.max_query_tokens)};
  }
  if (max_tokens_per_doc) o.max_document_tokens = *max_tokens_per_doc;
  return FromStatus(s.reranker->Rerank(query, docs, o, result));
}

ApiError PostRerank(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  if (!s.reranker) return NoModel("reranker", "--reranker");
  RerankRequest r;
  if (ApiError e = ReadRequest(req, s.config.limits, ParseRerankRequest, &r); !e.ok()) return e;
  RerankResult result;
  if (ApiError e = Score(s, ClientGone(req), r.query, r.documents, r.instruction, r.max_tokens_per_doc, &result); !e.ok()) return e;
  for (const ScoredDocument& d : result.results) {
    if (r.tei && !r.truncate && d.truncated) {
      return {422, "invalid_request_error", "too_many_tokens",
              "text " + std::to_string(d.index) + " does not fit max_length " + std::to_string(s.config.limits.max_length) +
                  " tokens and truncate is false"};
    }
  }
  const size_t n = r.top_n == 0 ? result.results.size() : std::min(r.top_n, result.results.size());
  json results = json::array();
  for (size_t i = 0; i < n; ++i) {
    const ScoredDocument& d = result.results[i];
    json item = {{"index", d.index}};
    if (r.tei) {
      item["score"] = r.raw_scores ? d.logit : d.score;
      if (r.return_documents) item["text"] = r.documents[d.index];
    } else {
      item["relevance_score"] = d.score;
      if (r.return_documents) item["document"] = {{"text", r.documents[d.index]}};
    }
    item["truncated"] = d.truncated;
    results.push_back(std::move(item));
  }
  if (r.tei) {
    SendJson(res, 200, results);
    return {};
  }
  const size_t tokens = result.stats.prompt_tokens;
  SendJson(res, 200, {{"id", RequestId("rerank-")},
                      {"object", "list"},
                      {"model", r.model.empty() ? s.reranker_name : r.model},
                      {"results", results},
                      {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}});
  return {};
}

/// POST /v2/rerank: Cohere's v2 shape (what CohereClientV2 sends and parses).
ApiError PostRerankV2(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  if (!s.reranker) return NoModel("reranker", "--reranker");
  RerankRequest r;
  if (ApiError e = ReadRequest(req, s.config.limits, ParseCohereV2RerankRequest, &r); !e.ok()) return e;
  RerankResult result;
  if (ApiError e = Score(s, ClientGone(req), r.query, r.documents, r.instruction, r.max_tokens_per_doc, &result); !e.ok()) return e;
  const size_t n = r.top_n == 0 ? result.results.size() : std::min(r.top_n, result.results.size());
  json results = json::array();
  for (size_t i = 0; i < n; ++i) {
    results.push_back({{"index", result.results[i].index}, {"relevance_score", result.results[i].score}});
  }
  // Cohere bills one search unit per query and up to 100 documents.
  const size_t search_units = (r.documents.size() + 99) / 100;
  const size_t tokens = result.stats.prompt_tokens;
  SendJson(res, 200, {{"id", RequestId("rerank-")},
                      {"results", results},
                      {"meta", {{"api_version", {{"version", "2"}}},
                                {"billed_units", {{"search_units", search_units}}},
                                {"tokens", {{"input_tokens", tokens}, {"output_tokens", 0}}}}}});
  return {};
}

ApiError PostScore(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  if (!s.reranker) return NoModel("reranker", "--reranker");
  ScoreRequest r;
  if (ApiError e = ReadRequest(req, s.config.limits, ParseScoreRequest, &r); !e.ok()) return e;
  // One Rerank call per distinct query, so each keeps its shared prefix.
  std::map<std::string, std::vector<size_t>> by_query;
  for (size_t i = 0; i < r.queries.size(); ++i) by_query[r.queries[i]].push_back(i);
  std::vector<double> scores(r.queries.size());
  size_t tokens = 0;
  const std::function<bool()> gone = ClientGone(req);
  for (const auto& [query, pairs] : by_query) {
    std::vector<std::string> docs;
    for (size_t i : pairs) docs.push_back(r.documents[i]);
    RerankResult result;
    if (ApiError e = Score(s, gone, query, docs, r.instruction, std::nullopt, &result); !e.ok()) return e;
    for (const ScoredDocument& d : result.results) scores[pairs[d.index]] = d.score;
    tokens += result.stats.prompt_tokens;
  }
  json data = json::array();
  for (size_t i = 0; i < scores.size(); ++i) data.push_back({{"index", i}, {"object", "score"}, {"score", scores[i]}});
  const auto created = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  SendJson(res, 200, {{"id", RequestId("score-")}, {"object", "list"}, {"created", created},
                      {"model", r.model.empty() ? s.reranker_name : r.model}, {"data", data},
                      {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}});
  return {};
}

/// Standard base64 of the little-endian float32 bytes (what OpenAI clients decode).
std::string Base64Floats(const float* v, size_t n) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* bytes = reinterpret_cast<const unsigned char*>(v);
  const size_t len = n * sizeof(float);
  std::string out;
  out.reserve((len + 2) / 3 * 4);
  for (size_t i = 0; i < len; i += 3) {
    const uint32_t b = (uint32_t{bytes[i]} << 16) | (i + 1 < len ? uint32_t{bytes[i + 1]} << 8 : 0) | (i + 2 < len ? bytes[i + 2] : 0);
    out += kAlphabet[(b >> 18) & 63];
    out += kAlphabet[(b >> 12) & 63];
    out += i + 1 < len ? kAlphabet[(b >> 6) & 63] : '=';
    out += i + 2 < len ? kAlphabet[b & 63] : '=';
  }
  return out;
}

ApiError PostEmbeddings(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  if (!s.embedder) return NoModel("embedding model", "--embedder");
  EmbeddingsRequest r;
  if (ApiError e = ReadRequest(req, s.config.limits, ParseEmbeddingsRequest, &r); !e.ok()) return e;
  EmbedOptions o;
  o.dims = r.dimensions;
  std::vector<float> vectors;
  size_t tokens = 0;
  Status st;
  if (!r.tokens.empty()) {
    for (const auto& t : r.tokens) tokens += t.size();
    st = s.embedder->EmbedTokenInputs(r.tokens, o, &vectors);
  } else {
    for (const std::string& t : r.texts) tokens += s.embedder->Tokens(t, r.queries, r.task).size();
    st = r.queries ? s.embedder->EmbedQueries(r.texts, r.task, o, &vectors)
                   : s.embedder->EmbedDocuments(r.texts, o, &vectors, nullptr, {});
  }
  if (!st.ok()) return FromStatus(st);
  const size_t n = r.tokens.empty() ? r.texts.size() : r.tokens.size();
  const size_t dims = vectors.size() / n;
  s.embedded_inputs += n;
  json data = json::array();
  for (size_t i = 0; i < n; ++i) {
    json item = {{"object", "embedding"}, {"index", i}};
    if (r.base64) item["embedding"] = Base64Floats(&vectors[i * dims], dims);
    else item["embedding"] = std::vector<float>(vectors.begin() + static_cast<long>(i * dims), vectors.begin() + static_cast<long>((i + 1) * dims));
    data.push_back(std::move(item));
  }
  SendJson(res, 200, {{"object", "list"}, {"data", data}, {"model", r.model.empty() ? s.embedder_name : r.model},
                      {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}});
  return {};
}

ApiError GetModels(const httplib::Request&, httplib::Response& res, ServerState& s) {
  json data = json::array();
  auto add = [&](const std::string& id, const ModelInfo& info, const char* kind) {
    data.push_back({{"id", id}, {"object", "model"}, {"owned_by", "litrank"}, {"kind", kind},
                    {"architecture", info.architecture}, {"path", info.path}});
  };
  if (s.reranker) add(s.reranker_name, s.reranker->info(), "reranker");
  if (s.embedder) add(s.embedder_name, s.embedder->info(), "embedding");
  if (s.generator) {
    data.push_back({{"id", s.generator_name}, {"object", "model"}, {"owned_by", "litrank"}, {"kind", "generator"},
                    {"path", s.config.generator_path}});
  }
  SendJson(res, 200, {{"object", "list"}, {"data", data}});
  return {};
}

}  // namespace

void AddInferenceRoutes(httplib::Server& http, ServerState& state) {
  for (const char* path : {"/v1/rerank", "/rerank", "/v1/reranking", "/reranking"}) {
    http.Post(path, MakeHandler(state, "/v1/rerank", Guard::kApi, PostRerank));
  }
  http.Post("/v2/rerank", MakeHandler(state, "/v2/rerank", Guard::kApi, PostRerankV2));
  for (const char* path : {"/v1/score", "/score"}) http.Post(path, MakeHandler(state, "/v1/score", Guard::kApi, PostScore));
  for (const char* path : {"/v1/embeddings", "/embeddings"}) {
    http.Post(path, MakeHandler(state, "/v1/embeddings", Guard::kApi, PostEmbeddings));
  }
  http.Get("/v1/models", MakeHandler(state, "/v1/models", Guard::kApi, GetModels));
}

}  // namespace litrank::server

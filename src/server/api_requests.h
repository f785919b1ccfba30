// Request bodies of the HTTP API, parsed and checked into plain structs. Pure
// functions of the JSON (no model, no I/O), so every route's parsing is tested and
// fuzzed on its own. Field names follow the APIs clients already speak: Jina /
// Cohere / llama-server rerank, TEI rerank, vLLM score, OpenAI embeddings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "litrank/search.h"
#include "server/api_error.h"

namespace litrank::server {

/// Limits on what one request may ask for (configurable on `litrank serve`).
struct RequestLimits {
  size_t max_documents = 1000;      ///< documents per rerank/score call, records per upload
  size_t max_inputs = 2048;         ///< inputs per embeddings call
  size_t max_body_bytes = 32 << 20; ///< request body
  uint32_t max_query_tokens = 2048; ///< query (+ instruction) tokens of a rerank pair
  uint32_t max_length = 8192;       ///< tokens of a whole (query, document) pair
  size_t max_top_k = 1000;          ///< results a search may return (top_k 0 means this many)
  size_t max_candidates = 10000;    ///< bm25_candidates / dense_candidates / rrf_k of a search
  size_t max_filter_values = 100;   ///< keywords / languages a search may filter on
  size_t max_inflight_body_bytes = 256u << 20;  ///< request bodies being received or served at
                                                ///< once, all connections together; past it 429
};

/// POST /v1/rerank, /rerank (Jina / Cohere / llama-server shape, or TEI when the body has "texts").
struct RerankRequest {
  bool tei = false;                   ///< TEI shape: answer is a bare array of {index, score, text?}
  std::string model;                  ///< echoed back; any value is accepted
  std::string query;
  std::string instruction;            ///< litrank extension: the Qwen3 task instruction
  std::vector<std::string> documents;
  size_t top_n = 0;                   ///< 0 = all
  bool return_documents = false;      ///< Jina/Cohere return_documents, TEI return_text
  bool raw_scores = false;            ///< TEI: the logit instead of P(yes)
  bool truncate = true;               ///< TEI: false = a pair over the budget is an error (422)
  std::optional<uint32_t> max_tokens_per_doc;  ///< Cohere: cut each document to this many tokens
};
ApiError ParseRerankRequest(const nlohmann::json& body, const RequestLimits& limits, RerankRequest* out);

/// Cohere's max_tokens_per_doc default on POST /v2/rerank (cut to --max-length).
constexpr uint32_t kCohereV2DefaultMaxTokensPerDoc = 4096;
/// POST /v2/rerank (Cohere API v2, CohereClientV2.rerank): {model, query, documents:
/// [strings], top_n?, max_tokens_per_doc?}. "model" is required and documents are
/// plain strings, as in Cohere's v2; max_tokens_per_doc defaults to 4096.
ApiError ParseCohereV2RerankRequest(const nlohmann::json& body, const RequestLimits& limits, RerankRequest* out);

/// POST /v1/score, /score (vLLM): text_1 is the query side, text_2 the documents;
/// one text_1 pairs with every text_2, else the lists pair up one to one.
struct ScoreRequest {
  std::string model;
  std::string instruction;
  std::vector<std::string> queries;    ///< per pair
  std::vector<std::string> documents;  ///< per pair
};
ApiError ParseScoreRequest(const nlohmann::json& body, const RequestLimits& limits, ScoreRequest* out);

/// POST /v1/embeddings (OpenAI): input is a string, a list of strings, a list of
/// token ids, or a list of token-id lists. Extensions: input_type "query" with
/// optional "task" embeds queries with the Qwen3-Embedding instruction.
struct EmbeddingsRequest {
  std::string model;
  std::vector<std::string> texts;              ///< text inputs (empty when tokens are given)
  std::vector<std::vector<int32_t>> tokens;    ///< token inputs
  uint32_t dimensions = 0;                     ///< 0 = the model's width
  bool base64 = false;                         ///< encoding_format "base64" (little-endian float32)
  bool queries = false;                        ///< input_type "query"
  std::string task;                            ///< query task ("" = default)
};
ApiError ParseEmbeddingsRequest(const nlohmann::json& body, const RequestLimits& limits, EmbeddingsRequest* out);

/// POST /v1/collections/{name}/search: the two-stage search with all its options.
struct SearchRequest {
  std::string query;
  SearchOptions options;
  bool explain = false;
  bool return_text = true;  ///< include each hit's abstract
};
ApiError ParseSearchRequest(const nlohmann::json& body, const RequestLimits& limits, SearchRequest* out);

/// POST /v1/collections/{name}/documents with a JSON body: {"documents": [records]}
/// or a bare array; a record is an object with title / abstract (or text) / year /
/// authors / doi / keywords / venue / language / id / url / citations.
ApiError ParseDocumentsRequest(const nlohmann::json& body, const RequestLimits& limits,
                               std::vector<Document>* out, std::vector<std::string>* skipped);

/// A collection name in a URL: 1-64 of [A-Za-z0-9_-]. Anything else could name a path.
bool IsValidCollectionName(const std::string& name);

/// Parses a request body; a 400 "invalid_json" with the parser's position otherwise, or
/// when arrays/objects nest deeper than ingest::kMaxJsonDepth (64).
ApiError ParseJsonBody(const std::string& body, nlohmann::json* out);

}  // namespace litrank::server

// Pure parsers for the generation routes: /v1/extract (litrank's own shape) and
// /v1/chat/completions (OpenAI's). JSON in, a typed request or a 400 out; fuzzed
// with the other parsers.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "generate/generator.h"
#include "server/api_error.h"
#include "server/api_requests.h"
#include "server/generation_service.h"

namespace litrank::server {

/// POST /v1/extract.
struct ExtractRequest {
  std::vector<std::string> ids;    ///< per document: its "id", else its index
  std::vector<std::string> texts;  ///< per document
  ExtractOptions options;          ///< schema (JSON text, "" = built-in), language, max_tokens, model_merge
};

/// {"documents": [string | {"id", "text"} | {"id", "title", "abstract"}], "schema": {...},
/// "language": "zh", "max_tokens": 1024, "merge": "rule" | "model"}. Errors (400): no
/// documents, more than limits.max_documents, a document of another shape, a schema
/// that is not an object, max_tokens outside 16..32768, another merge, unknown fields.
ApiError ParseExtractRequest(const nlohmann::json& body, const RequestLimits& limits, ExtractRequest* out);

/// POST /v1/chat/completions.
struct ChatRequest {
  std::string model;                ///< echoed back
  std::vector<ChatTurn> turns;
  ChatFormat format;
  uint32_t max_tokens = 1024;
};

/// OpenAI's body: "messages" (role system/developer/user/assistant; content a
/// string or a list of {"type": "text", "text"} parts), "response_format"
/// ({"type": "text" | "json_object"} or {"type": "json_schema", "json_schema":
/// {"name", "schema", "strict"}}), "max_tokens" / "max_completion_tokens"
/// (1..32768). Sampling fields (temperature, top_p, seed, ...) are accepted and
/// decoding stays greedy. Refused (400): "stream": true, "n" > 1, tools, a last
/// message that is not the user's, a schema outside litrank's subset (naming the
/// keyword).
ApiError ParseChatRequest(const nlohmann::json& body, const RequestLimits& limits, ChatRequest* out);

}  // namespace litrank::server

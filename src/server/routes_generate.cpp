// /v1/extract and /v1/chat/completions: thin layers over GenerationService.
#include <chrono>

#include "server/generate_requests.h"
#include "server/server_state.h"

namespace litrank::server {
namespace {

using nlohmann::json;

ApiError NoGenerator() {
  return {404, "not_found_error", "model_not_loaded",
          "no generative model is loaded: start the server with --generator FILE (a Qwen3 instruct GGUF)"};
}

/// The schema at `path` of the raw body, with its properties in the order the client wrote them.
OrderedJson OrderedSchema(const std::string& body, std::initializer_list<const char*> path) {
  OrderedJson j = OrderedJson::parse(body, nullptr, false);
  for (const char* key : path) {
    if (!j.is_object() || !j.contains(key)) return OrderedJson();
    j = j[key];
  }
  return j;
}

ApiError PostExtract(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  if (!s.generator) return NoGenerator();
  ExtractRequest r;
  if (ApiError e = ReadRequest(req, s.config.limits, ParseExtractRequest, &r); !e.ok()) return e;
  if (!r.options.schema.empty()) {
    r.options.schema = OrderedSchema(req.body, {"schema"}).dump();
    if (Status st = CheckExtractionSchema(r.options.schema); !st.ok()) return BadRequest(st.message(), "invalid_schema");
  }
  std::vector<DocumentExtraction> results;
  if (Status st = s.generator->Extract(r.texts, r.options, ClientGone(req), &results); !st.ok()) {
    if (st.code() == Status::Code::kInvalidArgument) return BadRequest(st.message(), "invalid_schema");
    return FromStatus(st);
  }
  // Ordered, so that each extraction keeps the schema's field order.
  OrderedJson data = OrderedJson::array();
  size_t prompt = 0, generated = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    const DocumentExtraction& x = results[i];
    prompt += x.extraction.prompt_tokens;
    generated += x.extraction.generated_tokens;
    if (!x.status.ok()) {
      data.push_back({{"index", i}, {"id", r.ids[i]}, {"error", OrderedJson::parse(FromStatus(x.status).ToJson()["error"].dump())}});
      continue;
    }
    OrderedJson item = {{"index", i}, {"id", r.ids[i]},
                        {"extraction", OrderedJson::parse(x.extraction.json)},
                        {"complete", x.extraction.complete}, {"windows", x.extraction.windows},
                        {"attempts", x.extraction.attempts}, {"generated_tokens", x.extraction.generated_tokens}};
    if (!x.extraction.merged_by.empty()) item["merged_by"] = x.extraction.merged_by;
    data.push_back(std::move(item));
  }
  const OrderedJson body = {{"object", "list"}, {"model", s.generator_name},
                            {"prompt_version", Extractor::prompt_version()}, {"data", data},
                            {"usage", {{"prompt_tokens", prompt}, {"completion_tokens", generated},
                                       {"total_tokens", prompt + generated}}}};
  res.status = 200;
  res.set_content(body.dump(-1, ' ', false, OrderedJson::error_handler_t::replace), "application/json");
  return {};
}

ApiError PostChat(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  if (!s.generator) return NoGenerator();
  ChatRequest r;
  if (ApiError e = ReadRequest(req, s.config.limits, ParseChatRequest, &r); !e.ok()) return e;
  if (r.format.kind == ChatFormat::Kind::kJsonSchema) {
    r.format.schema = OrderedSchema(req.body, {"response_format", "json_schema", "schema"});
  }
  ChatCompletion c;
  if (Status st = s.generator->Chat(r.turns, r.format, r.max_tokens, ClientGone(req), &c); !st.ok()) {
    return FromStatus(st);
  }
  const Generation& g = c.generation;
  const auto created = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch()).count();
  SendJson(res, 200,
           {{"id", RequestId("chatcmpl-")}, {"object", "chat.completion"}, {"created", created},
            {"model", r.model.empty() ? s.generator_name : r.model}, {"system_fingerprint", s.generator->fingerprint().substr(0, 16)},
            {"choices", json::array({{{"index", 0},
                                      {"message", {{"role", "assistant"}, {"content", g.text}}},
                                      {"finish_reason", g.finished ? "stop" : "length"}}})},
            {"usage", {{"prompt_tokens", g.prompt_tokens}, {"completion_tokens", g.generated_tokens},
                       {"total_tokens", g.prompt_tokens + g.generated_tokens}}}});
  return {};
}

}  // namespace

void AddGenerationRoutes(httplib::Server& http, ServerState& state) {
  for (const char* path : {"/v1/extract", "/extract"}) http.Post(path, MakeHandler(state, "/v1/extract", Guard::kApi, PostExtract));
  for (const char* path : {"/v1/chat/completions", "/chat/completions"}) {
    http.Post(path, MakeHandler(state, "/v1/chat/completions", Guard::kApi, PostChat));
  }
}

}  // namespace litrank::server

// ParseExtractRequest, ParseChatRequest: shape and limits only, no model.
#include "server/generate_requests.h"

#include <set>

#include "util/utf8.h"

namespace litrank::server {
namespace {

using nlohmann::json;

constexpr size_t kMaxTextBytes = size_t{4} << 20;  // one document or message

ApiError TextOf(const json& v, const std::string& where, std::string* out) {
  if (!v.is_string()) return BadRequest(where + " must be a string");
  const std::string& s = v.get_ref<const std::string&>();
  if (s.size() > kMaxTextBytes) return TooLarge(where + " is over 4 MiB", "text_too_long");
  if (!IsValidUtf8(s)) return BadRequest(where + " is not valid UTF-8", "invalid_utf8");
  *out = s;
  return {};
}

/// `schema` as JSON text; a string in it that is not valid UTF-8 (a body the server's
/// own JSON parser refuses, but a caller may build) is invalid_schema, not a throw.
ApiError SchemaText(const json& schema, const std::string& where, std::string* out) {
  try {
    *out = schema.dump();
  } catch (const json::type_error&) {
    return BadRequest(where + " holds text that is not valid UTF-8", "invalid_schema");
  }
  return {};
}

ApiError MaxTokens(const json& v, const char* key, uint32_t* out) {
  if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 32768) {
    return BadRequest(std::string("\"") + key + "\" must be an integer in 1..32768");
  }
  *out = static_cast<uint32_t>(v.get<int64_t>());
  return {};
}

}  // namespace

ApiError ParseExtractRequest(const json& body, const RequestLimits& limits, ExtractRequest* out) {
  if (!body.is_object()) return BadRequest("the body must be a JSON object");
  static const std::set<std::string> kKeys = {"documents", "schema", "language", "max_tokens", "merge", "model"};
  for (const auto& [key, value] : body.items()) {
    if (!kKeys.count(key)) return BadRequest("unknown field \"" + key + "\"", "unknown_field");
  }
  auto docs = body.find("documents");
  if (docs == body.end() || !docs->is_array() || docs->empty()) {
    return BadRequest("\"documents\" must be a non-empty list", "missing_documents");
  }
  if (docs->size() > limits.max_documents) {
    return TooLarge(std::to_string(docs->size()) + " documents; at most " + std::to_string(limits.max_documents),
                    "too_many_documents");
  }
  for (size_t i = 0; i < docs->size(); ++i) {
    const json& d = (*docs)[i];
    const std::string where = "documents[" + std::to_string(i) + "]";
    std::string id = std::to_string(i), text;
    if (d.is_string()) {
      if (ApiError e = TextOf(d, where, &text); !e.ok()) return e;
    } else if (d.is_object()) {
      if (auto it = d.find("id"); it != d.end()) {
        if (it->is_string()) id = it->get<std::string>();
        else if (it->is_number_integer()) id = std::to_string(it->get<int64_t>());
        else return BadRequest(where + ".id must be a string or an integer");
      }
      if (auto it = d.find("text"); it != d.end()) {
        if (ApiError e = TextOf(*it, where + ".text", &text); !e.ok()) return e;
      } else {
        std::string title, abstract;
        if (auto t = d.find("title"); t != d.end()) {
          if (ApiError e = TextOf(*t, where + ".title", &title); !e.ok()) return e;
        }
        if (auto a = d.find("abstract"); a != d.end()) {
          if (ApiError e = TextOf(*a, where + ".abstract", &abstract); !e.ok()) return e;
        }
        text = title.empty() ? abstract : abstract.empty() ? title : title + "\n" + abstract;
      }
    } else {
      return BadRequest(where + " must be a string or an object with \"text\" (or \"title\" / \"abstract\")");
    }
    out->ids.push_back(std::move(id));
    out->texts.push_back(std::move(text));
  }
  if (auto it = body.find("schema"); it != body.end() && !it->is_null()) {
    if (!it->is_object()) return BadRequest("\"schema\" must be a JSON Schema object", "invalid_schema");
    if (ApiError e = SchemaText(*it, "\"schema\"", &out->options.schema); !e.ok()) return e;
  }
  if (auto it = body.find("language"); it != body.end() && !it->is_null()) {
    if (!it->is_string() || it->get_ref<const std::string&>().size() > 64) {
      return BadRequest("\"language\" must be a short string such as \"zh\"");
    }
    out->options.language = it->get<std::string>();
  }
  if (auto it = body.find("max_tokens"); it != body.end() && !it->is_null()) {
    if (ApiError e = MaxTokens(*it, "max_tokens", &out->options.max_tokens); !e.ok()) return e;
    if (out->options.max_tokens < 16) return BadRequest("\"max_tokens\" must be at least 16 for an extraction");
  }
  if (auto it = body.find("merge"); it != body.end() && !it->is_null()) {
    if (!it->is_string() || (*it != "rule" && *it != "model")) {
      return BadRequest("\"merge\" must be \"rule\" or \"model\"");
    }
    out->options.model_merge = *it == "model";
  }
  return {};
}

ApiError ParseChatRequest(const json& body, const RequestLimits& limits, ChatRequest* out) {
  if (!body.is_object()) return BadRequest("the body must be a JSON object");
  if (auto it = body.find("model"); it != body.end() && it->is_string()) out->model = it->get<std::string>();
  if (auto it = body.find("stream"); it != body.end() && it->is_boolean() && it->get<bool>()) {
    return BadRequest("\"stream\": true is not supported; ask without streaming", "unsupported_stream");
  }
  if (auto it = body.find("n"); it != body.end() && !it->is_null() && !(it->is_number_integer() && it->get<int64_t>() == 1)) {
    return BadRequest("\"n\" must be 1 (decoding is greedy: every choice would be the same)", "unsupported_n");
  }
  for (const char* key : {"tools", "functions", "tool_choice"}) {
    if (auto it = body.find(key); it != body.end() && !it->is_null()) {
      return BadRequest(std::string("\"") + key + "\" is not supported", "unsupported_tools");
    }
  }
  auto messages = body.find("messages");
  if (messages == body.end() || !messages->is_array() || messages->empty()) {
    return BadRequest("\"messages\" must be a non-empty list", "missing_messages");
  }
  if (messages->size() > limits.max_documents) return TooLarge("too many messages", "too_many_messages");
  for (size_t i = 0; i < messages->size(); ++i) {
    const json& m = (*messages)[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) return BadRequest(where + " must be an object");
    auto role = m.find("role");
    if (role == m.end() || !role->is_string()) return BadRequest(where + ".role must be a string");
    ChatTurn turn;
    turn.role = role->get<std::string>();
    if (turn.role == "developer") turn.role = "system";
    if (turn.role != "system" && turn.role != "user" && turn.role != "assistant") {
      return BadRequest(where + ".role must be system, developer, user or assistant", "invalid_role");
    }
    auto content = m.find("content");
    if (content == m.end()) return BadRequest(where + ".content is missing");
    if (content->is_array()) {
      for (size_t p = 0; p < content->size(); ++p) {
        const json& part = (*content)[p];
        if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text")) {
          return BadRequest(where + ".content[" + std::to_string(p) + "] must be {\"type\": \"text\", \"text\": ...}",
                            "unsupported_content");
        }
        std::string text;
        if (ApiError e = TextOf(part["text"], where + ".content[" + std::to_string(p) + "].text", &text); !e.ok()) return e;
        turn.content += text;
      }
    } else if (ApiError e = TextOf(*content, where + ".content", &turn.content); !e.ok()) {
      return e;
    }
    out->turns.push_back(std::move(turn));
  }
  if (out->turns.back().role != "user") return BadRequest("the last message must be the user's", "invalid_messages");
  for (const char* key : {"max_completion_tokens", "max_tokens"}) {
    if (auto it = body.find(key); it != body.end() && !it->is_null()) {
      if (ApiError e = MaxTokens(*it, key, &out->max_tokens); !e.ok()) return e;
      break;
    }
  }
  if (auto rf = body.find("response_format"); rf != body.end() && !rf->is_null()) {
    if (!rf->is_object() || !rf->contains("type") || !(*rf)["type"].is_string()) {
      return BadRequest("\"response_format\" must be an object with a \"type\"", "invalid_response_format");
    }
    const std::string type = (*rf)["type"];
    if (type == "json_object") {
      out->format.kind = ChatFormat::Kind::kJsonObject;
    } else if (type == "json_schema") {
      auto js = rf->find("json_schema");
      if (js == rf->end() || !js->is_object() || !js->contains("schema") || !(*js)["schema"].is_object()) {
        return BadRequest("\"response_format.json_schema.schema\" must be a JSON Schema object", "invalid_schema");
      }
      out->format.kind = ChatFormat::Kind::kJsonSchema;
      std::string schema_text;
      if (ApiError e = SchemaText((*js)["schema"], "\"response_format.json_schema.schema\"", &schema_text); !e.ok()) return e;
      out->format.schema = OrderedJson::parse(schema_text);
      if (Status st = CheckSchema(out->format.schema); !st.ok()) return BadRequest(st.message(), "invalid_schema");
    } else if (type != "text") {
      return BadRequest("\"response_format.type\" must be text, json_object or json_schema", "invalid_response_format");
    }
  }
  return {};
}

}  // namespace litrank::server

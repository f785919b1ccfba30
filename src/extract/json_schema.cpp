#include "extract/json_schema.h"

#include <json-schema-to-grammar.h>  // llama.cpp's common library

#include <algorithm>
#include <cmath>
#include <set>

#include "util/utf8.h"

namespace litrank {
namespace {

const std::set<std::string>& Types() {
  static const std::set<std::string> t = {"object", "array", "string", "number", "integer", "boolean", "null"};
  return t;
}

const std::set<std::string>& Keywords() {
  static const std::set<std::string> k = {
      "type", "properties", "required", "additionalProperties", "items", "enum", "const", "minLength",
      "maxLength", "minItems", "maxItems", "minimum", "maximum", "description", "title", "$schema", "$id",
      "default", "examples"};
  return k;
}

Status Bad(const std::string& where, const std::string& what) {
  return Status::InvalidArgument("schema " + (where.empty() ? std::string("root") : where) + ": " + what);
}

/// Escapes a property name for a JSON pointer (RFC 6901).
std::string PointerToken(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

Status CheckCount(const OrderedJson& s, const char* key, const std::string& where) {
  if (!s.contains(key)) return Status::Ok();
  const OrderedJson& v = s[key];
  // llama.cpp's grammar parser refuses repetitions over 2000 (MAX_REPETITION_THRESHOLD).
  if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 2000) {
    return Bad(where, std::string("\"") + key + "\" must be an integer from 0 to 2000 (the grammar's repetition limit)");
  }
  return Status::Ok();
}

/// Whether `v` is a JSON value of schema type `type`.
bool OfType(const std::string& type, const OrderedJson& v) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "number") return v.is_number();
  if (type == "integer") return v.is_number_integer() || (v.is_number() && std::floor(v.get<double>()) == v.get<double>());
  if (type == "boolean") return v.is_boolean();
  return v.is_null();
}

Status CheckNode(const OrderedJson& s, const std::string& where, int depth) {
  if (depth > 32) return Bad(where, "nested more than 32 levels");
  if (!s.is_object()) return Bad(where, "a schema must be a JSON object");
  for (auto it = s.begin(); it != s.end(); ++it) {
    if (!Keywords().count(it.key())) {
      return Bad(where, "unsupported keyword \"" + it.key() + "\" (supported: type, properties, required, "
                        "additionalProperties: false, items, enum, const, minLength, maxLength, minItems, "
                        "maxItems, minimum, maximum)");
    }
  }
  if (s.contains("type")) {
    if (!s["type"].is_string()) return Bad(where, "\"type\" must be one type name (lists of types are not supported)");
    if (!Types().count(s["type"].get<std::string>())) {
      return Bad(where, "unknown type \"" + s["type"].get<std::string>() + "\"");
    }
  } else if (!s.contains("enum") && !s.contains("const")) {
    return Bad(where, "needs a \"type\", \"enum\" or \"const\" (an unconstrained value cannot be bounded)");
  }
  if (s.contains("enum") && (!s["enum"].is_array() || s["enum"].empty())) {
    return Bad(where, "\"enum\" must be a non-empty list");
  }
  if (s.contains("type")) {
    const std::string type = s["type"].get<std::string>();
    if (s.contains("const") && !OfType(type, s["const"])) return Bad(where, "\"const\" is not of type " + type);
    if (s.contains("enum")) {
      for (const OrderedJson& e : s["enum"]) {
        if (!OfType(type, e)) return Bad(where, "\"enum\" holds " + e.dump() + ", which is not of type " + type);
      }
    }
  }
  for (const char* key : {"minLength", "maxLength", "minItems", "maxItems"}) {
    LITRANK_RETURN_IF_ERROR(CheckCount(s, key, where));
  }
  for (const char* key : {"minimum", "maximum"}) {
    if (!s.contains(key)) continue;
    if (!s[key].is_number()) return Bad(where, std::string("\"") + key + "\" must be a number");
    const double x = s[key].get<double>();
    if (!(std::fabs(x) <= 9007199254740992.0)) return Bad(where, std::string("\"") + key + "\" must be within ±2^53");
  }
  if (s.contains("minimum") && s.contains("maximum") && s["minimum"].get<double>() > s["maximum"].get<double>()) {
    return Bad(where, "minimum is above maximum");
  }
  for (const char* key : {"description", "title", "$schema", "$id"}) {
    if (s.contains(key) && !s[key].is_string()) return Bad(where, std::string("\"") + key + "\" must be a string");
  }
  if (s.contains("minLength") && s.contains("maxLength") && s["minLength"] > s["maxLength"]) {
    return Bad(where, "minLength is above maxLength");
  }
  if (s.contains("minItems") && s.contains("maxItems") && s["minItems"] > s["maxItems"]) {
    return Bad(where, "minItems is above maxItems");
  }
  if (s.contains("additionalProperties") && s["additionalProperties"] != false) {
    return Bad(where, "\"additionalProperties\" may only be false (objects take their listed properties only)");
  }
  if (s.contains("properties")) {
    if (!s["properties"].is_object()) return Bad(where, "\"properties\" must be an object");
    for (auto it = s["properties"].begin(); it != s["properties"].end(); ++it) {
      if (!IsValidUtf8(it.key())) return Bad(where, "a property name is not valid UTF-8");
      LITRANK_RETURN_IF_ERROR(CheckNode(it.value(), where + "/properties/" + PointerToken(it.key()), depth + 1));
    }
  }
  if (s.contains("required")) {
    if (!s["required"].is_array()) return Bad(where, "\"required\" must be a list of property names");
    for (const OrderedJson& name : s["required"]) {
      if (!name.is_string() || !s.contains("properties") || !s["properties"].contains(name.get<std::string>())) {
        return Bad(where, "\"required\" names " + name.dump() + ", which is not in \"properties\"");
      }
    }
  }
  if (s.contains("items")) {
    if (!s["items"].is_object()) return Bad(where, "\"items\" must be one schema (tuples are not supported)");
    LITRANK_RETURN_IF_ERROR(CheckNode(s["items"], where + "/items", depth + 1));
  }
  const std::string type = s.value("type", "");
  if (type == "array" && !s.contains("items")) return Bad(where, "an array needs \"items\"");
  return Status::Ok();
}

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

bool Fail(std::string* why, const std::string& where, const std::string& what) {
  if (why) *why = (where.empty() ? std::string("the answer") : where) + ": " + what;
  return false;
}

bool Validate(const OrderedJson& s, const nlohmann::json& v, const std::string& where, std::string* why) {
  if (s.contains("const") && nlohmann::json::parse(s["const"].dump()) != v) return Fail(why, where, "not the const value");
  if (s.contains("enum")) {
    bool found = false;
    for (const OrderedJson& e : s["enum"]) found = found || nlohmann::json::parse(e.dump()) == v;
    if (!found) return Fail(why, where, "not one of the enum values");
  }
  const std::string type = s.value("type", "");
  if (type == "object") {
    if (!v.is_object()) return Fail(why, where, "not an object");
    const OrderedJson none = OrderedJson::object();
    const OrderedJson& props = s.contains("properties") ? s["properties"] : none;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!props.contains(it.key())) return Fail(why, where, "unexpected property \"" + it.key() + "\"");
      if (!Validate(props[it.key()], it.value(), where + "/" + PointerToken(it.key()), why)) return false;
    }
    if (s.contains("required")) {
      for (const OrderedJson& name : s["required"]) {
        if (!v.contains(name.get<std::string>())) return Fail(why, where, "missing \"" + name.get<std::string>() + "\"");
      }
    }
  } else if (type == "array") {
    if (!v.is_array()) return Fail(why, where, "not a list");
    if (v.size() < s.value("minItems", size_t{0})) return Fail(why, where, "fewer items than minItems");
    if (s.contains("maxItems") && v.size() > s["maxItems"].get<size_t>()) return Fail(why, where, "more items than maxItems");
    for (size_t i = 0; i < v.size(); ++i) {
      if (!Validate(s["items"], v[i], where + "/" + std::to_string(i), why)) return false;
    }
  } else if (type == "string") {
    if (!v.is_string()) return Fail(why, where, "not a string");
    const size_t n = CodePoints(v.get<std::string>());
    if (n < s.value("minLength", size_t{0})) return Fail(why, where, "shorter than minLength");
    if (s.contains("maxLength") && n > s["maxLength"].get<size_t>()) return Fail(why, where, "longer than maxLength");
  } else if (type == "number" || type == "integer") {
    if (!v.is_number()) return Fail(why, where, "not a number");
    const double x = v.get<double>();
    if (type == "integer" && !v.is_number_integer() && std::floor(x) != x) return Fail(why, where, "not an integer");
    if (s.contains("minimum") && x < s["minimum"].get<double>()) return Fail(why, where, "below minimum");
    if (s.contains("maximum") && x > s["maximum"].get<double>()) return Fail(why, where, "above maximum");
  } else if (type == "boolean") {
    if (!v.is_boolean()) return Fail(why, where, "not true or false");
  } else if (type == "null") {
    if (!v.is_null()) return Fail(why, where, "not null");
  }
  return true;
}

/// The schema with "additionalProperties": false on every object.
OrderedJson Closed(OrderedJson s) {
  if (s.value("type", "") == "object") s["additionalProperties"] = false;
  if (s.contains("properties")) {
    for (auto it = s["properties"].begin(); it != s["properties"].end(); ++it) it.value() = Closed(it.value());
  }
  if (s.contains("items")) s["items"] = Closed(s["items"]);
  return s;
}

}  // namespace

OrderedJson BuiltInExtractionSchema() {
  auto text = [](const char* description, int max_length) {
    return OrderedJson{{"type", "string"}, {"description", description}, {"maxLength", max_length}};
  };
  auto list = [](const char* description, int max_items, int max_length) {
    return OrderedJson{{"type", "array"},
                       {"description", description},
                       {"items", {{"type", "string"}, {"maxLength", max_length}}},
                       {"maxItems", max_items}};
  };
  OrderedJson props = OrderedJson::object();
  props["problem"] = text("the problem or question the work addresses", 400);
  props["method"] = text("how the work addresses it: approach, design, materials", 400);
  props["results"] = list("the main findings, one per item, with numbers where the text gives them", 6, 300);
  props["data_contribution"] = text("data, datasets, code or other resources the work itself contributes", 300);
  props["datasets"] = list("datasets the work uses or releases, by name", 8, 80);
  props["metrics"] = list("evaluation metrics or outcome measures, by name", 8, 80);
  props["limitations"] = text("limitations the text states", 300);
  return {{"type", "object"},
          {"properties", props},
          {"required", {"problem", "method", "results", "data_contribution"}},
          {"additionalProperties", false}};
}

Status CheckSchema(const OrderedJson& schema) {
  LITRANK_RETURN_IF_ERROR(CheckNode(schema, "", 0));
  if (schema.value("type", "") != "object") return Bad("", "the root must be an object schema (\"type\": \"object\")");
  // The empty answer (what a cut-off extraction gets) must itself be valid.
  std::string why;
  if (!ValidateJson(schema, MinimalInstance(schema), &why)) {
    return Bad("", "no answer can satisfy its bounds (" + why + ")");
  }
  return Status::Ok();
}

size_t JsonNestingDepth(const std::string& text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

bool ValidateJson(const OrderedJson& schema, const nlohmann::json& value, std::string* why) {
  return Validate(schema, value, "", why);
}

nlohmann::json MinimalInstance(const OrderedJson& s) {
  if (s.contains("const")) return nlohmann::json::parse(s["const"].dump());
  if (s.contains("enum")) return nlohmann::json::parse(s["enum"][0].dump());
  const std::string type = s.value("type", "");
  if (type == "object") {
    nlohmann::json out = nlohmann::json::object();
    if (s.contains("required")) {
      for (const OrderedJson& name : s["required"]) {
        out[name.get<std::string>()] = MinimalInstance(s["properties"][name.get<std::string>()]);
      }
    }
    return out;
  }
  if (type == "array") {
    nlohmann::json out = nlohmann::json::array();
    for (size_t i = 0; i < s.value("minItems", size_t{0}); ++i) out.push_back(MinimalInstance(s["items"]));
    return out;
  }
  if (type == "string") return std::string(s.value("minLength", size_t{0}), '-');
  if (type == "number" || type == "integer") {
    double x = 0;
    if (s.contains("minimum") && s["minimum"].get<double>() > x) x = s["minimum"].get<double>();
    if (s.contains("maximum") && s["maximum"].get<double>() < x) x = s["maximum"].get<double>();
    if (type == "integer") return static_cast<int64_t>(std::ceil(x));
    return x;
  }
  if (type == "boolean") return false;
  return nullptr;
}

OrderedJson TightenSchema(const OrderedJson& schema, int divisor, int default_max_length, bool required_only) {
  OrderedJson s = schema;
  const std::string type = s.value("type", "");
  if (type == "string") {
    const int min_length = s.value("minLength", 0);
    const int max_length = s.value("maxLength", std::max(default_max_length, min_length));
    s["maxLength"] = std::min(max_length, std::max(min_length, max_length / divisor));
  } else if (type == "array") {
    const int min_items = s.value("minItems", 0);
    const int max_items = s.value("maxItems", std::max(8, min_items));
    s["maxItems"] = std::min(max_items, std::max({1, min_items, max_items / divisor}));
    s["items"] = TightenSchema(s["items"], divisor, default_max_length, required_only);
  } else if (type == "object" && s.contains("properties")) {
    std::set<std::string> required;
    if (s.contains("required")) {
      for (const OrderedJson& name : s["required"]) required.insert(name.get<std::string>());
    }
    OrderedJson props = OrderedJson::object();
    for (auto it = s["properties"].begin(); it != s["properties"].end(); ++it) {
      if (required_only && !required.count(it.key())) continue;
      props[it.key()] = TightenSchema(it.value(), divisor, default_max_length, required_only);
    }
    s["properties"] = props;
  }
  return s;
}

StatusOr<std::string> SchemaGrammar(const OrderedJson& schema) {
  LITRANK_RETURN_IF_ERROR(CheckSchema(schema));
  try {
    return json_schema_to_grammar(common_json::parse(Closed(schema).dump()));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("schema: llama.cpp cannot turn it into a grammar: ") + e.what());
  }
}

}  // namespace litrank

#include "ingest/json_util.h"

#include "ingest/record_context.h"
#include "util/utf8.h"

namespace litrank::ingest {

using nlohmann::json;

bool JsonNestingWithin(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

bool ParseJsonLine(std::string_view line, json* obj, std::string* why) {
  if (!IsValidUtf8(line)) {
    *why = "invalid UTF-8";
    return false;
  }
  if (!JsonNestingWithin(line, kMaxJsonDepth)) {
    *why = "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
    return false;
  }
  try {
    *obj = json::parse(line);
  } catch (const json::exception& e) {
    std::string what = e.what();  // "[json.exception.parse_error.101] parse error at ..."
    if (const size_t cut = what.find("] "); cut != std::string::npos) what.erase(0, cut + 2);
    *why = "bad JSON: " + what;
    return false;
  }
  if (!obj->is_object()) {
    *why = "not a JSON object";
    return false;
  }
  return true;
}

std::string DumpJson(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string ScalarText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return DumpJson(value);
  return "";
}

namespace {

// A person object's name: "name", "display_name", or given + family / first + last.
std::string PersonName(const json& obj) {
  for (const char* key : {"name", "display_name", "full_name"}) {
    if (auto it = obj.find(key); it != obj.end() && it->is_string()) return it->get<std::string>();
  }
  if (auto it = obj.find("author"); it != obj.end() && it->is_object()) return PersonName(*it);
  const auto part = [&](const char* a, const char* b) {
    auto it = obj.find(a);
    if (it == obj.end()) it = obj.find(b);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string given = part("given", "first"), family = part("family", "last");
  if (family.empty()) return given;
  return given.empty() ? family : family + ", " + given;
}

}  // namespace

std::vector<std::string> StringList(const json& value, bool comma_splits) {
  if (value.is_string()) return SplitList(value.get<std::string>(), comma_splits ? ";," : ";");
  std::vector<std::string> out;
  if (!value.is_array()) return out;
  for (const json& item : value) {
    std::string s = item.is_object() ? PersonName(item) : ScalarText(item);
    if (!s.empty()) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace litrank::ingest

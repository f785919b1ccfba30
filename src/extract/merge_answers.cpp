#include "extract/merge_answers.h"

#include <algorithm>

namespace litrank {
namespace {

/// The first `n` code points of UTF-8 `s`.
std::string FirstCodePoints(const std::string& s, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && count++ == n) return s.substr(0, i);
  }
  return s;
}

}  // namespace

nlohmann::json MergeAnswers(const OrderedJson& schema, const std::vector<nlohmann::json>& answers) {
  const std::string type = schema.value("type", "");
  if (answers.size() == 1 || schema.contains("enum") || schema.contains("const")) return answers.front();
  if (type == "string") {
    std::vector<std::string> parts;
    for (const nlohmann::json& a : answers) {
      const std::string s = a.get<std::string>();
      if (!s.empty() && std::find(parts.begin(), parts.end(), s) == parts.end()) parts.push_back(s);
    }
    if (parts.empty()) return answers.front();
    std::string joined;
    for (const std::string& p : parts) joined += (joined.empty() ? "" : " ") + p;
    if (schema.contains("maxLength")) joined = FirstCodePoints(joined, schema["maxLength"].get<size_t>());
    return joined;
  }
  if (type == "array") {
    const size_t max_items = schema.contains("maxItems") ? schema["maxItems"].get<size_t>() : SIZE_MAX;
    nlohmann::json out = nlohmann::json::array();
    for (const nlohmann::json& a : answers) {
      for (const nlohmann::json& item : a) {
        if (out.size() >= max_items) break;
        if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
      }
    }
    return out;
  }
  if (type == "object" && schema.contains("properties")) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = schema["properties"].begin(); it != schema["properties"].end(); ++it) {
      std::vector<nlohmann::json> values;
      for (const nlohmann::json& a : answers) {
        if (a.contains(it.key())) values.push_back(a[it.key()]);
      }
      if (!values.empty()) out[it.key()] = MergeAnswers(it.value(), values);
    }
    return out;
  }
  return answers.front();
}

}  // namespace litrank

// Internal to ingest (and io/document_reader): JSON helpers over nlohmann::json
// that never throw.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace litrank::ingest {

/// The deepest nesting of arrays and objects accepted in any JSON input
/// (records are flat; deep nesting only serves to exhaust the stack).
constexpr size_t kMaxJsonDepth = 64;

/// Whether the arrays and objects in `text` nest at most `max_depth` deep. A
/// linear scan that needs no valid JSON (brackets inside strings do not count),
/// run before parsing so that nothing recursive ever meets a deep document.
bool JsonNestingWithin(std::string_view text, size_t max_depth);

/// Parses one JSON Lines record into *obj. On failure returns false and sets
/// *why to one reason for people: "invalid UTF-8", "nested deeper than 64
/// levels", "bad JSON: <where>", or "not a JSON object".
bool ParseJsonLine(std::string_view line, nlohmann::json* obj, std::string* why);

/// Compact JSON text of `value`; invalid UTF-8 becomes U+FFFD instead of throwing.
std::string DumpJson(const nlohmann::json& value);

/// A scalar as text: a string as is, a number or boolean as JSON prints it,
/// "" for null, arrays and objects.
std::string ScalarText(const nlohmann::json& value);

/// Strings of a list field: an array's scalar items (objects give their
/// "name", or "given family"/"first last"), or one string split on ';'
/// (or, with `comma_splits`, on ',' when it has no ';').
std::vector<std::string> StringList(const nlohmann::json& value, bool comma_splits);

}  // namespace litrank::ingest

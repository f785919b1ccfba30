// The JSON Schema subset extraction works with: checked, compiled to a llama.cpp
// grammar (its own json_schema_to_grammar), and validated against independently of
// that grammar, so an answer that reaches the user is known to fit.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "litrank/status.h"

namespace litrank {

using OrderedJson = nlohmann::ordered_json;

/// The schema `litrank extract` uses when none is given: required `problem`,
/// `method`, `data_contribution` (strings) and `results` (a list of strings), optional
/// `datasets`, `metrics` (lists of strings) and `limitations` (a string); lengths bounded.
OrderedJson BuiltInExtractionSchema();

/// Checks that `schema` is a JSON Schema within the supported subset, naming the
/// first offending keyword and where it is (a JSON pointer). Supported: "type" (one
/// of object, array, string, number, integer, boolean, null), "properties",
/// "required", "additionalProperties" (false only), "items" (one schema), "enum",
/// "const", "minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum",
/// and the annotations "description", "title", "$schema", "$id", "default",
/// "examples". Counts are at most 2000 (llama.cpp's grammar repetition limit),
/// bounds within ±2^53, enum/const values of the node's type, and the empty answer
/// (MinimalInstance) must fit. The root must be an object schema. Errors: InvalidArgument.
Status CheckSchema(const OrderedJson& schema);

/// Whether `value` fits `schema` (a schema CheckSchema accepted); on false, `why`
/// says where and how it does not. Objects take only their listed properties.
bool ValidateJson(const OrderedJson& schema, const nlohmann::json& value, std::string* why);

/// The smallest value that fits `schema`: required properties only, empty strings
/// and lists (or their minimum lengths), the first enum value, zero within bounds.
nlohmann::json MinimalInstance(const OrderedJson& schema);

/// `schema` with every string's maxLength and every list's maxItems divided by
/// `divisor` (strings without one get `default_max_length` first; never below their
/// minimums, never above the original bound; lists keep at least one item where they
/// allowed one), and, when `required_only`, the optional properties dropped. The
/// retry after an answer ran past its token limit.
OrderedJson TightenSchema(const OrderedJson& schema, int divisor, int default_max_length, bool required_only);

/// How deeply `text` nests objects and arrays (brackets outside strings), so a
/// hostile document can be refused before a recursive parser or printer sees it.
size_t JsonNestingDepth(const std::string& text);

/// GBNF for `schema` (CheckSchema first) by llama.cpp's json_schema_to_grammar, with
/// every object closed (additionalProperties false). Errors: InvalidArgument.
StatusOr<std::string> SchemaGrammar(const OrderedJson& schema);

}  // namespace litrank

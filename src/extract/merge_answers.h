// The rule that merges the answers of a long text's windows into one answer.
#pragma once

#include <vector>

#include "extract/json_schema.h"

namespace litrank {

/// Merges `answers` (each valid against `schema`, in window order) into one valid
/// answer: strings joined with a space (distinct non-empty ones, in order, cut to
/// maxLength code points), lists concatenated without repeats up to maxItems,
/// objects merged property by property, any other value taken from the first answer
/// that has it. `answers` must not be empty.
nlohmann::json MergeAnswers(const OrderedJson& schema, const std::vector<nlohmann::json>& answers);

}  // namespace litrank

// The instructions extraction gives the model (the system turn), shared by the
// extractor and `bench extract`, which sends the same prompt to llama-server, and
// those of the optional merge pass over a long text's window answers.
#pragma once

#include <string>
#include <vector>

#include "extract/json_schema.h"

namespace litrank {

/// The system turn: the rules (facts from the text only, empty fields where the text
/// says nothing, values in the text's language or `language`), then one line per
/// field of `schema` with its type and description. The same for every document.
std::string ExtractionSystemPrompt(const OrderedJson& schema, const std::string& language);

/// Version of the merge pass's instructions; part of a merged extraction's key.
inline constexpr const char* kMergePromptVersion = "merge-v1";

/// The system turn of the optional merge pass: the same rules and fields as
/// ExtractionSystemPrompt, told that the input is the partial answers of one long
/// text's consecutive windows, to be merged into one object with nothing added.
std::string MergeSystemPrompt(const OrderedJson& schema, const std::string& language);

/// The merge pass's user text: one line per window, "Part k of n: " and the answer
/// as compact JSON, in window order (tokenised as plain text, so a partial answer
/// cannot carry control tokens).
std::string MergeUserText(const std::vector<OrderedJson>& answers);

}  // namespace litrank

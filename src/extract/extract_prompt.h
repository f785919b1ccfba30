// The instructions extraction gives the model (the system turn), shared by the
// extractor and `bench extract`, which sends the same prompt to llama-server.
#pragma once

#include <string>

#include "extract/json_schema.h"

namespace litrank {

/// The system turn: the rules (facts from the text only, empty fields where the text
/// says nothing, values in the text's language or `language`), then one line per
/// field of `schema` with its type and description. The same for every document.
std::string ExtractionSystemPrompt(const OrderedJson& schema, const std::string& language);

}  // namespace litrank

#include "extract/extract_prompt.h"

namespace litrank {

std::string ExtractionSystemPrompt(const OrderedJson& schema, const std::string& language) {
  std::string s =
      "You extract key information from one scientific text (an abstract, a paper, a patent or a post) "
      "and answer with one JSON object only.\n"
      "Rules:\n"
      "- Use only what the text states. Never add facts, numbers, names or datasets that are not in it.\n"
      "- A field the text says nothing about stays empty: \"\" or [].\n";
  s += language.empty() ? "- Write the values in the language of the text (Chinese text, Chinese values).\n"
                        : "- Write the values in " + language + ".\n";
  s += "Fields:\n";
  for (auto it = schema["properties"].begin(); it != schema["properties"].end(); ++it) {
    const OrderedJson& p = it.value();
    s += "- " + it.key() + " (" + p.value("type", "value") + (p.value("type", "") == "array" ? " of strings" : "") + ")";
    if (p.contains("description")) s += ": " + p["description"].get<std::string>();
    s += "\n";
  }
  return s;
}

}  // namespace litrank

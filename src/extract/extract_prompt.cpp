#include "extract/extract_prompt.h"

namespace litrank {

namespace {

/// The rules and the field list, after the task's first line.
std::string RulesAndFields(std::string s, const OrderedJson& schema, const std::string& language) {
  s += "Rules:\n"
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

}  // namespace

std::string ExtractionSystemPrompt(const OrderedJson& schema, const std::string& language) {
  return RulesAndFields(
      "You extract key information from one scientific text (an abstract, a paper, a patent or a post) "
      "and answer with one JSON object only.\n",
      schema, language);
}

std::string MergeSystemPrompt(const OrderedJson& schema, const std::string& language) {
  return RulesAndFields(
      "A long scientific text was read in consecutive parts, and key information was extracted from each "
      "part as a JSON object. Merge these partial answers into one JSON object for the whole text and "
      "answer with that object only. Keep every distinct fact once, drop repeats, and prefer the most "
      "specific statement; the partial answers are the text here.\n",
      schema, language);
}

std::string MergeUserText(const std::vector<OrderedJson>& answers) {
  std::string s;
  for (size_t k = 0; k < answers.size(); ++k) {
    s += "Part " + std::to_string(k + 1) + " of " + std::to_string(answers.size()) + ": " + answers[k].dump() + "\n";
  }
  return s;
}

}  // namespace litrank

// Screening decisions: their names and the labels records bring from files.
#include <nlohmann/json.hpp>

#include "litrank/screening.h"
#include "util/ascii.h"

namespace litrank {
namespace {


// A label value as a file spells it: 1/0/-1 (numbers or strings), yes/no,
// ASReview's RIS notes ("ASReview_relevant", "ASReview_irrelevant",
// "ASReview_not_seen"), or include/exclude words. nullopt for unseen or unknown.
std::optional<ScreenDecision> DecisionOfValue(const nlohmann::json& v) {
  if (v.is_number()) {
    const double d = v.get<double>();
    if (d == 1) return ScreenDecision::kInclude;
    if (d == 0) return ScreenDecision::kExclude;
    return std::nullopt;
  }
  if (v.is_boolean()) return v.get<bool>() ? ScreenDecision::kInclude : ScreenDecision::kExclude;
  if (v.is_array()) {
    for (const auto& item : v) {
      if (auto d = DecisionOfValue(item)) return d;
    }
    return std::nullopt;
  }
  if (!v.is_string()) return std::nullopt;
  const std::string s = Lower(v.get<std::string>());
  if (s.find("asreview_relevant") != std::string::npos) return ScreenDecision::kInclude;
  if (s.find("asreview_irrelevant") != std::string::npos) return ScreenDecision::kExclude;
  ScreenDecision d;
  if (ParseScreenDecision(s, &d)) return d;
  if (s == "1.0") return ScreenDecision::kInclude;
  if (s == "0.0") return ScreenDecision::kExclude;
  return std::nullopt;
}

}  // namespace

bool ParseScreenDecision(const std::string& text, ScreenDecision* out) {
  const std::string s = Lower(text);
  if (s == "include" || s == "included" || s == "1" || s == "yes" || s == "relevant" || s == "i") {
    *out = ScreenDecision::kInclude;
  } else if (s == "exclude" || s == "excluded" || s == "0" || s == "no" || s == "irrelevant" || s == "e") {
    *out = ScreenDecision::kExclude;
  } else if (s == "maybe" || s == "m" || s == "unsure") {
    *out = ScreenDecision::kMaybe;
  } else {
    return false;
  }
  return true;
}

const char* ScreenDecisionName(ScreenDecision d) {
  switch (d) {
    case ScreenDecision::kInclude: return "include";
    case ScreenDecision::kExclude: return "exclude";
    case ScreenDecision::kMaybe: return "maybe";
  }
  return "?";
}

std::optional<ScreenDecision> LabelFromRecord(const Document& doc) {
  const nlohmann::json extra = nlohmann::json::parse(doc.extra_json, nullptr, false);
  if (!extra.is_object()) return std::nullopt;
  // Dedicated label fields first; RIS notes (N1) and label tags (LB) after.
  for (const char* key : {"label_included", "included", "label", "LB", "N1"}) {
    const auto it = extra.find(key);
    if (it == extra.end()) continue;
    if (auto d = DecisionOfValue(*it)) return d;
  }
  return std::nullopt;
}

}  // namespace litrank

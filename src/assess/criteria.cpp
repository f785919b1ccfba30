// The built-in criteria and the user's criteria files (JSON or TOML; TOML is
// turned into JSON by toml++ so both go through one validation).
#include <cmath>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "ingest/json_util.h"
#include "litrank/assess.h"
#include "util/text_file.h"
#include "util/utf8.h"

namespace litrank {
namespace {

constexpr size_t kMaxCriteriaFileBytes = size_t{1} << 20;
constexpr size_t kMaxCriteria = 32;
constexpr size_t kMaxTextBytes = 2000;
constexpr size_t kMaxCues = 200;

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Status Bad(const std::string& path, const std::string& where, const std::string& why) {
  return Status::InvalidArgument(path + ": " + where + (where.empty() ? "" : ": ") + why);
}

/// A text field: a string of valid UTF-8 within kMaxTextBytes.
Status TextField(const std::string& path, const std::string& where, const nlohmann::json& c, const char* key,
                 std::string* out) {
  auto it = c.find(key);
  if (it == c.end()) return Status::Ok();
  if (!it->is_string()) return Bad(path, where, std::string("`") + key + "` must be a string");
  const std::string& s = it->get_ref<const std::string&>();
  if (s.size() > kMaxTextBytes) return Bad(path, where, std::string("`") + key + "` is over 2,000 bytes");
  if (!IsValidUtf8(s)) return Bad(path, where, std::string("`") + key + "` is not valid UTF-8");
  *out = s;
  return Status::Ok();
}

Status ParseCriterion(const std::string& path, size_t n, const nlohmann::json& c,
                      const std::vector<Criterion>& builtins, Criterion* out, bool* replaces_builtin) {
  std::string where = "criterion " + std::to_string(n + 1);
  if (!c.is_object()) return Bad(path, where, "must be an object / table");
  static const std::set<std::string> kKeys = {"name", "instruction", "query", "cues", "weight"};
  for (const auto& [key, value] : c.items()) {
    if (!kKeys.count(key)) {
      return Bad(path, where, "unknown key `" + key + "` (known: name, instruction, query, cues, weight)");
    }
  }
  auto name = c.find("name");
  if (name == c.end() || !name->is_string()) return Bad(path, where, "needs a `name` string");
  out->name = name->get<std::string>();
  if (!ValidName(out->name)) {
    return Bad(path, where, "name `" + out->name.substr(0, 64) + "` must be 1-64 letters, digits, '_' or '-'");
  }
  where += " (" + out->name + ")";
  *replaces_builtin = false;
  for (const Criterion& b : builtins) {
    if (b.name == out->name) {
      *out = b;
      *replaces_builtin = true;
    }
  }
  LITRANK_RETURN_IF_ERROR(TextField(path, where, c, "instruction", &out->instruction));
  LITRANK_RETURN_IF_ERROR(TextField(path, where, c, "query", &out->query));
  if (auto cues = c.find("cues"); cues != c.end()) {
    if (!cues->is_array()) return Bad(path, where, "`cues` must be a list of strings");
    if (cues->size() > kMaxCues) return Bad(path, where, "`cues` has over 200 entries");
    out->cues.clear();
    for (const auto& cue : *cues) {
      if (!cue.is_string() || cue.get_ref<const std::string&>().size() > kMaxTextBytes ||
          !IsValidUtf8(cue.get_ref<const std::string&>())) {
        return Bad(path, where, "`cues` must be a list of strings (valid UTF-8, each under 2,000 bytes)");
      }
      out->cues.push_back(cue.get<std::string>());
    }
  }
  if (auto w = c.find("weight"); w != c.end()) {
    if (!w->is_number()) return Bad(path, where, "`weight` must be a number");
    out->weight = w->get<double>();
    if (!std::isfinite(out->weight) || out->weight < 0) return Bad(path, where, "`weight` must be finite and ≥ 0");
  }
  if (out->instruction.empty() && out->query.empty() && out->cues.empty()) {
    return Bad(path, where, "needs an `instruction`, a `query` or `cues`");
  }
  if (out->query.empty()) out->query = out->instruction.empty() ? out->cues.front() : out->instruction;
  if (out->instruction.empty()) out->instruction = "Judge whether the paper shows: " + out->query;
  return Status::Ok();
}

StatusOr<nlohmann::json> ParseJsonCriteria(const std::string& path, const std::string& text) {
  if (!ingest::JsonNestingWithin(text, ingest::kMaxJsonDepth)) return Bad(path, "", "nested deeper than 64 levels");
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad(path, "", "not valid JSON");
  return j;
}

StatusOr<nlohmann::json> ParseTomlCriteria(const std::string& path, const std::string& text) {
  if (!IsValidUtf8(text)) return Bad(path, "", "not valid UTF-8");
  try {
    toml::table table = toml::parse(text, path);
    std::ostringstream out;
    out << toml::json_formatter{table};
    nlohmann::json j = nlohmann::json::parse(out.str(), nullptr, false);
    if (j.is_discarded()) return Bad(path, "", "TOML that has no JSON form");
    return j;
  } catch (const toml::parse_error& e) {
    std::ostringstream why;
    why << "not valid TOML: " << e.description() << " (line " << e.source().begin.line << ", column "
        << e.source().begin.column << ")";
    return Bad(path, "", why.str());
  }
}

/// JSON for .json, TOML for .toml; otherwise JSON when the text starts with '{'
/// or parses as a JSON array, else TOML.
StatusOr<nlohmann::json> ParseCriteriaText(const std::string& path, const std::string& text) {
  auto ends_with = [&](const char* ext) {
    const size_t n = std::char_traits<char>::length(ext);
    return path.size() >= n && path.compare(path.size() - n, n, ext) == 0;
  };
  if (ends_with(".json")) return ParseJsonCriteria(path, text);
  if (ends_with(".toml")) return ParseTomlCriteria(path, text);
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') return ParseJsonCriteria(path, text);
  if (first != std::string::npos && text[first] == '[') {
    StatusOr<nlohmann::json> j = ParseJsonCriteria(path, text);
    if (j.ok()) return j;
  }
  return ParseTomlCriteria(path, text);
}

}  // namespace

std::vector<Criterion> BuiltInCriteria() {
  return {
      {"innovation",
       "Judge whether the paper makes a novel contribution: a new method, model, finding or idea rather than a "
       "replication or a routine application",
       "a novel contribution: a new method, model, finding or idea",
       {"novel", "new", "first", "propose", "introduce", "innovative", "original", "unprecedented", "framework",
        "approach", "for the first time", "创新", "新颖", "首次", "提出", "新方法"},
       1},
      {"practical_value",
       "Judge whether the paper's results have practical value: direct use in practice, industry, clinical care "
       "or policy",
       "results of direct practical use in practice, industry, clinical care or policy",
       {"practical", "practice", "application", "clinical", "implementation", "deploy", "cost", "effective",
        "guideline", "real-world", "industry", "policy", "patients", "users", "应用", "临床", "实践", "实际", "成本",
        "推广"},
       1},
      {"rigour",
       "Judge whether the study is methodologically rigorous: an appropriate design, an adequate sample, controls, "
       "validation and sound statistics",
       "a rigorous study: appropriate design, adequate sample, controls, validation and sound statistics",
       {"randomized", "randomised", "controlled", "double-blind", "placebo", "trial", "cohort", "prospective",
        "sample size", "confidence interval", "statistically significant", "validation", "cross-validation",
        "meta-analysis", "systematic review", "baseline", "follow-up", "随机", "对照", "双盲", "样本", "置信区间",
        "验证", "队列"},
       1},
      {"impact",
       "Judge whether the paper is likely to have a high impact on its field: important results that others will "
       "build on",
       "important results with a high impact on the field",
       {"significantly", "outperform", "substantially", "improve", "important", "major", "state-of-the-art",
        "breakthrough", "large-scale", "widely", "显著", "提高", "优于", "重要", "突破"},
       1},
  };
}

StatusOr<std::vector<Criterion>> LoadCriteriaFile(const std::string& path) {
  std::string text;
  LITRANK_RETURN_IF_ERROR(ReadTextFile(path, kMaxCriteriaFileBytes, &text));
  return ParseCriteria(text, path);
}

StatusOr<std::vector<Criterion>> ParseCriteria(const std::string& text, const std::string& path) {
  if (text.size() > kMaxCriteriaFileBytes) return Bad(path, "", "over 1 MiB");
  StatusOr<nlohmann::json> parsed = ParseCriteriaText(path, text);
  if (!parsed.ok()) return parsed.status();
  const nlohmann::json& j = *parsed;
  const nlohmann::json* list = nullptr;
  bool builtin = true;
  if (j.is_array()) {
    list = &j;
  } else if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if (key != "criteria" && key != "criterion" && key != "builtin") {
        return Bad(path, "", "unknown key `" + key + "` (known: criteria / criterion, builtin)");
      }
    }
    if (auto b = j.find("builtin"); b != j.end()) {
      if (!b->is_boolean()) return Bad(path, "", "`builtin` must be true or false");
      builtin = b->get<bool>();
    }
    if (j.contains("criteria") && j.contains("criterion")) return Bad(path, "", "give `criteria` or `criterion`, not both");
    auto it = j.find("criteria");
    if (it == j.end()) it = j.find("criterion");
    if (it != j.end()) {
      if (!it->is_array()) return Bad(path, "", "`" + it.key() + "` must be a list");
      list = &*it;
    }
  } else {
    return Bad(path, "", "must be an object (or a list of criteria)");
  }
  const std::vector<Criterion> builtins = BuiltInCriteria();
  std::vector<Criterion> out = builtin ? builtins : std::vector<Criterion>{};
  std::set<std::string> seen;
  for (size_t n = 0; list != nullptr && n < list->size(); ++n) {
    Criterion c;
    bool replaces = false;
    LITRANK_RETURN_IF_ERROR(ParseCriterion(path, n, (*list)[n], builtin ? builtins : std::vector<Criterion>{}, &c, &replaces));
    if (!seen.insert(c.name).second) return Bad(path, "criterion " + std::to_string(n + 1), "duplicate name `" + c.name + "`");
    if (replaces) {
      for (Criterion& b : out) if (b.name == c.name) b = c;
    } else {
      out.push_back(std::move(c));
    }
  }
  if (out.empty()) return Bad(path, "", "no criteria (and `builtin` is false)");
  if (out.size() > kMaxCriteria) return Bad(path, "", "over 32 criteria");
  double total = 0;
  for (const Criterion& c : out) total += c.weight;
  if (total <= 0) return Bad(path, "", "every weight is zero");
  return out;
}

}  // namespace litrank

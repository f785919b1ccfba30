#include "eval/beir.h"

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace litrank {
namespace {

Status OpenFile(const std::string& path, std::ifstream* in) {
  in->open(path);
  if (!*in) return Status::NotFound("cannot open " + path);
  return Status::Ok();
}

std::string Where(const std::string& path, size_t line) { return path + ":" + std::to_string(line) + ": "; }

}  // namespace

Status LoadBeirQueries(const std::string& path, BeirQueries* queries) {
  std::ifstream in;
  LITRANK_RETURN_IF_ERROR(OpenFile(path, &in));
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("_id") || !j.contains("text") || !j["text"].is_string()) {
      return Status::InvalidArgument(Where(path, n) + "expected a JSON object with \"_id\" and \"text\"");
    }
    const auto& id = j["_id"];
    queries->emplace_back(id.is_string() ? id.get<std::string>() : id.dump(), j["text"].get<std::string>());
  }
  return Status::Ok();
}

Status LoadBeirQrels(const std::string& path, Qrels* qrels) {
  std::ifstream in;
  LITRANK_RETURN_IF_ERROR(OpenFile(path, &in));
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string query, doc, score;
    if (!std::getline(fields, query, '\t') || !std::getline(fields, doc, '\t') || !std::getline(fields, score, '\t')) {
      return Status::InvalidArgument(Where(path, n) + "expected query-id<TAB>corpus-id<TAB>score");
    }
    if (n == 1 && query == "query-id") continue;  // the header
    char* end = nullptr;
    const long grade = std::strtol(score.c_str(), &end, 10);
    if (end == score.c_str() || *end != '\0') {
      return Status::InvalidArgument(Where(path, n) + "score '" + score + "' is not an integer");
    }
    (*qrels)[query][doc] = static_cast<int>(grade);
  }
  return Status::Ok();
}

}  // namespace litrank

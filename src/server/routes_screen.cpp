// /v1/collections/{name}/screening: screening projects over HTTP — start one,
// fetch the next records, post decisions, read the status, export.
#include <sstream>

#include "server/server_state.h"
#include "search/search_json.h"

namespace litrank::server {
namespace {

using nlohmann::json;

constexpr size_t kMaxNext = 100;

json StatusJson(const ScreeningStatus& s) {
  return {{"project", s.name}, {"question", s.question}, {"criteria", s.criteria}, {"prior", s.prior},
          {"records", s.records}, {"screened", s.screened}, {"included", s.included}, {"excluded", s.excluded},
          {"maybe", s.maybe}, {"prior_scored", s.prior_scored}, {"model_trained", s.model_trained},
          {"stopping", {{"estimated_remaining", s.stopping.estimated_remaining},
                        {"suggest_stop", s.stopping.suggest_stop},
                        {"knee_slope_ratio", s.stopping.knee_slope_ratio},
                        {"method", "knee rule (Cormack & Grossman 2016)"}}}};
}

/// The project's status as JSON into *out.
Status StatusInto(ScreeningProject& p, json* out) {
  auto st = p.GetStatus();
  if (st.ok()) *out = StatusJson(*st);
  return st.status();
}

ApiError FindCollection(ServerState& s, const httplib::Request& req, std::shared_ptr<server::Collection>* out) {
  auto c = s.collections->Get(req.matches[1], /*create=*/false);
  if (!c.ok()) return FromStatus(c.status());
  *out = std::move(c.value());
  return {};
}

ApiError PostProject(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  json body;
  if (ApiError e = ParseJsonBody(req.body, &body); !e.ok()) return e;
  if (!body.is_object()) return BadRequest("the body must be a JSON object");
  auto text = [&](const char* key, std::string* out) -> ApiError {
    const auto it = body.find(key);
    if (it == body.end() || it->is_null()) return {};
    if (!it->is_string()) return BadRequest(std::string("\"") + key + "\" must be a string");
    *out = it->get<std::string>();
    if (out->size() > 16384) return TooLarge(std::string("\"") + key + "\" is over 16384 bytes", "field_too_long");
    return {};
  };
  std::string project = "default";
  ScreeningSettings settings;
  for (auto [key, out] : {std::pair{"project", &project}, std::pair{"question", &settings.question},
                          std::pair{"criteria", &settings.criteria}}) {
    if (ApiError e = text(key, out); !e.ok()) return e;
  }
  if (settings.question.empty()) return BadRequest("\"question\" is required", "missing_question");
  if (project.empty() || project.size() > 64) return BadRequest("\"project\" must be 1 to 64 characters");
  std::shared_ptr<server::Collection> c;
  if (ApiError e = FindCollection(s, req, &c); !e.ok()) return e;
  int64_t imported = 0;
  json status;
  Status st = c->WithScreening(project, &settings, &imported, [&](ScreeningProject& p) { return StatusInto(p, &status); });
  if (!st.ok()) {
    if (st.message().find("already exists") != std::string::npos) {
      return ApiError{409, "invalid_request_error", "project_exists", st.message()};
    }
    return FromStatus(st);
  }
  status["imported_labels"] = imported;
  SendJson(res, 201, status);
  return {};
}

ApiError GetProjects(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  std::shared_ptr<server::Collection> c;
  if (ApiError e = FindCollection(s, req, &c); !e.ok()) return e;
  std::vector<std::string> names;
  json data = json::array();
  if (Status st = ScreeningProject::List(c->path(), &names); !st.ok()) return FromStatus(st);
  for (const std::string& n : names) data.push_back({{"project", n}});
  SendJson(res, 200, {{"object", "list"}, {"data", data}});
  return {};
}

/// Runs `fn` on the project named in the path.
ApiError OnProject(ServerState& s, const httplib::Request& req, const std::function<Status(ScreeningProject&)>& fn) {
  std::shared_ptr<server::Collection> c;
  if (ApiError e = FindCollection(s, req, &c); !e.ok()) return e;
  return FromStatus(c->WithScreening(req.matches[2], nullptr, nullptr, fn));
}

ApiError GetStatus(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  json out;
  ApiError e = OnProject(s, req, [&](ScreeningProject& p) { return StatusInto(p, &out); });
  if (!e.ok()) return e;
  SendJson(res, 200, out);
  return {};
}

ApiError GetNext(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  size_t count = 1;
  if (req.has_param("count")) {
    const std::string v = req.get_param_value("count");
    if (v.empty() || v.size() > 4 || v.find_first_not_of("0123456789") != std::string::npos || std::stoul(v) == 0 ||
        std::stoul(v) > kMaxNext) {
      return BadRequest("count must be an integer from 1 to " + std::to_string(kMaxNext), "invalid_count");
    }
    count = std::stoul(v);
  }
  json records = json::array();
  ApiError e = OnProject(s, req, [&](ScreeningProject& p) {
    auto next = p.Next(count);
    if (!next.ok()) return next.status();
    for (const ScreenCandidate& c : *next) {
      json j = StoredDocumentJson(c.doc);
      j["score"] = c.score;
      records.push_back(std::move(j));
    }
    return Status::Ok();
  });
  if (!e.ok()) return e;
  SendJson(res, 200, {{"object", "list"}, {"data", records}});
  return {};
}

ApiError PostLabel(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  json body;
  if (ApiError e = ParseJsonBody(req.body, &body); !e.ok()) return e;
  if (!body.is_object()) return BadRequest("the body must be a JSON object");
  const auto id = body.find("id");
  const auto decision = body.find("decision");
  if (id == body.end() || !id->is_number_integer()) return BadRequest("\"id\" must be an integer record id", "invalid_id");
  if (decision == body.end() || !decision->is_string()) {
    return BadRequest("\"decision\" must be \"include\", \"exclude\" or \"maybe\"", "invalid_decision");
  }
  ScreenDecision d;
  if (!ParseScreenDecision(decision->get<std::string>(), &d)) {
    return BadRequest("\"decision\" must be \"include\", \"exclude\" or \"maybe\"", "invalid_decision");
  }
  json out;
  ApiError e = OnProject(s, req, [&](ScreeningProject& p) {
    LITRANK_RETURN_IF_ERROR(p.Label(id->get<int64_t>(), d, "api"));
    return StatusInto(p, &out);
  });
  if (!e.ok()) return e;
  SendJson(res, 200, out);
  return {};
}

ApiError GetExport(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  const std::string format = req.has_param("format") ? req.get_param_value("format") : "csv";
  if (format != "csv" && format != "ris" && format != "bibtex") {
    return BadRequest("format must be csv, ris or bibtex", "invalid_format");
  }
  std::ostringstream out;
  ApiError e = OnProject(s, req, [&](ScreeningProject& p) { return p.Export(format, out); });
  if (!e.ok()) return e;
  const char* type = format == "csv" ? "text/csv; charset=utf-8"
                     : format == "ris" ? "application/x-research-info-systems"
                                       : "application/x-bibtex";
  res.set_header("Content-Disposition",
                 "attachment; filename=\"screening." + std::string(format == "bibtex" ? "bib" : format) + "\"");
  res.set_content(out.str(), type);
  return {};
}

}  // namespace

void AddScreeningRoutes(httplib::Server& http, ServerState& state) {
  const std::string base = R"(/v1/collections/([^/]+)/screening)";
  const std::string project = base + R"(/([^/]+))";
  http.Post(base, MakeHandler(state, "/v1/collections/{name}/screening", Guard::kApi, PostProject));
  http.Get(base, MakeHandler(state, "/v1/collections/{name}/screening", Guard::kApi, GetProjects));
  http.Get(project, MakeHandler(state, "/v1/collections/{name}/screening/{project}", Guard::kApi, GetStatus));
  http.Get(project + "/next", MakeHandler(state, "/v1/collections/{name}/screening/{project}/next", Guard::kApi, GetNext));
  http.Post(project + "/labels",
            MakeHandler(state, "/v1/collections/{name}/screening/{project}/labels", Guard::kApi, PostLabel));
  http.Get(project + "/export",
           MakeHandler(state, "/v1/collections/{name}/screening/{project}/export", Guard::kApi, GetExport));
}

}  // namespace litrank::server

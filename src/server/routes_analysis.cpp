// The map of a field over HTTP: topics, trends, the keyword network, assessment
// and citation suggestions answered at once (the same JSON as the CLI's
// --json), the review report as a background job with server-sent events.
#include <atomic>
#include <fstream>
#include <set>
#include <sstream>

#include "analysis/collection_documents.h"
#include "litrank/assess.h"
#include "litrank/cite.h"
#include "litrank/keywords.h"
#include "litrank/review.h"
#include "litrank/topics.h"
#include "litrank/trends.h"
#include "report/json_views.h"
#include "server/server_state.h"

namespace litrank::server {
namespace {

using nlohmann::json;

constexpr size_t kMaxDraftBytes = size_t{1} << 20;
constexpr size_t kMaxQuestionBytes = 16384;
/// The files a finished review job serves.
const std::set<std::string> kReviewFiles = {"report.html", "report.md", "topics.json", "trends.json",
                                            "keywords.json", "assessment.json", "outline.json"};

/// A map route's body: an object with only the `allowed` keys.
ApiError ReadBody(const httplib::Request& req, const std::set<std::string>& allowed, json* body) {
  if (req.body.empty()) {
    *body = json::object();
  } else if (ApiError e = ParseJsonBody(req.body, body); !e.ok()) {
    return e;
  }
  if (!body->is_object()) return BadRequest("the body must be a JSON object");
  for (const auto& [key, value] : body->items()) {
    if (!allowed.count(key)) {
      std::string known;
      for (const std::string& k : allowed) known += (known.empty() ? "" : ", ") + k;
      return BadRequest("unknown field \"" + key + "\" (known: " + known + ")", "unknown_field");
    }
  }
  return {};
}

ApiError StringField(const json& body, const char* key, size_t max_bytes, std::string* out) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return {};
  if (!it->is_string()) return BadRequest(std::string("\"") + key + "\" must be a string");
  if (it->get_ref<const std::string&>().size() > max_bytes) {
    return TooLarge(std::string("\"") + key + "\" is over " + std::to_string(max_bytes) + " bytes", "field_too_long");
  }
  *out = it->get<std::string>();
  return {};
}

ApiError IntField(const json& body, const char* key, int64_t lo, int64_t hi, int64_t* out) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return {};
  if (!it->is_number_integer()) return BadRequest(std::string("\"") + key + "\" must be an integer");
  const int64_t v = it->get<int64_t>();
  if (v < lo || v > hi) {
    return BadRequest(std::string("\"") + key + "\" must be " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  *out = v;
  return {};
}

/// At most kMaxAnalyses synchronous analyses at once (each reads a whole
/// collection); past it 429. Held for the life of the handler.
constexpr int kMaxAnalyses = 4;
class AnalysisSlot {
 public:
  explicit AnalysisSlot(std::atomic<int>& count) : count_(count), ok_(count.fetch_add(1) < kMaxAnalyses) {}
  ~AnalysisSlot() { count_.fetch_sub(1); }
  ApiError error() const {
    if (ok_) return {};
    return {429, "rate_limit_error", "too_many_analyses",
            std::to_string(kMaxAnalyses) + " analyses are running; try again shortly", 2};
  }

 private:
  std::atomic<int>& count_;
  bool ok_;
};

/// The documents of the collection in the path (a project's included ones with "project").
ApiError LoadDocuments(ServerState& s, const httplib::Request& req, const json& body, std::vector<Document>* docs,
                       std::vector<std::string>* ids) {
  std::string project;
  if (ApiError e = StringField(body, "project", 64, &project); !e.ok()) return e;
  auto c = s.collections->Get(req.matches[1], /*create=*/false);
  if (!c.ok()) return FromStatus(c.status());
  auto lane = (*c)->Acquire();
  if (!lane.ok()) return FromStatus(lane.status());
  if (Status st = analysis::ReadCollectionDocuments(lane->corpus(), (*c)->path(), project, docs, ids); !st.ok()) {
    return FromStatus(st);
  }
  if (docs->empty()) return BadRequest("the collection has no documents", "empty_collection");
  return {};
}

/// Topics for the map routes: k from the body (0 = chosen).
ApiError Topics(const json& body, const std::vector<Document>& docs, TopicModel* out) {
  int64_t k = 0;
  if (ApiError e = IntField(body, "k", 0, 10000, &k); !e.ok()) return e;
  TopicOptions o;
  o.k = static_cast<int>(k);
  if (o.k == 0) o.max_k = 12;
  StatusOr<TopicModel> m = FindTopics(docs, o);
  if (!m.ok()) return FromStatus(m.status());
  *out = std::move(*m);
  return {};
}

ApiError PostTopics(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  AnalysisSlot slot(s.analyses_in_flight);
  if (ApiError e = slot.error(); !e.ok()) return e;
  json body;
  if (ApiError e = ReadBody(req, {"project", "k"}, &body); !e.ok()) return e;
  std::vector<Document> docs;
  std::vector<std::string> ids;
  if (ApiError e = LoadDocuments(s, req, body, &docs, &ids); !e.ok()) return e;
  TopicModel m;
  if (ApiError e = Topics(body, docs, &m); !e.ok()) return e;
  SendJson(res, 200, report::TopicsJson(m, docs, ids));
  return {};
}

ApiError PostTrends(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  AnalysisSlot slot(s.analyses_in_flight);
  if (ApiError e = slot.error(); !e.ok()) return e;
  json body;
  if (ApiError e = ReadBody(req, {"project", "k"}, &body); !e.ok()) return e;
  std::vector<Document> docs;
  std::vector<std::string> ids;
  if (ApiError e = LoadDocuments(s, req, body, &docs, &ids); !e.ok()) return e;
  TopicModel m;
  // A malformed k is the client's error; too few documents for topics is not (trends stand without).
  int64_t k = 0;
  if (ApiError e = IntField(body, "k", 0, 10000, &k); !e.ok()) return e;
  const bool with_topics = Topics(body, docs, &m).ok();
  StatusOr<Trends> t = FindTrends(docs, TrendOptions{}, with_topics ? &m : nullptr);
  if (!t.ok()) return FromStatus(t.status());
  SendJson(res, 200, report::TrendsJson(*t, with_topics ? &m : nullptr));
  return {};
}

ApiError PostKeywords(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  AnalysisSlot slot(s.analyses_in_flight);
  if (ApiError e = slot.error(); !e.ok()) return e;
  json body;
  if (ApiError e = ReadBody(req, {"project", "min_occurrences", "max_keywords"}, &body); !e.ok()) return e;
  KeywordNetworkOptions o;
  int64_t min_occurrences = static_cast<int64_t>(o.min_occurrences), max_keywords = static_cast<int64_t>(o.max_keywords);
  if (ApiError e = IntField(body, "min_occurrences", 1, 1000000, &min_occurrences); !e.ok()) return e;
  if (ApiError e = IntField(body, "max_keywords", 2, 1000, &max_keywords); !e.ok()) return e;
  o.min_occurrences = static_cast<size_t>(min_occurrences);
  o.max_keywords = static_cast<size_t>(max_keywords);
  std::vector<Document> docs;
  std::vector<std::string> ids;
  if (ApiError e = LoadDocuments(s, req, body, &docs, &ids); !e.ok()) return e;
  StatusOr<KeywordNetwork> net = BuildKeywordNetwork(docs, o);
  if (!net.ok()) return FromStatus(net.status());
  json j = report::KeywordNetworkJson(*net);
  StatusOr<std::string> svg = DrawKeywordNetworkSvg(*net);
  if (!svg.ok()) return FromStatus(svg.status());
  j["svg"] = *svg;
  SendJson(res, 200, j);
  return {};
}

ApiError PostAssess(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  AnalysisSlot slot(s.analyses_in_flight);
  if (ApiError e = slot.error(); !e.ok()) return e;
  json body;
  if (ApiError e = ReadBody(req, {"project", "k", "criteria", "model", "seminal"}, &body); !e.ok()) return e;
  AssessOptions o;
  if (auto it = body.find("criteria"); it != body.end() && !it->is_null()) {
    if (!it->is_array() && !it->is_object()) return BadRequest("\"criteria\" must be a list or an object");
    StatusOr<std::vector<Criterion>> criteria = ParseCriteria(it->dump(), "criteria.json");
    if (!criteria.ok()) return BadRequest(criteria.status().message(), "invalid_criteria");
    o.criteria = std::move(*criteria);
  }
  bool use_model = true;
  if (auto it = body.find("model"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) return BadRequest("\"model\" must be true or false");
    use_model = it->get<bool>();
  }
  int64_t seminal = static_cast<int64_t>(o.seminal);
  if (ApiError e = IntField(body, "seminal", 0, 10000, &seminal); !e.ok()) return e;
  o.seminal = static_cast<size_t>(seminal);
  std::vector<Document> docs;
  std::vector<std::string> ids;
  if (ApiError e = LoadDocuments(s, req, body, &docs, &ids); !e.ok()) return e;
  TopicModel m;
  int64_t k = 0;
  if (ApiError e = IntField(body, "k", 0, 10000, &k); !e.ok()) return e;
  if (docs.size() >= 2 && Topics(body, docs, &m).ok()) o.topic_of = m.topic_of;
  CriterionScorer scorer;
  if (use_model && s.reranker) {
    scorer = RerankerScorer(s.reranker.get(), nullptr, ClientGone(req));
  }
  StatusOr<Assessment> a = Assess(docs, o, scorer);
  if (!a.ok()) return FromStatus(a.status());
  SendJson(res, 200, report::AssessmentJson(*a, docs, ids));
  return {};
}

ApiError PostCite(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  AnalysisSlot slot(s.analyses_in_flight);
  if (ApiError e = slot.error(); !e.ok()) return e;
  json body;
  if (ApiError e = ReadBody(req, {"draft", "per_sentence", "instruction"}, &body); !e.ok()) return e;
  std::string draft;
  if (ApiError e = StringField(body, "draft", kMaxDraftBytes, &draft); !e.ok()) return e;
  CiteOptions o;
  int64_t per = static_cast<int64_t>(o.per_sentence);
  if (ApiError e = IntField(body, "per_sentence", 1, 100, &per); !e.ok()) return e;
  o.per_sentence = static_cast<size_t>(per);
  if (ApiError e = StringField(body, "instruction", kMaxQuestionBytes, &o.search.instruction); !e.ok()) return e;
  if (o.search.instruction.empty()) {
    o.search.instruction = "Given a sentence from a scientific paper, retrieve the publication that supports the claim it makes";
  }
  if (Status st = CheckDraft(draft, o); !st.ok()) return FromStatus(st);
  o.search.cancelled = ClientGone(req);
  auto c = s.collections->Get(req.matches[1], /*create=*/false);
  if (!c.ok()) return FromStatus(c.status());
  auto lane = (*c)->Acquire();
  if (!lane.ok()) return FromStatus(lane.status());
  StatusOr<CitationReport> r = SuggestCitations(&lane->searcher(), draft, o);
  if (!r.ok()) return FromStatus(r.status());
  SendJson(res, 200, report::CitationReportJson(*r));
  return {};
}

json JobJson(const JobState& j) {
  json out = {{"id", j.id}, {"collection", j.collection}, {"state", j.state}, {"step", j.step},
              {"number", j.number}, {"steps", j.steps}};
  if (!j.error.empty()) out["error"] = j.error;
  if (j.state == "done") {
    json files = json::object();
    for (const std::string& f : kReviewFiles) files[f] = "/v1/jobs/" + j.id + "/" + f;
    out["files"] = files;
  }
  return out;
}

ApiError PostReview(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  json body;
  if (ApiError e = ReadBody(req, {"project", "k", "question", "model"}, &body); !e.ok()) return e;
  auto options = std::make_shared<ReviewOptions>();
  bool use_model = true;
  if (auto it = body.find("model"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) return BadRequest("\"model\" must be true or false");
    use_model = it->get<bool>();
  }
  // The job outlives the request: the scorer holds the scheduler, which the
  // server keeps until every job has stopped (ServerState::reviews goes first).
  Reranker* reranker = use_model ? s.reranker.get() : nullptr;
  int64_t k = 0;
  if (ApiError e = IntField(body, "k", 0, 10000, &k); !e.ok()) return e;
  options->topics.k = static_cast<int>(k);
  if (ApiError e = StringField(body, "question", kMaxQuestionBytes, &options->question); !e.ok()) return e;
  auto docs = std::make_shared<std::vector<Document>>();
  auto ids = std::make_shared<std::vector<std::string>>();
  if (ApiError e = LoadDocuments(s, req, body, docs.get(), ids.get()); !e.ok()) return e;
  StatusOr<std::string> id = s.reviews->Start(
      req.matches[1], [options, docs, ids, reranker](const auto& step, const auto& cancelled, const std::string& dir) {
        ReviewOptions o = *options;
        o.progress = step;
        o.cancelled = cancelled;
        if (reranker != nullptr) {
          o.scorer = RerankerScorer(reranker, nullptr, cancelled);  // DELETE and shutdown end the rerank too
        }
        StatusOr<Review> review = BuildReview(*docs, o);
        if (!review.ok()) return review.status();
        return WriteReview(*review, *docs, *ids, dir);
      });
  if (!id.ok()) return FromStatus(id.status());
  StatusOr<JobState> state = s.reviews->Get(*id);
  if (!state.ok()) return FromStatus(state.status());
  json j = JobJson(*state);
  j["events"] = "/v1/jobs/" + *id + "/events";
  SendJson(res, 202, j);
  return {};
}

ApiError GetJob(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  StatusOr<JobState> state = s.reviews->Get(req.matches[1]);
  if (!state.ok()) return FromStatus(state.status());
  SendJson(res, 200, JobJson(*state));
  return {};
}

ApiError DeleteJob(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  if (Status st = s.reviews->Cancel(req.matches[1]); !st.ok()) return FromStatus(st);
  StatusOr<JobState> state = s.reviews->Get(req.matches[1]);
  if (!state.ok()) return FromStatus(state.status());
  SendJson(res, 202, JobJson(*state));
  return {};
}

/// Server-sent events: the job's state now, then each change (`event: progress`),
/// ending with one event named after the final state (done, failed, cancelled).
ApiError GetJobEvents(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  const std::string id = req.matches[1];
  if (StatusOr<JobState> st = s.reviews->Get(id); !st.ok()) return FromStatus(st.status());
  ReviewJobs* jobs = s.reviews.get();
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream", [jobs, id, seen = ~uint64_t{0}](size_t, httplib::DataSink& sink) mutable {
        StatusOr<JobState> st = jobs->WaitChange(id, seen, [&] { return !sink.is_writable(); });
        if (!st.ok() || !sink.is_writable()) return false;
        seen = st->version;
        const bool final = st->state == "done" || st->state == "failed" || st->state == "cancelled";
        const std::string event = "event: " + (final ? st->state : std::string("progress")) + "\ndata: " +
                                  JobJson(*st).dump() + "\n\n";
        if (!sink.write(event.data(), event.size())) return false;
        if (final) sink.done();
        return true;
      });
  return {};
}

ApiError GetJobFile(const httplib::Request& req, httplib::Response& res, ServerState& s) {
  const std::string file = req.matches[2];
  if (!kReviewFiles.count(file)) return NotFound("a review job has no file " + file);
  StatusOr<JobState> state = s.reviews->Get(req.matches[1]);
  if (!state.ok()) return FromStatus(state.status());
  if (state->state != "done") {
    return ApiError{409, "invalid_request_error", "job_not_done", "the job is " + state->state + ", not done"};
  }
  std::ifstream in(state->dir + "/" + file, std::ios::binary);
  if (!in) return NotFound("the job's " + file + " is gone");
  std::ostringstream text;
  text << in.rdbuf();
  const std::string type = file.size() > 5 && file.compare(file.size() - 5, 5, ".html") == 0 ? "text/html; charset=utf-8"
                           : file.size() > 3 && file.compare(file.size() - 3, 3, ".md") == 0 ? "text/markdown; charset=utf-8"
                                                                                             : "application/json";
  res.status = 200;
  res.set_content(text.str(), type.c_str());
  return {};
}

}  // namespace

void AddAnalysisRoutes(httplib::Server& http, ServerState& state) {
  const std::string base = R"(/v1/collections/([^/]+))";
  http.Post(base + "/topics", MakeHandler(state, "/v1/collections/{name}/topics", Guard::kApi, PostTopics));
  http.Post(base + "/trends", MakeHandler(state, "/v1/collections/{name}/trends", Guard::kApi, PostTrends));
  http.Post(base + "/keywords", MakeHandler(state, "/v1/collections/{name}/keywords", Guard::kApi, PostKeywords));
  http.Post(base + "/assess", MakeHandler(state, "/v1/collections/{name}/assess", Guard::kApi, PostAssess));
  http.Post(base + "/cite", MakeHandler(state, "/v1/collections/{name}/cite", Guard::kApi, PostCite));
  http.Post(base + "/review", MakeHandler(state, "/v1/collections/{name}/review", Guard::kApi, PostReview));
  const std::string job = R"(/v1/jobs/([^/]+))";
  http.Get(job, MakeHandler(state, "/v1/jobs/{id}", Guard::kApi, GetJob));
  http.Delete(job, MakeHandler(state, "/v1/jobs/{id}", Guard::kApi, DeleteJob));
  http.Get(job + "/events", MakeHandler(state, "/v1/jobs/{id}/events", Guard::kApi, GetJobEvents));
  http.Get(job + R"(/([^/]+))", MakeHandler(state, "/v1/jobs/{id}/{file}", Guard::kApi, GetJobFile));
}

}  // namespace litrank::server

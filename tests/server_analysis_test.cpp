// The map of a field over HTTP: each route answers with the CLI's JSON or a
// JSON error, the review runs as a job whose events end in its final state and
// whose files are served; the job registry's cancel, limit and pruning are
// driven by latches, not by time.
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "server/review_jobs.h"
#include "server_fixture.h"

namespace litrank {
namespace {

using testing::GetJson;
using testing::PostJson;

class ServerAnalysisTest : public ::testing::Test {
 protected:
  void Start(bool with_models) {
    db_ = testing::TempDir() + "/server_analysis.db";
    testing::MakeSampleCollection(db_);
    server::ServerConfig config;
    config.db_path = db_;
    server_ = std::make_unique<testing::TestServer>(config, with_models);
  }
  std::string db_;
  std::unique_ptr<testing::TestServer> server_;
};

constexpr const char* kBase = "/v1/collections/default/";
constexpr size_t kSamplePapers = 36;  // data/samples/papers.jsonl

TEST_F(ServerAnalysisTest, EachRouteAnswersWithTheCommandsJson) {
  Start(/*with_models=*/false);
  httplib::Client c = server_->client();
  testing::Reply topics = PostJson(c, std::string(kBase) + "topics", R"({"k": 3})");
  ASSERT_EQ(topics.status, 200) << topics.raw;
  EXPECT_EQ(topics.body["assignments"].size(), kSamplePapers);
  EXPECT_EQ(topics.body["topics"].size(), 3u);

  testing::Reply trends = PostJson(c, std::string(kBase) + "trends", R"({"k": 3})");
  ASSERT_EQ(trends.status, 200) << trends.raw;
  EXPECT_TRUE(trends.body["bursts"].is_array());
  EXPECT_EQ(trends.body["topics"].size(), 3u);
  EXPECT_EQ(trends.body["documents"], kSamplePapers);

  testing::Reply keywords = PostJson(c, std::string(kBase) + "keywords", "{}");
  ASSERT_EQ(keywords.status, 200) << keywords.raw;
  EXPECT_FALSE(keywords.body["nodes"].empty());
  EXPECT_NE(keywords.body["svg"].get<std::string>().find("<svg"), std::string::npos);

  testing::Reply assess = PostJson(c, std::string(kBase) + "assess",
                                   R"({"k": 2, "criteria": {"builtin": false, "criteria": [{"name": "rerank", "cues": ["reranking"]}]}})");
  ASSERT_EQ(assess.status, 200) << assess.raw;
  EXPECT_EQ(assess.body["scored_by"], "cue words (BM25)");  // no reranker loaded
  ASSERT_EQ(assess.body["papers"].size(), kSamplePapers);
  EXPECT_EQ(assess.body["criteria"].size(), 1u);
  EXPECT_EQ(assess.body["by_topic"].size(), 2u);
  // The best paper on a "reranking" cue has the word (a positive BM25 score).
  const size_t best = assess.body["papers"][0]["index"];
  EXPECT_GT(assess.body["papers"][0]["scores"]["rerank"].get<double>(), 0.0) << best;

  testing::Reply cite = PostJson(c, std::string(kBase) + "cite",
                                 R"({"draft": "Cross-encoders improve the ranking of scientific abstracts. We agree."})");
  ASSERT_EQ(cite.status, 200) << cite.raw;
  ASSERT_EQ(cite.body["sentences"].size(), 2u);
  EXPECT_TRUE(cite.body["sentences"][0]["searched"].get<bool>());
  EXPECT_FALSE(cite.body["sentences"][1]["searched"].get<bool>());  // under 4 words
  EXPECT_FALSE(cite.body["references"].empty());
}

TEST_F(ServerAnalysisTest, BadRequestsGetJsonErrors) {
  Start(/*with_models=*/false);
  httplib::Client c = server_->client();
  struct Case {
    std::string route, body;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"topics", R"({"k": "three"})", 400, "invalid_request"},
      {"topics", R"({"k": 3, "extra": 1})", 400, "unknown_field"},
      {"topics", R"({"k": 500})", 400, ""},  // more topics than documents
      {"topics", R"([1, 2])", 400, "invalid_request"},
      {"topics", R"({"k": )", 400, "invalid_json"},
      {"topics", R"({"project": "none"})", 404, ""},
      {"trends", R"({"k": "x"})", 400, "invalid_request"},
      {"assess", R"({"k": -1})", 400, "invalid_request"},
      {"assess", R"({"criteria": [{"name": "x", "wieght": 2}]})", 400, "invalid_criteria"},
      {"assess", R"({"criteria": "rigour"})", 400, "invalid_request"},
      {"assess", R"({"model": "yes"})", 400, "invalid_request"},
      {"cite", R"({})", 400, ""},
      {"cite", R"({"draft": 7})", 400, "invalid_request"},
      {"review", R"({"question": 1})", 400, "invalid_request"},
      {"keywords", R"({"min_occurrences": 0})", 400, "invalid_request"},
  };
  for (const Case& k : cases) {
    testing::Reply r = PostJson(c, std::string(kBase) + k.route, k.body);
    EXPECT_EQ(r.status, k.status) << k.route << " " << k.body << ": " << r.raw;
    ASSERT_TRUE(r.body.is_object()) << r.raw;
    ASSERT_TRUE(r.body.contains("error")) << r.raw;
    if (!k.code.empty()) {
      EXPECT_EQ(r.body["error"]["code"], k.code) << k.route << " " << k.body;
    }
  }
  testing::Reply unknown = PostJson(c, "/v1/collections/nope/topics", "{}");
  EXPECT_EQ(unknown.status, 404) << unknown.raw;
  // The criteria error names the key.
  testing::Reply criteria = PostJson(c, std::string(kBase) + "assess", R"({"criteria": [{"name": "x", "wieght": 2}]})");
  EXPECT_NE(criteria.body["error"]["message"].get<std::string>().find("wieght"), std::string::npos);
  EXPECT_EQ(GetJson(c, "/v1/jobs/none").status, 404);
  EXPECT_EQ(GetJson(c, "/v1/jobs/none/events").status, 404);
}

TEST_F(ServerAnalysisTest, ReviewJobStreamsItsStepsAndServesItsReport) {
  Start(/*with_models=*/false);
  httplib::Client c = server_->client();
  testing::Reply started = PostJson(c, std::string(kBase) + "review", R"({"question": "reranking abstracts", "k": 3})");
  ASSERT_EQ(started.status, 202) << started.raw;
  const std::string id = started.body["id"];
  std::string stream;
  auto res = c.Get(("/v1/jobs/" + id + "/events").c_str(), [&](const char* data, size_t n) {
    stream.append(data, n);
    return true;
  });
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/event-stream");
  // Events in order, the last one "done"; step numbers never go back.
  const size_t done = stream.rfind("event: done\n");
  ASSERT_NE(done, std::string::npos) << stream;
  EXPECT_EQ(stream.find("event: ", done + 1), std::string::npos) << stream;
  int last_step = 0;
  for (size_t at = stream.find("data: "); at != std::string::npos; at = stream.find("data: ", at + 1)) {
    const nlohmann::json event = nlohmann::json::parse(stream.substr(at + 6, stream.find('\n', at) - at - 6));
    EXPECT_GE(event["number"].get<int>(), last_step);
    last_step = event["number"];
  }
  EXPECT_EQ(last_step, 5);

  testing::Reply state = GetJson(c, "/v1/jobs/" + id);
  ASSERT_EQ(state.status, 200);
  EXPECT_EQ(state.body["state"], "done");
  auto html = c.Get(state.body["files"]["report.html"].get<std::string>().c_str());
  ASSERT_TRUE(html);
  EXPECT_EQ(html->status, 200);
  EXPECT_NE(html->body.find("<html"), std::string::npos);
  EXPECT_NE(html->body.find("reranking abstracts"), std::string::npos);
  testing::Reply outline = GetJson(c, "/v1/jobs/" + id + "/outline.json");
  ASSERT_EQ(outline.status, 200);
  EXPECT_TRUE(outline.body.is_object() || outline.body.is_array());
  EXPECT_EQ(GetJson(c, "/v1/jobs/" + id + "/passwd").status, 404);
}

TEST_F(ServerAnalysisTest, AssessUsesTheServersReranker) {
  Start(/*with_models=*/true);
  httplib::Client c = server_->client();
  testing::Reply assess = PostJson(c, std::string(kBase) + "assess", R"({"k": 2})");
  ASSERT_EQ(assess.status, 200) << assess.raw;
  EXPECT_EQ(assess.body["scored_by"], "reranker");
  for (const auto& p : assess.body["papers"]) {
    for (const auto& [name, s] : p["scores"].items()) {
      EXPECT_GE(s.get<double>(), 0.0);
      EXPECT_LE(s.get<double>(), 1.0);
    }
  }
  testing::Reply lexical = PostJson(c, std::string(kBase) + "assess", R"({"model": false, "k": 2})");
  ASSERT_EQ(lexical.status, 200) << lexical.raw;
  EXPECT_EQ(lexical.body["scored_by"], "cue words (BM25)");
}

/// A gate a job's work waits at until the test opens it.
struct Latch {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  void Open() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
  void Wait() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return open; });
  }
};

/// Waits (event-driven) until the job reaches `state`.
server::JobState WaitFor(server::ReviewJobs& jobs, const std::string& id, const std::string& state) {
  uint64_t seen = ~uint64_t{0};
  while (true) {
    StatusOr<server::JobState> s = jobs.WaitChange(id, seen, {});
    EXPECT_TRUE(s.ok());
    if (!s.ok() || s->state == state) return s.ok() ? *s : server::JobState{};
    seen = s->version;
  }
}

TEST(ReviewJobs, CancelStopsBeforeTheNextStepAndLimitsHold) {
  const std::string root = testing::TempDir() + "/review_jobs";
  server::ReviewJobs jobs(root, /*max_running=*/1, /*keep=*/1);
  Latch latch;
  auto work = [&](const auto& step, const auto& cancelled, const std::string& dir) {
    step("first", 1, 2);
    latch.Wait();
    if (cancelled()) return Status::Cancelled("stopped");
    step("second", 2, 2);
    std::ofstream(dir + "/report.html") << "<html></html>";
    return Status::Ok();
  };
  StatusOr<std::string> a = jobs.Start("c", work);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(WaitFor(jobs, *a, "running").state, "running");
  // One may run at a time.
  EXPECT_EQ(jobs.Start("c", work).status().code(), Status::Code::kResourceExhausted);
  ASSERT_TRUE(jobs.Cancel(*a).ok());
  latch.Open();
  server::JobState cancelled = WaitFor(jobs, *a, "cancelled");
  EXPECT_EQ(cancelled.step, "first");
  EXPECT_EQ(cancelled.error, "stopped");

  // Two more finish; with keep = 1 only the newest stays, its files with it.
  StatusOr<std::string> b = jobs.Start("c", work);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  server::JobState b_done = WaitFor(jobs, *b, "done");
  EXPECT_TRUE(std::filesystem::exists(b_done.dir + "/report.html"));
  StatusOr<std::string> d = jobs.Start("c", work);
  ASSERT_TRUE(d.ok());
  WaitFor(jobs, *d, "done");
  EXPECT_EQ(jobs.Get(*b).status().code(), Status::Code::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(b_done.dir));
  EXPECT_EQ(jobs.Get(*a).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(jobs.Cancel("nope").code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace litrank

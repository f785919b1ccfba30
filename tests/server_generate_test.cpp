// /v1/extract and /v1/chat/completions with the tiny random-weight generator:
// every answer of a complete extraction fits its schema, chat answers follow
// response_format, the OpenAI shape is kept, and bad requests get JSON errors.
#include <gtest/gtest.h>

#include "extract/json_schema.h"
#include "litrank/extract.h"
#include "server/generate_requests.h"
#include "server_fixture.h"

namespace litrank {
namespace {

using testing::GetJson;
using testing::PostJson;

class ServerGenerateTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server::ServerConfig config;
    config.generator_path = testing::TinyModel("generator");
    server_ = new testing::TestServer(config, /*with_models=*/false);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static testing::TestServer* server_;
};
testing::TestServer* ServerGenerateTest::server_ = nullptr;

TEST_F(ServerGenerateTest, ExtractAnswersFitTheSchemaInInputOrder) {
  httplib::Client c = server_->client();
  testing::Reply r = PostJson(c, "/v1/extract", R"({"documents": [
      "Statins lower LDL cholesterol in a cohort of 300 older adults.",
      {"id": "b", "text": "Silicon anodes lose capacity under fast charging."},
      {"id": 7, "title": "Wheat yields", "abstract": "Nitrogen raises wheat yields on clay soils."}],
      "max_tokens": 256})");
  ASSERT_EQ(r.status, 200) << r.raw;
  ASSERT_EQ(r.body["data"].size(), 3u);
  const OrderedJson schema = BuiltInExtractionSchema();
  const std::vector<std::string> ids = {"0", "b", "7"};
  for (size_t i = 0; i < 3; ++i) {
    const auto& d = r.body["data"][i];
    EXPECT_EQ(d["index"], i);
    EXPECT_EQ(d["id"], ids[i]);
    std::string why;
    EXPECT_TRUE(ValidateJson(schema, d["extraction"], &why)) << why << " " << d.dump();
  }
  EXPECT_GT(r.body["usage"]["prompt_tokens"].get<size_t>(), 0u);
  EXPECT_EQ(r.body["prompt_version"], Extractor::prompt_version());

  // A user schema: its keys, in its order.
  testing::Reply own = PostJson(c, "/v1/extract", R"({"documents": ["A short abstract about soil."],
      "schema": {"type": "object", "properties": {"zeta": {"type": "string", "maxLength": 40},
                                                   "alpha": {"type": "boolean"}}, "required": ["zeta", "alpha"]},
      "max_tokens": 128})");
  ASSERT_EQ(own.status, 200) << own.raw;
  const size_t zeta = own.raw.find("\"zeta\""), alpha = own.raw.find("\"alpha\"");
  ASSERT_NE(zeta, std::string::npos);
  ASSERT_NE(alpha, std::string::npos);
  EXPECT_LT(zeta, alpha) << own.raw;
  EXPECT_TRUE(own.body["data"][0]["extraction"]["alpha"].is_boolean());
}

// "merge": "model" on a document longer than one window (6144 tokens): one more
// decode merges the window answers (a schema whose answers always close, so the
// model's merge is the one kept); the short document is not merged.
TEST_F(ServerGenerateTest, ExtractMergesALongDocumentsWindowsOnRequest) {
  std::string text;
  for (int i = 0; i < 700; ++i) text += "Step " + std::to_string(i) + " of the trial measured blood pressure again. ";
  const nlohmann::json schema = nlohmann::json::parse(
      R"({"type":"object","properties":{"blinded":{"type":"boolean"}},"required":["blinded"]})");
  httplib::Client c = server_->client();
  std::vector<nlohmann::json> answers;
  for (const char* merge : {"rule", "model"}) {
    const nlohmann::json body = {{"documents", {text, "A short abstract."}}, {"schema", schema},
                                 {"max_tokens", 128}, {"merge", merge}};
    testing::Reply r = PostJson(c, "/v1/extract", body.dump());
    ASSERT_EQ(r.status, 200) << r.raw;
    const auto& d = r.body["data"][0];
    EXPECT_GE(d["windows"].get<int>(), 2) << d.dump();
    EXPECT_EQ(d["merged_by"], merge) << d.dump();
    EXPECT_TRUE(d["extraction"]["blinded"].is_boolean()) << d.dump();
    EXPECT_FALSE(r.body["data"][1].contains("merged_by"));
    answers.push_back(r.body["data"]);
  }
  EXPECT_EQ(answers[1][0]["attempts"].get<int>(), answers[0][0]["attempts"].get<int>() + 1);
  EXPECT_EQ(answers[1][1]["attempts"], answers[0][1]["attempts"]);
}

TEST_F(ServerGenerateTest, ChatCompletionsFollowResponseFormat) {
  httplib::Client c = server_->client();
  testing::Reply r = PostJson(c, "/v1/chat/completions", R"({"model": "any",
      "messages": [{"role": "system", "content": "Answer in JSON."},
                   {"role": "user", "content": [{"type": "text", "text": "Name a colour."}]}],
      "response_format": {"type": "json_schema", "json_schema": {"name": "colour", "strict": true,
        "schema": {"type": "object", "properties": {"colour": {"type": "string", "maxLength": 12},
                                                    "rgb": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 255}, "maxItems": 3}},
                   "required": ["colour", "rgb"]}}},
      "max_tokens": 200, "temperature": 0.7})");
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["object"], "chat.completion");
  EXPECT_EQ(r.body["model"], "any");
  const auto& choice = r.body["choices"][0];
  EXPECT_EQ(choice["message"]["role"], "assistant");
  const std::string content = choice["message"]["content"];
  const size_t prompt = r.body["usage"]["prompt_tokens"], completion = r.body["usage"]["completion_tokens"];
  EXPECT_EQ(r.body["usage"]["total_tokens"].get<size_t>(), prompt + completion);
  EXPECT_LE(completion, 200u);
  if (choice["finish_reason"] == "stop") {
    const nlohmann::json value = nlohmann::json::parse(content, nullptr, false);
    ASSERT_TRUE(value.is_object()) << content;
    EXPECT_TRUE(value["colour"].is_string()) << content;
    EXPECT_TRUE(value["rgb"].is_array()) << content;
  } else {
    EXPECT_EQ(choice["finish_reason"], "length");
    EXPECT_EQ(completion, 200u);
  }
  // json_object: the answer opens an object whatever the model wanted to say.
  testing::Reply obj = PostJson(c, "/v1/chat/completions",
                                R"({"messages": [{"role": "user", "content": "hi"}], "response_format": {"type": "json_object"}, "max_tokens": 8})");
  ASSERT_EQ(obj.status, 200) << obj.raw;
  EXPECT_EQ(obj.body["choices"][0]["message"]["content"].get<std::string>().substr(0, 1), "{");
  // Plain text, too.
  testing::Reply text = PostJson(c, "/v1/chat/completions", R"({"messages": [{"role": "user", "content": "hi"}], "max_tokens": 4})");
  ASSERT_EQ(text.status, 200) << text.raw;
  EXPECT_LE(text.body["usage"]["completion_tokens"].get<size_t>(), 4u);
}

TEST_F(ServerGenerateTest, BadRequestsGetJsonErrors) {
  httplib::Client c = server_->client();
  struct Case {
    const char* path;
    const char* body;
    const char* code;
  };
  const Case cases[] = {
      {"/v1/extract", R"({})", "missing_documents"},
      {"/v1/extract", R"({"documents": []})", "missing_documents"},
      {"/v1/extract", R"({"documents": [3]})", "invalid_request"},
      {"/v1/extract", R"({"documents": ["x"], "extra": 1})", "unknown_field"},
      {"/v1/extract", R"({"documents": ["x"], "schema": "no"})", "invalid_schema"},
      {"/v1/extract", R"({"documents": ["x"], "schema": {"type": "object", "properties": {"a": {"type": "string", "pattern": "x"}}}})",
       "invalid_schema"},
      {"/v1/extract", R"({"documents": ["x"], "max_tokens": 4})", "invalid_request"},
      {"/v1/extract", R"({"documents": ["x"], "merge": "llm"})", "invalid_request"},
      {"/v1/extract", R"({"documents": ["x"], "merge": true})", "invalid_request"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "hi"}], "stream": true})", "unsupported_stream"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "hi"}], "n": 2})", "unsupported_n"},
      {"/v1/chat/completions", R"({"messages": [{"role": "assistant", "content": "hi"}]})", "invalid_messages"},
      {"/v1/chat/completions", R"({"messages": [{"role": "wizard", "content": "hi"}]})", "invalid_role"},
      {"/v1/chat/completions", R"({"messages": []})", "missing_messages"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]})", "unsupported_content"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "hi"}], "response_format": {"type": "xml"}})",
       "invalid_response_format"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "hi"}],
        "response_format": {"type": "json_schema", "json_schema": {"schema": {"type": "object", "anyOf": []}}}})", "invalid_schema"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "hi"}], "max_tokens": 0})", "invalid_request"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "hi"}], "tools": [{}]})", "unsupported_tools"},
  };
  for (const Case& k : cases) {
    testing::Reply r = PostJson(c, k.path, k.body);
    EXPECT_EQ(r.status, 400) << k.path << " " << k.body << ": " << r.raw;
    ASSERT_TRUE(r.body.is_object() && r.body.contains("error")) << r.raw;
    EXPECT_EQ(r.body["error"]["code"], k.code) << k.body;
  }
  testing::Reply pattern = PostJson(c, "/v1/extract",
      R"({"documents": ["x"], "schema": {"type": "object", "properties": {"a": {"type": "string", "pattern": "x"}}}})");
  EXPECT_NE(pattern.body["error"]["message"].get<std::string>().find("pattern"), std::string::npos) << pattern.raw;
  testing::Reply models = GetJson(c, "/v1/models");
  ASSERT_EQ(models.status, 200);
  bool listed = false;
  for (const auto& m : models.body["data"]) listed |= m["kind"] == "generator";
  EXPECT_TRUE(listed) << models.raw;
}

// A body built in code (not by the server's parser) may hold invalid UTF-8 in a schema:
// the parsers answer invalid_schema instead of throwing from the JSON library.
TEST(GenerateRequests, ASchemaWithInvalidUtf8IsRefusedNotThrown) {
  nlohmann::json schema = {{"type", "object"}, {"properties", {{"a", {{"type", "string"}, {"description", "\xff"}}}}}};
  server::RequestLimits limits;
  server::ExtractRequest x;
  server::ApiError e = server::ParseExtractRequest({{"documents", {"text"}}, {"schema", schema}}, limits, &x);
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.code, "invalid_schema");
  server::ChatRequest c;
  e = server::ParseChatRequest({{"messages", {{{"role", "user"}, {"content", "hi"}}}},
                                {"response_format", {{"type", "json_schema"}, {"json_schema", {{"schema", schema}}}}}},
                               limits, &c);
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.code, "invalid_schema");
  // The same schema in valid UTF-8 is accepted, and so is "merge".
  schema["properties"]["a"]["description"] = "ok";
  e = server::ParseExtractRequest({{"documents", {"text"}}, {"schema", schema}, {"merge", "model"}}, limits, &x);
  EXPECT_TRUE(e.ok()) << e.message;
  EXPECT_TRUE(x.options.model_merge);
}

TEST(ServerWithoutGenerator, GenerationRoutesSayNoModelIsLoaded) {
  testing::TestServer server({}, /*with_models=*/false);
  httplib::Client c = server.client();
  for (const char* path : {"/v1/extract", "/v1/chat/completions"}) {
    testing::Reply r = PostJson(c, path, R"({"documents": ["x"], "messages": [{"role": "user", "content": "x"}]})");
    EXPECT_EQ(r.status, 404) << path << r.raw;
    EXPECT_EQ(r.body["error"]["code"], "model_not_loaded");
  }
}

}  // namespace
}  // namespace litrank

// The HTTP API against recorded requests of real clients (Cohere SDK, Jina's curl
// example, llama-server's own rerank test, TEI, vLLM, the OpenAI SDK), on the tiny
// synthetic models: shapes, ordering, equality with the library, and error bodies.
// The published npm clients themselves (cohere-ai v1/v2, openai) run against a server
// in tests/clients (ctest npm_clients).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <thread>

#include "litrank/embedder.h"
#include "litrank/reranker.h"
#include "server_fixture.h"

namespace litrank {
namespace {

using nlohmann::json;
using testing::PostJson;
using testing::TestServer;

TestServer& Shared() {
  static TestServer* s = [] {
    server::ServerConfig c;
    c.db_path = testing::TempDir() + "/server-papers.db";
    testing::MakeSampleCollection(c.db_path);
    c.data_dir = testing::TempDir() + "/collections";
    c.limits.max_documents = 50;
    c.limits.max_query_tokens = 300;
    return new TestServer(c);
  }();
  return *s;
}

void ExpectError(const testing::Reply& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.raw;
  ASSERT_TRUE(r.body.is_object() && r.body.contains("error")) << r.raw;
  EXPECT_EQ(r.body["error"]["code"], code) << r.raw;
  EXPECT_TRUE(r.body["error"]["message"].is_string() && !r.body["error"]["message"].get<std::string>().empty());
  EXPECT_TRUE(r.body["error"]["type"].is_string());
}

/// P(yes) of each document from the library itself, by index.
std::vector<double> LibraryScores(const std::string& q, const std::vector<std::string>& docs) {
  RerankerConfig c;
  c.threads = 2;
  auto r = Reranker::Open(testing::TinyModel("reranker"), c);
  EXPECT_TRUE(r.ok());
  RerankResult res;
  EXPECT_TRUE((*r)->Rerank(q, docs, {}, &res).ok());
  std::vector<double> s(docs.size());
  for (const auto& d : res.results) s[d.index] = d.score;
  return s;
}

void ExpectSortedJina(const json& results, const char* field = "relevance_score") {
  ASSERT_TRUE(results.is_array());
  for (size_t i = 1; i < results.size(); ++i) EXPECT_GE(results[i - 1][field].get<double>(), results[i][field].get<double>());
}

// Cohere Python SDK (co.rerank(model=..., query=..., documents=[...], top_n=3)).
TEST(ServerApi, CohereSdkRequest) {
  auto c = Shared().client();
  const std::string body = R"({"model":"rerank-english-v3.0","query":"What is the capital of the United States?",)"
      R"("documents":["Carson City is the capital city of the American state of Nevada.",)"
      R"("The Commonwealth of the Northern Mariana Islands is a group of islands in the Pacific Ocean. Its capital is Saipan.",)"
      R"("Washington, D.C. is the capital of the United States. It is a federal district.",)"
      R"("Capital punishment has existed in the United States since before the United States was a country."],"top_n":3})";
  auto r = PostJson(c, "/v1/rerank", body);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["model"], "rerank-english-v3.0");
  EXPECT_TRUE(r.body["id"].is_string());
  ASSERT_EQ(r.body["results"].size(), 3u);
  ExpectSortedJina(r.body["results"]);
  EXPECT_GT(r.body["usage"]["total_tokens"].get<int>(), 0);
  const auto docs = json::parse(body)["documents"].get<std::vector<std::string>>();
  const auto expected = LibraryScores(json::parse(body)["query"], docs);
  for (const auto& item : r.body["results"]) {
    EXPECT_NEAR(item["relevance_score"].get<double>(), expected[item["index"].get<size_t>()], 1e-3);
    EXPECT_FALSE(item.contains("document"));  // return_documents defaults to false
  }
}

// Cohere's current SDK (npm cohere-ai, CohereClientV2.rerank({model, query, documents, topN}))
// as it goes over the wire: POST /v2/rerank with these headers and body; the client
// reads results[].index / relevance_score and meta.api_version / billed_units.
TEST(ServerApi, CohereV2SdkRequest) {
  auto c = Shared().client();
  const httplib::Headers headers = {{"X-Fern-Language", "JavaScript"}, {"X-Fern-SDK-Name", "cohere-ai"},
                                    {"X-Client-Name", "cohere-ai-js"}, {"Accept", "application/json"}};
  const std::string body = R"({"model":"rerank-v3.5","query":"What is the capital of the United States?",)"
      R"("documents":["Carson City is the capital city of the American state of Nevada.",)"
      R"("The Commonwealth of the Northern Mariana Islands is a group of islands in the Pacific Ocean. Its capital is Saipan.",)"
      R"("Washington, D.C. (also known as simply Washington or D.C., and officially as the District of Columbia) is the capital of the United States. It is a federal district.",)"
      R"("Capitalization or capitalisation in English grammar is the use of a capital letter at the start of a word. English usage varies from capitalization in other languages.",)"
      R"("Capital punishment has existed in the United States since beforethe United States was a country. As of 2017, capital punishment is legal in 30 of the 50 states."],"top_n":3})";
  auto r = PostJson(c, "/v2/rerank", body, headers);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_TRUE(r.body["id"].is_string());
  EXPECT_EQ(r.body["meta"]["api_version"]["version"], "2");
  EXPECT_EQ(r.body["meta"]["billed_units"]["search_units"], 1);
  EXPECT_FALSE(r.body.contains("usage"));  // v1's fields are not v2's
  ASSERT_EQ(r.body["results"].size(), 3u);
  ExpectSortedJina(r.body["results"]);
  const auto docs = json::parse(body)["documents"].get<std::vector<std::string>>();
  const auto expected = LibraryScores(json::parse(body)["query"], docs);
  for (const auto& item : r.body["results"]) {
    EXPECT_EQ(item.size(), 2u) << item.dump();  // exactly {index, relevance_score}
    EXPECT_NEAR(item["relevance_score"].get<double>(), expected[item["index"].get<size_t>()], 1e-3);
  }
  // max_tokens_per_doc cuts each document exactly as it does on /v1/rerank.
  json cut = json::parse(body);
  cut["max_tokens_per_doc"] = 4;
  cut["top_n"] = 5;
  auto v2 = PostJson(c, "/v2/rerank", cut.dump());
  auto v1 = PostJson(c, "/v1/rerank", cut.dump());
  ASSERT_EQ(v2.status, 200) << v2.raw;
  ASSERT_EQ(v1.status, 200) << v1.raw;
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(v2.body["results"][i]["index"], v1.body["results"][i]["index"]);
    EXPECT_NEAR(v2.body["results"][i]["relevance_score"].get<double>(), v1.body["results"][i]["relevance_score"].get<double>(), 1e-6);
  }
  json whole = json::parse(body);
  whole["top_n"] = 5;
  auto uncut = PostJson(c, "/v2/rerank", whole.dump());
  ASSERT_EQ(uncut.status, 200) << uncut.raw;
  std::map<size_t, double> cut_scores;
  for (const auto& item : v2.body["results"]) cut_scores[item["index"]] = item["relevance_score"];
  bool any_differs = false;
  for (const auto& item : uncut.body["results"]) {
    any_differs |= std::fabs(cut_scores[item["index"]] - item["relevance_score"].get<double>()) > 1e-6;
  }
  EXPECT_TRUE(any_differs) << "max_tokens_per_doc 4 changed no score";
  // v2 asks for a model and plain string documents.
  json no_model = json::parse(body);
  no_model.erase("model");
  ExpectError(PostJson(c, "/v2/rerank", no_model.dump()), 400, "missing_field");
  json objects = json::parse(body);
  objects["documents"][0] = {{"text", "an object"}};
  ExpectError(PostJson(c, "/v2/rerank", objects.dump()), 400, "invalid_request");
  ExpectError(PostJson(c, "/v2/rerank", R"({"model":"m","query":"q","documents":[]})"), 400, "missing_field");
}

// Jina's API example: documents as strings, return_documents; Cohere v1 objects with "text".
TEST(ServerApi, JinaExampleAndObjectDocuments) {
  auto c = Shared().client();
  auto r = PostJson(c, "/v1/rerank", R"({"model":"jina-reranker-v2-base-multilingual","query":"Organic skincare products for sensitive skin","top_n":2,)"
      R"("documents":["Organic skincare for sensitive skin with aloe vera and chamomile.",{"text":"New makeup trends focus on bold colors."},)"
      R"("Bio-Hautpflege für empfindliche Haut mit Aloe Vera und Kamille."],"return_documents":true})");
  ASSERT_EQ(r.status, 200) << r.raw;
  ASSERT_EQ(r.body["results"].size(), 2u);
  for (const auto& item : r.body["results"]) {
    ASSERT_TRUE(item["document"]["text"].is_string());
    EXPECT_FALSE(item["truncated"].get<bool>());
  }
  EXPECT_EQ(r.body["results"][0]["document"]["text"].get<std::string>().empty(), false);
}

// llama.cpp's own server test sends this to /v1/rerank and /rerank and reads index + relevance_score.
TEST(ServerApi, LlamaServerClientWorksUnchanged) {
  auto c = Shared().client();
  for (const char* path : {"/v1/rerank", "/rerank", "/v1/reranking"}) {
    auto r = PostJson(c, path, R"({"query":"Machine learning is","documents":["A machine is a physical system that uses power to apply forces and control movement to perform an action.",)"
        R"("Learning is the process of acquiring new understanding, knowledge, behaviors, skills, values, attitudes, and preferences.",)"
        R"("Machine learning is a field of study in artificial intelligence concerned with the development of statistical algorithms.",)"
        R"("Paris, capitale de la France, est une grande ville européenne."]})");
    ASSERT_EQ(r.status, 200) << path << " " << r.raw;
    ASSERT_EQ(r.body["results"].size(), 4u);
    std::vector<bool> seen(4, false);
    for (const auto& item : r.body["results"]) seen[item["index"].get<size_t>()] = true;
    EXPECT_EQ(seen, std::vector<bool>(4, true));
    ExpectSortedJina(r.body["results"]);
  }
}

// TEI: {"query", "texts"} → a bare array of {index, score[, text]}; raw_scores gives the logit.
TEST(ServerApi, TeiShape) {
  auto c = Shared().client();
  auto prob = PostJson(c, "/rerank", R"({"query":"What is Deep Learning?","texts":["Deep Learning is not...","Deep learning is..."]})");
  ASSERT_EQ(prob.status, 200) << prob.raw;
  ASSERT_TRUE(prob.body.is_array());
  ASSERT_EQ(prob.body.size(), 2u);
  ExpectSortedJina(prob.body, "score");
  EXPECT_FALSE(prob.body[0].contains("text"));
  auto raw = PostJson(c, "/rerank", R"({"query":"What is Deep Learning?","texts":["Deep Learning is not...","Deep learning is..."],"raw_scores":true,"return_text":true})");
  ASSERT_EQ(raw.status, 200);
  for (const auto& item : raw.body) {
    const double logit = item["score"];
    const auto match = std::find_if(prob.body.begin(), prob.body.end(), [&](const json& p) { return p["index"] == item["index"]; });
    EXPECT_NEAR(1.0 / (1.0 + std::exp(-logit)), (*match)["score"].get<double>(), 1e-9);
    EXPECT_TRUE(item["text"].is_string());
  }
}

// vLLM's score API: one text_1 against a list, or two lists pairwise.
TEST(ServerApi, VllmScore) {
  auto c = Shared().client();
  auto one = PostJson(c, "/v1/score", R"({"model":"BAAI/bge-reranker-v2-m3","text_1":"What is the capital of France?",)"
      R"("text_2":["The capital of Brazil is Brasilia.","The capital of France is Paris."]})");
  ASSERT_EQ(one.status, 200) << one.raw;
  ASSERT_EQ(one.body["data"].size(), 2u);
  const auto expected = LibraryScores("What is the capital of France?", {"The capital of Brazil is Brasilia.", "The capital of France is Paris."});
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(one.body["data"][i]["index"], i);  // input order, not score order
    EXPECT_EQ(one.body["data"][i]["object"], "score");
    EXPECT_NEAR(one.body["data"][i]["score"].get<double>(), expected[i], 1e-3);
  }
  auto pairs = PostJson(c, "/score", R"({"text_1":["What is the capital of France?","q2"],"text_2":["The capital of France is Paris.","d2"]})");
  ASSERT_EQ(pairs.status, 200) << pairs.raw;
  EXPECT_NEAR(pairs.body["data"][0]["score"].get<double>(), expected[1], 1e-3);
  ExpectError(PostJson(c, "/v1/score", R"({"text_1":["a","b"],"text_2":["x","y","z"]})"), 400, "invalid_request");
}

std::vector<float> DecodeBase64Floats(const std::string& b64) {
  std::string bytes;
  int val = 0, bits = -8;
  for (char ch : b64) {
    const char* p = std::strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", ch);
    if (ch == '=' || !p) break;
    val = (val << 6) + static_cast<int>(p - "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    bits += 6;
    if (bits >= 0) bytes.push_back(static_cast<char>((val >> bits) & 0xFF)), bits -= 8;
  }
  std::vector<float> v(bytes.size() / 4);
  std::memcpy(v.data(), bytes.data(), v.size() * 4);
  return v;
}

// The OpenAI Python SDK asks for base64 by default; LangChain and others for floats.
TEST(ServerApi, OpenAiEmbeddingsFloatBase64TokensAndDimensions) {
  auto c = Shared().client();
  auto f = PostJson(c, "/v1/embeddings", R"({"input":["The food was delicious and the waiter...","second"],"model":"text-embedding-3-small","encoding_format":"float"})");
  ASSERT_EQ(f.status, 200) << f.raw;
  ASSERT_EQ(f.body["data"].size(), 2u);
  EXPECT_EQ(f.body["object"], "list");
  EXPECT_GT(f.body["usage"]["prompt_tokens"].get<int>(), 0);
  const auto v0 = f.body["data"][0]["embedding"].get<std::vector<float>>();
  double norm = 0;
  for (float x : v0) norm += x * x;
  EXPECT_NEAR(norm, 1.0, 1e-4);
  auto b = PostJson(c, "/v1/embeddings", R"({"input":"The food was delicious and the waiter...","model":"text-embedding-3-small","encoding_format":"base64"})");
  ASSERT_EQ(b.status, 200) << b.raw;
  const auto decoded = DecodeBase64Floats(b.body["data"][0]["embedding"].get<std::string>());
  ASSERT_EQ(decoded.size(), v0.size());
  for (size_t i = 0; i < v0.size(); ++i) EXPECT_NEAR(decoded[i], v0[i], 1e-5);  // other batch, same vector
  auto d = PostJson(c, "/v1/embeddings", R"({"input":"The food was delicious and the waiter...","dimensions":32})");
  ASSERT_EQ(d.status, 200) << d.raw;
  EXPECT_EQ(d.body["data"][0]["embedding"].size(), 32u);
  // Token ids, as llama-server accepts them: the same vector as the text's own tokens.
  auto e = Embedder::Open(testing::TinyModel("embedding"));
  ASSERT_TRUE(e.ok());
  const json tokens = (*e)->Tokens("The food was delicious and the waiter...", false, "");
  auto t = PostJson(c, "/v1/embeddings", json({{"input", json::array({tokens})}}).dump());
  ASSERT_EQ(t.status, 200) << t.raw;
  const auto vt = t.body["data"][0]["embedding"].get<std::vector<float>>();
  for (size_t i = 0; i < v0.size(); ++i) EXPECT_NEAR(vt[i], v0[i], 1e-4);
  ExpectError(PostJson(c, "/v1/embeddings", R"({"input":[[1,2,99999999]]})"), 400, "invalid_request");
  ExpectError(PostJson(c, "/v1/embeddings", R"({"input":"x","dimensions":5})"), 400, "invalid_request");
  ExpectError(PostJson(c, "/v1/embeddings", R"({"input":"x","encoding_format":"int8"})"), 400, "invalid_request");
}

TEST(ServerApi, ModelsHealthAndMetrics) {
  auto c = Shared().client();
  auto m = testing::GetJson(c, "/v1/models");
  ASSERT_EQ(m.status, 200);
  ASSERT_EQ(m.body["data"].size(), 2u);
  EXPECT_EQ(m.body["data"][0]["kind"], "reranker");
  auto h = testing::GetJson(c, "/health");
  EXPECT_EQ(h.body["status"], "ok");
  (void)PostJson(c, "/v1/rerank", R"({"query":"metrics","documents":["a","b"]})");
  auto res = c.Get("/metrics");
  ASSERT_TRUE(res && res->status == 200);
  for (const char* name : {"litrank_http_requests_total{route=\"/v1/rerank\",status=\"200\"}", "litrank_rerank_queue_pairs",
                           "litrank_rerank_batch_pairs_bucket{le=\"+Inf\"}", "litrank_rerank_tokens_per_second",
                           "litrank_rerank_cache_hit_ratio", "litrank_model_load_seconds{model=\"reranker\"}"}) {
    EXPECT_NE(res->body.find(name), std::string::npos) << name;
  }
}

TEST(ServerApi, ErrorsHaveTheRightStatusAndJsonBody) {
  auto c = Shared().client();
  ExpectError(PostJson(c, "/v1/rerank", "{not json"), 400, "invalid_json");
  ExpectError(PostJson(c, "/v1/rerank", R"(["a list"])"), 400, "invalid_request");
  ExpectError(PostJson(c, "/v1/rerank", R"({"documents":["a"]})"), 400, "missing_field");
  ExpectError(PostJson(c, "/v1/rerank", R"({"query":"  ","documents":["a"]})"), 400, "missing_field");
  ExpectError(PostJson(c, "/v1/rerank", R"({"query":"q","documents":[]})"), 400, "missing_field");
  ExpectError(PostJson(c, "/v1/rerank", R"({"query":"q","documents":[3]})"), 400, "invalid_request");
  ExpectError(PostJson(c, "/v1/rerank", R"({"query":"q","documents":["a"],"top_n":-1})"), 400, "invalid_request");
  ExpectError(PostJson(c, "/v1/rerank", R"({"query":"q","documents":["a"],"top_n":"3"})"), 400, "invalid_request");
  ExpectError(PostJson(c, "/v1/rerank", "{\"query\":\"\xff\",\"documents\":[\"a\"]}"), 400, "invalid_json");
  json many = {{"query", "q"}, {"documents", std::vector<std::string>(51, "doc")}};
  ExpectError(PostJson(c, "/v1/rerank", many.dump()), 413, "too_many_documents");
  json long_query = {{"query", std::string(4000, 'a') + " long"}, {"documents", {"d"}}};
  ExpectError(PostJson(c, "/v1/rerank", long_query.dump()), 422, "too_many_tokens");
  ExpectError(testing::GetJson(c, "/v2/nothing"), 404, "not_found");
  ExpectError(PostJson(c, "/v1/collections/missing/search", R"({"query":"q"})"), 404, "not_found");
  ExpectError(PostJson(c, "/v1/collections/bad%20name/search", R"({"query":"q"})"), 400, "invalid_request");
}

TEST(ServerApi, CollectionsSearchUploadAndLookup) {
  auto c = Shared().client();
  auto s = PostJson(c, "/v1/collections/default/search",
                    R"({"query":"reranking scientific abstracts","top_k":5,"explain":true,"year_from":2000})");
  ASSERT_EQ(s.status, 200) << s.raw;
  ASSERT_EQ(s.body["results"].size(), 5u);
  EXPECT_EQ(s.body["stages"].back(), "rerank");
  for (const auto& hit : s.body["results"]) {
    EXPECT_TRUE(hit["explain"].contains("rerank")) << hit.dump();
    EXPECT_TRUE(hit["abstract"].is_string());
  }
  const int64_t rowid = s.body["results"][0]["rowid"];
  auto doc = testing::GetJson(c, "/v1/collections/default/documents/" + std::to_string(rowid));
  ASSERT_EQ(doc.status, 200) << doc.raw;
  EXPECT_EQ(doc.body["title"], s.body["results"][0]["title"]);
  ExpectError(testing::GetJson(c, "/v1/collections/default/documents/999999"), 404, "not_found");
  ExpectError(testing::GetJson(c, "/v1/collections/default/documents/abc"), 400, "invalid_request");

  // A RIS file uploaded as multipart creates a new collection; re-uploading changes nothing.
  const std::string ris = "TY  - JOUR\nTI  - Sodium-ion cathodes for grid storage\nAB  - Layered oxides cycle well.\nPY  - 2022\nER  - \n"
                          "TY  - JOUR\nTI  - Perovskite solar cell stability\nAB  - Encapsulation slows moisture ingress.\nPY  - 2021\nER  - \n";
  httplib::MultipartFormDataItems items = {{"file", ris, "export.ris", "application/x-research-info-systems"}};
  auto up = c.Post("/v1/collections/energy/documents", items);
  ASSERT_TRUE(up);
  ASSERT_EQ(up->status, 201) << up->body;
  auto report = json::parse(up->body);
  EXPECT_EQ(report["added"], 2);
  EXPECT_EQ(report["embedded"], 2);
  auto again = c.Post("/v1/collections/energy/documents", items);
  ASSERT_EQ(again->status, 200);
  EXPECT_EQ(json::parse(again->body)["unchanged"], 2);
  // JSON records; one bad record is reported, the others kept.
  auto js = PostJson(c, "/v1/collections/energy/documents",
                     R"({"documents":[{"title":"Solid electrolytes","abstract":"Garnet LLZO.","year":2020,"keywords":["battery"]},{"year":1999},"x"]})");
  ASSERT_EQ(js.status, 201) << js.raw;
  EXPECT_EQ(js.body["added"], 1);
  EXPECT_EQ(js.body["skipped"], 2);
  auto found = PostJson(c, "/v1/collections/energy/search", R"({"query":"sodium cathode","top_k":1,"rerank":false})");
  ASSERT_EQ(found.status, 200) << found.raw;
  EXPECT_EQ(found.body["results"][0]["title"], "Sodium-ion cathodes for grid storage");
  // A long record is searched by passage: the result shows the passage that matched.
  std::string body_text;
  for (int i = 0; i < 600; ++i) body_text += "filler" + std::to_string(i) + " ";
  body_text += "the sodium dendrite passage";
  const json long_doc = {{"documents", {{{"title", "A long report"}, {"abstract", body_text}, {"year", 2023}}}}};
  ASSERT_EQ(PostJson(c, "/v1/collections/energy/documents", long_doc.dump()).status, 201);
  auto by_passage = PostJson(c, "/v1/collections/energy/search", R"({"query":"dendrite","rerank":false,"explain":true})");
  ASSERT_EQ(by_passage.status, 200) << by_passage.raw;
  const json& top = by_passage.body["results"][0];
  EXPECT_EQ(top["title"], "A long report");
  EXPECT_NE(top["passage"]["text"].get<std::string>().find("sodium dendrite"), std::string::npos) << top.dump();
  EXPECT_TRUE(top["explain"].contains("passage")) << top.dump();
  ExpectError(PostJson(c, "/v1/collections/energy/search", R"({"query":"dendrite","passages":"best"})"), 400,
              "invalid_request");
  auto list = testing::GetJson(c, "/v1/collections");
  EXPECT_NE(list.raw.find("\"energy\""), std::string::npos);
  // A bad upload creates nothing; binary files are refused; collections can be deleted.
  httplib::MultipartFormDataItems wrong = {{"records", ris, "export.ris", "text/plain"}};
  auto bad = c.Post("/v1/collections/never/documents", wrong);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(testing::GetJson(c, "/v1/collections").raw.find("\"never\""), std::string::npos);
  httplib::MultipartFormDataItems binary = {{"file", std::string("garbage\0\x01", 9), "g.bin", "application/octet-stream"}};
  ExpectError({c.Post("/v1/collections/never/documents", binary)->status,
               json::parse(c.Post("/v1/collections/never/documents", binary)->body), ""}, 400, "unsupported_input");
  // Not RIS at all, or nothing usable: a 400, and still no collection.
  httplib::MultipartFormDataItems junk = {{"file", "TY  - JOUR\nER  - \n", "empty.ris", "text/plain"}};
  auto none = c.Post("/v1/collections/never/documents", junk);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 400) << none->body;
  EXPECT_EQ(json::parse(none->body)["error"]["code"], "no_records");
  EXPECT_EQ(testing::GetJson(c, "/v1/collections").raw.find("\"never\""), std::string::npos);
  // curl -d sends form encoding: a body that is JSON is still read as JSON records.
  auto form = c.Post("/v1/collections/energy/documents", R"({"documents":[{"title":"Thermal runaway","abstract":"Cells vent."}]})",
                     "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 201) << form->body;
  auto del = c.Delete("/v1/collections/energy");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 200) << del->body;
  ExpectError(PostJson(c, "/v1/collections/energy/search", R"({"query":"sodium"})"), 404, "not_found");
  ExpectError(testing::Reply{c.Delete("/v1/collections/default")->status, json::parse(c.Delete("/v1/collections/default")->body), ""},
              400, "invalid_request");
  ExpectError(testing::Reply{c.Delete("/v1/collections/energy")->status, json::parse(c.Delete("/v1/collections/energy")->body), ""},
              404, "not_found");
}

// Concurrent HTTP requests share decode rounds; each gets the scores it would get alone.
TEST(ServerApi, ConcurrentRequestsScoreLikeTheLibraryAlone) {
  constexpr size_t kClients = 6;
  std::vector<std::vector<std::string>> docs(kClients);
  std::vector<json> replies(kClients);
  for (size_t i = 0; i < kClients; ++i) {
    for (size_t j = 0; j < 12; ++j) docs[i].push_back("client " + std::to_string(i) + " abstract " + std::to_string(j) + " on sodium-ion cathodes");
  }
  std::vector<std::thread> threads;
  for (size_t i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      auto c = Shared().client();
      replies[i] = PostJson(c, "/v1/rerank", json({{"query", "query of client " + std::to_string(i)}, {"documents", docs[i]}}).dump()).body;
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < kClients; ++i) {
    ASSERT_TRUE(replies[i].contains("results")) << replies[i].dump();
    const auto expected = LibraryScores("query of client " + std::to_string(i), docs[i]);
    for (const auto& item : replies[i]["results"]) {
      EXPECT_NEAR(item["relevance_score"].get<double>(), expected[item["index"].get<size_t>()], 1e-3) << "client " << i;
    }
  }
}

}  // namespace
}  // namespace litrank

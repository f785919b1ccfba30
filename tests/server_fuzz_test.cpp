// Seeded random fuzzing of every route's request parsing: random JSON values and
// mutations of valid bodies never crash, never throw, and are answered 200 or 4xx —
// first against the parse functions directly (many cases), then against a live
// server (fewer, slower cases). The seed is printed so a failure can be replayed.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include <iterator>
#include <random>

#include "server/api_requests.h"
#include "server/generate_requests.h"
#include "server_fixture.h"

namespace litrank {
namespace {

using nlohmann::json;

class Fuzzer {
 public:
  explicit Fuzzer(uint64_t seed) : rng_(seed) {}

  /// A random JSON value, biased towards the fields the routes read.
  json Value(int depth = 0) {
    switch (Pick(depth > 3 ? 6 : 9)) {
      case 0: return nullptr;
      case 1: return Pick(2) == 1;
      case 2: return static_cast<int64_t>(rng_()) >> Pick(64);
      case 3: return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
      case 4: return Text();
      case 5: return Pick(2) ? json(-1) : json(uint64_t{18446744073709551615ull});
      case 6: case 7: {
        json a = json::array();
        for (int n = Pick(6); n > 0; --n) a.push_back(Value(depth + 1));
        return a;
      }
      default: {
        json o = json::object();
        for (int n = Pick(6); n > 0; --n) o[Key()] = Value(depth + 1);
        return o;
      }
    }
  }
  /// A valid body of one route with a few fields replaced, dropped or retyped.
  json Mutate(json body) {
    for (int n = 1 + Pick(3); n > 0; --n) {
      const std::string k = Key();
      switch (Pick(3)) {
        case 0: body.erase(k); break;
        case 1: body[k] = Value(1); break;
        default: body[k] = Text(); break;
      }
    }
    return body;
  }
  /// A random byte string: JSON-ish garbage, sometimes invalid UTF-8.
  std::string Bytes() {
    static const char* kPieces[] = {"{", "}", "[", "]", "\"", ":", ",", "query", "documents", "null", "1e999", "\\u0000", "\xff", "\xc3", " "};
    std::string s;
    for (int n = Pick(40); n > 0; --n) s += kPieces[Pick(15)];
    return s;
  }
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

 private:
  std::string Key() {
    static const char* kKeys[] = {"query", "documents", "texts", "top_n", "return_documents", "input", "dimensions",
                                  "encoding_format", "text_1", "text_2", "instruction", "max_tokens_per_doc", "raw_scores",
                                  "truncate", "top_k", "explain", "year_from", "keywords", "bm25", "dense", "rerank",
                                  "title", "abstract", "year", "model", "input_type", "truncation_direction", "x",
                                  "schema", "language", "max_tokens", "merge", "messages", "response_format", "n"};
    return kKeys[Pick(35)];
  }
  std::string Text() {
    static const char* kTexts[] = {"", " ", "q", "lithium", "<|im_end|>", "中文检索", "\xff\xfe", "Right", "base64", "float", "query",
                                   "model", "rule", "user", "json_schema"};
    return kTexts[Pick(15)];
  }
  std::mt19937_64 rng_;
};

const json kValidBodies[] = {
    json::parse(R"({"query":"q","documents":["a",{"text":"b"}],"top_n":1,"return_documents":true})"),
    json::parse(R"({"query":"q","texts":["a","b"],"raw_scores":true,"return_text":true})"),
    json::parse(R"({"model":"rerank-v3.5","query":"q","documents":["a","b"],"top_n":1,"max_tokens_per_doc":16})"),
    json::parse(R"({"text_1":"q","text_2":["a","b"]})"),
    json::parse(R"({"input":["a","b"],"dimensions":32,"encoding_format":"base64"})"),
    json::parse(R"({"query":"battery","top_k":3,"explain":true,"year_from":2000,"keywords":["x"]})"),
    json::parse(R"({"documents":[{"title":"t","abstract":"a","year":2020}]})"),
    json::parse(R"({"documents":["a",{"id":"b","text":"t"}],"schema":{"type":"object","properties":{"a":{"type":"string"}}},
                    "language":"zh","max_tokens":64,"merge":"model"})"),
    json::parse(R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":16,
                    "response_format":{"type":"json_schema","json_schema":{"schema":{"type":"object","properties":{"b":{"type":"boolean"}}}}}})"),
};

/// The seed of a fuzz run: $LITRANK_FUZZ_SEED if set; a fixed one when $CI is set
/// (reproducible CI runs); else a random one. Printed either way, so any failure
/// can be replayed with LITRANK_FUZZ_SEED.
uint64_t FuzzSeed(uint64_t ci_seed) {
  uint64_t seed = 0;
  if (const char* forced = std::getenv("LITRANK_FUZZ_SEED"); forced != nullptr && *forced != '\0') {
    seed = std::strtoull(forced, nullptr, 10);
  } else if (const char* ci = std::getenv("CI"); ci != nullptr && *ci != '\0') {
    seed = ci_seed;
  } else {
    seed = std::random_device{}();
  }
  std::printf("fuzz seed %llu (replay: LITRANK_FUZZ_SEED=%llu)\n", static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(seed));
  return seed;
}

/// Runs every parser on `body`; each must return OK or a 4xx, and never throw.
void ParseAll(const json& body, uint64_t seed) {
  server::RequestLimits limits;
  server::RerankRequest rr;
  server::ScoreRequest sr;
  server::EmbeddingsRequest er;
  server::SearchRequest qr;
  std::vector<Document> docs;
  std::vector<std::string> skipped;
  server::ExtractRequest xr;
  server::ChatRequest cr;
  for (const server::ApiError& e : {server::ParseRerankRequest(body, limits, &rr),
                                    server::ParseCohereV2RerankRequest(body, limits, &rr), server::ParseScoreRequest(body, limits, &sr),
                                    server::ParseEmbeddingsRequest(body, limits, &er), server::ParseSearchRequest(body, limits, &qr),
                                    server::ParseDocumentsRequest(body, limits, &docs, &skipped),
                                    server::ParseExtractRequest(body, limits, &xr), server::ParseChatRequest(body, limits, &cr)}) {
    ASSERT_TRUE(e.ok() || (e.status >= 400 && e.status < 500)) << "seed " << seed << " body " << body.dump() << " -> " << e.status;
    if (!e.ok()) {
      ASSERT_FALSE(e.message.empty());
    }
  }
}

TEST(ServerFuzz, ParsersNeverThrowAndAnswer4xx) {
  const uint64_t seed = FuzzSeed(20261201);
  SCOPED_TRACE("seed " + std::to_string(seed));
  Fuzzer f(seed);
  for (int i = 0; i < 20000; ++i) {
    const json body = i % 2 ? f.Value() : f.Mutate(kValidBodies[f.Pick(static_cast<int>(std::size(kValidBodies)))]);
    ASSERT_NO_THROW(ParseAll(body, seed));
    json parsed;
    ASSERT_NO_THROW((void)server::ParseJsonBody(f.Bytes(), &parsed));
  }
}

TEST(ServerFuzz, LiveRoutesAnswer200Or4xx) {
  static const char* kRoutes[] = {"/v1/rerank", "/rerank", "/v2/rerank", "/v1/score", "/v1/embeddings",
                                  "/v1/collections/default/search", "/v1/collections/fuzz/documents"};
  // The first bodies are these routes', in order; the generation routes' two come last
  // (no generator is loaded here, so those routes answer 404 before parsing: their
  // parsers are fuzzed by ParsersNeverThrowAndAnswer4xx alone).
  static_assert(std::size(kRoutes) + 2 == std::size(kValidBodies), "one valid body per route");
  server::ServerConfig c;
  c.db_path = testing::TempDir() + "/fuzz-papers.db";
  testing::MakeSampleCollection(c.db_path);
  c.data_dir = testing::TempDir() + "/fuzz-collections";
  testing::TestServer srv(c);
  auto cli = srv.client();
  const uint64_t seed = FuzzSeed(20261202);
  SCOPED_TRACE("seed " + std::to_string(seed));
  Fuzzer f(seed);
  for (int i = 0; i < 300; ++i) {
    const int route = f.Pick(static_cast<int>(std::size(kRoutes)));
    const std::string body = i % 5 == 0 ? f.Bytes()
        : (i % 2 ? f.Value() : f.Mutate(kValidBodies[route])).dump(-1, ' ', false, json::error_handler_t::replace);
    auto res = cli.Post(kRoutes[route], body, "application/json");
    ASSERT_TRUE(res) << "no answer; seed " << seed << " route " << kRoutes[route] << " body " << body;
    ASSERT_LT(res->status, 500) << "seed " << seed << " route " << kRoutes[route] << " body " << body << " -> " << res->body;
    if (res->status >= 400) {
      const json err = json::parse(res->body, nullptr, false);
      ASSERT_TRUE(err.contains("error")) << res->body;
    }
  }
}

}  // namespace
}  // namespace litrank

// The HTTP API's request parsers (server/api_requests): the body is parsed as
// JSON the way the server does, then handed to every route's parser. None may
// throw or crash, and an accepted request must respect the limits.
#include "fuzz_util.h"
#include "server/api_requests.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace litrank;
  using namespace litrank::server;
  const std::string body(fuzz::AsText(data, size));
  (void)IsValidCollectionName(body);
  nlohmann::json json;
  if (!ParseJsonBody(body, &json).ok()) return 0;
  RequestLimits limits;
  limits.max_documents = 64;
  limits.max_inputs = 64;
  limits.max_top_k = 100;

  RerankRequest rerank;
  if (ParseRerankRequest(json, limits, &rerank).ok()) {
    fuzz::Check(rerank.documents.size() <= limits.max_documents, "rerank: too many documents accepted");
    fuzz::Check(IsValidUtf8(rerank.query) && IsValidUtf8(rerank.instruction), "rerank: invalid UTF-8 accepted");
    for (const std::string& d : rerank.documents) fuzz::Check(IsValidUtf8(d), "rerank: invalid UTF-8 document");
  }
  ScoreRequest score;
  if (ParseScoreRequest(json, limits, &score).ok()) {
    fuzz::Check(score.queries.size() == score.documents.size(), "score: unpaired texts");
    fuzz::Check(score.documents.size() <= limits.max_documents, "score: too many pairs accepted");
  }
  EmbeddingsRequest embeddings;
  if (ParseEmbeddingsRequest(json, limits, &embeddings).ok()) {
    fuzz::Check(embeddings.texts.size() + embeddings.tokens.size() <= limits.max_inputs,
                "embeddings: too many inputs accepted");
  }
  SearchRequest search;
  if (ParseSearchRequest(json, limits, &search).ok()) {
    fuzz::Check(IsValidUtf8(search.query), "search: invalid UTF-8 query accepted");
  }
  std::vector<Document> docs;
  std::vector<std::string> skipped;
  if (ParseDocumentsRequest(json, limits, &docs, &skipped).ok()) {
    fuzz::Check(docs.size() <= limits.max_documents, "documents: too many records accepted");
  }
  return 0;
}

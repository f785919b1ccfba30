#include "search/search_json.h"

namespace litrank {

nlohmann::json StageTraceJson(const StageTrace& t) {
  nlohmann::json j = nlohmann::json::object();
  if (t.bm25_rank) j["bm25"] = {{"rank", *t.bm25_rank}, {"score", t.bm25_score}};
  if (t.dense_rank) {
    j["dense"] = {{"rank", *t.dense_rank}, {"score", t.dense_score}};
    if (t.dense_passage >= 0) j["dense"]["passage"] = t.dense_passage;
  }
  if (t.fused_rank) j["fused"] = {{"rank", *t.fused_rank}, {"score", t.fused_score}};
  if (t.rerank_rank) {
    j["rerank"] = {{"rank", *t.rerank_rank}, {"score", t.rerank_score}, {"cached", t.rerank_cached},
                   {"truncated", t.truncated}};
    if (t.passages_reranked > 0) j["rerank"]["passages"] = t.passages_reranked;
  }
  if (t.passage >= 0) {
    j["passage"] = {{"index", t.passage}, {"begin_byte", t.passage_begin}, {"end_byte", t.passage_end}};
  }
  return j;
}

nlohmann::json SearchHitJson(const SearchHit& h, size_t rank, bool explain, bool with_text) {
  const Document& d = h.document.doc;
  nlohmann::json j = {{"rank", rank}, {"rowid", h.document.rowid}, {"id", d.id}, {"score", h.score},
                      {"title", d.title}, {"year", d.year}, {"doi", d.doi}, {"language", d.language},
                      {"truncated", h.trace.truncated}};
  if (with_text) {
    j["abstract"] = d.abstract;
    j["authors"] = d.authors;
    j["venue"] = d.venue;
    j["keywords"] = d.keywords;
  }
  if (h.trace.passage >= 0) j["passage"] = {{"index", h.trace.passage}, {"text", h.passage}};
  if (explain) j["explain"] = StageTraceJson(h.trace);
  return j;
}

nlohmann::json StoredDocumentJson(const StoredDocument& s) {
  const Document& d = s.doc;
  nlohmann::json extra = nlohmann::json::parse(d.extra_json, nullptr, false);
  if (extra.is_discarded()) extra = nlohmann::json::object();
  nlohmann::json j = {{"rowid", s.rowid}, {"id", d.id}, {"title", d.title}, {"abstract", d.abstract},
                      {"year", d.year}, {"authors", d.authors}, {"venue", d.venue}, {"doi", d.doi},
                      {"keywords", d.keywords}, {"language", d.language}, {"source", d.source},
                      {"url", d.url}, {"extra", extra}};
  j["citations"] = d.citations ? nlohmann::json(*d.citations) : nlohmann::json(nullptr);
  return j;
}

}  // namespace litrank

// The JSON form of search results, shared by `litrank search --format json` and the
// server's collection search, so both speak the same shape.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>

#include "litrank/search.h"

namespace litrank {

/// {bm25:{rank,score}, dense:{…}, fused:{…}, rerank:{rank,score,cached,truncated}}: the stages that saw the hit.
nlohmann::json StageTraceJson(const StageTrace& trace);

/// {rank, rowid, id, score, title, year, doi, language, truncated[, abstract, authors,
/// venue, keywords][, explain]} for the hit at 1-based `rank`.
nlohmann::json SearchHitJson(const SearchHit& hit, size_t rank, bool explain, bool with_text = false);

/// Every field of a stored document (GET …/documents/{id}).
nlohmann::json StoredDocumentJson(const StoredDocument& doc);

}  // namespace litrank

// Synthetic corpora for the search benchmark: abstract-sized documents whose
// words follow a Zipf law over a pseudo-word vocabulary, and queries drawn from
// them, so index sizes and posting-list lengths look like real text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "litrank/document.h"

namespace litrank::bench {

/// `n` documents (title ~10 words, abstract ~`words` words), reproducible from `seed`.
std::vector<Document> SyntheticDocuments(size_t n, size_t words, uint64_t seed);

/// `n` queries of 3..8 words, each taken from one of `docs` (so most have answers).
std::vector<std::string> SyntheticQueries(const std::vector<Document>& docs, size_t n, uint64_t seed);

}  // namespace litrank::bench

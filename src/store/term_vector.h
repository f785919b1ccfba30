// The lexical term vector of one document, as stored in the corpus file:
// (term id, frequency) pairs sorted by id, delta- and varint-encoded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace litrank {

/// (term id, term frequency in the document)
using TermCount = std::pair<uint32_t, uint32_t>;

/// Encodes `counts` (any order; ids must be distinct) into a compact byte string.
std::string EncodeTermVector(std::vector<TermCount> counts);

/// Decodes what EncodeTermVector wrote. Returns false on malformed input
/// (truncated varint, overflow), leaving *counts with what was decoded.
bool DecodeTermVector(std::string_view bytes, std::vector<TermCount>* counts);

}  // namespace litrank

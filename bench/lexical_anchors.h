// Independent BM25 engines the search benchmark compares against on the same
// documents and queries: Xapian (BM25Weight, English stemmer) and SQLite FTS5's
// built-in bm25() over its porter/unicode61 tokenizer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "litrank/status.h"

namespace litrank::bench {

/// A lexical engine under test: index (id, text) pairs, then answer queries.
class LexicalAnchor {
 public:
  virtual ~LexicalAnchor() = default;
  /// Adds documents; `ids` are returned by Search.
  virtual Status Add(const std::vector<int64_t>& ids, const std::vector<std::string>& texts) = 0;
  /// Makes everything added searchable (commit).
  virtual Status Finish() = 0;
  /// The best `n` ids for a free-text query (terms OR-ed), best first.
  virtual Status Search(const std::string& query, size_t n, std::vector<int64_t>* ids) = 0;
  /// Bytes on disk.
  virtual uint64_t bytes() const = 0;
};

/// Xapian on-disk database in `dir`, BM25Weight(k1, 0, 1, b, 0.5), English stemming.
StatusOr<std::unique_ptr<LexicalAnchor>> NewXapianAnchor(const std::string& dir, double k1, double b);
/// SQLite FTS5 table in `path` with tokenize='porter unicode61', ranked by bm25().
StatusOr<std::unique_ptr<LexicalAnchor>> NewFts5Anchor(const std::string& path);

}  // namespace litrank::bench

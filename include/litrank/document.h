// litrank — Document: one bibliographic record or short post, as every reader
// produces it and the corpus store keeps it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace litrank {

/// A paper, patent or post. Readers fill what their format has and leave the
/// rest empty; nothing here is required except some text (title or abstract).
struct Document {
  std::string id;                     ///< source id (BEIR _id, PMID, arXiv id, RIS ID...); may be empty
  std::string title;
  std::string abstract;               ///< abstract, claim text, or the whole post
  int year = 0;                       ///< publication year; 0 = unknown
  std::vector<std::string> authors;   ///< "Family, Given" or as the source spells them
  std::string venue;                  ///< journal, conference or booktitle
  std::string doi;                    ///< bare DOI ("10.1000/xyz"), lower-cased; empty if none
  std::vector<std::string> keywords;
  std::string language;               ///< "en", "zh", "ja", "ko", ...; empty = detect on ingest
  std::string source;                 ///< format or file it came from
  std::optional<int64_t> citations;   ///< citation count when the source gives one
  std::string url;
  std::string extra_json = "{}";      ///< any other fields, as a JSON object (labels, MeSH, ...)
};

}  // namespace litrank

namespace litrank {

/// The text models see for a document: title and abstract joined by a newline
/// (either alone when the other is empty). One definition for embedding,
/// reranking and hashing, so cached scores and vectors stay valid.
std::string SearchText(const Document& doc);

}  // namespace litrank

// litrank — topics of a set of documents (`litrank cluster`): which groups the
// papers or posts form, what each group is about, and its best examples.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "litrank/document.h"
#include "litrank/status.h"

namespace litrank {

/// How to find topics. The lexical path (no model): TF-IDF over litrank's
/// analyzer (ICU words, stopwords, Chinese segmented), truncated SVD to `dims`
/// (latent semantic analysis), rows scaled to unit length, k-means.
struct TopicOptions {
  int k = 0;                 ///< number of topics; 0 = choose (see ChooseTopicCount)
  int max_k = 40;            ///< largest count the automatic choice tries
  int dims = 100;            ///< LSA dimensions
  int restarts = 5;          ///< k-means seedings; the lowest inertia wins
  int refine_rounds = 5;     ///< spherical k-means rounds on the full term rows after LSA (0 = none)
  uint32_t min_df = 2;       ///< terms in fewer documents are dropped
  bool stem = false;         ///< Snowball stems instead of words (measured: words cluster better)
  std::string stemmer = "english";
  int keywords = 10;         ///< c-TF-IDF keywords kept per topic
  int representatives = 3;   ///< most central documents kept per topic
  uint64_t seed = 42;
  // The embedding path (FindTopicsFromEmbeddings) only:
  int neighbours = 15;       ///< nearest neighbours per document in the kNN graph
  double resolution = 1.0;   ///< Leiden's modularity resolution when k = 0 (higher: more, smaller topics)
};

/// One topic. Topics are numbered by size, largest first.
struct Topic {
  int id = 0;
  std::string label;                    ///< its first three keywords, joined by ", "
  std::vector<std::string> keywords;    ///< by class-based TF-IDF (BERTopic's c-TF-IDF), best first
  std::vector<size_t> members;          ///< input indexes, ascending
  std::vector<size_t> representatives;  ///< input indexes, most central first (cosine to the centre)
  int year_min = 0, year_max = 0;       ///< span of the members' known years; 0 when none is known
};

/// Topics of a document set.
struct TopicModel {
  std::vector<int> topic_of;  ///< per input document, in input order; -1 = no usable terms
  std::vector<Topic> topics;
  int k = 0;                  ///< topics found
  bool k_chosen = false;      ///< true when k was chosen automatically
  double silhouette = 0;      ///< mean silhouette of the partition (on a sample of ≤ 2,000)
  uint32_t features = 0;      ///< TF-IDF columns kept
};

/// Clusters the documents' title + abstract into topics. With options.k = 0 the
/// count is the smallest in 2..max_k whose mean silhouette reaches 90% of the
/// best over the range (see README). Documents
/// whose text keeps no term after analysis get topic -1 and join no topic.
/// Deterministic for a given input and options.
/// Errors: InvalidArgument (no documents; k or max_k negative or above 10,000;
/// dims not in 1..1,000; fewer than two documents with usable terms).
StatusOr<TopicModel> FindTopics(const std::vector<Document>& docs, const TopicOptions& options);

/// The embedding path: `embeddings` holds one row of `dims` values per document
/// (a zero row = no text: topic -1). Rows are L2-normalised; each document
/// links to its options.neighbours nearest by cosine (exact up to 5,000
/// documents, HNSW beyond), both directions merged, weight = cosine; Leiden
/// (modularity, igraph, seeded) finds communities. k = 0: at
/// options.resolution, singletons joining the community they link to most;
/// k > 0: the resolution is bisected to give k communities, and when none
/// gives exactly k the closest count above is merged down (smallest into the
/// one it links to most). Keywords, representatives (by cosine to the
/// centre, in embedding space), years and silhouette as FindTopics.
/// features = 0. Errors: InvalidArgument (no documents, a size mismatch, k,
/// neighbours 1..200 or resolution out of range, fewer than two rows, k above
/// the usable rows).
StatusOr<TopicModel> FindTopicsFromEmbeddings(const std::vector<Document>& docs, const std::vector<float>& embeddings,
                                              uint32_t dims, const TopicOptions& options);

}  // namespace litrank

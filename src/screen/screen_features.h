// Internal to screen/: what the screening model sees of a set of records.
#pragma once

#include <string>
#include <vector>

#include "litrank/document.h"
#include "litrank/screening.h"
#include "text/tfidf.h"

namespace litrank::screen {

/// TF-IDF rows of the records and their zero-shot prior.
struct ScreeningFeatures {
  SparseRows rows;
  std::vector<double> prior;  ///< BM25 of the question per record; empty without a question
};

/// The text a record is screened on: title, abstract and (when `keywords`)
/// its keywords / MeSH terms.
std::string ScreeningText(const Document& doc, bool keywords);

/// Analyses the records once for both the TF-IDF rows and the BM25 prior of
/// `question` ("" = no prior). `stemmer` is the collection's.
StatusOr<ScreeningFeatures> BuildScreeningFeatures(const std::vector<Document>& docs, const std::string& question,
                                                   const ScreeningModelOptions& options,
                                                   const std::string& stemmer = "english");

}  // namespace litrank::screen

// BEIR dataset files: queries.jsonl and qrels/<split>.tsv. (The corpus is read
// by the ingest readers as RecordFormat::kBeirCorpus.)
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "eval/metrics.h"
#include "litrank/status.h"

namespace litrank {

/// (query id, query text), in file order.
using BeirQueries = std::vector<std::pair<std::string, std::string>>;

/// Reads `queries.jsonl` (`_id`, `text` per line). Errors name the file and line.
Status LoadBeirQueries(const std::string& path, BeirQueries* queries);
/// Reads a qrels TSV (`query-id`, `corpus-id`, `score`; a header line is
/// recognised and skipped). Errors name the file and line.
Status LoadBeirQrels(const std::string& path, Qrels* qrels);

}  // namespace litrank

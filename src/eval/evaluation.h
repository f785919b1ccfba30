// Evaluation of search pipelines on judged datasets (BEIR layout, or papers
// whose titles are the queries for their own abstracts).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "eval/beir.h"
#include "eval/metrics.h"
#include "litrank/corpus.h"
#include "litrank/search.h"

namespace litrank {

/// Judged queries over documents already in a corpus (matched by Document::id).
struct EvalDataset {
  std::string name;
  BeirQueries queries;  ///< only queries with judgements
  Qrels qrels;
};

/// Loads a BEIR directory: ingests `corpus.jsonl` into `corpus` unless it already
/// holds documents, and reads `queries.jsonl` and `qrels/<split>.tsv`.
Status LoadBeirDataset(const std::string& dir, const std::string& split, Corpus* corpus, EvalDataset* out);

/// A self-retrieval set from a JSONL of papers (`id`, `title`, `abstract`), as for
/// CSL: each abstract is a document and its title the query, relevant to that
/// abstract only. At most `max_records` records (0 = all).
Status LoadTitleQueryDataset(const std::string& jsonl, size_t max_records, Corpus* corpus, EvalDataset* out);

/// Which stages a pipeline runs.
struct PipelineSpec {
  std::string name;
  bool bm25 = false, dense = false, rerank = false;
};

/// "bm25", "dense", "hybrid", "bm25+rerank", "dense+rerank" or "hybrid+rerank".
bool ParsePipeline(std::string_view name, PipelineSpec* spec);

/// Mean metrics of one pipeline over a dataset.
struct PipelineScore {
  std::string pipeline;
  double ndcg10 = 0, recall100 = 0, mrr10 = 0;
  size_t queries = 0;
  double seconds = 0;
};

/// Runs every query of `data` through `searcher` with the pipeline's stages
/// (recall 100 per stage, top 100 kept; other settings from `base`) and scores
/// the rankings. `progress(done, total)` may be empty.
Status EvaluatePipeline(Searcher& searcher, const EvalDataset& data, const PipelineSpec& spec,
                        const SearchOptions& base, PipelineScore* score,
                        const std::function<void(size_t, size_t)>& progress = {});

}  // namespace litrank

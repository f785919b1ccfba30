// Submitting whole jobs to a worker pool and waiting for them: what the CLI's
// `--queue` options do (the tasks themselves: distributed/task_runner.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "distributed/work_queue.h"
#include "litrank/corpus.h"
#include "litrank/extract.h"
#include "litrank/screening.h"

namespace litrank {

/// Queues one "embed" task per `task_size` documents of `corpus` that lack a
/// current embedding (or passage embeddings) for the model with `fingerprint` at
/// `model_path` (a path every worker can open). *documents receives how many were
/// queued; with none, no job is made and *job is 0.
Status SubmitEmbedJob(Corpus& corpus, WorkQueue& queue, const std::string& db, const std::string& model_path,
                      const std::string& fingerprint, size_t task_size, int64_t* job, int64_t* documents);

/// Pairs of one query under one reranker instruction.
struct ScoreGroup {
  std::string query, instruction;
  std::vector<std::string> texts;
};

/// Queues a "score" job over several groups: each group's texts in tasks of at most
/// `task_size` pairs, scored by `model` into the collection's score cache (where a
/// later local run finds them), for the collection `collection`.
StatusOr<int64_t> SubmitScoreGroupsJob(WorkQueue& queue, const std::string& db, const std::string& collection,
                                       const std::string& model, const std::vector<ScoreGroup>& groups,
                                       size_t task_size);

/// Queues a "score" job: `texts` against `query` in tasks of `task_size` pairs,
/// scored by `model` (a reranker path every worker can open, or "sim:MICROS"), for
/// the collection `collection` (Corpus::CollectionId; workers of another refuse it).
StatusOr<int64_t> SubmitScoreJob(WorkQueue& queue, const std::string& db, const std::string& collection,
                                 const std::string& model,
                                 const std::string& query, const std::vector<std::string>& texts, size_t task_size);

/// Queues an "extract" job: the documents `rowids` in tasks of `task_size`, extracted
/// by the generator at `model_path` (fingerprint checked on the workers) under `options`,
/// for the collection `collection`.
StatusOr<int64_t> SubmitExtractJob(WorkQueue& queue, const std::string& db, const std::string& collection,
                                   const std::string& model_path,
                                   const std::string& fingerprint, const ExtractOptions& options,
                                   const std::vector<int64_t>& rowids, size_t task_size);

/// Queues a "screen-prior" job: the records of screening project `project` that the
/// reranker at `model_path` (with `fingerprint`) has not scored yet, in tasks of
/// `task_size`, made that project's prior (ScreeningProject::BeginRerankerPrior).
/// *records receives how many were queued; with none, no job is made and *job is 0.
Status SubmitScreenPriorJob(ScreeningProject& project, WorkQueue& queue, const std::string& db,
                            const std::string& collection, const std::string& project_name,
                            const std::string& model_path, const std::string& fingerprint, bool batch_invariant,
                            size_t task_size, int64_t* job, int64_t* records);

/// Waits until the job is finished (done, failed or cancelled), reading its state
/// every `poll_ms`; `progress(state)` after each read; `cancel()` returning true
/// cancels the job (its tasks stop) and the wait returns Cancelled.
StatusOr<JobState> WaitForJob(WorkQueue& queue, int64_t job, int poll_ms,
                              const std::function<void(const JobState&)>& progress = {},
                              const std::function<bool()>& cancel = {});

}  // namespace litrank

#include "distributed/pool_jobs.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "distributed/task_runner.h"

namespace litrank {
namespace {

// `rowids` as task payloads of at most `task_size` each.
std::vector<std::string> RowidPayloads(const std::vector<int64_t>& rowids, size_t task_size) {
  std::vector<std::string> payloads;
  for (size_t first = 0; first < rowids.size(); first += task_size) {
    nlohmann::json ids = nlohmann::json::array();
    for (size_t i = first; i < std::min(rowids.size(), first + task_size); ++i) ids.push_back(rowids[i]);
    payloads.push_back(nlohmann::json{{"rowids", ids}}.dump());
  }
  return payloads;
}

}  // namespace

Status SubmitEmbedJob(Corpus& corpus, WorkQueue& queue, const std::string& db, const std::string& model_path,
                      const std::string& fingerprint, size_t task_size, int64_t* job, int64_t* documents) {
  *job = 0;
  *documents = 0;
  if (task_size == 0) return Status::InvalidArgument("task size must be positive");
  StatusOr<int64_t> total = corpus.Count();
  if (!total.ok()) return total.status();
  std::vector<StoredDocument> docs;
  LITRANK_RETURN_IF_ERROR(corpus.DocumentsNeedingEmbedding(fingerprint, static_cast<size_t>(*total), &docs));
  if (docs.empty()) return Status::Ok();
  std::vector<int64_t> rowids;
  for (const StoredDocument& d : docs) rowids.push_back(d.rowid);
  const std::vector<std::string> payloads = RowidPayloads(rowids, task_size);
  auto collection = corpus.CollectionId();
  if (!collection.ok()) return collection.status();
  const std::string params =
      nlohmann::json{{"model", model_path}, {"fingerprint", fingerprint}, {"collection", *collection}}.dump();
  auto id = queue.Submit("embed", db, params, payloads);
  if (!id.ok()) return id.status();
  *job = *id;
  *documents = static_cast<int64_t>(docs.size());
  return Status::Ok();
}

StatusOr<int64_t> SubmitScoreGroupsJob(WorkQueue& queue, const std::string& db, const std::string& collection,
                                       const std::string& model, const std::vector<ScoreGroup>& groups,
                                       size_t task_size) {
  if (task_size == 0) return Status::InvalidArgument("task size must be positive");
  std::vector<std::string> payloads;
  for (const ScoreGroup& g : groups) {
    for (size_t first = 0; first < g.texts.size(); first += task_size) {
      nlohmann::json part = nlohmann::json::array();
      for (size_t i = first; i < std::min(g.texts.size(), first + task_size); ++i) part.push_back(g.texts[i]);
      nlohmann::json task = {{"query", g.query}, {"texts", part}};
      if (!g.instruction.empty()) task["instruction"] = g.instruction;
      payloads.push_back(task.dump());
    }
  }
  return queue.Submit("score", db, nlohmann::json{{"model", model}, {"collection", collection}}.dump(), payloads);
}

StatusOr<int64_t> SubmitScoreJob(WorkQueue& queue, const std::string& db, const std::string& collection,
                                 const std::string& model,
                                 const std::string& query, const std::vector<std::string>& texts, size_t task_size) {
  return SubmitScoreGroupsJob(queue, db, collection, model, {ScoreGroup{query, "", texts}}, task_size);
}

StatusOr<int64_t> SubmitExtractJob(WorkQueue& queue, const std::string& db, const std::string& collection,
                                   const std::string& model_path,
                                   const std::string& fingerprint, const ExtractOptions& options,
                                   const std::vector<int64_t>& rowids, size_t task_size) {
  if (task_size == 0) return Status::InvalidArgument("task size must be positive");
  const std::vector<std::string> payloads = RowidPayloads(rowids, task_size);
  const nlohmann::json params = {{"model", model_path},
                                 {"fingerprint", fingerprint},
                                 {"collection", collection},
                                 {"options", nlohmann::json::parse(ExtractOptionsJson(options))}};
  return queue.Submit("extract", db, params.dump(), payloads);
}

Status SubmitScreenPriorJob(ScreeningProject& project, WorkQueue& queue, const std::string& db,
                            const std::string& collection, const std::string& project_name,
                            const std::string& model_path, const std::string& fingerprint, bool batch_invariant,
                            size_t task_size, int64_t* job, int64_t* records) {
  *job = 0;
  *records = 0;
  if (task_size == 0) return Status::InvalidArgument("task size must be positive");
  std::vector<int64_t> todo;
  LITRANK_RETURN_IF_ERROR(project.BeginRerankerPrior(fingerprint, &todo));
  if (todo.empty()) return Status::Ok();
  const nlohmann::json params = {{"model", model_path},     {"fingerprint", fingerprint},
                                 {"collection", collection}, {"project", project_name},
                                 {"batch_invariant", batch_invariant}};
  auto id = queue.Submit("screen-prior", db, params.dump(), RowidPayloads(todo, task_size));
  if (!id.ok()) return id.status();
  *job = *id;
  *records = static_cast<int64_t>(todo.size());
  return Status::Ok();
}

StatusOr<JobState> WaitForJob(WorkQueue& queue, int64_t job, int poll_ms,
                              const std::function<void(const JobState&)>& progress,
                              const std::function<bool()>& cancel) {
  while (true) {
    auto state = queue.Get(job);
    if (!state.ok()) return state.status();
    if (progress) progress(*state);
    if (state->finished()) return state;
    if (cancel && cancel()) {
      LITRANK_RETURN_IF_ERROR(queue.Cancel(job));
      return Status::Cancelled("job " + std::to_string(job) + " cancelled; its remaining tasks will not run");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
}

}  // namespace litrank

#include "cli/pool_prescore.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <map>
#include <utility>

#include "cli/pool_wait.h"
#include "distributed/pool_jobs.h"
#include "rerank/score_cache.h"

namespace litrank::cli {

void AddPoolFlags(CLI::App* cmd, PoolFlags* flags, const std::string& what) {
  cmd->add_option("--queue", flags->queue,
                  "Score " + what + " on a worker pool first (redis://HOST:PORT; workers run `litrank worker` on this "
                  "collection and can open the same model path); then nothing is decoded here");
  cmd->add_option("--prefix", flags->prefix, "Key prefix of the queue (as the workers were given)")->capture_default_str();
  cmd->add_option("--task-size", flags->task_size, "Pairs per task on the pool")->check(CLI::Range(1, 4096))
      ->capture_default_str();
}

Status PrescoreOnPool(const PoolFlags& pool, const std::string& db, Corpus& corpus, const std::string& model_path,
                      const Reranker& reranker, const std::function<Status(const CriterionScorer&)>& dry_run,
                      int64_t* pairs) {
  *pairs = 0;
  std::map<std::pair<std::string, std::string>, ScoreGroup> groups;  // by (query, instruction)
  const CriterionScorer record = [&](const std::string& query, const std::string& instruction,
                                     const std::vector<std::string>& texts, std::vector<double>* scores) {
    ScoreGroup& g = groups[{query, instruction}];
    g.query = query;
    g.instruction = instruction;
    for (const std::string& t : texts) {
      if (!corpus.GetScore(ScoreCacheKey(reranker.fingerprint(), instruction, query, t)).has_value()) {
        g.texts.push_back(t);
      }
    }
    scores->assign(texts.size(), 0.0);
    return Status::Ok();
  };
  LITRANK_RETURN_IF_ERROR(dry_run(record));
  std::vector<ScoreGroup> todo;
  for (auto& [key, g] : groups) {
    std::sort(g.texts.begin(), g.texts.end());
    g.texts.erase(std::unique(g.texts.begin(), g.texts.end()), g.texts.end());
    *pairs += static_cast<int64_t>(g.texts.size());
    if (!g.texts.empty()) todo.push_back(std::move(g));
  }
  if (todo.empty()) return Status::Ok();
  auto queue = WorkQueue::Open(pool.queue, pool.prefix);
  if (!queue.ok()) return queue.status();
  auto collection = corpus.CollectionId();
  if (!collection.ok()) return collection.status();
  auto job = SubmitScoreGroupsJob(**queue, db, *collection, model_path, todo, pool.task_size);
  if (!job.ok()) return job.status();
  auto state = AwaitPoolJob(**queue, *job, "pairs", *pairs, pool.task_size, pool.queue, true);
  return state.ok() ? Status::Ok() : state.status();
}

}  // namespace litrank::cli

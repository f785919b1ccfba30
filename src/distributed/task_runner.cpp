#include "distributed/task_runner.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "search/corpus_embedding.h"
#include "util/hash.h"

namespace litrank {
namespace {

StatusOr<nlohmann::json> ParseObject(const std::string& text, const char* what) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument(std::string(what) + " is not a JSON object");
  return j;
}

// A task over documents: the job's parameters with its model path, and the
// payload's "rowids".
struct DocumentTask {
  nlohmann::json params;
  std::string model;
  std::vector<int64_t> rowids;
};

Status ParseDocumentTask(const std::string& kind, const std::string& params, const std::string& payload,
                         DocumentTask* out) {
  auto p = ParseObject(params, (kind + " job parameters").c_str());
  if (!p.ok()) return p.status();
  auto t = ParseObject(payload, (kind + " task").c_str());
  if (!t.ok()) return t.status();
  if (!p->contains("model") || !(*p)["model"].is_string()) return Status::InvalidArgument(kind + " job without a model");
  if (!t->contains("rowids") || !(*t)["rowids"].is_array()) return Status::InvalidArgument(kind + " task without rowids");
  for (const auto& id : (*t)["rowids"]) {
    if (!id.is_number_integer()) return Status::InvalidArgument(kind + " task rowids must be integers");
    out->rowids.push_back(id.get<int64_t>());
  }
  out->model = (*p)["model"].get<std::string>();
  out->params = std::move(*p);
  return Status::Ok();
}

// The model a worker loaded must be the one the job was submitted with (same path,
// other file: refused).
Status SameModel(const DocumentTask& task, const std::string& fingerprint) {
  const std::string want = task.params.value("fingerprint", "");
  if (!want.empty() && want != fingerprint) {
    return Status::InvalidArgument("the model at " + task.model + " on this worker is not the one the job was submitted with");
  }
  return Status::Ok();
}

}  // namespace

std::string SimulatedScoreKey(const std::string& query, const std::string& text) {
  return Sha256Fields({"litrank-sim", query, text});
}

Status TaskRunner::Run(const std::string& kind, const std::string& params, const std::string& payload,
                       int64_t* items) {
  *items = 0;
  LITRANK_RETURN_IF_ERROR(SameCollection(params));
  try {  // a field of the wrong type (nlohmann's value()) must fail the task, not the worker
    if (kind == "embed") return Embed(params, payload, items);
    if (kind == "score") return Score(params, payload, items);
    if (kind == "extract") return Extract(params, payload, items);
    if (kind == "screen-prior") return ScreenPrior(params, payload, items);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(kind + " task: " + e.what());
  }
  return Status::InvalidArgument("unknown job kind '" + kind + "'");
}

Status TaskRunner::SameCollection(const std::string& params) {
  const nlohmann::json p = nlohmann::json::parse(params, nullptr, false);
  if (!p.is_object() || !p.contains("collection") || !p["collection"].is_string()) return Status::Ok();  // not named
  if (collection_id_.empty()) {
    auto id = corpus_->CollectionId();
    if (!id.ok()) return id.status();
    collection_id_ = *id;
  }
  if (p["collection"].get<std::string>() != collection_id_) {
    return Status::InvalidArgument("this task is for another collection (" + p["collection"].get<std::string>() +
                                   ") than the one this worker serves (" + collection_id_ +
                                   "): give each collection's queue its own --prefix");
  }
  return Status::Ok();
}

Status TaskRunner::Embed(const std::string& params, const std::string& payload, int64_t* items) {
  DocumentTask task;
  LITRANK_RETURN_IF_ERROR(ParseDocumentTask("embed", params, payload, &task));
  const std::string& path = task.model;
  auto embedder = LoadFor(&embedder_, path, [&] {
    EmbedderConfig config;
    config.threads = threads_;
    return Embedder::Open(path, config);
  });
  if (!embedder.ok()) return embedder.status();
  LITRANK_RETURN_IF_ERROR(SameModel(task, (*embedder)->fingerprint()));
  std::vector<StoredDocument> docs;
  LITRANK_RETURN_IF_ERROR(corpus_->GetMany(task.rowids, &docs));  // deleted since: skipped
  EmbedReport report;
  LITRANK_RETURN_IF_ERROR(EmbedAndStore(*corpus_, **embedder, docs, &report));
  *items = static_cast<int64_t>(report.embedded);
  return Status::Ok();
}

Status TaskRunner::Score(const std::string& params, const std::string& payload, int64_t* items) {
  auto p = ParseObject(params, "score job parameters");
  if (!p.ok()) return p.status();
  auto t = ParseObject(payload, "score task");
  if (!t.ok()) return t.status();
  if (!t->contains("query") || !(*t)["query"].is_string() || !t->contains("texts") || !(*t)["texts"].is_array()) {
    return Status::InvalidArgument("a score task needs a query and texts");
  }
  const std::string query = (*t)["query"];
  std::vector<std::string> texts;
  for (const auto& x : (*t)["texts"]) {
    if (!x.is_string()) return Status::InvalidArgument("score task texts must be strings");
    texts.push_back(x.get<std::string>());
  }
  const std::string model = p->value("model", "");
  if (model.rfind("sim:", 0) == 0) {
    const long micros = std::strtol(model.c_str() + 4, nullptr, 10);
    if (micros < 0 || micros > 10'000'000) return Status::InvalidArgument("sim: latency must be 0..10000000 us");
    std::this_thread::sleep_for(std::chrono::microseconds(micros * static_cast<long>(texts.size())));
    std::vector<std::pair<std::string, PairScore>> entries;
    for (const std::string& text : texts) {
      PairScore s;
      s.logit = static_cast<double>(static_cast<unsigned char>(SimulatedScoreKey(query, text)[0])) / 32.0 - 4.0;
      s.tokens = static_cast<uint32_t>(text.size());
      s.max_length = 8192;
      entries.emplace_back(SimulatedScoreKey(query, text), s);
    }
    LITRANK_RETURN_IF_ERROR(corpus_->PutScores(entries));
    *items = static_cast<int64_t>(texts.size());
    return Status::Ok();
  }
  if (model.empty()) return Status::InvalidArgument("score job without a model");
  auto reranker = LoadFor(&reranker_, model, [&] {
    RerankerConfig config;
    config.threads = threads_;
    return Reranker::Open(model, config);
  });
  if (!reranker.ok()) return reranker.status();
  RerankOptions ro;
  ro.instruction = t->value("instruction", p->value("instruction", std::string()));  // the task's, else the job's
  ro.max_length = p->value("max_length", 8192u);
  ro.score_store = corpus_;  // the result: scores in the collection's persistent cache
  RerankResult result;
  LITRANK_RETURN_IF_ERROR((*reranker)->Rerank(query, texts, ro, &result));
  *items = static_cast<int64_t>(texts.size());
  return Status::Ok();
}

std::string ExtractOptionsJson(const ExtractOptions& o) {
  return nlohmann::json{{"schema", o.schema},           {"language", o.language},   {"max_tokens", o.max_tokens},
                        {"window_tokens", o.window_tokens}, {"max_windows", o.max_windows}, {"parallel", o.parallel},
                        {"temperature", o.temperature}, {"top_p", o.top_p},         {"seed", o.seed},
                        {"model_merge", o.model_merge}}
      .dump();
}

Status ExtractOptionsFromJson(const std::string& json, ExtractOptions* o) {
  auto j = ParseObject(json, "extract options");
  if (!j.ok()) return j.status();
  try {
    o->schema = j->value("schema", o->schema);
    o->language = j->value("language", o->language);
    o->max_tokens = j->value("max_tokens", o->max_tokens);
    o->window_tokens = j->value("window_tokens", o->window_tokens);
    o->max_windows = j->value("max_windows", o->max_windows);
    o->parallel = j->value("parallel", o->parallel);
    o->temperature = j->value("temperature", o->temperature);
    o->top_p = j->value("top_p", o->top_p);
    o->seed = j->value("seed", o->seed);
    o->model_merge = j->value("model_merge", o->model_merge);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("extract options: ") + e.what());
  }
  return Status::Ok();
}

Status TaskRunner::Extract(const std::string& params, const std::string& payload, int64_t* items) {
  DocumentTask task;
  LITRANK_RETURN_IF_ERROR(ParseDocumentTask("extract", params, payload, &task));
  ExtractOptions options;
  LITRANK_RETURN_IF_ERROR(
      ExtractOptionsFromJson(task.params.contains("options") ? task.params["options"].dump() : "{}", &options));
  options.threads = threads_;
  const std::string& path = task.model;
  auto loaded = LoadFor(&extractor_, path + "\n" + ExtractOptionsJson(options),
                        [&] { return Extractor::Open(path, options); });
  if (!loaded.ok()) return loaded.status();
  Extractor* extractor = *loaded;
  LITRANK_RETURN_IF_ERROR(SameModel(task, extractor->model_fingerprint()));
  if (!extractions_) {
    auto opened = ExtractionStore::Open(db_path_);
    if (!opened.ok()) return opened.status();
    extractions_ = std::move(*opened);
  }
  std::vector<StoredDocument> docs;
  LITRANK_RETURN_IF_ERROR(corpus_->GetMany(task.rowids, &docs));  // deleted since: skipped
  std::vector<size_t> todo;
  std::vector<std::string> texts;
  std::vector<ExtractionKey> keys;
  for (size_t i = 0; i < docs.size(); ++i) {
    const std::string text = SearchText(docs[i].doc);
    keys.push_back(MakeExtractionKey(*extractor, options, text));
    auto hit = extractions_->Get(docs[i].rowid, keys.back());
    if (!hit.ok()) return hit.status();
    if (hit->has_value()) {
      ++*items;  // done by an earlier delivery or run: nothing to decode
      continue;
    }
    todo.push_back(i);
    texts.push_back(text);
  }
  if (texts.empty()) return Status::Ok();
  std::vector<Extraction> made;
  std::vector<Status> statuses;
  LITRANK_RETURN_IF_ERROR(extractor->ExtractMany(texts, &made, &statuses));
  Status first_error;
  std::string failed;
  for (size_t k = 0; k < todo.size(); ++k) {
    const StoredDocument& d = docs[todo[k]];
    if (!statuses[k].ok()) {
      if (first_error.ok()) first_error = statuses[k];
      failed += (failed.empty() ? "" : ", ") + std::to_string(d.rowid);
      continue;
    }
    LITRANK_RETURN_IF_ERROR(extractions_->Put(d.rowid, keys[todo[k]], made[k]));
    ++*items;
  }
  if (!first_error.ok()) {
    const std::string why = "documents " + failed + " could not be extracted: " + first_error.ToString();
    return first_error.code() == Status::Code::kInternal ? Status::Internal(why) : Status::InvalidArgument(why);
  }
  return Status::Ok();
}

Status TaskRunner::ScreenPrior(const std::string& params, const std::string& payload, int64_t* items) {
  DocumentTask task;
  LITRANK_RETURN_IF_ERROR(ParseDocumentTask("screen-prior", params, payload, &task));
  if (!task.params.contains("project") || !task.params["project"].is_string()) {
    return Status::InvalidArgument("screen-prior job without a project");
  }
  const std::string project = task.params["project"].get<std::string>();
  const bool invariant = task.params.value("batch_invariant", true);
  const std::string& path = task.model;
  auto reranker = LoadFor(&reranker_, path + (invariant ? "\ninvariant" : ""), [&] {
    RerankerConfig config;
    config.threads = threads_;
    config.batch_invariant = invariant;
    return Reranker::Open(path, config);
  });
  if (!reranker.ok()) return reranker.status();
  LITRANK_RETURN_IF_ERROR(SameModel(task, (*reranker)->fingerprint()));
  if (!project_ || project_name_ != project) {
    project_.reset();
    auto opened = ScreeningProject::Open(db_path_, project);
    if (!opened.ok()) return opened.status();
    project_ = std::move(*opened);
    project_name_ = project;
  }
  LITRANK_RETURN_IF_ERROR(project_->ScorePrior(**reranker, task.rowids, {}));
  *items = static_cast<int64_t>(task.rowids.size());
  return Status::Ok();
}

}  // namespace litrank

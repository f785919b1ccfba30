// `litrank extract`: problem, method, results and data of each document as JSON that
// fits the schema, one line per input document, in input order.
#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/pool_wait.h"
#include "cli/document_source.h"
#include "distributed/pool_jobs.h"
#include "litrank/corpus.h"
#include "litrank/extract.h"
#include "util/text_file.h"

namespace litrank::cli {
namespace {

constexpr size_t kMaxSchemaBytes = size_t{1} << 20;

struct ExtractArgs {
  DocumentSource source;
  std::string model, schema_file, format = "jsonl", out, queue, prefix = "litrank", merge = "rule";
  size_t task_size = 16;
  bool resume = false, no_store = false;
  ExtractOptions options;
};


// --queue: the documents not yet extracted under this key go to the worker pool as an
// "extract" job; this waits for it (Ctrl-C cancels it). The answers land in the
// collection's store, where the output loop then finds them.
Status ExtractOnPool(const ExtractArgs& a, const std::string& model, const Extractor& extractor,
                     ExtractionStore& store, const std::vector<ExtractionKey>& keys, const std::vector<int64_t>& rowids) {
  std::vector<int64_t> missing;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto hit = store.Get(rowids[i], keys[i]);
    if (!hit.ok()) return hit.status();
    if (!hit->has_value()) missing.push_back(rowids[i]);
  }
  if (missing.empty()) return Status::Ok();
  auto queue = WorkQueue::Open(a.queue, a.prefix);
  if (!queue.ok()) return queue.status();
  const std::string db = a.source.db.empty() ? DefaultDbPath() : a.source.db;
  auto corpus = Corpus::Open(db, /*create=*/false);
  if (!corpus.ok()) return corpus.status();
  auto collection = (*corpus)->CollectionId();
  if (!collection.ok()) return collection.status();
  auto job = SubmitExtractJob(**queue, db, *collection, model, extractor.model_fingerprint(), a.options, missing,
                              a.task_size);
  if (!job.ok()) return job.status();
  auto state = AwaitPoolJob(**queue, *job, "documents", static_cast<int64_t>(missing.size()), a.task_size, a.queue, true);
  if (!state.ok()) return state.status();
  return Status::Ok();
}

/// The finished lines of an earlier run's JSONL file `path`, by index, for --resume:
/// lines with an extraction whose id still matches the document at that index and whose
/// `key` is the one this run gives that document (same model, schema, prompt, options
/// and text). Error lines, a line cut off mid-write, lines of a changed input and lines
/// made under other options are dropped; `*stale` counts the documents whose lines were
/// all of the last kind (same id, another key).
std::map<size_t, std::string> FinishedLines(const std::string& path, const std::vector<std::string>& ids,
                                            const std::vector<ExtractionKey>& keys, size_t* stale) {
  std::map<size_t, std::string> kept;
  std::set<size_t> other_key;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("index") || !j["index"].is_number_unsigned() || !j.contains("extraction") ||
        !j["extraction"].is_object() || !j.contains("id") || !j["id"].is_string()) {
      continue;
    }
    const size_t i = j["index"].get<size_t>();
    if (i >= ids.size() || j["id"].get<std::string>() != ids[i] || kept.count(i)) continue;
    if (j.contains("key") && j["key"].is_string() && j["key"].get<std::string>() == keys[i].Hex()) {
      kept.emplace(i, line);
      other_key.erase(i);
    } else {
      other_key.insert(i);
    }
  }
  *stale = other_key.size();
  return kept;
}

/// One CSV field, quoted when it must be (RFC 4180); lists joined with "; ".
std::string CsvField(const nlohmann::ordered_json& v) {
  std::string s;
  if (v.is_string()) {
    s = v.get<std::string>();
  } else if (v.is_array()) {
    for (const nlohmann::ordered_json& item : v) s += (s.empty() ? "" : "; ") + (item.is_string() ? item.get<std::string>() : item.dump());
  } else if (!v.is_null()) {
    s = v.dump();
  }
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

int Run(ExtractArgs& a) {
  a.options.model_merge = a.merge == "model";
  const std::string model = ModelFromFlagOrEnv(a.model, "LITRANK_GENERATOR");
  if (model.empty()) return Fail(Status::InvalidArgument("no model: pass --model or set $LITRANK_GENERATOR"));
  if (a.resume && a.out.empty()) return Fail(Status::InvalidArgument("--resume needs -o (the file to continue)"));
  if (a.resume && a.format != "jsonl") return Fail(Status::InvalidArgument("--resume works with --format jsonl"));
  if (!a.schema_file.empty()) {
    if (Status st = ReadTextFile(a.schema_file, kMaxSchemaBytes, &a.options.schema); !st.ok()) return Fail(st);
    if (Status st = CheckExtractionSchema(a.options.schema); !st.ok()) return Fail(st);
  }
  std::vector<Document> docs;
  std::vector<std::string> ids;
  std::vector<int64_t> rowids;
  if (Status st = LoadDocumentSource(a.source, &docs, &ids, &rowids); !st.ok()) return Fail(st);
  auto extractor = Extractor::Open(model, a.options);
  if (!extractor.ok()) return Fail(extractor.status(), true);
  // On a collection, answers are stored next to the documents: a document whose
  // text, model, schema, prompt and options are unchanged is not decoded again.
  std::unique_ptr<ExtractionStore> store;
  if (!rowids.empty() && !a.no_store) {
    auto opened = ExtractionStore::Open(a.source.db.empty() ? DefaultDbPath() : a.source.db);
    if (!opened.ok()) return Fail(opened.status());
    store = std::move(*opened);
  }
  // Each document's key, made once: what the store keys its answer by, what its output
  // line carries, and what --resume compares (a changed text or option changes it).
  std::vector<ExtractionKey> keys(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) keys[i] = MakeExtractionKey(**extractor, a.options, SearchText(docs[i]));
  if (!a.queue.empty()) {
    if (!store) return Fail(Status::InvalidArgument("--queue needs a collection (--db) to keep the answers in"));
    if (Status st = ExtractOnPool(a, model, **extractor, *store, keys, rowids); !st.ok()) return Fail(st);
  }
  // --resume rewrites -o in input order, keeping what an earlier run finished.
  size_t stale = 0;
  const std::map<size_t, std::string> finished =
      a.resume ? FinishedLines(a.out, ids, keys, &stale) : std::map<size_t, std::string>{};
  if (stale > 0) {
    std::fprintf(stderr, "litrank: %zu line%s of %s made from another text or under other options (model, schema, "
                 "prompt, --lang, --max-tokens, --window-tokens, --merge, sampling): done again\n", stale,
                 stale == 1 ? "" : "s", a.out.c_str());
  }

  std::ofstream file;
  if (!a.out.empty()) {
    file.open(a.out, std::ios::binary | std::ios::trunc);
    if (!file) return Fail(Status::IOError("cannot write " + a.out));
  }
  auto emit = [&](const std::string& line) {
    if (file.is_open()) {
      file << line << '\n';
      file.flush();  // a line per document on disk as it finishes: --resume continues from here
    } else {
      std::fwrite(line.data(), 1, line.size(), stdout);
      std::fputc('\n', stdout);
      std::fflush(stdout);
    }
  };
  const nlohmann::ordered_json schema = nlohmann::ordered_json::parse((*extractor)->schema_json());
  if (a.format == "csv") {
    std::string header = "index,id,complete,error";
    for (auto it = schema["properties"].begin(); it != schema["properties"].end(); ++it) header += "," + CsvField(it.key());
    emit(header);
  }
  ProgressBar bar("extract");
  size_t failed = 0, incomplete = 0, generated = 0, extracted = 0, from_store = 0;
  bool internal = false;
  auto emit_result = [&](size_t i, const Status& st, const Extraction& e, bool cached) {
    if (!st.ok()) {
      ++failed;
      internal = internal || st.code() == Status::Code::kInternal;
      std::fprintf(stderr, "litrank: document %zu (%s): %s\n", i, ids[i].c_str(), st.ToString().c_str());
      if (a.format == "jsonl") {
        emit(nlohmann::ordered_json{{"index", i}, {"id", ids[i]}, {"error", st.ToString()}}.dump());
      } else {
        emit(std::to_string(i) + "," + CsvField(ids[i]) + ",false," + CsvField(st.ToString()) +
             std::string(schema["properties"].size(), ','));  // the fields, empty
      }
      return;
    }
    incomplete += e.complete ? 0 : 1;
    const nlohmann::ordered_json x = nlohmann::ordered_json::parse(e.json);
    if (a.format == "csv") {
      std::string row = std::to_string(i) + "," + CsvField(ids[i]) + (e.complete ? ",true," : ",false,");
      for (auto it = schema["properties"].begin(); it != schema["properties"].end(); ++it) {
        row += "," + CsvField(x.contains(it.key()) ? x[it.key()] : nlohmann::ordered_json());
      }
      emit(row);
    } else {
      nlohmann::ordered_json line{{"index", i}, {"id", ids[i]}, {"extraction", x}, {"complete", e.complete},
                                  {"windows", e.windows}, {"attempts", e.attempts},
                                  {"generated_tokens", e.generated_tokens}, {"stored", cached},
                                  {"key", keys[i].Hex()}};
      if (!e.merged_by.empty()) line["merged_by"] = e.merged_by;
      emit(line.dump());
    }
  };
  // A batch of documents at a time: finished and stored ones are taken as they are,
  // the others decoded together (--parallel), then all written in input order.
  const size_t batch = a.options.parallel;
  for (size_t first = 0; first < docs.size(); first += batch) {
    bar.Update(first, docs.size());
    const size_t end = std::min(docs.size(), first + batch);
    std::vector<Extraction> results(end - first);
    std::vector<Status> statuses(end - first, Status::Ok());
    std::vector<bool> cached(end - first, false);
    std::vector<size_t> todo;
    std::vector<std::string> texts;
    for (size_t i = first; i < end; ++i) {
      if (finished.count(i)) continue;
      const std::string text = SearchText(docs[i]);
      if (store) {
        StatusOr<std::optional<StoredExtraction>> hit = store->Get(rowids[i], keys[i]);
        if (!hit.ok()) return Fail(hit.status());
        if (hit->has_value()) {
          results[i - first].json = (*hit)->json;
          results[i - first].complete = (*hit)->complete;
          cached[i - first] = true;
          ++from_store;
          continue;
        }
      }
      todo.push_back(i);
      texts.push_back(text);
    }
    if (!texts.empty()) {
      std::vector<Extraction> made;
      std::vector<Status> made_status;
      if (Status st = (*extractor)->ExtractMany(texts, &made, &made_status); !st.ok()) return Fail(st);
      for (size_t k = 0; k < todo.size(); ++k) {
        const size_t i = todo[k];
        generated += made[k].generated_tokens;
        ++extracted;
        if (made_status[k].ok() && store) {
          if (Status put = store->Put(rowids[i], keys[i], made[k]); !put.ok()) return Fail(put);
        }
        results[i - first] = std::move(made[k]);
        statuses[i - first] = made_status[k];
      }
    }
    for (size_t i = first; i < end; ++i) {
      if (auto it = finished.find(i); it != finished.end()) {
        emit(it->second);
        continue;
      }
      emit_result(i, statuses[i - first], results[i - first], cached[i - first]);
    }
  }
  bar.Finish();
  std::fprintf(stderr, "%zu documents extracted, %zu kept from the earlier run, %zu from the collection, %zu tokens generated%s%s\n",
               extracted, finished.size(), from_store, generated,
               incomplete ? (", " + std::to_string(incomplete) + " cut off at --max-tokens (fields left empty)").c_str() : "",
               failed ? (", " + std::to_string(failed) + " refused").c_str() : "");
  if (failed > 0) {
    const std::string what = std::to_string(failed) + " document(s) could not be extracted (see above)";
    return Fail(internal ? Status::Internal(what) : Status::InvalidArgument(what));
  }
  return kExitOk;
}

}  // namespace

void AddExtractCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<ExtractArgs>();
  ExtractOptions& o = a->options;
  auto* cmd = app.add_subcommand("extract",
      "Extract the problem, method, results and data contribution of each document with a Qwen3\n"
      "instruct model, as JSON constrained by a schema (always parses, always fits).");
  AddDocumentSourceOptions(cmd, &a->source);
  cmd->add_option("-m,--model", a->model, "Generative GGUF, e.g. Qwen3-8B (default: $LITRANK_GENERATOR)");
  cmd->add_option("--schema", a->schema_file, "JSON Schema file (default: the built-in one; README, Structured extraction)");
  cmd->add_option("--lang", o.language, "Language of the values (default: the document's own)");
  cmd->add_option("--max-tokens", o.max_tokens, "Tokens generated per answer, at most")->check(CLI::Range(16, 32768))
      ->capture_default_str();
  cmd->add_option("--window-tokens", o.window_tokens, "Text tokens per window of a long document")
      ->check(CLI::Range(64, 131072))->capture_default_str();
  cmd->add_option("--max-windows", o.max_windows, "Refuse documents that need more windows")
      ->check(CLI::Range(1, 10000))->capture_default_str();
  cmd->add_option("--merge", a->merge,
                  "How a long document's window answers become one: rule (documented, no model call) or\n"
                  "model (one more decode under the schema; the rule's merge where it is cut off or invalid)")
      ->check(CLI::IsMember({"rule", "model"}))->capture_default_str();
  cmd->add_option("--parallel", o.parallel, "Documents decoded together as parallel sequences of one context")
      ->check(CLI::Range(1, 64))->capture_default_str();
  cmd->add_option("--temperature", o.temperature, "0 = greedy (default); above: sampled, reproducible with --seed")
      ->check(CLI::Range(0.0, 5.0))->capture_default_str();
  cmd->add_option("--top-p", o.top_p, "Nucleus sampling with --temperature")->check(CLI::Range(0.01, 1.0))->capture_default_str();
  cmd->add_option("--seed", o.seed, "Sampling seed (the same seed and document give the same answer)")->capture_default_str();
  cmd->add_option("--threads", o.threads, "CPU threads (0 = all)")->capture_default_str();
  cmd->add_option("--gpu-layers", o.gpu_layers, "Layers to offload to the GPU (-1 = all)")->capture_default_str();
  cmd->add_option("-f,--format", a->format, "jsonl | csv")->check(CLI::IsMember({"jsonl", "csv"}))->capture_default_str();
  cmd->add_option("-o,--out", a->out, "Write to this file instead of stdout, a line per document as it finishes");
  cmd->add_flag("--resume", a->resume, "Continue an interrupted run: keep the lines of -o made from the same text under the same model, schema and options");
  cmd->add_option("--queue", a->queue,
                  "Redis URL of a worker pool (`litrank worker`): the collection's documents are extracted there\n"
                  "(the model path must be valid on every worker), then printed from the collection");
  cmd->add_option("--prefix", a->prefix, "Key prefix of the queue (as the workers were given)")->capture_default_str();
  cmd->add_option("--task-size", a->task_size, "Documents per pool task")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_flag("--no-store", a->no_store,
                "With --db: neither reuse nor keep extractions in the collection (by default both)");
  cmd->footer("\nExamples:\n"
              "  litrank extract --model Qwen3-8B-Q4_K_M.gguf --docs abstracts.jsonl --format jsonl\n"
              "  litrank extract -m qwen3.gguf --db papers.db -f csv -o fields.csv\n"
              "  litrank extract -m qwen3.gguf --docs big.jsonl -o out.jsonl --resume   # after an interruption\n");
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace litrank::cli

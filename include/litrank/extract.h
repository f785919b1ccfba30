// litrank — structured extraction: the problem, method, results and data of a text
// as JSON that always parses and always fits the schema (sampling constrained by a
// grammar compiled from the schema, checked again by an independent validator).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "litrank/status.h"

namespace litrank {

class Generator;

/// How to extract.
struct ExtractOptions {
  std::string schema;             ///< JSON Schema text; "" = the built-in one
  std::string language;           ///< language of the values; "" = the text's own
  uint32_t max_tokens = 1024;     ///< generated tokens per answer, at most
  uint32_t window_tokens = 6144;  ///< text tokens per window; longer texts are split
  uint32_t max_windows = 16;      ///< a text needing more windows is refused
  uint32_t parallel = 8;          ///< windows decoded together as parallel sequences (ExtractMany)
  bool model_merge = false;       ///< a long text's window answers merged by the model (else by the rule)
  float temperature = 0.0f;       ///< 0 = greedy; above, sampled (top_p, seed)
  float top_p = 1.0f;
  uint32_t seed = 0;              ///< with temperature > 0: the same seed and text give the same answer
  int threads = 0;                ///< CPU threads (0 = all)
  int gpu_layers = 0;             ///< layers offloaded to a GPU (-1 = all)
};

/// One text's extraction.
struct Extraction {
  std::string json;         ///< the object, compact JSON; always valid against the schema
  bool complete = true;     ///< false: no answer fit the token limit, fields left empty
  uint32_t attempts = 0;    ///< decodes run (a retry tightens lengths after a cut-off; the merge pass's too)
  uint32_t windows = 0;     ///< windows the text was read in (0 for an empty text)
  std::string merged_by;    ///< "" (one window), "rule", or "model" (the merge pass's answer was kept)
  size_t prompt_tokens = 0, reused_tokens = 0, generated_tokens = 0;
};

/// The schema `extract` uses by default, as JSON text.
std::string BuiltInSchemaJson();

/// Checks a user's schema text: valid JSON, a JSON Schema within the supported subset
/// (names the unsupported keyword and where), convertible to a grammar. InvalidArgument.
Status CheckExtractionSchema(const std::string& schema_text);

/// A loaded generative model and a compiled schema. One caller at a time.
class Extractor {
 public:
  /// Errors: the schema's (InvalidArgument), the model's (NotFound, Corruption,
  /// Unsupported for a model that does not generate).
  static StatusOr<std::unique_ptr<Extractor>> Open(const std::string& model_path, const ExtractOptions& options);
  /// An extractor on a generator already loaded (one model, many schemas: the
  /// server). Every extractor sharing it must be used by one caller at a time.
  /// options.threads and gpu_layers are the generator's, not read here.
  static StatusOr<std::unique_ptr<Extractor>> Create(std::shared_ptr<Generator> generator,
                                                     const ExtractOptions& options);
  ~Extractor();

  /// Extracts from `text` (UTF-8). A long text is read in windows of window_tokens
  /// with one sentence of overlap, and the answers merged: strings joined (distinct,
  /// in window order, cut to maxLength), lists concatenated without repeats up to
  /// maxItems, other values from the first window that has them. With
  /// options.model_merge, the model then merges the window answers in one more decode
  /// under the same grammar and rules, reading the partial answers as the text; its answer is kept when
  /// it closes within max_tokens and validates, else the rule's merge stays. Errors:
  /// InvalidArgument (invalid UTF-8), TooLong (more than max_windows windows),
  /// Internal (a decode failed twice).
  Status Extract(const std::string& text, Extraction* out);

  /// Extract for every text, the windows of several texts decoded together
  /// (options.parallel sequences of one context, the instructions decoded once):
  /// throughput grows with the batch. (*statuses)[i] is text i's outcome, with
  /// Extract's errors; the call itself fails only when the model cannot run.
  Status ExtractMany(const std::vector<std::string>& texts, std::vector<Extraction>* outs,
                     std::vector<Status>* statuses);

  /// Whether `text` is longer than one window (so its answer is a merge of several).
  bool ReadsInWindows(const std::string& text) const;

  /// The schema in force (JSON text) and the model's fingerprint: with the prompt
  /// version, what a stored extraction is keyed by.
  const std::string& schema_json() const;
  const std::string& model_fingerprint() const;
  /// Version of the instructions; changes whenever the prompt does.
  static const char* prompt_version();

 private:
  struct Impl;
  explicit Extractor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// What identifies a stored extraction: the same model file, schema, prompt
/// version, options and text give the same key.
struct ExtractionKey {
  std::string model;            ///< Extractor::model_fingerprint()
  std::string schema_hash;      ///< SHA-256 of the schema in force
  std::string prompt_version;   ///< Extractor::prompt_version()
  std::string text_hash;        ///< SHA-256 of the text extracted
  std::string options;          ///< the options that change answers (language, token limits, sampling; the merge pass for a long text)
  /// The key as one hex string.
  std::string Hex() const;
};

/// The key of extracting `text` with `extractor` under `options`.
ExtractionKey MakeExtractionKey(const Extractor& extractor, const ExtractOptions& options, const std::string& text);

/// An extraction kept in a collection.
struct StoredExtraction {
  int64_t rowid = 0;
  std::string model, schema_hash, prompt_version;
  std::string json;        ///< valid against the schema it was made with
  bool complete = true;
  int64_t created_at = 0;  ///< Unix milliseconds
};

/// Extractions kept in a collection file next to its documents (their rows go
/// with the document). Thread-compatible: one instance per thread.
class ExtractionStore {
 public:
  /// Opens the collection at `db_path` (must exist; its schema is migrated).
  static StatusOr<std::unique_ptr<ExtractionStore>> Open(const std::string& db_path);
  virtual ~ExtractionStore() = default;
  /// The extraction of document `rowid` under `key`, if one was stored.
  virtual StatusOr<std::optional<StoredExtraction>> Get(int64_t rowid, const ExtractionKey& key) = 0;
  /// Stores (or replaces) the extraction of `rowid` under `key`. NotFound for an unknown rowid.
  virtual Status Put(int64_t rowid, const ExtractionKey& key, const Extraction& extraction) = 0;
  /// The newest extraction of each of `rowids` that has one, whatever its key.
  virtual Status Latest(const std::vector<int64_t>& rowids, std::vector<StoredExtraction>* out) = 0;
};

}  // namespace litrank

// The server's generative model: one Qwen3 instruct GGUF shared by /v1/extract
// and /v1/chat/completions. Calls take turns on its one context; a bounded number
// may wait (beyond it ResourceExhausted, 429); a waiting call whose client left
// is dropped before it runs, and an extraction stops between documents.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "generate/generator.h"
#include "extract/json_schema.h"
#include "litrank/extract.h"

namespace litrank::server {

/// One document's extraction, or why it has none.
struct DocumentExtraction {
  Status status;
  Extraction extraction;
};

/// What a chat answer must be (OpenAI's response_format).
struct ChatFormat {
  enum class Kind { kText, kJsonObject, kJsonSchema } kind = Kind::kText;
  OrderedJson schema;  ///< kJsonSchema: a schema within litrank's subset (CheckSchema)
};

/// A chat completion's outcome.
struct ChatCompletion {
  Generation generation;  ///< finished: the text parses and fits the format (the grammar saw to it)
};

class GenerationService {
 public:
  /// Loads `path` (Generator::Open); at most `max_waiting` calls wait while one runs.
  static StatusOr<std::unique_ptr<GenerationService>> Open(const std::string& path, const GeneratorConfig& config,
                                                           size_t max_waiting);
  /// The model file's fingerprint.
  const std::string& fingerprint() const { return generator_->fingerprint(); }

  /// Extracts each text under `options` (its schema "" = the built-in one; the
  /// compiled schema is kept for the next call with the same options). `cancelled`
  /// is polled before each document: true = Cancelled. Errors: the schema's
  /// (InvalidArgument), ResourceExhausted (too many waiting); a document's own
  /// error is in its result.
  Status Extract(const std::vector<std::string>& texts, const ExtractOptions& options,
                 const std::function<bool()>& cancelled, std::vector<DocumentExtraction>* out);
  /// Answers a conversation (Generator::Conversation) greedily, under a grammar
  /// for `format`: any JSON object, or the schema's. Errors: InvalidArgument (the
  /// schema, the turns), TooLong, ResourceExhausted, Cancelled, Internal.
  Status Chat(const std::vector<ChatTurn>& turns, const ChatFormat& format, uint32_t max_tokens,
              const std::function<bool()>& cancelled, ChatCompletion* out);

 private:
  GenerationService(std::shared_ptr<Generator> generator, size_t max_waiting)
      : generator_(std::move(generator)), max_waiting_(max_waiting) {}
  /// Runs `fn` when the model is free; ResourceExhausted when too many wait.
  Status Turn(const std::function<Status()>& fn);
  StatusOr<Extractor*> ExtractorFor(const ExtractOptions& options);  // under mu_

  std::shared_ptr<Generator> generator_;
  size_t max_waiting_;
  std::atomic<size_t> in_flight_{0};
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Extractor>> extractors_;  // by options; at most kMaxSchemas
};

}  // namespace litrank::server

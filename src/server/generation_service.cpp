// GenerationService: one generator, turns under a mutex, compiled schemas kept.
#include "server/generation_service.h"

#include <algorithm>

#include "extract/json_schema.h"

namespace litrank::server {
namespace {

constexpr size_t kMaxSchemas = 16;  // compiled schemas kept; past it one is dropped (the first in key order)

/// GBNF for one JSON object of any shape (RFC 8259 values; whitespace bounded so
/// that an answer cannot idle in blanks).
constexpr const char* kJsonObjectGrammar = R"gbnf(
root    ::= object
value   ::= object | array | string | number | ("true" | "false" | "null") space
object  ::= "{" space (member ("," space member)*)? "}" space
member  ::= string ":" space value
array   ::= "[" space (value ("," space value)*)? "]" space
string  ::= "\"" char* "\"" space
char    ::= [^"\\\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F])
number  ::= "-"? ("0" | [1-9] [0-9]*) ("." [0-9]+)? ([eE] [-+]? [0-9]+)? space
space   ::= " "? | "\n" [ \t]{0,16}
)gbnf";

}  // namespace

StatusOr<std::unique_ptr<GenerationService>> GenerationService::Open(const std::string& path,
                                                                     const GeneratorConfig& config, size_t max_waiting) {
  StatusOr<std::unique_ptr<Generator>> g = Generator::Open(path, config);
  if (!g.ok()) return g.status();
  return std::unique_ptr<GenerationService>(
      new GenerationService(std::shared_ptr<Generator>(std::move(*g)), max_waiting));
}

Status GenerationService::Turn(const std::function<Status()>& fn) {
  if (in_flight_.fetch_add(1) >= max_waiting_ + 1) {
    in_flight_.fetch_sub(1);
    return Status::ResourceExhausted("the generator is busy: " + std::to_string(max_waiting_) +
                                     " calls are already waiting");
  }
  Status st;
  {
    std::lock_guard<std::mutex> lock(mu_);
    st = fn();
  }
  in_flight_.fetch_sub(1);
  return st;
}

StatusOr<Extractor*> GenerationService::ExtractorFor(const ExtractOptions& options) {
  const std::string key = options.schema + '\x1f' + options.language + '\x1f' + std::to_string(options.max_tokens) +
                          '\x1f' + std::to_string(options.window_tokens) + '\x1f' + std::to_string(options.max_windows) +
                          (options.model_merge ? "\x1fmodel-merge" : "");
  auto it = extractors_.find(key);
  if (it != extractors_.end()) return it->second.get();
  StatusOr<std::unique_ptr<Extractor>> made = Extractor::Create(generator_, options);
  if (!made.ok()) return made.status();
  if (extractors_.size() >= kMaxSchemas) extractors_.erase(extractors_.begin());
  return (extractors_[key] = std::move(*made)).get();
}

Status GenerationService::Extract(const std::vector<std::string>& texts, const ExtractOptions& options,
                                  const std::function<bool()>& cancelled, std::vector<DocumentExtraction>* out) {
  // The schema is checked before the call waits for the model.
  if (!options.schema.empty()) LITRANK_RETURN_IF_ERROR(CheckExtractionSchema(options.schema));
  return Turn([&]() -> Status {
    StatusOr<Extractor*> x = ExtractorFor(options);
    if (!x.ok()) return x.status();
    out->assign(texts.size(), DocumentExtraction{});
    // Documents decoded together, a batch at a time (the client may leave between batches).
    const size_t batch = std::max<uint32_t>(1, options.parallel);
    for (size_t first = 0; first < texts.size(); first += batch) {
      if (cancelled && cancelled()) return Status::Cancelled("the client went away");
      const size_t n = std::min(batch, texts.size() - first);
      const std::vector<std::string> part(texts.begin() + static_cast<std::ptrdiff_t>(first),
                                          texts.begin() + static_cast<std::ptrdiff_t>(first + n));
      std::vector<Extraction> extractions;
      std::vector<Status> statuses;
      LITRANK_RETURN_IF_ERROR((*x)->ExtractMany(part, &extractions, &statuses));
      for (size_t i = 0; i < n; ++i) {
        (*out)[first + i].extraction = std::move(extractions[i]);
        (*out)[first + i].status = statuses[i];
      }
    }
    return Status::Ok();
  });
}

Status GenerationService::Chat(const std::vector<ChatTurn>& turns, const ChatFormat& format, uint32_t max_tokens,
                               const std::function<bool()>& cancelled, ChatCompletion* out) {
  std::string grammar;
  if (format.kind == ChatFormat::Kind::kJsonSchema) {
    StatusOr<std::string> g = SchemaGrammar(format.schema);
    if (!g.ok()) return g.status();
    grammar = std::move(*g);
  } else if (format.kind == ChatFormat::Kind::kJsonObject) {
    grammar = kJsonObjectGrammar;
  }
  StatusOr<ChatPrompt> prompt = generator_->Conversation(turns);
  if (!prompt.ok()) return prompt.status();
  return Turn([&]() -> Status {
    if (cancelled && cancelled()) return Status::Cancelled("the client went away");
    LITRANK_RETURN_IF_ERROR(generator_->Generate(*prompt, grammar, max_tokens, &out->generation));
    return Status::Ok();
  });
}

}  // namespace litrank::server

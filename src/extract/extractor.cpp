// Extractor: prompt, windows, grammar-constrained decode, validation, retry, merge.
#include <algorithm>
#include <string_view>

#include "extract/json_schema.h"
#include "extract/merge_answers.h"
#include "generate/generator.h"
#include "litrank/extract.h"
#include "text/sentences.h"
#include "util/utf8.h"

namespace litrank {
namespace {

constexpr const char* kPromptVersion = "extract-v1";
/// Deepest schema text accepted (objects and arrays), before any recursive parse or print.
constexpr size_t kMaxSchemaDepth = 64;

/// The system turn: rules, then one line per field (the schema's descriptions).
std::string SystemPrompt(const OrderedJson& schema, const std::string& language) {
  std::string s =
      "You extract key information from one scientific text (an abstract, a paper, a patent or a post) "
      "and answer with one JSON object only.\n"
      "Rules:\n"
      "- Use only what the text states. Never add facts, numbers, names or datasets that are not in it.\n"
      "- A field the text says nothing about stays empty: \"\" or [].\n";
  s += language.empty() ? "- Write the values in the language of the text (Chinese text, Chinese values).\n"
                        : "- Write the values in " + language + ".\n";
  s += "Fields:\n";
  for (auto it = schema["properties"].begin(); it != schema["properties"].end(); ++it) {
    const OrderedJson& p = it.value();
    s += "- " + it.key() + " (" + p.value("type", "value") + (p.value("type", "") == "array" ? " of strings" : "") + ")";
    if (p.contains("description")) s += ": " + p["description"].get<std::string>();
    s += "\n";
  }
  return s;
}

/// `value` with object keys in the schema's order (nlohmann::json sorts them).
OrderedJson InSchemaOrder(const OrderedJson& schema, const nlohmann::json& value) {
  if (value.is_object() && schema.contains("properties")) {
    OrderedJson out = OrderedJson::object();
    for (auto it = schema["properties"].begin(); it != schema["properties"].end(); ++it) {
      if (value.contains(it.key())) out[it.key()] = InSchemaOrder(it.value(), value[it.key()]);
    }
    return out;
  }
  if (value.is_array() && schema.contains("items")) {
    OrderedJson out = OrderedJson::array();
    for (const nlohmann::json& v : value) out.push_back(InSchemaOrder(schema["items"], v));
    return out;
  }
  return OrderedJson::parse(value.dump());
}

}  // namespace

struct Extractor::Impl {
  std::shared_ptr<Generator> generator;
  ExtractOptions options;
  OrderedJson schema, tight_schema;
  std::string schema_json, grammar, tight_grammar, system;

  /// Windows of at most window_tokens tokens, on sentence boundaries, each starting
  /// with the previous window's last sentence.
  std::vector<std::string> Windows(const std::string& text) const;
  /// One window's answer: valid against `schema`, or none when no attempt fit.
  Status Answer(const std::string& window, Extraction* stats, nlohmann::json* answer, bool* complete);
};

std::vector<std::string> Extractor::Impl::Windows(const std::string& text) const {
  const size_t limit = options.window_tokens;
  if (generator->CountTokens(text) <= limit) return {text};
  // Sentences; one longer than a window is cut every `limit` bytes (a token is at
  // least one byte, so a piece is at most `limit` tokens).
  std::vector<std::string> pieces;
  for (const Sentence& s : SplitSentences(text)) {
    for (size_t at = 0; at < s.text.size();) {
      const std::string_view rest = std::string_view(s.text).substr(at, limit + 4);
      const size_t len = std::max<size_t>(Utf8SafePrefix(std::string(rest), limit), 1);
      pieces.push_back(s.text.substr(at, len));
      at += len;
    }
  }
  std::vector<std::string> windows;
  std::string current, last;
  size_t tokens = 0;
  for (const std::string& p : pieces) {
    const size_t t = generator->CountTokens(p) + 1;
    if (!current.empty() && tokens + t > limit) {
      windows.push_back(current);
      current = last;
      tokens = generator->CountTokens(last) + 1;
      if (tokens + t > limit) current.clear(), tokens = 0;
    }
    current += (current.empty() ? "" : " ") + p;
    tokens += t;
    last = p;
  }
  if (!current.empty()) windows.push_back(current);
  return windows;
}

Status Extractor::Impl::Answer(const std::string& window, Extraction* stats, nlohmann::json* answer,
                               bool* complete) {
  StatusOr<ChatPrompt> prompt = generator->Chat(system, "Text:\n", window);
  if (!prompt.ok()) return prompt.status();
  // First the schema as given; after a cut-off, shorter strings and required fields
  // only. Either answer is checked against the full schema.
  const std::string* grammars[2] = {&grammar, &tight_grammar};
  Status last_error = Status::Ok();
  int failed_decodes = 0;
  for (int attempt = 0; attempt < 2; ++attempt) {
    Generation g;
    ++stats->attempts;
    Status st = generator->Generate(*prompt, *grammars[attempt], options.max_tokens, &g);
    stats->prompt_tokens += g.prompt_tokens;
    stats->reused_tokens += g.reused_tokens;
    stats->generated_tokens += g.generated_tokens;
    if (st.code() == Status::Code::kTooLong) return st;
    if (!st.ok()) {
      last_error = st;
      ++failed_decodes;
      continue;
    }
    // An answer that closed exactly at the token limit counts too: it parses or not.
    nlohmann::json parsed = nlohmann::json::parse(g.text, nullptr, false);
    std::string why;
    if (parsed.is_discarded() || !ValidateJson(schema, parsed, &why)) continue;
    *answer = std::move(parsed);
    return Status::Ok();
  }
  if (failed_decodes == 2) return last_error;
  *complete = false;
  *answer = MinimalInstance(schema);
  return Status::Ok();
}

Extractor::Extractor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Extractor::~Extractor() = default;

std::string BuiltInSchemaJson() { return BuiltInExtractionSchema().dump(); }

namespace {

/// `schema_text` parsed, after the depth check that keeps recursion bounded.
StatusOr<OrderedJson> ParseSchemaText(const std::string& schema_text) {
  if (JsonNestingDepth(schema_text) > kMaxSchemaDepth) {
    return Status::InvalidArgument("the schema nests deeper than " + std::to_string(kMaxSchemaDepth) + " levels");
  }
  OrderedJson schema = OrderedJson::parse(schema_text, nullptr, false);
  if (schema.is_discarded()) return Status::InvalidArgument("the schema is not valid JSON");
  return schema;
}

}  // namespace

Status CheckExtractionSchema(const std::string& schema_text) {
  StatusOr<OrderedJson> schema = ParseSchemaText(schema_text);
  if (!schema.ok()) return schema.status();
  return SchemaGrammar(*schema).status();
}

namespace {

/// The option checks that need no model, the schema parsed and checked among them.
Status CheckOptions(const ExtractOptions& options) {
  if (options.max_tokens == 0) return Status::InvalidArgument("max_tokens must be at least 1");
  if (options.window_tokens < 64) return Status::InvalidArgument("window_tokens must be at least 64");
  if (!options.schema.empty()) {
    StatusOr<OrderedJson> parsed = ParseSchemaText(options.schema);
    if (!parsed.ok()) return parsed.status();
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<Extractor>> Extractor::Open(const std::string& model_path, const ExtractOptions& options) {
  // The schema is checked before the model loads: a bad schema fails fast.
  if (Status st = CheckOptions(options); !st.ok()) return st;
  GeneratorConfig gc;
  gc.threads = options.threads;
  gc.gpu_layers = options.gpu_layers;
  auto generator = Generator::Open(model_path, gc);
  if (!generator.ok()) return generator.status();
  return Create(std::shared_ptr<Generator>(std::move(*generator)), options);
}

StatusOr<std::unique_ptr<Extractor>> Extractor::Create(std::shared_ptr<Generator> generator,
                                                       const ExtractOptions& options) {
  LITRANK_RETURN_IF_ERROR(CheckOptions(options));
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  if (options.schema.empty()) {
    impl->schema = BuiltInExtractionSchema();
  } else {
    StatusOr<OrderedJson> parsed = ParseSchemaText(options.schema);
    if (!parsed.ok()) return parsed.status();
    impl->schema = std::move(*parsed);
  }
  StatusOr<std::string> grammar = SchemaGrammar(impl->schema);
  if (!grammar.ok()) return grammar.status();
  impl->grammar = std::move(*grammar);
  impl->tight_schema = TightenSchema(impl->schema, 4, 400, /*required_only=*/true);
  StatusOr<std::string> tight = SchemaGrammar(impl->tight_schema);
  if (!tight.ok()) return tight.status();
  impl->tight_grammar = std::move(*tight);
  impl->schema_json = impl->schema.dump();
  impl->system = SystemPrompt(impl->schema, options.language);
  impl->generator = std::move(generator);
  return std::unique_ptr<Extractor>(new Extractor(std::move(impl)));
}

Status Extractor::Extract(const std::string& text, Extraction* out) {
  *out = Extraction{};
  if (!IsValidUtf8(text)) return Status::InvalidArgument("the text is not valid UTF-8");
  const Impl& im = *impl_;
  bool blank = true;
  for (char c : text) blank = blank && (c == ' ' || c == '\n' || c == '\r' || c == '\t');
  if (blank) {  // nothing to read: every field empty, no model call
    out->json = InSchemaOrder(im.schema, MinimalInstance(im.schema)).dump();
    return Status::Ok();
  }
  const std::vector<std::string> windows = im.Windows(text);
  if (windows.size() > im.options.max_windows) {
    return Status::TooLong("the text needs " + std::to_string(windows.size()) + " windows of " +
                           std::to_string(im.options.window_tokens) + " tokens; at most " +
                           std::to_string(im.options.max_windows) + " are read");
  }
  std::vector<nlohmann::json> answers;
  bool all_complete = true;
  for (const std::string& w : windows) {
    nlohmann::json answer;
    bool complete = true;
    LITRANK_RETURN_IF_ERROR(impl_->Answer(w, out, &answer, &complete));
    if (complete) answers.push_back(std::move(answer));
    all_complete = all_complete && complete;
  }
  out->windows = static_cast<uint32_t>(windows.size());
  out->complete = all_complete;
  nlohmann::json merged = answers.empty() ? MinimalInstance(im.schema) : MergeAnswers(im.schema, answers);
  std::string why;
  if (!ValidateJson(im.schema, merged, &why)) {  // merging should never break an answer; if it does, say so
    merged = MinimalInstance(im.schema);
    out->complete = false;
  }
  out->json = InSchemaOrder(im.schema, merged).dump();
  return Status::Ok();
}

const std::string& Extractor::schema_json() const { return impl_->schema_json; }
const std::string& Extractor::model_fingerprint() const { return impl_->generator->fingerprint(); }
const char* Extractor::prompt_version() { return kPromptVersion; }

}  // namespace litrank

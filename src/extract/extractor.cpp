// Extractor: prompt, windows, grammar-constrained decode, validation, retry, merge.
#include <algorithm>
#include <string_view>

#include "extract/extract_prompt.h"
#include "extract/json_schema.h"
#include "extract/merge_answers.h"
#include "generate/generator.h"
#include "litrank/extract.h"
#include "text/sentences.h"
#include "util/utf8.h"
#include "util/ascii.h"

namespace litrank {
namespace {

constexpr const char* kPromptVersion = "extract-v1";
/// Deepest schema text accepted (objects and arrays), before any recursive parse or print.
constexpr size_t kMaxSchemaDepth = 64;

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
  std::string schema_json, grammar, tight_grammar, system, merge_system;

  /// Windows of at most window_tokens tokens, on sentence boundaries, each starting
  /// with the previous window's last sentence.
  std::vector<std::string> Windows(const std::string& text) const;
  Sampling sampling() const { return Sampling{options.temperature, options.top_p, options.seed}; }
  /// The merge pass: for each text with answers (two or more window answers), one
  /// decode under the schema's grammar; an answer that parses and validates replaces
  /// the rule's merge in (*outs)[i] (merged_by "model"). Whatever fails (a prompt past
  /// the context, a decode, a group that cannot run) leaves the rule's merge.
  void MergeByModel(const std::vector<std::vector<nlohmann::json>>& answers, std::vector<Extraction>* outs) const;
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
  if (options.parallel == 0 || options.parallel > 64) return Status::InvalidArgument("parallel must be 1 to 64");
  if (options.temperature < 0 || options.temperature > 5) return Status::InvalidArgument("temperature must be 0 to 5");
  if (!(options.top_p > 0 && options.top_p <= 1)) return Status::InvalidArgument("top_p must be in (0, 1]");
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
  gc.max_sequences = options.parallel;
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
  impl->system = ExtractionSystemPrompt(impl->schema, options.language);
  impl->merge_system = MergeSystemPrompt(impl->schema, options.language);
  impl->generator = std::move(generator);
  return std::unique_ptr<Extractor>(new Extractor(std::move(impl)));
}

Status Extractor::Extract(const std::string& text, Extraction* out) {
  std::vector<Extraction> outs;
  std::vector<Status> statuses;
  LITRANK_RETURN_IF_ERROR(ExtractMany({text}, &outs, &statuses));
  *out = std::move(outs.front());
  return statuses.front();
}

namespace {

// One window of one text, through its attempts.
struct WindowJob {
  size_t text = 0;
  ChatPrompt prompt;
  nlohmann::json answer;
  bool answered = false;
  int failed_decodes = 0;
  Status last_error;
};


}  // namespace

Status Extractor::ExtractMany(const std::vector<std::string>& texts, std::vector<Extraction>* outs,
                              std::vector<Status>* statuses) {
  outs->assign(texts.size(), Extraction{});
  statuses->assign(texts.size(), Status::Ok());
  const Impl& im = *impl_;
  std::vector<WindowJob> jobs;
  std::vector<std::vector<size_t>> windows_of(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    Extraction& out = (*outs)[i];
    if (!IsValidUtf8(texts[i])) {
      (*statuses)[i] = Status::InvalidArgument("the text is not valid UTF-8");
      continue;
    }
    if (IsBlank(texts[i])) {  // nothing to read: every field empty, no model call
      out.json = InSchemaOrder(im.schema, MinimalInstance(im.schema)).dump();
      continue;
    }
    const std::vector<std::string> windows = im.Windows(texts[i]);
    if (windows.size() > im.options.max_windows) {
      (*statuses)[i] = Status::TooLong("the text needs " + std::to_string(windows.size()) + " windows of " +
                                       std::to_string(im.options.window_tokens) + " tokens; at most " +
                                       std::to_string(im.options.max_windows) + " are read");
      continue;
    }
    out.windows = static_cast<uint32_t>(windows.size());
    for (const std::string& w : windows) {
      StatusOr<ChatPrompt> prompt = im.generator->Chat(im.system, "Text:\n", w);
      if (!prompt.ok()) return prompt.status();
      windows_of[i].push_back(jobs.size());
      jobs.push_back(WindowJob{i, std::move(*prompt), {}, false, 0, Status::Ok()});
    }
  }
  // First the schema as given; after a cut-off, shorter strings and required fields
  // only. Either answer is checked against the full schema.
  const std::string* grammars[2] = {&im.grammar, &im.tight_grammar};
  const uint32_t parallel = std::max<uint32_t>(1, im.options.parallel);
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::vector<size_t> pending;
    for (size_t j = 0; j < jobs.size(); ++j) {
      if (!jobs[j].answered && (*statuses)[jobs[j].text].ok()) pending.push_back(j);
    }
    for (size_t first = 0; first < pending.size(); first += parallel) {
      const size_t n = std::min<size_t>(parallel, pending.size() - first);
      std::vector<ChatPrompt> prompts;
      for (size_t k = 0; k < n; ++k) prompts.push_back(jobs[pending[first + k]].prompt);
      std::vector<Generation> gens;
      std::vector<Status> gen_status;
      LITRANK_RETURN_IF_ERROR(im.generator->GenerateMany(prompts, *grammars[attempt], im.options.max_tokens,
                                                         im.sampling(), &gens, &gen_status));
      for (size_t k = 0; k < n; ++k) {
        WindowJob& job = jobs[pending[first + k]];
        Extraction& stats = (*outs)[job.text];
        ++stats.attempts;
        stats.prompt_tokens += gens[k].prompt_tokens;
        stats.reused_tokens += gens[k].reused_tokens;
        stats.generated_tokens += gens[k].generated_tokens;
        if (gen_status[k].code() == Status::Code::kTooLong) {
          (*statuses)[job.text] = gen_status[k];
          continue;
        }
        if (!gen_status[k].ok()) {
          job.last_error = gen_status[k];
          ++job.failed_decodes;
          continue;
        }
        // An answer that closed exactly at the token limit counts too: it parses or not.
        nlohmann::json parsed = nlohmann::json::parse(gens[k].text, nullptr, false);
        std::string why;
        if (parsed.is_discarded() || !ValidateJson(im.schema, parsed, &why)) continue;
        job.answer = std::move(parsed);
        job.answered = true;
      }
    }
  }
  // Per text: the answers of its windows merged in window order.
  std::vector<std::vector<nlohmann::json>> to_merge(texts.size());  // texts the model merges, their answers
  for (size_t i = 0; i < texts.size(); ++i) {
    if (!(*statuses)[i].ok() || windows_of[i].empty()) continue;
    Extraction& out = (*outs)[i];
    std::vector<nlohmann::json> answers;
    bool all_complete = true;
    for (size_t j : windows_of[i]) {
      if (jobs[j].failed_decodes == 2) {
        (*statuses)[i] = jobs[j].last_error;
        break;
      }
      if (jobs[j].answered) answers.push_back(jobs[j].answer);
      all_complete = all_complete && jobs[j].answered;
    }
    if (!(*statuses)[i].ok()) continue;
    out.complete = all_complete;
    if (windows_of[i].size() > 1) out.merged_by = "rule";
    nlohmann::json merged = answers.empty() ? MinimalInstance(im.schema) : MergeAnswers(im.schema, answers);
    std::string why;
    if (!ValidateJson(im.schema, merged, &why)) {  // merging should never break an answer; if it does, say so
      merged = MinimalInstance(im.schema);
      out.complete = false;
    }
    out.json = InSchemaOrder(im.schema, merged).dump();
    if (im.options.model_merge && answers.size() > 1) to_merge[i] = std::move(answers);
  }
  if (im.options.model_merge) impl_->MergeByModel(to_merge, outs);
  return Status::Ok();
}

void Extractor::Impl::MergeByModel(const std::vector<std::vector<nlohmann::json>>& answers,
                                   std::vector<Extraction>* outs) const {
  std::vector<size_t> texts;
  std::vector<ChatPrompt> prompts;
  for (size_t i = 0; i < answers.size(); ++i) {
    if (answers[i].empty()) continue;
    std::vector<OrderedJson> parts;  // each in the schema's field order, as the grammar writes answers
    for (const nlohmann::json& a : answers[i]) parts.push_back(InSchemaOrder(schema, a));
    StatusOr<ChatPrompt> prompt =
        generator->Chat(merge_system, "Partial answers, in the text's order:\n", MergeUserText(parts));
    if (!prompt.ok()) return;  // the template applied to every window: not expected; the rule's merges stay
    texts.push_back(i);
    prompts.push_back(std::move(*prompt));
  }
  const size_t parallel = std::max<uint32_t>(1, options.parallel);
  for (size_t first = 0; first < prompts.size(); first += parallel) {
    const size_t n = std::min(parallel, prompts.size() - first);
    const std::vector<ChatPrompt> group(prompts.begin() + static_cast<std::ptrdiff_t>(first),
                                        prompts.begin() + static_cast<std::ptrdiff_t>(first + n));
    std::vector<Generation> gens;
    std::vector<Status> gen_status;
    // A group that cannot run at all (no context of that size) keeps the rule's merges:
    // the pass is optional, and the window answers are already done.
    if (!generator->GenerateMany(group, grammar, options.max_tokens, sampling(), &gens, &gen_status).ok()) continue;
    for (size_t k = 0; k < n; ++k) {
      Extraction& out = (*outs)[texts[first + k]];
      if (gen_status[k].code() == Status::Code::kTooLong) continue;  // never decoded: the rule's merge stays
      ++out.attempts;
      out.prompt_tokens += gens[k].prompt_tokens;
      out.reused_tokens += gens[k].reused_tokens;
      out.generated_tokens += gens[k].generated_tokens;
      // A failed decode, or an answer cut off or invalid: the rule's merge stays. An
      // answer that closed exactly at the token limit counts, as for windows.
      if (!gen_status[k].ok()) continue;
      const nlohmann::json parsed = nlohmann::json::parse(gens[k].text, nullptr, false);
      std::string why;
      if (parsed.is_discarded() || !ValidateJson(schema, parsed, &why)) continue;
      out.json = InSchemaOrder(schema, parsed).dump();
      out.merged_by = "model";
    }
  }
}

bool Extractor::ReadsInWindows(const std::string& text) const {
  return impl_->generator->CountTokens(text) > impl_->options.window_tokens;  // as Impl::Windows splits
}

const std::string& Extractor::schema_json() const { return impl_->schema_json; }
const std::string& Extractor::model_fingerprint() const { return impl_->generator->fingerprint(); }
const char* Extractor::prompt_version() { return kPromptVersion; }

}  // namespace litrank

#include "generate/generator.h"

#include <algorithm>
#include <cmath>

#include "litrank/model_info.h"
#include "llama.h"
#include "model/fingerprint.h"
#include "model/llama_runtime.h"
#include "rerank/prompt.h"

namespace litrank {
namespace {

struct SamplerFree {
  void operator()(llama_sampler* s) const { llama_sampler_free(s); }
};

/// Why `info` cannot generate, or "" when it can.
std::string NotAGenerator(const ModelInfo& info) {
  switch (info.kind) {
    case ModelKind::kCausalLM: break;
    case ModelKind::kEmbedding:
      return info.path + " is an embedding model (" + info.pooling + " pooling), not a generative one; pass a Qwen3 instruct GGUF";
    case ModelKind::kQwen3Reranker:
    case ModelKind::kRankReranker:
    case ModelKind::kBrokenReranker:
      return info.path + " is a reranker (a classifier head), not a generative model; pass a Qwen3 instruct GGUF";
    case ModelKind::kUnknown:
      return info.path + " is not a model litrank can generate with";
  }
  if (std::find(info.chat_templates.begin(), info.chat_templates.end(), "default") == info.chat_templates.end()) {
    return info.path + " has no chat template (tokenizer.chat_template); an instruct model is needed";
  }
  return "";
}

}  // namespace

StatusOr<std::unique_ptr<Generator>> Generator::Open(const std::string& path, const GeneratorConfig& config) {
  auto info = InspectModel(path);
  if (!info.ok()) return info.status();
  if (std::string why = NotAGenerator(*info); !why.empty()) return Status::Unsupported(why);
  auto fingerprint = ModelFingerprint(path);
  if (!fingerprint.ok()) return fingerprint.status();
  auto loaded = LoadModelFile(path, config.gpu_layers);
  if (!loaded.ok()) return loaded.status();
  ModelPtr model = std::move(*loaded);
  const char* tmpl = llama_model_chat_template(model.get(), nullptr);
  if (tmpl == nullptr) return Status::Unsupported(path + " has no chat template");
  std::unique_ptr<Generator> g(new Generator());
  g->config_ = config;
  g->config_.threads = ResolveThreads(config.threads);
  g->fingerprint_ = std::move(*fingerprint);
  g->chat_template_ = tmpl;
  g->model_ = model.release();
  return g;
}

Generator::~Generator() {
  if (ctx_) llama_free(ctx_);
  if (model_) llama_model_free(model_);
}

uint32_t Generator::trained_context() const {
  return static_cast<uint32_t>(std::max(1, llama_model_n_ctx_train(model_)));
}

StatusOr<ChatPrompt> Generator::Chat(const std::string& system, const std::string& user_before,
                                     const std::string& user_text) const {
  // The marker goes after the instructions: they stay template text, the document is plain.
  StatusOr<ChatPrompt> p = Conversation({{"system", system}, {"user", ""}}, user_before);
  if (!p.ok()) return p;
  p->user_text = user_text;
  return p;
}

StatusOr<ChatPrompt> Generator::Conversation(const std::vector<ChatTurn>& turns, const std::string& before) const {
  if (turns.empty()) return Status::InvalidArgument("no messages");
  if (turns.back().role != "user") return Status::InvalidArgument("the last message must be the user's");
  // The template is applied with a marker where the last user text goes, then split there.
  static const std::string kMarker = "\x01litrank-user-text\x01";
  std::vector<llama_chat_message> messages;
  size_t bytes = 1024;
  for (size_t i = 0; i + 1 < turns.size(); ++i) {
    messages.push_back({turns[i].role.c_str(), turns[i].content.c_str()});
    bytes += turns[i].content.size() + 64;
  }
  const std::string last = before + kMarker;
  messages.push_back({"user", last.c_str()});
  std::vector<char> buf(bytes + last.size());
  int32_t n = llama_chat_apply_template(chat_template_.c_str(), messages.data(), messages.size(), true, buf.data(),
                                        static_cast<int32_t>(buf.size()));
  if (n > static_cast<int32_t>(buf.size())) {
    buf.resize(static_cast<size_t>(n));
    n = llama_chat_apply_template(chat_template_.c_str(), messages.data(), messages.size(), true, buf.data(), n);
  }
  if (n < 0) return Status::Unsupported("the model's chat template is not one llama.cpp can apply");
  const std::string formatted(buf.data(), static_cast<size_t>(n));
  // The last marker: an earlier turn may carry the marker's text itself.
  const size_t at = formatted.rfind(kMarker);
  if (at == std::string::npos) return Status::Unsupported("the model's chat template drops the user's message");
  ChatPrompt p{formatted.substr(0, at), turns.back().content, formatted.substr(at + kMarker.size())};
  // Qwen3's template with enable_thinking=false: an empty think block opens the answer.
  if (chat_template_.find("<think>") != std::string::npos && p.tail.find("<think>") == std::string::npos) {
    p.tail += "<think>\n\n</think>\n\n";
  }
  return p;
}

size_t Generator::CountTokens(const std::string& text) const {
  return Tokenize(llama_model_get_vocab(model_), text, false).size();
}

Status Generator::EnsureContext(uint32_t tokens) {
  const uint32_t limit = std::min(config_.max_context, trained_context());
  tokens = std::min(limit, (tokens + 1023) / 1024 * 1024);
  if (ctx_ && n_ctx_ >= tokens) return Status::Ok();
  if (ctx_) llama_free(ctx_), ctx_ = nullptr;
  cached_.clear();
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = tokens;
  cp.n_batch = std::min<uint32_t>(tokens, 2048);
  cp.n_ubatch = std::min<uint32_t>(tokens, 512);
  cp.n_seq_max = 1;
  cp.n_threads = cp.n_threads_batch = config_.threads;
  cp.no_perf = true;
  ctx_ = llama_init_from_model(model_, cp);
  if (!ctx_) return Status::Internal("llama.cpp could not create a context of " + std::to_string(tokens) + " tokens: out of memory?");
  n_ctx_ = llama_n_ctx(ctx_);
  return Status::Ok();
}

Status Generator::Decode(const std::vector<int32_t>& tokens, size_t from, bool logits_last) {
  const size_t n_batch = llama_n_batch(ctx_);
  llama_batch batch = llama_batch_init(static_cast<int32_t>(n_batch), 0, 1);
  Status st = Status::Ok();
  for (size_t i = from; i < tokens.size() && st.ok();) {
    batch.n_tokens = 0;
    const size_t end = std::min(tokens.size(), i + n_batch);
    for (size_t k = i; k < end; ++k) {
      AddToken(&batch, tokens[k], static_cast<int32_t>(k), 0, logits_last && k + 1 == tokens.size());
    }
    if (llama_decode(ctx_, batch) != 0) st = Status::Internal("llama_decode failed");
    i = end;
  }
  llama_batch_free(batch);
  return st;
}

int32_t Generator::PickToken(llama_sampler* grammar) {
  const float* logits = llama_get_logits_ith(ctx_, -1);
  const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model_));
  int32_t best = static_cast<int32_t>(std::max_element(logits, logits + n_vocab) - logits);
  if (grammar == nullptr) return best;
  // The greedy pick is usually allowed: check it alone before masking the vocabulary.
  llama_token_data one = {best, logits[best], 0.0f};
  llama_token_data_array single = {&one, 1, -1, false};
  llama_sampler_apply(grammar, &single);
  if (std::isfinite(single.data[0].logit)) return best;
  candidates_.resize(static_cast<size_t>(n_vocab));
  for (int32_t t = 0; t < n_vocab; ++t) candidates_[static_cast<size_t>(t)] = {t, logits[t], 0.0f};
  llama_token_data_array arr = {candidates_.data(), candidates_.size(), -1, false};
  llama_sampler_apply(grammar, &arr);
  best = -1;
  float best_logit = -INFINITY;
  for (size_t i = 0; i < arr.size; ++i) {
    if (std::isfinite(arr.data[i].logit) && (best < 0 || arr.data[i].logit > best_logit)) {
      best = arr.data[i].id;
      best_logit = arr.data[i].logit;
    }
  }
  return best;
}

Status Generator::Generate(const ChatPrompt& prompt, const std::string& grammar, uint32_t max_tokens,
                           Generation* out) {
  *out = Generation{};
  const llama_vocab* vocab = llama_model_get_vocab(model_);
  std::vector<int32_t> tokens = Tokenize(vocab, prompt.head, true);
  const Tokens text = Tokenize(vocab, prompt.user_text, false);
  const Tokens tail = Tokenize(vocab, prompt.tail, true);
  tokens.insert(tokens.end(), text.begin(), text.end());
  tokens.insert(tokens.end(), tail.begin(), tail.end());
  if (tokens.empty()) return Status::InvalidArgument("empty prompt");
  const size_t need = tokens.size() + max_tokens;
  const uint32_t limit = std::min(config_.max_context, trained_context());
  if (need > limit) {
    return Status::TooLong("prompt of " + std::to_string(tokens.size()) + " tokens plus " + std::to_string(max_tokens) +
                           " to generate is over the context of " + std::to_string(limit) + " tokens");
  }
  std::unique_ptr<llama_sampler, SamplerFree> sampler;
  if (!grammar.empty()) {
    sampler.reset(llama_sampler_init_grammar(vocab, grammar.c_str(), "root"));
    if (!sampler) return Status::InvalidArgument("llama.cpp rejected the grammar");
  }
  LITRANK_RETURN_IF_ERROR(EnsureContext(static_cast<uint32_t>(need)));
  // Keep the longest common prefix with what the cache holds; at least one token is decoded.
  size_t keep = 0;
  while (keep < cached_.size() && keep < tokens.size() && cached_[keep] == tokens[keep]) ++keep;
  keep = std::min(keep, tokens.size() - 1);
  if (!llama_memory_seq_rm(llama_get_memory(ctx_), 0, static_cast<llama_pos>(keep), -1)) {
    llama_memory_clear(llama_get_memory(ctx_), true);  // a cache that cannot be cut (recurrent): start over
    keep = 0;
  }
  cached_.resize(keep);
  out->prompt_tokens = tokens.size();
  out->reused_tokens = keep;
  Status st = Decode(tokens, keep, true);
  if (!st.ok()) {
    cached_.clear();
    llama_memory_clear(llama_get_memory(ctx_), true);
    return st;
  }
  cached_ = tokens;
  std::vector<char> piece(256);
  while (out->generated_tokens < max_tokens) {
    const int32_t tok = PickToken(sampler.get());
    if (tok < 0) return Status::Internal("the grammar allows no token here");
    if (llama_vocab_is_eog(vocab, tok)) {
      out->finished = true;
      break;
    }
    if (sampler) llama_sampler_accept(sampler.get(), tok);
    // Rendered as the grammar saw it (control tokens as their text).
    int32_t n = llama_token_to_piece(vocab, tok, piece.data(), static_cast<int32_t>(piece.size()), 0, true);
    if (n < 0) {
      piece.resize(static_cast<size_t>(-n));
      n = llama_token_to_piece(vocab, tok, piece.data(), static_cast<int32_t>(piece.size()), 0, true);
    }
    if (n > 0) out->text.append(piece.data(), static_cast<size_t>(n));
    ++out->generated_tokens;
    if (out->generated_tokens == max_tokens) break;
    llama_batch one = llama_batch_get_one(const_cast<int32_t*>(&tok), 1);
    if (llama_decode(ctx_, one) != 0) {
      cached_.clear();
      llama_memory_clear(llama_get_memory(ctx_), true);
      return Status::Internal("llama_decode failed while generating");
    }
    cached_.push_back(tok);
  }
  return Status::Ok();
}

}  // namespace litrank

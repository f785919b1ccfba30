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

Status Generator::EnsureContext(uint32_t sequences, uint32_t per_sequence) {
  // Rounded up to 256 cells, but never past the budget for this many sequences.
  per_sequence = std::min((per_sequence + 255) / 256 * 256, std::max(per_sequence, config_.max_context / sequences));
  if (ctx_ && sequences <= n_seq_ && per_sequence <= n_ctx_ / n_seq_) return Status::Ok();
  // Grow to cover both this group and the last, unless that exceeds the budget.
  uint32_t seqs = std::max(sequences, ctx_ ? n_seq_ : 1u);
  uint32_t per = std::max(per_sequence, ctx_ ? n_ctx_ / n_seq_ : 0u);
  if (static_cast<uint64_t>(seqs) * per > config_.max_context) seqs = sequences, per = per_sequence;
  cached_.clear();
  llama_context_params cp = BaseContextParams(seqs * per, config_.threads);
  // One KV stream per sequence (kv_unified off): a token attends to its own sequence's
  // cells only, where a unified buffer would have every token of a batch scan every
  // sequence's cells. The shared prefix is copied from stream 0 instead of shared.
  cp.n_seq_max = seqs;
  cp.kv_unified = false;
  cp.n_batch = std::min<uint32_t>(per, 2048);
  cp.n_ubatch = std::min<uint32_t>(per, 512);
  LITRANK_RETURN_IF_ERROR(RecreateContext(model_, cp, "a context for " + std::to_string(seqs) + " sequences", &ctx_));
  n_seq_ = seqs;
  n_ctx_ = llama_n_ctx(ctx_);
  return Status::Ok();
}

Status Generator::Decode(const std::vector<int32_t>& tokens, size_t from, int32_t seq, bool logits_last) {
  const size_t n_batch = llama_n_batch(ctx_);
  llama_batch batch = llama_batch_init(static_cast<int32_t>(n_batch), 0, 1);
  Status st = Status::Ok();
  for (size_t i = from; i < tokens.size() && st.ok();) {
    batch.n_tokens = 0;
    const size_t end = std::min(tokens.size(), i + n_batch);
    for (size_t k = i; k < end; ++k) {
      AddToken(&batch, tokens[k], static_cast<int32_t>(k), seq, logits_last && k + 1 == tokens.size());
    }
    if (llama_decode(ctx_, batch) != 0) st = Status::Internal("llama_decode failed");
    i = end;
  }
  llama_batch_free(batch);
  return st;
}

// One prompt's decoding state: its grammar and sampler, and what it produced.
struct Generator::Sequence {
  std::unique_ptr<llama_sampler, SamplerFree> grammar;
  std::unique_ptr<llama_sampler, SamplerFree> chain;  // top-p, temperature, seeded draw (null: greedy)
  int32_t next = -1;  // the token picked, not yet emitted
  size_t length = 0;  // tokens in its KV sequence
  bool done = false;
};

int32_t Generator::PickToken(int32_t logits_index, Sequence* seq) {
  const float* logits = llama_get_logits_ith(ctx_, logits_index);
  const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model_));
  int32_t best = static_cast<int32_t>(std::max_element(logits, logits + n_vocab) - logits);
  if (seq->grammar == nullptr && seq->chain == nullptr) return best;
  if (seq->chain == nullptr) {
    // Greedy: the best token is usually allowed; check it alone before masking the vocabulary.
    llama_token_data one = {best, logits[best], 0.0f};
    llama_token_data_array single = {&one, 1, -1, false};
    llama_sampler_apply(seq->grammar.get(), &single);
    if (std::isfinite(single.data[0].logit)) return best;
  }
  candidates_.resize(static_cast<size_t>(n_vocab));
  for (int32_t t = 0; t < n_vocab; ++t) candidates_[static_cast<size_t>(t)] = {t, logits[t], 0.0f};
  if (seq->chain == nullptr) {
    // Greedy under a grammar: the best allowed token. The grammar is costly per token,
    // so the likeliest tokens are checked first (64, then 2048), best first; only when
    // none of them is allowed does the whole vocabulary go through it.
    auto better = [](const llama_token_data& a, const llama_token_data& b) {
      return a.logit != b.logit ? a.logit > b.logit : a.id < b.id;
    };
    size_t sorted = 0;
    for (size_t top : {size_t{64}, size_t{2048}}) {
      top = std::min(top, candidates_.size());
      std::partial_sort(candidates_.begin() + static_cast<std::ptrdiff_t>(sorted),
                        candidates_.begin() + static_cast<std::ptrdiff_t>(top), candidates_.end(), better);
      probe_.assign(candidates_.begin() + static_cast<std::ptrdiff_t>(sorted),
                    candidates_.begin() + static_cast<std::ptrdiff_t>(top));
      llama_token_data_array some = {probe_.data(), probe_.size(), -1, false};
      llama_sampler_apply(seq->grammar.get(), &some);
      for (size_t i = 0; i < some.size; ++i) {  // still in logit order
        if (std::isfinite(some.data[i].logit)) return some.data[i].id;
      }
      sorted = top;
    }
    if (sorted == candidates_.size()) return -1;
    llama_token_data_array rest = {candidates_.data() + sorted, candidates_.size() - sorted, -1, false};
    llama_sampler_apply(seq->grammar.get(), &rest);
    best = -1;
    float best_logit = -INFINITY;
    for (size_t i = 0; i < rest.size; ++i) {
      if (std::isfinite(rest.data[i].logit) && (best < 0 || better(rest.data[i], {best, best_logit, 0.0f}))) {
        best = rest.data[i].id;
        best_logit = rest.data[i].logit;
      }
    }
    return best;
  }
  // Sampling: the grammar masks the whole vocabulary, the chain draws from what is left.
  llama_token_data_array arr = {candidates_.data(), candidates_.size(), -1, false};
  if (seq->grammar) llama_sampler_apply(seq->grammar.get(), &arr);
  {
    // Only allowed tokens go to the draw (a masked token has logit -inf).
    size_t kept = 0;
    for (size_t i = 0; i < arr.size; ++i) {
      if (std::isfinite(arr.data[i].logit)) arr.data[kept++] = arr.data[i];
    }
    if (kept == 0) return -1;
    arr.size = kept;
    arr.selected = -1;
    arr.sorted = false;
    llama_sampler_apply(seq->chain.get(), &arr);
    return arr.selected >= 0 && static_cast<size_t>(arr.selected) < arr.size ? arr.data[arr.selected].id : -1;
  }
}

Status Generator::Generate(const ChatPrompt& prompt, const std::string& grammar, uint32_t max_tokens,
                           Generation* out, const Sampling& sampling) {
  std::vector<Generation> outs;
  std::vector<Status> statuses;
  LITRANK_RETURN_IF_ERROR(GenerateMany({prompt}, grammar, max_tokens, sampling, &outs, &statuses));
  *out = std::move(outs.front());
  return statuses.front();
}

namespace {

size_t CommonPrefix(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

// FNV-1a of the prompt's text: mixed into the seed so a prompt draws the same way in any batch.
uint32_t PromptSeed(uint32_t seed, const ChatPrompt& p) {
  uint32_t h = 2166136261u ^ seed;
  for (const std::string* part : {&p.head, &p.user_text, &p.tail}) {
    for (unsigned char c : *part) h = (h ^ c) * 16777619u;
  }
  return h;
}

}  // namespace

Status Generator::GenerateMany(const std::vector<ChatPrompt>& prompts, const std::string& grammar,
                               uint32_t max_tokens, const Sampling& sampling, std::vector<Generation>* outs,
                               std::vector<Status>* statuses) {
  outs->assign(prompts.size(), Generation{});
  statuses->assign(prompts.size(), Status::Ok());
  if (prompts.empty()) return Status::Ok();
  if (max_tokens == 0) return Status::InvalidArgument("max_tokens must be at least 1");
  const llama_vocab* vocab = llama_model_get_vocab(model_);
  if (!grammar.empty()) {  // checked once, before any decoding
    std::unique_ptr<llama_sampler, SamplerFree> probe(llama_sampler_init_grammar(vocab, grammar.c_str(), "root"));
    if (!probe) return Status::InvalidArgument("llama.cpp rejected the grammar");
  }
  const uint32_t limit = std::min(config_.max_context, trained_context());
  std::vector<std::vector<int32_t>> tokens(prompts.size());
  std::vector<size_t> fits;
  for (size_t i = 0; i < prompts.size(); ++i) {
    std::vector<int32_t>& t = tokens[i];
    t = Tokenize(vocab, prompts[i].head, true);
    const Tokens text = Tokenize(vocab, prompts[i].user_text, false);
    const Tokens tail = Tokenize(vocab, prompts[i].tail, true);
    t.insert(t.end(), text.begin(), text.end());
    t.insert(t.end(), tail.begin(), tail.end());
    (*outs)[i].prompt_tokens = t.size();
    if (t.empty()) {
      (*statuses)[i] = Status::InvalidArgument("empty prompt");
    } else if (t.size() + max_tokens > limit) {
      (*statuses)[i] = Status::TooLong("prompt of " + std::to_string(t.size()) + " tokens plus " +
                                       std::to_string(max_tokens) + " to generate is over the context of " +
                                       std::to_string(limit) + " tokens");
    } else {
      fits.push_back(i);
    }
  }
  // Groups in input order: at most max_sequences, each sequence's prompt and answer
  // within its stream, all streams within max_context.
  const size_t most = std::max<uint32_t>(1, config_.max_sequences);
  for (size_t g = 0; g < fits.size();) {
    std::vector<size_t> members = {fits[g]};
    size_t prefix = tokens[fits[g]].size() - 1;  // at least one token of each prompt is decoded on its own
    size_t per_sequence = tokens[fits[g]].size() + max_tokens;
    for (size_t k = g + 1; k < fits.size() && members.size() < most; ++k) {
      const std::vector<int32_t>& t = tokens[fits[k]];
      const size_t per = std::max(per_sequence, t.size() + max_tokens);
      if ((members.size() + 1) * ((per + 255) / 256 * 256) > config_.max_context) break;
      prefix = std::min({prefix, CommonPrefix(tokens[members.front()], t), t.size() - 1});
      per_sequence = per;
      members.push_back(fits[k]);
    }
    LITRANK_RETURN_IF_ERROR(EnsureContext(static_cast<uint32_t>(members.size()), static_cast<uint32_t>(per_sequence)));
    Status st = RunGroup(tokens, members, prefix, grammar, max_tokens, sampling, prompts, outs, statuses);
    if (!st.ok()) {
      for (size_t m : members) (*statuses)[m] = st;
      cached_.clear();
      llama_memory_clear(llama_get_memory(ctx_), true);
    }
    g += members.size();
  }
  return Status::Ok();
}

Status Generator::RunGroup(const std::vector<std::vector<int32_t>>& tokens, const std::vector<size_t>& members,
                           size_t prefix, const std::string& grammar, uint32_t max_tokens, const Sampling& sampling,
                           const std::vector<ChatPrompt>& prompts, std::vector<Generation>* outs,
                           std::vector<Status>* statuses) {
  const llama_vocab* vocab = llama_model_get_vocab(model_);
  llama_memory_t mem = llama_get_memory(ctx_);
  // The shared prefix on sequence 0: keep what the cache already holds of it.
  const std::vector<int32_t> shared(tokens[members.front()].begin(),
                                    tokens[members.front()].begin() + static_cast<std::ptrdiff_t>(prefix));
  size_t keep = std::min(CommonPrefix(cached_, shared), prefix);
  for (size_t s = 1; s < n_seq_; ++s) llama_memory_seq_rm(mem, static_cast<int32_t>(s), -1, -1);
  if (!llama_memory_seq_rm(mem, 0, static_cast<llama_pos>(keep), -1)) {
    llama_memory_clear(mem, true);  // a cache that cannot be cut (recurrent): start over
    keep = 0;
  }
  cached_.assign(shared.begin(), shared.begin() + static_cast<std::ptrdiff_t>(keep));
  LITRANK_RETURN_IF_ERROR(Decode(shared, keep, 0, false));
  cached_ = shared;
  // Every sequence starts from the prefix (its stream gets a copy of stream 0).
  for (size_t s = 1; s < members.size(); ++s) llama_memory_seq_cp(mem, 0, static_cast<int32_t>(s), -1, -1);
  std::vector<Sequence> seqs(members.size());
  for (size_t s = 0; s < members.size(); ++s) {
    Sequence& q = seqs[s];
    if (!grammar.empty()) q.grammar.reset(llama_sampler_init_grammar(vocab, grammar.c_str(), "root"));
    if (sampling.temperature > 0) {
      q.chain.reset(llama_sampler_chain_init(llama_sampler_chain_default_params()));
      llama_sampler_chain_add(q.chain.get(), llama_sampler_init_top_p(sampling.top_p, 1));
      llama_sampler_chain_add(q.chain.get(), llama_sampler_init_temp(sampling.temperature));
      llama_sampler_chain_add(q.chain.get(), llama_sampler_init_dist(PromptSeed(sampling.seed, prompts[members[s]])));
    }
    // Each rest decoded on its own sequence; its first answer token picked from its logits.
    const std::vector<int32_t>& t = tokens[members[s]];
    LITRANK_RETURN_IF_ERROR(Decode(t, prefix, static_cast<int32_t>(s), true));
    q.length = t.size();
    q.next = PickToken(-1, &q);
    (*outs)[members[s]].reused_tokens = s == 0 ? keep : prefix;
  }
  // Then one token per live sequence per decode.
  llama_batch batch = llama_batch_init(static_cast<int32_t>(members.size()), 0, 1);
  std::vector<char> piece(256);
  std::vector<size_t> in_batch;
  Status st = Status::Ok();
  while (st.ok()) {
    batch.n_tokens = 0;
    in_batch.clear();
    for (size_t s = 0; s < seqs.size(); ++s) {
      Sequence& q = seqs[s];
      Generation& out = (*outs)[members[s]];
      if (q.done) continue;
      if (q.next < 0) {  // this sequence alone ends; the others go on
        (*statuses)[members[s]] = Status::Internal("the grammar allows no token here");
        q.done = true;
        continue;
      }
      if (llama_vocab_is_eog(vocab, q.next)) {
        out.finished = true;
        q.done = true;
        continue;
      }
      if (q.grammar) llama_sampler_accept(q.grammar.get(), q.next);
      // Rendered as the grammar saw it (control tokens as their text).
      int32_t n = llama_token_to_piece(vocab, q.next, piece.data(), static_cast<int32_t>(piece.size()), 0, true);
      if (n < 0) {
        piece.resize(static_cast<size_t>(-n));
        n = llama_token_to_piece(vocab, q.next, piece.data(), static_cast<int32_t>(piece.size()), 0, true);
      }
      if (n > 0) out.text.append(piece.data(), static_cast<size_t>(n));
      if (++out.generated_tokens == max_tokens) {
        q.done = true;
        continue;
      }
      AddToken(&batch, q.next, static_cast<int32_t>(q.length++), static_cast<int32_t>(s), true);
      in_batch.push_back(s);
    }
    if (!st.ok() || in_batch.empty()) break;
    if (llama_decode(ctx_, batch) != 0) {
      st = Status::Internal("llama_decode failed while generating");
      break;
    }
    for (size_t j = 0; j < in_batch.size(); ++j) seqs[in_batch[j]].next = PickToken(static_cast<int32_t>(j), &seqs[in_batch[j]]);
  }
  llama_batch_free(batch);
  // Only the shared prefix stays cached, on sequence 0, for the next call.
  for (size_t s = 1; s < seqs.size(); ++s) llama_memory_seq_rm(mem, static_cast<int32_t>(s), -1, -1);
  if (!llama_memory_seq_rm(mem, 0, static_cast<llama_pos>(prefix), -1)) {
    llama_memory_clear(mem, true);
    cached_.clear();
  }
  return st;
}

}  // namespace litrank

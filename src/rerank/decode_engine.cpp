#include "rerank/decode_engine.h"

#include <algorithm>
#include <cstring>
#include <thread>

#include "ggml-backend.h"
#include "ggml.h"
#include "llama.h"
#include "model/llama_runtime.h"

namespace litrank {
StatusOr<std::unique_ptr<DecodeEngine>> DecodeEngine::Create(llama_model* model, const ScoreHead* head,
                                                             const RerankerConfig& config) {
  std::unique_ptr<DecodeEngine> e(new DecodeEngine());
  e->head_ = head;
  e->config_ = config;
  e->config_.threads = ResolveThreads(config.threads);
  const bool gpu = config.gpu_layers != 0 && HasGpu();
  auto pick = [](uint32_t v, uint32_t cpu, uint32_t gpu_value, bool on_gpu) { return v ? v : on_gpu ? gpu_value : cpu; };
  // llama.cpp allows 256 sequences; the prefix sequences take kPromptSlots of them.
  e->config_.max_sequences = std::clamp<uint32_t>(pick(config.max_sequences, 64, 128, gpu), 1, 256 - kPromptSlots);
  e->config_.ubatch_tokens = std::max<uint32_t>(pick(config.ubatch_tokens, 512, 2048, gpu), 32);
  e->config_.batch_tokens = std::max(pick(config.batch_tokens, 2048, 8192, gpu), e->config_.ubatch_tokens);
  e->invariant_ = config.batch_invariant && !gpu;
  if (e->invariant_) e->config_.ubatch_tokens = std::min(e->config_.ubatch_tokens, kInvariantUbatch);

  e->model_ = model;
  e->max_ctx_ = config.context_tokens ? config.context_tokens : std::max<uint32_t>(8192, e->config_.batch_tokens + 1024);
  // Create the smallest useful context now so that configuration errors show at Open;
  // it grows (never shrinks) when a round needs more.
  LITRANK_RETURN_IF_ERROR(e->EnsureContext(std::min<uint32_t>(e->max_ctx_, e->config_.batch_tokens + 512)));
  return e;
}

Status DecodeEngine::EnsureContext(uint32_t tokens) {
  tokens = std::min(max_ctx_, (tokens + 511) / 512 * 512);
  if (ctx_ && n_ctx_ >= tokens) return Status::Ok();
  for (Slot& s : slots_) s = Slot{};
  llama_context_params cp = BaseContextParams(tokens, config_.threads);
  cp.n_batch = config_.batch_tokens;
  cp.n_ubatch = config_.ubatch_tokens;
  cp.n_seq_max = config_.max_sequences + kPromptSlots;
  cp.kv_unified = true;                      // one cache: the prefix cells are shared, not copied
  cp.embeddings = false;                     // no LM head on every token: outputs only at last tokens
  cp.pooling_type = LLAMA_POOLING_TYPE_NONE;
  cp.flash_attn_type = config_.flash_attention ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED;
  cp.cb_eval = &DecodeEngine::CaptureHidden;
  cp.cb_eval_user_data = this;
  LITRANK_RETURN_IF_ERROR(RecreateContext(model_, cp, "a reranker context", &ctx_));
  n_ctx_ = llama_n_ctx(ctx_);
  n_batch_ = llama_n_batch(ctx_);
  n_ubatch_ = llama_n_ubatch(ctx_);
  return Status::Ok();
}

void DecodeEngine::ResetCache() {
  if (ctx_) llama_memory_clear(llama_get_memory(ctx_), true);
  for (Slot& s : slots_) s = Slot{};
}

DecodeEngine::~DecodeEngine() {
  if (ctx_) llama_free(ctx_);
}

uint32_t DecodeEngine::max_pair_tokens() const { return max_ctx_; }

size_t DecodeEngine::PairCost(const PairRef& p) const {
  return p.doc->size() + p.prompt->suffix.size() + (config_.packing ? 0 : p.prompt->prefix.size());
}

size_t DecodeEngine::PromptCost(const QueryPrompt& prompt) const {
  return config_.packing ? prompt.prefix.size() : 0;
}

RoundLimits DecodeEngine::limits() const {
  if (!config_.packing) return {max_ctx_, 1, 1, max_ctx_};
  return {config_.batch_tokens, config_.max_sequences, kPromptSlots, max_ctx_};
}

// Eval callback: keeps the final normed hidden states ("result_norm"), which llama.cpp
// computes only for tokens marked as outputs.
bool DecodeEngine::CaptureHidden(ggml_tensor* t, bool ask, void* user) {
  const bool wanted = std::strcmp(t->name, "result_norm") == 0;
  if (ask) return wanted;
  if (!wanted) return true;
  auto* self = static_cast<DecodeEngine*>(user);
  const size_t n = static_cast<size_t>(ggml_nelements(t));
  const size_t old = self->captured_.size();
  self->captured_.resize(old + n);
  ggml_backend_tensor_get(t, self->captured_.data() + old, 0, n * sizeof(float));
  return true;
}

Status DecodeEngine::Decode(const llama_batch& batch, int32_t first, int32_t count) {
  llama_batch view = batch;
  view.n_tokens = count;
  view.token += first, view.pos += first, view.n_seq_id += first, view.seq_id += first, view.logits += first;
  const int32_t rc = llama_decode(ctx_, view);
  decoded_ += static_cast<size_t>(count);
  if (rc == 1) return Status::Internal("llama_decode found no room in the KV cache (context " + std::to_string(n_ctx_) + " tokens)");
  if (rc != 0) return Status::Internal("llama_decode failed with code " + std::to_string(rc));
  return Status::Ok();
}

Status DecodeEngine::Flush(llama_batch* batch) {
  const int32_t n = batch->n_tokens;
  batch->n_tokens = 0;
  if (n == 0) return Status::Ok();
  if (!invariant_) return Decode(*batch, 0, n);
  // llama.cpp cuts each call into physical batches of n_ubatch_ tokens. A last one of
  // a single token would take the split-KV attention kernel: send two calls instead,
  // the second of two tokens.
  const auto ub = static_cast<int32_t>(n_ubatch_);
  std::vector<std::pair<int32_t, int32_t>> calls = {{0, n}};
  if (n > 2 && n % ub == 1) calls = {{0, n - 2}, {n - 2, 2}};
  // The last layer runs only on output rows, and a one-row product takes ggml's
  // vector kernel instead of the tiled one: give a physical batch holding exactly one
  // output a companion output, whose row is dropped below.
  std::vector<bool> companion(static_cast<size_t>(n), false);
  for (const auto& [first, count] : calls) {
    for (int32_t c = first; c < first + count; c += ub) {
      const int32_t end = std::min(c + ub, first + count);
      int32_t outputs = 0, last = -1;
      for (int32_t i = c; i < end; ++i) if (batch->logits[i]) ++outputs, last = i;
      if (outputs != 1 || end - c < 2) continue;
      const int32_t pick = last == c ? c + 1 : c;
      batch->logits[pick] = 1;
      companion[static_cast<size_t>(pick)] = true;
    }
  }
  const size_t before = captured_.size();
  for (const auto& [first, count] : calls) LITRANK_RETURN_IF_ERROR(Decode(*batch, first, count));
  // Keep the captured rows of real outputs only (rows arrive in token order).
  const size_t width = head_->n_embd();
  size_t row = before / width, kept = row;
  for (int32_t i = 0; i < n; ++i) {
    if (!batch->logits[i]) continue;
    if (!companion[static_cast<size_t>(i)]) {
      if (kept != row) std::copy_n(captured_.begin() + static_cast<std::ptrdiff_t>(row * width), width, captured_.begin() + static_cast<std::ptrdiff_t>(kept * width));
      ++kept;
    }
    ++row;
  }
  captured_.resize(kept * width);
  return Status::Ok();
}

Status DecodeEngine::DecodeChunked(const std::vector<int32_t>& tokens, int32_t seq, int32_t pos0, bool output_last) {
  llama_batch batch = llama_batch_init(static_cast<int32_t>(n_batch_), 0, 1);
  Status st;
  for (size_t i = 0; i < tokens.size() && st.ok(); ++i) {
    if (static_cast<uint32_t>(batch.n_tokens) == n_batch_) st = Flush(&batch);
    AddToken(&batch, tokens[i], pos0 + static_cast<int32_t>(i), seq, output_last && i + 1 == tokens.size());
  }
  if (st.ok()) st = Flush(&batch);
  llama_batch_free(batch);
  return st;
}

Status DecodeEngine::PlacePrefixes(const std::vector<PairRef>& pairs, size_t round_tokens,
                                   std::vector<int32_t>* seq_of) {
  const uint64_t now = ++clock_;
  std::vector<const Tokens*> wanted;  // distinct prefixes of this round
  for (const PairRef& p : pairs) {
    if (std::none_of(wanted.begin(), wanted.end(), [&](const Tokens* w) { return *w == p.prompt->prefix; })) {
      wanted.push_back(&p.prompt->prefix);
    }
  }
  if (wanted.size() > kPromptSlots) return Status::Internal("a round with more queries than prefix slots");
  size_t wanted_tokens = round_tokens;
  for (const Tokens* w : wanted) wanted_tokens += w->size();
  LITRANK_RETURN_IF_ERROR(EnsureContext(static_cast<uint32_t>(wanted_tokens)));
  auto slot_of = [&](const Tokens& prefix) -> int {
    for (uint32_t s = 0; s < kPromptSlots; ++s) if (!slots_[s].prefix.empty() && slots_[s].prefix == prefix) return static_cast<int>(s);
    return -1;
  };
  for (const Tokens* w : wanted) if (int s = slot_of(*w); s >= 0) slots_[s].last_used = now;
  // Evict prefixes this round does not use, oldest first, while the cache would overflow.
  llama_memory_t mem = llama_get_memory(ctx_);
  auto resident = [&] { size_t n = 0; for (const Slot& s : slots_) n += s.prefix.size(); return n; };
  auto evict = [&](uint32_t s) { llama_memory_seq_rm(mem, static_cast<int32_t>(s), -1, -1); slots_[s] = Slot{}; };
  auto oldest_unused = [&]() -> int {
    int best = -1;
    for (uint32_t s = 0; s < kPromptSlots; ++s) {
      if (slots_[s].prefix.empty() || slots_[s].last_used == now) continue;
      if (best < 0 || slots_[s].last_used < slots_[best].last_used) best = static_cast<int>(s);
    }
    return best;
  };
  size_t missing = 0, missing_prefixes = 0;
  for (const Tokens* w : wanted) if (slot_of(*w) < 0) missing += w->size(), ++missing_prefixes;
  if (invariant_ && missing_prefixes > 0) {
    // Documents take the lowest free cells. Evicting a prefix would leave a hole
    // below another one, where that one's documents could land before it in cell
    // order; rebuild the cache from this round's prefixes instead.
    const auto free_slots = static_cast<size_t>(std::count_if(std::begin(slots_), std::end(slots_), [](const Slot& s) { return s.prefix.empty(); }));
    if (missing_prefixes > free_slots || resident() + missing + round_tokens > n_ctx_) {
      ResetCache();
      missing = 0;
      for (const Tokens* w : wanted) missing += w->size();
    }
  }
  while (resident() + missing + round_tokens > n_ctx_) {
    const int s = oldest_unused();
    if (s < 0) break;
    evict(static_cast<uint32_t>(s));
  }
  for (const Tokens* w : wanted) {
    if (slot_of(*w) >= 0) continue;
    int s = -1;
    for (uint32_t k = 0; k < kPromptSlots && s < 0; ++k) if (slots_[k].prefix.empty()) s = static_cast<int>(k);
    if (s < 0) s = oldest_unused();
    if (s < 0) return Status::Internal("no free prefix slot");
    evict(static_cast<uint32_t>(s));
    LITRANK_RETURN_IF_ERROR(DecodeChunked(*w, s, 0, false));
    slots_[s].prefix = *w;
    slots_[s].last_used = now;
  }
  seq_of->clear();
  for (const PairRef& p : pairs) seq_of->push_back(slot_of(p.prompt->prefix));
  return Status::Ok();
}

Status DecodeEngine::DecodeRound(const std::vector<PairRef>& pairs, const std::vector<int32_t>& seq_of,
                                 std::vector<double>* logits) {
  llama_memory_t mem = llama_get_memory(ctx_);
  auto doc_seq = [](size_t i) { return static_cast<int32_t>(kPromptSlots + i); };
  for (size_t i = 0; i < pairs.size(); ++i) llama_memory_seq_cp(mem, seq_of[i], doc_seq(i), -1, -1);
  captured_.clear();
  llama_batch batch = llama_batch_init(static_cast<int32_t>(n_batch_), 0, 1);
  Status st;
  for (size_t i = 0; i < pairs.size() && st.ok(); ++i) {
    const Tokens& doc = *pairs[i].doc;
    const Tokens& suffix = pairs[i].prompt->suffix;
    const int32_t p0 = static_cast<int32_t>(pairs[i].prompt->prefix.size());
    const size_t n = doc.size() + suffix.size();
    for (size_t j = 0; j < n && st.ok(); ++j) {
      if (static_cast<uint32_t>(batch.n_tokens) == n_batch_) st = Flush(&batch);
      const int32_t tok = j < doc.size() ? doc[j] : suffix[j - doc.size()];
      AddToken(&batch, tok, p0 + static_cast<int32_t>(j), doc_seq(i), j + 1 == n);
    }
  }
  if (st.ok()) st = Flush(&batch);
  llama_batch_free(batch);
  for (size_t i = 0; i < pairs.size(); ++i) llama_memory_seq_rm(mem, doc_seq(i), -1, -1);
  if (!st.ok()) return st;
  const size_t rows = captured_.size() / head_->n_embd();
  if (rows != pairs.size()) {
    return Status::Internal("captured " + std::to_string(rows) + " hidden states for " + std::to_string(pairs.size()) + " documents");
  }
  *logits = head_->LogitDifferences(captured_.data(), rows, config_.threads);
  return Status::Ok();
}

Status DecodeEngine::ScoreAlone(const PairRef& pair, double* logit) {
  Tokens all = pair.prompt->prefix;
  all.insert(all.end(), pair.doc->begin(), pair.doc->end());
  all.insert(all.end(), pair.prompt->suffix.begin(), pair.prompt->suffix.end());
  LITRANK_RETURN_IF_ERROR(EnsureContext(static_cast<uint32_t>(all.size())));
  ResetCache();
  captured_.clear();
  LITRANK_RETURN_IF_ERROR(DecodeChunked(all, 0, 0, true));
  if (captured_.size() != head_->n_embd()) return Status::Internal("expected one hidden state, captured " + std::to_string(captured_.size() / head_->n_embd()));
  *logit = head_->LogitDifferences(captured_.data(), 1, config_.threads)[0];
  return Status::Ok();
}

Status DecodeEngine::ScoreRound(const std::vector<PairRef>& pairs, std::vector<double>* logits, size_t* decoded) {
  logits->assign(pairs.size(), 0.0);
  decoded_ = 0;
  Status st;
  if (!config_.packing) {
    for (size_t i = 0; i < pairs.size() && st.ok(); ++i) st = ScoreAlone(pairs[i], &(*logits)[i]);
  } else {
    size_t round_tokens = 0;
    for (const PairRef& p : pairs) round_tokens += PairCost(p);
    std::vector<int32_t> seq_of;
    // A fragmented cache can lack room even when the counts fit: start clean once.
    for (int attempt = 0; attempt < 2; ++attempt) {
      st = PlacePrefixes(pairs, round_tokens, &seq_of);
      if (st.ok()) st = DecodeRound(pairs, seq_of, logits);
      if (st.ok()) break;
      ResetCache();
    }
  }
  *decoded += decoded_;
  return st;
}

}  // namespace litrank

#include "rerank/decode_engine.h"

#include <algorithm>
#include <cstring>
#include <thread>

#include "ggml-backend.h"
#include "ggml.h"
#include "llama.h"

namespace litrank {
namespace {
int ResolveThreads(int threads) {
  if (threads > 0) return threads;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 4 : static_cast<int>(hw);
}

bool HasGpu() {
  for (size_t i = 0; i < ggml_backend_dev_count(); ++i) {
    if (ggml_backend_dev_type(ggml_backend_dev_get(i)) == GGML_BACKEND_DEVICE_TYPE_GPU) return true;
  }
  return false;
}

void AddToken(llama_batch* b, int32_t token, int32_t pos, int32_t seq, bool output) {
  const int32_t i = b->n_tokens++;
  b->token[i] = token;
  b->pos[i] = pos;
  b->n_seq_id[i] = 1;
  b->seq_id[i][0] = seq;
  b->logits[i] = output ? 1 : 0;
}
}  // namespace

StatusOr<std::unique_ptr<DecodeEngine>> DecodeEngine::Create(llama_model* model, const ScoreHead* head,
                                                             const RerankerConfig& config) {
  std::unique_ptr<DecodeEngine> e(new DecodeEngine());
  e->head_ = head;
  e->config_ = config;
  e->config_.threads = ResolveThreads(config.threads);
  const bool gpu = config.gpu_layers != 0 && HasGpu();
  auto pick = [](uint32_t v, uint32_t cpu, uint32_t gpu_value, bool on_gpu) { return v ? v : on_gpu ? gpu_value : cpu; };
  e->config_.max_sequences = std::clamp<uint32_t>(pick(config.max_sequences, 64, 128, gpu), 1, 255);
  e->config_.ubatch_tokens = std::max<uint32_t>(pick(config.ubatch_tokens, 512, 2048, gpu), 32);
  e->config_.batch_tokens = std::max(pick(config.batch_tokens, 2048, 8192, gpu), e->config_.ubatch_tokens);

  e->model_ = model;
  e->max_ctx_ = config.context_tokens ? config.context_tokens : std::max<uint32_t>(8192, e->config_.batch_tokens + 1024);
  // Create the smallest useful context now so that configuration errors show at Open;
  // it grows (never shrinks) when a call needs more.
  LITRANK_RETURN_IF_ERROR(e->EnsureContext(std::min<uint32_t>(e->max_ctx_, e->config_.batch_tokens + 512)));
  return e;
}

Status DecodeEngine::EnsureContext(uint32_t tokens) {
  tokens = std::min(max_ctx_, (tokens + 511) / 512 * 512);
  if (ctx_ && n_ctx_ >= tokens) return Status::Ok();
  if (ctx_) llama_free(ctx_), ctx_ = nullptr;
  cached_prefix_.clear();
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = tokens;
  cp.n_batch = config_.batch_tokens;
  cp.n_ubatch = config_.ubatch_tokens;
  cp.n_seq_max = config_.max_sequences + 1;  // + sequence 0, the shared prefix
  cp.kv_unified = true;                      // one cache: the prefix cells are shared, not copied
  cp.embeddings = false;                     // no LM head on every token: outputs only at last tokens
  cp.pooling_type = LLAMA_POOLING_TYPE_NONE;
  cp.flash_attn_type = config_.flash_attention ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED;
  cp.n_threads = cp.n_threads_batch = config_.threads;
  cp.cb_eval = &DecodeEngine::CaptureHidden;
  cp.cb_eval_user_data = this;
  cp.no_perf = true;
  ctx_ = llama_init_from_model(model_, cp);
  if (!ctx_) return Status::Internal("llama.cpp could not create a context of " + std::to_string(tokens) + " tokens: out of memory?");
  n_ctx_ = llama_n_ctx(ctx_);
  n_batch_ = llama_n_batch(ctx_);
  return Status::Ok();
}

DecodeEngine::~DecodeEngine() {
  if (ctx_) llama_free(ctx_);
}

uint32_t DecodeEngine::max_pair_tokens() const { return max_ctx_; }

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

Status DecodeEngine::Flush(llama_batch* batch) {
  if (batch->n_tokens == 0) return Status::Ok();
  const int32_t rc = llama_decode(ctx_, *batch);
  decoded_ += static_cast<size_t>(batch->n_tokens);
  batch->n_tokens = 0;
  if (rc == 1) return Status::Internal("llama_decode found no room in the KV cache (context " + std::to_string(n_ctx_) + " tokens)");
  if (rc != 0) return Status::Internal("llama_decode failed with code " + std::to_string(rc));
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

Status DecodeEngine::EnsurePrefix(const Tokens& prefix) {
  if (prefix == cached_prefix_) return Status::Ok();
  llama_memory_clear(llama_get_memory(ctx_), true);
  cached_prefix_.clear();
  LITRANK_RETURN_IF_ERROR(DecodeChunked(prefix, 0, 0, false));
  cached_prefix_ = prefix;
  return Status::Ok();
}

Status DecodeEngine::ScoreAlone(const QueryPrompt& prompt, const Tokens& doc, double* logit) {
  llama_memory_clear(llama_get_memory(ctx_), true);
  cached_prefix_.clear();
  Tokens all = prompt.prefix;
  all.insert(all.end(), doc.begin(), doc.end());
  all.insert(all.end(), prompt.suffix.begin(), prompt.suffix.end());
  captured_.clear();
  LITRANK_RETURN_IF_ERROR(DecodeChunked(all, 0, 0, true));
  if (captured_.size() != head_->n_embd()) return Status::Internal("expected one hidden state, captured " + std::to_string(captured_.size() / head_->n_embd()));
  *logit = head_->LogitDifferences(captured_.data(), 1, config_.threads)[0];
  return Status::Ok();
}

Status DecodeEngine::ScoreRound(const QueryPrompt& prompt, const std::vector<const Tokens*>& docs,
                                const std::vector<size_t>& members, std::vector<double>* logits) {
  llama_memory_t mem = llama_get_memory(ctx_);
  const int32_t p0 = static_cast<int32_t>(prompt.prefix.size());
  for (size_t i = 0; i < members.size(); ++i) llama_memory_seq_cp(mem, 0, static_cast<int32_t>(i + 1), -1, -1);
  captured_.clear();
  llama_batch batch = llama_batch_init(static_cast<int32_t>(n_batch_), 0, 1);
  Status st;
  for (size_t i = 0; i < members.size() && st.ok(); ++i) {
    const Tokens& doc = *docs[members[i]];
    const size_t n = doc.size() + prompt.suffix.size();
    for (size_t j = 0; j < n && st.ok(); ++j) {
      if (static_cast<uint32_t>(batch.n_tokens) == n_batch_) st = Flush(&batch);
      const int32_t tok = j < doc.size() ? doc[j] : prompt.suffix[j - doc.size()];
      AddToken(&batch, tok, p0 + static_cast<int32_t>(j), static_cast<int32_t>(i + 1), j + 1 == n);
    }
  }
  if (st.ok()) st = Flush(&batch);
  llama_batch_free(batch);
  for (size_t i = 0; i < members.size(); ++i) llama_memory_seq_rm(mem, static_cast<int32_t>(i + 1), -1, -1);
  if (!st.ok()) return st;
  const size_t rows = captured_.size() / head_->n_embd();
  if (rows != members.size()) {
    return Status::Internal("captured " + std::to_string(rows) + " hidden states for " + std::to_string(members.size()) + " documents");
  }
  const std::vector<double> diffs = head_->LogitDifferences(captured_.data(), rows, config_.threads);
  for (size_t i = 0; i < members.size(); ++i) (*logits)[members[i]] = diffs[i];
  return Status::Ok();
}

Status DecodeEngine::Score(const QueryPrompt& prompt, const std::vector<const Tokens*>& docs,
                           std::vector<double>* logits, size_t* decoded,
                           const std::function<void(size_t)>& on_docs_done) {
  logits->assign(docs.size(), 0.0);
  decoded_ = 0;
  Status st;
  if (!config_.packing) {
    size_t longest = 0;
    for (const Tokens* d : docs) longest = std::max(longest, d->size());
    st = EnsureContext(static_cast<uint32_t>(prompt.prefix.size() + longest + prompt.suffix.size()));
    for (size_t i = 0; i < docs.size() && st.ok(); ++i) {
      st = ScoreAlone(prompt, *docs[i], &(*logits)[i]);
      if (st.ok() && on_docs_done) on_docs_done(i + 1);
    }
  } else {
    const size_t prefix = prompt.prefix.size();
    size_t longest = 0, total = 0;
    for (const Tokens* d : docs) longest = std::max(longest, d->size()), total += d->size() + prompt.suffix.size();
    st = EnsureContext(static_cast<uint32_t>(prefix + std::max(longest + prompt.suffix.size(),
                                                               std::min<size_t>(total, config_.batch_tokens))));
    if (st.ok()) st = EnsurePrefix(prompt.prefix);
    const size_t budget = std::min<size_t>(config_.batch_tokens, n_ctx_ > prefix ? n_ctx_ - prefix : 0);
    std::vector<size_t> sizes;
    for (const Tokens* d : docs) sizes.push_back(d->size() + prompt.suffix.size());
    if (st.ok()) {
      st = ForEachRound(sizes, budget, config_.max_sequences, [&](const std::vector<size_t>& round) {
        return ScoreRound(prompt, docs, round, logits);
      }, on_docs_done);
    }
    if (!st.ok()) cached_prefix_.clear(), llama_memory_clear(llama_get_memory(ctx_), true);
  }
  *decoded = decoded_;
  return st;
}

}  // namespace litrank

#include "embed/embed_engine.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <thread>

#include "ggml-backend.h"
#include "ggml.h"
#include "llama.h"
#include "model/llama_runtime.h"

namespace litrank {
namespace {

uint32_t RoundUp(uint32_t v, uint32_t to) { return (v + to - 1) / to * to; }

}  // namespace

StatusOr<std::unique_ptr<EmbedEngine>> EmbedEngine::Create(llama_model* model, EmbedPooling pooling,
                                                           const EmbedderConfig& config, uint32_t max_text_tokens) {
  if (config.max_sequences > 255) {
    return Status::InvalidArgument("max_sequences must be between 1 and 255, not " + std::to_string(config.max_sequences));
  }
  std::unique_ptr<EmbedEngine> e(new EmbedEngine());
  const bool gpu = config.gpu_layers != 0 && HasGpu();
  auto pick = [gpu](uint32_t v, uint32_t cpu, uint32_t on_gpu) { return v ? v : gpu ? on_gpu : cpu; };
  e->model_ = model;
  e->pooling_ = pooling;
  e->flash_attention_ = config.flash_attention;
  e->threads_ = ResolveThreads(config.threads);
  // The final hidden state (result_norm) is n_embd wide; llama.cpp's pooled output n_embd_out.
  e->width_ = static_cast<uint32_t>(pooling == EmbedPooling::kLastToken ? llama_model_n_embd(model)
                                                                        : llama_model_n_embd_out(model));
  e->batch_tokens_ = std::max<uint32_t>(pick(config.batch_tokens, 2048, 8192), 32);
  // A round of n texts holds at least n tokens; llama.cpp wants n_seq_max <= n_batch.
  e->max_sequences_ = std::min(pick(config.max_sequences, 64, 128), e->batch_tokens_);
  e->ubatch_tokens_ = std::min(std::max<uint32_t>(pick(config.ubatch_tokens, 512, 2048), 32), e->batch_tokens_);
  e->round_tokens_ = e->batch_tokens_;
  e->max_ctx_ = std::max(e->batch_tokens_, max_text_tokens);
  // The smallest useful context now, so that configuration errors show at Open; it
  // grows (never shrinks) when a round needs more.
  LITRANK_RETURN_IF_ERROR(e->EnsureContext(std::min(e->max_ctx_, e->batch_tokens_)));
  return e;
}

EmbedEngine::~EmbedEngine() {
  if (ctx_) llama_free(ctx_);
}

Status EmbedEngine::EnsureContext(uint32_t tokens) {
  tokens = std::min(max_ctx_, RoundUp(std::max<uint32_t>(tokens, 1), 256));
  // kLlama decodes a round in one ubatch, so its batch must hold the round too.
  if (ctx_ && n_ctx_ >= tokens && (pooling_ == EmbedPooling::kLastToken || n_batch_ >= tokens)) return Status::Ok();
  llama_context_params cp = BaseContextParams(tokens, threads_);
  cp.kv_unified = true;  // one cache for all sequences of a round; batches split in order
  cp.flash_attn_type = flash_attention_ ? LLAMA_FLASH_ATTN_TYPE_AUTO : LLAMA_FLASH_ATTN_TYPE_DISABLED;
  if (pooling_ == EmbedPooling::kLastToken) {
    cp.n_batch = std::min(batch_tokens_, tokens);
    cp.n_ubatch = std::min(ubatch_tokens_, cp.n_batch);
    cp.n_seq_max = std::min(max_sequences_, cp.n_batch);
    cp.embeddings = false;  // outputs (and LM head rows) only at each sequence's last token
    cp.pooling_type = LLAMA_POOLING_TYPE_NONE;
    cp.cb_eval = &EmbedEngine::CaptureHidden;
    cp.cb_eval_user_data = this;
  } else {
    cp.n_batch = cp.n_ubatch = tokens;  // pooling needs each sequence whole in one ubatch
    cp.n_seq_max = std::min(max_sequences_, tokens);
    cp.embeddings = true;
    cp.pooling_type = LLAMA_POOLING_TYPE_UNSPECIFIED;  // the GGUF's own
  }
  LITRANK_RETURN_IF_ERROR(RecreateContext(model_, cp, "an embedding context", &ctx_));
  if (pooling_ == EmbedPooling::kLlama && llama_pooling_type(ctx_) == LLAMA_POOLING_TYPE_NONE) {
    return Status::Unsupported("the model declares no pooling; cannot make one vector per text");
  }
  n_ctx_ = llama_n_ctx(ctx_);
  n_batch_ = llama_n_batch(ctx_);
  return Status::Ok();
}

// Eval callback: keeps the final normed hidden states ("result_norm"), which llama.cpp
// computes only for tokens marked as outputs.
bool EmbedEngine::CaptureHidden(ggml_tensor* t, bool ask, void* user) {
  const bool wanted = std::strcmp(t->name, "result_norm") == 0;
  if (ask) return wanted;
  if (!wanted) return true;
  auto* self = static_cast<EmbedEngine*>(user);
  const size_t n = static_cast<size_t>(ggml_nelements(t));
  const size_t old = self->captured_.size();
  self->captured_.resize(old + n);
  ggml_backend_tensor_get(t, self->captured_.data() + old, 0, n * sizeof(float));
  return true;
}

Status EmbedEngine::Flush(llama_batch* batch) {
  if (batch->n_tokens == 0) return Status::Ok();
  const int32_t rc = llama_decode(ctx_, *batch);
  batch->n_tokens = 0;
  if (rc == 1) return Status::Internal("llama_decode found no room in the KV cache (context " + std::to_string(n_ctx_) + " tokens)");
  if (rc != 0) return Status::Internal("llama_decode failed with code " + std::to_string(rc));
  return Status::Ok();
}

Status EmbedEngine::DecodeRound(const std::vector<const Tokens*>& texts, float* rows) {
  size_t total = 0;
  for (const Tokens* t : texts) total += t->size();
  if (texts.empty() || texts.size() > max_sequences_ || total > max_ctx_) {
    return Status::Internal("an embedding round of " + std::to_string(texts.size()) + " texts and " +
                            std::to_string(total) + " tokens exceeds the engine's limits");
  }
  LITRANK_RETURN_IF_ERROR(EnsureContext(static_cast<uint32_t>(total)));
  llama_memory_clear(llama_get_memory(ctx_), true);
  captured_.clear();
  // kLlama: n_batch == n_ctx >= total, so the round is one decode (and one ubatch).
  const bool all_outputs = pooling_ == EmbedPooling::kLlama;
  llama_batch batch = llama_batch_init(static_cast<int32_t>(n_batch_), 0, 1);
  Status st;
  for (size_t s = 0; s < texts.size() && st.ok(); ++s) {
    const Tokens& t = *texts[s];
    for (size_t p = 0; p < t.size() && st.ok(); ++p) {
      if (static_cast<uint32_t>(batch.n_tokens) == n_batch_) st = Flush(&batch);
      const int32_t i = batch.n_tokens++;
      batch.token[i] = t[p];
      batch.pos[i] = static_cast<llama_pos>(p);
      batch.n_seq_id[i] = 1;
      batch.seq_id[i][0] = static_cast<llama_seq_id>(s);
      batch.logits[i] = all_outputs || p + 1 == t.size();
    }
  }
  if (st.ok()) st = Flush(&batch);
  llama_batch_free(batch);
  LITRANK_RETURN_IF_ERROR(st);
  return all_outputs ? CollectPooledRows(texts.size(), rows) : CollectLastTokenRows(texts.size(), rows);
}

Status EmbedEngine::CollectLastTokenRows(size_t n, float* rows) const {
  if (captured_.size() != n * width_) {
    return Status::Internal("captured " + std::to_string(captured_.size() / std::max<uint32_t>(width_, 1)) +
                            " hidden states for " + std::to_string(n) + " texts");
  }
  std::copy(captured_.begin(), captured_.end(), rows);
  return Status::Ok();
}

Status EmbedEngine::CollectPooledRows(size_t n, float* rows) const {
  for (size_t s = 0; s < n; ++s) {
    const float* e = llama_get_embeddings_seq(ctx_, static_cast<llama_seq_id>(s));
    if (e == nullptr) return Status::Internal("llama.cpp returned no pooled embedding for a sequence");
    std::copy_n(e, width_, rows + s * width_);
  }
  return Status::Ok();
}

}  // namespace litrank

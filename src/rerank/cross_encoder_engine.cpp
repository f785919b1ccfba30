#include "rerank/cross_encoder_engine.h"

#include <algorithm>
#include <thread>

#include "llama.h"
#include "model/llama_runtime.h"

namespace litrank {

StatusOr<std::unique_ptr<CrossEncoderEngine>> CrossEncoderEngine::Create(llama_model* model,
                                                                         const RerankerConfig& config) {
  std::unique_ptr<CrossEncoderEngine> e(new CrossEncoderEngine());
  const uint32_t trained = static_cast<uint32_t>(std::max(1, llama_model_n_ctx_train(model)));
  e->max_pair_ = std::min(config.context_tokens ? config.context_tokens : 8192u, trained);
  e->n_batch_ = std::max(config.batch_tokens ? config.batch_tokens : 2048u, e->max_pair_);
  e->max_sequences_ = std::clamp<uint32_t>(config.max_sequences ? config.max_sequences : 64, 1, 255);
  llama_context_params cp = BaseContextParams(e->n_batch_, config.threads);
  cp.n_batch = cp.n_ubatch = e->n_batch_;  // bidirectional attention: a decode is one ubatch
  cp.n_seq_max = e->max_sequences_;
  cp.embeddings = true;
  cp.pooling_type = LLAMA_POOLING_TYPE_RANK;
  cp.flash_attn_type = config.flash_attention ? LLAMA_FLASH_ATTN_TYPE_AUTO : LLAMA_FLASH_ATTN_TYPE_DISABLED;
  LITRANK_RETURN_IF_ERROR(RecreateContext(model, cp, "a cross-encoder context", &e->ctx_));
  return e;
}

CrossEncoderEngine::~CrossEncoderEngine() {
  if (ctx_) llama_free(ctx_);
}

Status CrossEncoderEngine::ScoreRound(const std::vector<PairRef>& pairs, std::vector<double>* logits,
                                      size_t* decoded) {
  size_t total = 0;
  for (const PairRef& p : pairs) total += PairCost(p);
  if (pairs.size() > max_sequences_ || total > n_batch_) return Status::Internal("a cross-encoder round over its limits");
  llama_batch batch = llama_batch_init(static_cast<int32_t>(n_batch_), 0, 1);
  for (size_t i = 0; i < pairs.size(); ++i) {
    int32_t pos = 0;
    for (const Tokens* part : {&pairs[i].prompt->prefix, pairs[i].doc, &pairs[i].prompt->suffix}) {
      for (int32_t tok : *part) {
        const int32_t k = batch.n_tokens++;
        batch.token[k] = tok, batch.pos[k] = pos++, batch.n_seq_id[k] = 1;
        batch.seq_id[k][0] = static_cast<int32_t>(i), batch.logits[k] = 1;
      }
    }
  }
  *decoded += static_cast<size_t>(batch.n_tokens);
  const int32_t rc = llama_decode(ctx_, batch);
  llama_batch_free(batch);
  if (rc != 0) return Status::Internal("llama_decode failed with code " + std::to_string(rc));
  logits->assign(pairs.size(), 0.0);
  for (size_t i = 0; i < pairs.size(); ++i) {
    const float* out = llama_get_embeddings_seq(ctx_, static_cast<int32_t>(i));
    if (!out) return Status::Internal("the cross-encoder produced no score for a document");
    (*logits)[i] = out[0];
  }
  return Status::Ok();
}

}  // namespace litrank

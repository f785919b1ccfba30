#include "model/llama_runtime.h"

#include <thread>

#include "llama.h"

namespace litrank {

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
  b->logits[i] = output;
}

llama_context_params BaseContextParams(uint32_t n_ctx, int threads) {
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = n_ctx;
  cp.n_threads = cp.n_threads_batch = ResolveThreads(threads);
  cp.no_perf = true;
  return cp;
}

Status RecreateContext(llama_model* model, const llama_context_params& cp, const std::string& what,
                       llama_context** ctx) {
  if (*ctx) llama_free(*ctx);
  *ctx = llama_init_from_model(model, cp);
  if (*ctx == nullptr) {
    return Status::Internal("llama.cpp could not create " + what + " of " + std::to_string(cp.n_ctx) +
                            " tokens: out of memory?");
  }
  return Status::Ok();
}

void ModelFree::operator()(llama_model* m) const { llama_model_free(m); }

StatusOr<ModelPtr> LoadModelFile(const std::string& path, int gpu_layers) {
  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = gpu_layers;
  ModelPtr model(llama_model_load_from_file(path.c_str(), mp));
  if (!model) return Status::Corruption("llama.cpp could not load " + path + " (damaged file or unsupported architecture)");
  return model;
}

}  // namespace litrank

// Small pieces every llama.cpp engine needs, in one place: thread count, whether a
// GPU backend is present, batch filling, and model ownership.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "litrank/status.h"

struct llama_batch;
struct llama_context;
struct llama_context_params;
struct llama_model;

namespace litrank {

/// `threads` when positive, else one per hardware thread (4 when unknown).
int ResolveThreads(int threads);

/// Whether llama.cpp has a GPU device (CUDA, Metal, Vulkan ...) in this build.
bool HasGpu();

/// Appends one token of sequence `seq` at position `pos` to `batch` (which must have
/// room), with logits/embeddings requested when `output`.
void AddToken(llama_batch* batch, int32_t token, int32_t pos, int32_t seq, bool output);

/// The context parameters every engine starts from: llama.cpp's defaults with `n_ctx`
/// cells, `threads` (resolved by ResolveThreads) for both decoding and prefill, and no
/// performance counters. Engines then set their batch sizes, sequences and outputs.
llama_context_params BaseContextParams(uint32_t n_ctx, int threads);

/// Frees *ctx when set, then creates a context of `model` with `cp` into it. On failure
/// *ctx is null and the status is Internal, naming `what` and the size asked for.
Status RecreateContext(llama_model* model, const llama_context_params& cp, const std::string& what,
                       llama_context** ctx);

/// Frees a llama_model (for std::unique_ptr).
struct ModelFree {
  void operator()(llama_model* m) const;
};
using ModelPtr = std::unique_ptr<llama_model, ModelFree>;

/// Loads the weights of `path` with `gpu_layers` layers offloaded (-1 = all).
/// Corruption when llama.cpp cannot (a damaged file or an unsupported architecture).
StatusOr<ModelPtr> LoadModelFile(const std::string& path, int gpu_layers);

}  // namespace litrank

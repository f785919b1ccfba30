// `litrank synth-model`: write a random-weight Qwen3 GGUF for tests and benchmarks.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/cli_common.h"
#include "litrank/synth.h"

namespace litrank::cli {

void AddSynthCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "synth-model",
      "Write a RANDOM-WEIGHT Qwen3 model (real Qwen tokenizer) for tests and benchmarks.\n"
      "Its scores are MEANINGLESS; its speed per token equals the real model of the same shape.");
  auto opts = std::make_shared<SynthOptions>();
  auto out = std::make_shared<std::string>();
  cmd->add_option("--kind", opts->kind, "reranker | embedding | generator | cross-encoder (tiny BERT, BGE layout)")
      ->check(CLI::IsMember({"reranker", "embedding", "generator", "cross-encoder"}))->capture_default_str();
  cmd->add_option("--shape", opts->shape, "tiny | qwen3-0.6b (exact Qwen3-0.6B shape)")
      ->check(CLI::IsMember({"tiny", "qwen3-0.6b"}))->capture_default_str();
  cmd->add_option("--type", opts->type, "f32 | f16 | bf16 | q8_0 | q4_k_m | q4_0")
      ->check(CLI::IsMember({"f32", "f16", "bf16", "q8_0", "q4_k_m", "q4_0"}))->capture_default_str();
  cmd->add_option("--vocab", opts->vocab_path, "GGUF holding the Qwen tokenizer (default: llama.cpp's ggml-vocab-qwen2.gguf)");
  cmd->add_option("--seed", opts->seed, "Random seed")->capture_default_str();
  cmd->add_option("-o,--output", *out, "Output GGUF file")->required();
  cmd->callback([opts, out, exit_code] {
    std::fprintf(stderr, "litrank: writing a random-weight %s (%s, %s) to %s — its scores are meaningless\n",
                 opts->kind.c_str(), opts->shape.c_str(), opts->type.c_str(), out->c_str());
    const Status st = WriteSynthModel(*opts, *out);
    if (!st.ok()) { *exit_code = Fail(st); return; }
    std::printf("%s\n", out->c_str());
  });
}

}  // namespace litrank::cli

// The two-row yes/no head of a Qwen3 reranker: cls.output in a RANK GGUF, or the
// LM-head rows of "yes" and "no" in a causal-LM GGUF. Applied to final hidden
// states with ggml's own matmul kernel, so results match llama.cpp's RANK pooling.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "litrank/status.h"

namespace litrank {

/// Weights of the yes/no head, copied from the GGUF in their stored format.
class ScoreHead {
 public:
  /// Reads cls.output.weight (rows ordered by the file's labels) or, failing that,
  /// rows `yes_token`/`no_token` of output.weight or the tied token_embd.weight.
  static StatusOr<ScoreHead> Load(const std::string& gguf_path, int32_t yes_token, int32_t no_token);

  /// logit_yes - logit_no for each of `n_rows` hidden states of width n_embd().
  std::vector<double> LogitDifferences(const float* hidden, size_t n_rows, int threads) const;

  uint32_t n_embd() const { return n_embd_; }
  /// Which tensor the head came from ("cls.output.weight", "output.weight", ...).
  const std::string& source() const { return source_; }

 private:
  int type_ = 0;                 // ggml_type of the rows
  uint32_t n_embd_ = 0;
  std::vector<uint8_t> rows_;    // row yes, then row no, in `type_` encoding
  std::string source_;
};

}  // namespace litrank

// Text generation with a Qwen3 instruct GGUF on llama.cpp: chat prompts from the
// model's own template, greedy or seeded decoding under a GBNF grammar (llama.cpp's
// grammar sampler), several prompts at once as parallel sequences of one context
// (their common prefix, the system prompt and instructions, decoded once and shared),
// and that prefix kept in the KV cache for the next call.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "litrank/status.h"

struct llama_context;
struct llama_model;
struct llama_sampler;
struct llama_token_data;

namespace litrank {

/// How to run the generator.
struct GeneratorConfig {
  int threads = 0;        ///< CPU threads (0 = all cores)
  int gpu_layers = 0;     ///< layers to offload (-1 = all)
  uint32_t max_context = 32768;  ///< KV cells in all (every sequence's prompt and answer), grown to need up to this
  uint32_t max_sequences = 8;    ///< prompts decoded together at most (GenerateMany)
};

/// How tokens are chosen: greedy (temperature 0, the default) or sampled from the
/// grammar-allowed tokens with top-p and temperature, seeded per prompt (the seed
/// mixed with the prompt's text), so a prompt gets the same answer whatever else
/// is decoded beside it.
struct Sampling {
  float temperature = 0.0f;
  float top_p = 1.0f;
  uint32_t seed = 0;
};

/// A chat prompt split where untrusted text goes: `head` and `tail` are the template's
/// own text (control tokens parsed), `user_text` is tokenised as plain text, so a
/// document cannot inject <|im_end|> or any other control token.
struct ChatPrompt {
  std::string head;
  std::string user_text;
  std::string tail;
};

/// One turn of a conversation (OpenAI's messages): role "system", "user" or "assistant".
struct ChatTurn {
  std::string role;
  std::string content;
};

/// One generation's outcome.
struct Generation {
  std::string text;            ///< the generated text (control tokens not included)
  bool finished = false;       ///< an end-of-generation token came within the limit
  size_t prompt_tokens = 0;    ///< tokens of the prompt
  size_t reused_tokens = 0;    ///< of which were already in the KV cache
  size_t generated_tokens = 0;
};

/// One model and one context; not thread-safe (one caller at a time).
class Generator {
 public:
  /// Loads `path`: a causal LM with a chat template in the file. Errors: NotFound,
  /// Corruption, Unsupported (an embedding model, a reranker head, no chat template).
  static StatusOr<std::unique_ptr<Generator>> Open(const std::string& path, const GeneratorConfig& config);
  ~Generator();

  /// Lays out a system turn and a user turn (`user_before` + `user_text`) with the
  /// model's chat template, up to the opening of the assistant turn. With a Qwen3
  /// template, thinking is switched off as its enable_thinking=false does (an empty
  /// <think></think> block). Errors: Unsupported (a template llama.cpp cannot apply).
  StatusOr<ChatPrompt> Chat(const std::string& system, const std::string& user_before,
                            const std::string& user_text) const;

  /// Lays out a whole conversation with the model's chat template, up to the
  /// opening of the assistant turn (thinking off as in Chat). The last turn must be
  /// the user's: its content is the prompt's plain `user_text`, after `before`
  /// (template text); earlier turns are template text, as llama-server reads them.
  /// Errors: InvalidArgument (no turns, the last not the user's), Unsupported (a
  /// template llama.cpp cannot apply).
  StatusOr<ChatPrompt> Conversation(const std::vector<ChatTurn>& turns, const std::string& before = "") const;
  /// Tokens of plain `text` (no control tokens parsed).
  size_t CountTokens(const std::string& text) const;

  /// Generates from `prompt` under `grammar` (GBNF, root rule "root"; empty for
  /// none) for at most `max_tokens` tokens. Errors: InvalidArgument (a grammar
  /// llama.cpp rejects), TooLong (prompt + max_tokens past max_context), Internal.
  Status Generate(const ChatPrompt& prompt, const std::string& grammar, uint32_t max_tokens, Generation* out,
                  const Sampling& sampling = {});

  /// Generates from every prompt, up to max_sequences at a time as parallel
  /// sequences of one context: their longest common token prefix is decoded once,
  /// each rest after it, then one token per sequence per decode until each ends.
  /// Groups are packed in order so that prefix + rests + max_tokens each fit
  /// max_context. (*statuses)[i] is prompt i's own outcome (TooLong alone past the
  /// context; Internal when its grammar allowed no token, or when its group's decode
  /// failed); the call itself fails only for a grammar llama.cpp rejects, a
  /// max_tokens of 0, or a context it cannot create.
  Status GenerateMany(const std::vector<ChatPrompt>& prompts, const std::string& grammar, uint32_t max_tokens,
                      const Sampling& sampling, std::vector<Generation>* outs, std::vector<Status>* statuses);

  /// The file's SHA-256 based fingerprint (what stored extractions are keyed by).
  const std::string& fingerprint() const { return fingerprint_; }
  /// The model's trained context.
  uint32_t trained_context() const;

 private:
  Generator() = default;
  struct Sequence;
  Status EnsureContext(uint32_t sequences, uint32_t per_sequence);
  Status Decode(const std::vector<int32_t>& tokens, size_t from, int32_t seq, bool logits_last);
  Status RunGroup(const std::vector<std::vector<int32_t>>& tokens, const std::vector<size_t>& members,
                  size_t prefix, const std::string& grammar, uint32_t max_tokens, const Sampling& sampling,
                  const std::vector<ChatPrompt>& prompts, std::vector<Generation>* outs,
                  std::vector<Status>* statuses);
  int32_t PickToken(int32_t logits_index, Sequence* seq);

  llama_model* model_ = nullptr;
  llama_context* ctx_ = nullptr;
  GeneratorConfig config_;
  std::string fingerprint_;
  std::string chat_template_;
  uint32_t n_ctx_ = 0;  ///< KV cells in all
  uint32_t n_seq_ = 1;  ///< sequences (KV streams) the context holds
  std::vector<int32_t> cached_;  ///< the tokens in the KV cache, sequence 0, from position 0 (other sequences empty)
  std::vector<llama_token_data> candidates_;  ///< the whole vocabulary, when the greedy pick is refused
  std::vector<llama_token_data> probe_;       ///< the likeliest tokens, checked against the grammar first
};

}  // namespace litrank

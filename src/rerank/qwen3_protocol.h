// The Qwen3-Reranker prompt protocol, exactly as the model card's reference code
// builds it (see ../shared/notes/qwen3-protocol.md). One place for every string and id.
#pragma once

#include <cstdint>

namespace litrank {

/// Fixed part before the user turn. Tokenised WITH special-token parsing.
inline constexpr const char* kQwen3RerankPrefix =
    "<|im_start|>system\nJudge whether the Document meets the requirements based on the Query "
    "and the Instruct provided. Note that the answer can only be \"yes\" or \"no\".<|im_end|>\n"
    "<|im_start|>user\n";

/// Fixed part after the document. Tokenised WITH special-token parsing.
inline constexpr const char* kQwen3RerankSuffix =
    "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n";

/// The instruction used when the caller gives none.
inline constexpr const char* kQwen3DefaultInstruction =
    "Given a web search query, retrieve relevant passages that answer the query";

/// Token ids in the Qwen2/Qwen3 vocabulary.
inline constexpr int32_t kQwen3YesToken = 9693;       // "yes"
inline constexpr int32_t kQwen3NoToken = 2152;        // "no"
inline constexpr int32_t kQwen3ImStartToken = 151644; // <|im_start|>
inline constexpr int32_t kQwen3ImEndToken = 151645;   // <|im_end|>

/// The "rerank" chat template llama.cpp's converter writes into Qwen3-Reranker GGUFs
/// ({query} and {document} are substituted; the instruction is the default one).
inline constexpr const char* kQwen3RerankTemplate =
    "<|im_start|>system\nJudge whether the Document meets the requirements based on the Query "
    "and the Instruct provided. Note that the answer can only be \"yes\" or \"no\".<|im_end|>\n"
    "<|im_start|>user\n<Instruct>: Given a web search query, retrieve relevant passages that "
    "answer the query\n<Query>: {query}\n<Document>: {document}<|im_end|>\n"
    "<|im_start|>assistant\n<think>\n\n</think>\n\n";

/// A minimal ChatML template for the generator kind of synthetic model.
inline constexpr const char* kQwen3ChatTemplate =
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

/// The same ChatML turns with the ending of Qwen3's instruct template: its thinking
/// switch (enable_thinking=false opens the answer with an empty think block). What
/// `synth-model --kind generator` writes, so the generator's template handling is tested.
inline constexpr const char* kQwen3GeneratorChatTemplate =
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n"
    "{% if enable_thinking is defined and enable_thinking is false %}<think>\n\n</think>\n\n{% endif %}{% endif %}";

}  // namespace litrank

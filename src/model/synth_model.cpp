// Random-weight Qwen3 GGUFs with the real tokenizer (see include/litrank/synth.h).
#include "litrank/synth.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "ggml-backend.h"
#include "ggml.h"
#include "gguf.h"
#include "llama.h"
#include "model/llama_runtime.h"
#include "rerank/qwen3_protocol.h"

#ifndef LITRANK_DEFAULT_VOCAB
#define LITRANK_DEFAULT_VOCAB ""
#endif

namespace litrank {
namespace {

/// Layer sizes of a Qwen3 model.
struct Shape {
  uint32_t n_embd, n_layer, n_head, n_head_kv, head_dim, n_ff, n_ctx;
};

StatusOr<Shape> ShapeByName(const std::string& name) {
  if (name == "tiny") return Shape{128, 2, 4, 2, 32, 256, 8192};
  // Qwen3-Reranker-0.6B / Qwen3-Embedding-0.6B: config.json of the real model.
  if (name == "qwen3-0.6b") return Shape{1024, 28, 16, 8, 128, 3072, 40960};
  return Status::InvalidArgument("unknown shape '" + name + "' (use tiny or qwen3-0.6b)");
}

struct GgufFree { void operator()(gguf_context* c) const { gguf_free(c); } };
struct GgmlFree { void operator()(ggml_context* c) const { ggml_free(c); } };

/// Deterministic uniform values with the requested stdev, a function of (seed, tensor, row):
/// the same row of the same tensor always gets the same numbers.
class RowFiller {
 public:
  RowFiller(uint64_t seed, float stdev) : seed_(seed), half_width_(stdev * std::sqrt(3.0f)) {}

  void Fill(const std::string& tensor, uint64_t row, float* out, int64_t n) const {
    uint64_t s = seed_ ^ std::hash<std::string>{}(tensor) ^ (row * 0x9E3779B97F4A7C15ull);
    for (int64_t i = 0; i < n; ++i) {
      s += 0x9E3779B97F4A7C15ull;  // splitmix64
      uint64_t z = s;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      const float u = static_cast<float>(z >> 40) / static_cast<float>(1ull << 24);  // [0,1)
      out[i] = (2.0f * u - 1.0f) * half_width_;
    }
  }

 private:
  uint64_t seed_;
  float half_width_;
};

struct FillContext {
  RowFiller filler;
  std::vector<int32_t> cls_rows;  // token ids whose embedding rows form cls.output
};

bool IsNorm(const char* name) { return std::strstr(name, "norm") != nullptr; }
bool IsBias(const char* name) { return std::strstr(name, ".bias") != nullptr; }

/// Writes a tensor's values: norms 1, biases 0, cls.output = embedding rows of yes/no,
/// everything else random, encoded as `type` into `out` (ggml_row_size(type, row_len) * n_rows bytes).
void FillTensorBytes(const FillContext& ctx, const char* name, ggml_type type, int64_t row_len, int64_t n_rows,
                     uint8_t* out) {
  std::vector<float> row(row_len);
  const size_t row_bytes = ggml_row_size(type, row_len);
  const bool is_cls = std::strcmp(name, "cls.output.weight") == 0;
  for (int64_t r = 0; r < n_rows; ++r) {
    if (IsBias(name)) {
      std::fill(row.begin(), row.end(), 0.0f);
    } else if (IsNorm(name)) {
      std::fill(row.begin(), row.end(), 1.0f);
    } else if (is_cls) {
      ctx.filler.Fill("token_embd.weight", ctx.cls_rows[r % ctx.cls_rows.size()], row.data(), row_len);
    } else {
      ctx.filler.Fill(name, r, row.data(), row_len);
    }
    uint8_t* dst = out + r * row_bytes;
    switch (type) {
      case GGML_TYPE_F32: std::memcpy(dst, row.data(), row_bytes); break;
      case GGML_TYPE_F16: ggml_fp32_to_fp16_row(row.data(), reinterpret_cast<ggml_fp16_t*>(dst), row_len); break;
      case GGML_TYPE_BF16: ggml_fp32_to_bf16_row(row.data(), reinterpret_cast<ggml_bf16_t*>(dst), row_len); break;
      default: GGML_ABORT("synth: unexpected tensor type");
    }
  }
}

/// llama_model_init_from_user callback.
void SetTensorData(ggml_tensor* t, void* user) {
  std::vector<uint8_t> bytes(ggml_nbytes(t));
  FillTensorBytes(*static_cast<const FillContext*>(user), t->name, t->type, t->ne[0], ggml_nrows(t), bytes.data());
  ggml_backend_tensor_set(t, bytes.data(), 0, bytes.size());
}

/// Copies the tokenizer keys of the vocabulary GGUF into `dst`.
Status CopyTokenizer(const std::string& vocab_path, gguf_context* dst) {
  gguf_init_params p{true, nullptr};
  std::unique_ptr<gguf_context, GgufFree> vocab(gguf_init_from_file(vocab_path.c_str(), p));
  if (!vocab) return Status::NotFound("cannot read tokenizer vocabulary " + vocab_path);
  for (int64_t i = 0; i < gguf_get_n_kv(vocab.get()); ++i) {
    const std::string key = gguf_get_key(vocab.get(), i);
    if (key.rfind("tokenizer.", 0) != 0) continue;
    const gguf_type type = gguf_get_kv_type(vocab.get(), i);
    if (type == GGUF_TYPE_STRING) {
      gguf_set_val_str(dst, key.c_str(), gguf_get_val_str(vocab.get(), i));
    } else if (type == GGUF_TYPE_ARRAY && gguf_get_arr_type(vocab.get(), i) == GGUF_TYPE_STRING) {
      std::vector<const char*> items(gguf_get_arr_n(vocab.get(), i));
      for (size_t j = 0; j < items.size(); ++j) items[j] = gguf_get_arr_str(vocab.get(), i, j);
      gguf_set_arr_str(dst, key.c_str(), items.data(), items.size());
    } else if (type == GGUF_TYPE_ARRAY) {
      gguf_set_arr_data(dst, key.c_str(), gguf_get_arr_type(vocab.get(), i),
                        gguf_get_arr_data(vocab.get(), i), gguf_get_arr_n(vocab.get(), i));
    } else if (type == GGUF_TYPE_UINT32) {
      gguf_set_val_u32(dst, key.c_str(), gguf_get_val_u32(vocab.get(), i));
    } else if (type == GGUF_TYPE_BOOL) {
      gguf_set_val_bool(dst, key.c_str(), gguf_get_val_bool(vocab.get(), i));
    }
  }
  return Status::Ok();
}

/// Adds one tensor description (name, shape, type) to the metadata.
void AddTensor(ggml_context* meta, gguf_context* gguf, const std::string& name, ggml_type type,
               int64_t ne0, int64_t ne1 = 1) {
  ggml_tensor* t = ne1 == 1 ? ggml_new_tensor_1d(meta, type, ne0) : ggml_new_tensor_2d(meta, type, ne0, ne1);
  ggml_set_name(t, name.c_str());
  gguf_add_tensor(gguf, t);
}

void AddQwen3Tensors(const Shape& s, uint32_t n_vocab, ggml_type wtype, bool with_cls,
                     ggml_context* meta, gguf_context* gguf) {
  const uint32_t q = s.n_head * s.head_dim, kv = s.n_head_kv * s.head_dim;
  AddTensor(meta, gguf, "token_embd.weight", wtype, s.n_embd, n_vocab);
  AddTensor(meta, gguf, "output_norm.weight", GGML_TYPE_F32, s.n_embd);
  if (with_cls) AddTensor(meta, gguf, "cls.output.weight", GGML_TYPE_F32, s.n_embd, 2);
  for (uint32_t i = 0; i < s.n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    AddTensor(meta, gguf, b + "attn_norm.weight", GGML_TYPE_F32, s.n_embd);
    AddTensor(meta, gguf, b + "attn_q.weight", wtype, s.n_embd, q);
    AddTensor(meta, gguf, b + "attn_k.weight", wtype, s.n_embd, kv);
    AddTensor(meta, gguf, b + "attn_v.weight", wtype, s.n_embd, kv);
    AddTensor(meta, gguf, b + "attn_output.weight", wtype, q, s.n_embd);
    AddTensor(meta, gguf, b + "attn_q_norm.weight", GGML_TYPE_F32, s.head_dim);
    AddTensor(meta, gguf, b + "attn_k_norm.weight", GGML_TYPE_F32, s.head_dim);
    AddTensor(meta, gguf, b + "ffn_norm.weight", GGML_TYPE_F32, s.n_embd);
    AddTensor(meta, gguf, b + "ffn_gate.weight", wtype, s.n_embd, s.n_ff);
    AddTensor(meta, gguf, b + "ffn_up.weight", wtype, s.n_embd, s.n_ff);
    AddTensor(meta, gguf, b + "ffn_down.weight", wtype, s.n_ff, s.n_embd);
  }
}

/// A tiny BERT cross-encoder (BGE-reranker layout: RANK pooling, cls + cls.output heads).
void AddBertCrossEncoder(uint32_t n_vocab, ggml_type wtype, ggml_context* meta, gguf_context* g) {
  const uint32_t n_embd = 128, n_layer = 2, n_head = 4, n_ff = 256, n_ctx = 512;
  gguf_set_val_str(g, "general.architecture", "bert");
  gguf_set_val_u32(g, "bert.context_length", n_ctx);
  gguf_set_val_u32(g, "bert.embedding_length", n_embd);
  gguf_set_val_u32(g, "bert.block_count", n_layer);
  gguf_set_val_u32(g, "bert.feed_forward_length", n_ff);
  gguf_set_val_u32(g, "bert.attention.head_count", n_head);
  gguf_set_val_f32(g, "bert.attention.layer_norm_epsilon", 1e-12f);
  gguf_set_val_bool(g, "bert.attention.causal", false);
  gguf_set_val_u32(g, "bert.pooling_type", 4 /* LLAMA_POOLING_TYPE_RANK */);
  if (gguf_find_key(g, "tokenizer.ggml.token_type_count") < 0) gguf_set_val_u32(g, "tokenizer.ggml.token_type_count", 2);
  const int64_t n_types = gguf_get_val_u32(g, gguf_find_key(g, "tokenizer.ggml.token_type_count"));
  AddTensor(meta, g, "token_embd.weight", wtype, n_embd, n_vocab);
  AddTensor(meta, g, "token_types.weight", GGML_TYPE_F32, n_embd, n_types);
  AddTensor(meta, g, "position_embd.weight", GGML_TYPE_F32, n_embd, n_ctx);
  AddTensor(meta, g, "token_embd_norm.weight", GGML_TYPE_F32, n_embd);
  AddTensor(meta, g, "token_embd_norm.bias", GGML_TYPE_F32, n_embd);
  for (uint32_t i = 0; i < n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    for (const char* m : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
      AddTensor(meta, g, b + m + ".weight", wtype, n_embd, n_embd);
      AddTensor(meta, g, b + m + ".bias", GGML_TYPE_F32, n_embd);
    }
    for (const char* norm : {"attn_output_norm", "layer_output_norm"}) {
      AddTensor(meta, g, b + norm + ".weight", GGML_TYPE_F32, n_embd);
      AddTensor(meta, g, b + norm + ".bias", GGML_TYPE_F32, n_embd);
    }
    AddTensor(meta, g, b + "ffn_up.weight", wtype, n_embd, n_ff);
    AddTensor(meta, g, b + "ffn_up.bias", GGML_TYPE_F32, n_ff);
    AddTensor(meta, g, b + "ffn_down.weight", wtype, n_ff, n_embd);
    AddTensor(meta, g, b + "ffn_down.bias", GGML_TYPE_F32, n_embd);
  }
  AddTensor(meta, g, "cls.weight", GGML_TYPE_F32, n_embd, n_embd);
  AddTensor(meta, g, "cls.bias", GGML_TYPE_F32, n_embd);
  AddTensor(meta, g, "cls.output.weight", GGML_TYPE_F32, n_embd, 1);
  AddTensor(meta, g, "cls.output.bias", GGML_TYPE_F32, 1);
}

void SetHyperparameters(const Shape& s, const SynthOptions& o, gguf_context* g) {
  gguf_set_val_str(g, "general.architecture", "qwen3");
  gguf_set_val_u32(g, "qwen3.context_length", s.n_ctx);
  gguf_set_val_u32(g, "qwen3.embedding_length", s.n_embd);
  gguf_set_val_u32(g, "qwen3.block_count", s.n_layer);
  gguf_set_val_u32(g, "qwen3.feed_forward_length", s.n_ff);
  gguf_set_val_u32(g, "qwen3.attention.head_count", s.n_head);
  gguf_set_val_u32(g, "qwen3.attention.head_count_kv", s.n_head_kv);
  gguf_set_val_u32(g, "qwen3.attention.key_length", s.head_dim);
  gguf_set_val_u32(g, "qwen3.attention.value_length", s.head_dim);
  gguf_set_val_f32(g, "qwen3.attention.layer_norm_rms_epsilon", 1e-6f);
  gguf_set_val_f32(g, "qwen3.rope.freq_base", 1000000.0f);
  if (o.kind == "reranker") {
    gguf_set_val_u32(g, "qwen3.pooling_type", 4 /* LLAMA_POOLING_TYPE_RANK */);
    const char* labels[] = {"yes", "no"};
    gguf_set_arr_str(g, "qwen3.classifier.output_labels", labels, 2);
  } else if (o.kind == "embedding") {
    gguf_set_val_u32(g, "qwen3.pooling_type", 3 /* LLAMA_POOLING_TYPE_LAST */);
  }
}

/// Adds what llama_model_save_to_file does not write: name, file type, chat templates,
/// and any tensor of `planned` it left out (at this llama.cpp commit it drops
/// token_embd of models without an output tensor, such as BERT).
Status AddPostSaveKeys(const SynthOptions& o, const FillContext& fill, ggml_context* planned,
                       const std::string& in, const std::string& out) {
  ggml_context* data = nullptr;
  gguf_init_params p{false, &data};
  std::unique_ptr<gguf_context, GgufFree> saved(gguf_init_from_file(in.c_str(), p));
  std::unique_ptr<ggml_context, GgmlFree> data_owner(data);
  if (!saved || !data) return Status::IOError("cannot re-read " + in);
  // A fresh context: the saved KVs plus tensors that point at the loaded data.
  std::unique_ptr<gguf_context, GgufFree> g(gguf_init_empty());
  gguf_set_kv(g.get(), saved.get());
  for (int64_t i = 0; i < gguf_get_n_tensors(saved.get()); ++i) {
    gguf_add_tensor(g.get(), ggml_get_tensor(data, gguf_get_tensor_name(saved.get(), i)));
  }
  size_t missing_bytes = 0;
  for (ggml_tensor* t = ggml_get_first_tensor(planned); t; t = ggml_get_next_tensor(planned, t)) {
    if (gguf_find_tensor(saved.get(), t->name) < 0) missing_bytes += ggml_nbytes(t) + ggml_tensor_overhead();
  }
  ggml_init_params ep{missing_bytes + ggml_tensor_overhead(), nullptr, false};
  std::unique_ptr<ggml_context, GgmlFree> extra(ggml_init(ep));
  for (ggml_tensor* t = ggml_get_first_tensor(planned); t; t = ggml_get_next_tensor(planned, t)) {
    if (gguf_find_tensor(saved.get(), t->name) >= 0) continue;
    ggml_tensor* copy = ggml_dup_tensor(extra.get(), t);
    ggml_set_name(copy, t->name);
    FillTensorBytes(fill, t->name, t->type, t->ne[0], ggml_nrows(t), static_cast<uint8_t*>(copy->data));
    gguf_add_tensor(g.get(), copy);
  }
  const std::string name = "litrank-synthetic-" + o.kind + "-" + o.shape + " (random weights, scores are meaningless)";
  gguf_set_val_str(g.get(), "general.name", name.c_str());
  gguf_set_val_str(g.get(), "general.description", "Random-weight model written by `litrank synth-model`. Its scores mean nothing.");
  gguf_set_val_u32(g.get(), "general.file_type", o.type == "f32" ? 0 : o.type == "bf16" ? 32 : 1);
  if (o.kind != "cross-encoder") {
    gguf_set_val_str(g.get(), "tokenizer.chat_template",
                     o.kind == "generator" ? kQwen3GeneratorChatTemplate : kQwen3ChatTemplate);
  }
  if (o.kind == "reranker") {
    gguf_set_val_str(g.get(), "tokenizer.chat_template.rerank", kQwen3RerankTemplate);
    const char* names[] = {"rerank"};
    gguf_set_arr_str(g.get(), "tokenizer.chat_templates", names, 1);
  }
  if (!gguf_write_to_file(g.get(), out.c_str(), false)) return Status::IOError("cannot write " + out);
  return Status::Ok();
}

StatusOr<llama_ftype> QuantTarget(const std::string& type) {
  if (type == "q8_0") return LLAMA_FTYPE_MOSTLY_Q8_0;
  if (type == "q4_k_m") return LLAMA_FTYPE_MOSTLY_Q4_K_M;
  if (type == "q4_0") return LLAMA_FTYPE_MOSTLY_Q4_0;
  return Status::InvalidArgument("unknown weight type '" + type + "' (use f32, f16, bf16, q8_0, q4_k_m or q4_0)");
}

}  // namespace

Status WriteSynthModel(const SynthOptions& o, const std::string& out_path) {
  const bool bert = o.kind == "cross-encoder";
  if (o.kind != "reranker" && o.kind != "embedding" && o.kind != "generator" && !bert) {
    return Status::InvalidArgument("unknown kind '" + o.kind + "' (use reranker, embedding, generator or cross-encoder)");
  }
  if (bert && o.shape != "tiny") return Status::InvalidArgument("the cross-encoder kind comes in the tiny shape only");
  auto shape = ShapeByName(o.shape);
  if (!shape.ok()) return shape.status();
  const bool quantized = o.type != "f32" && o.type != "f16" && o.type != "bf16";
  llama_ftype ftype = LLAMA_FTYPE_ALL_F32;
  if (quantized) {
    auto q = QuantTarget(o.type);
    if (!q.ok()) return q.status();
    ftype = *q;
  }
  // Quantised files start from BF16 (the real models' native precision).
  const ggml_type wtype = o.type == "f32" ? GGML_TYPE_F32 : o.type == "f16" ? GGML_TYPE_F16 : GGML_TYPE_BF16;

  std::unique_ptr<gguf_context, GgufFree> meta_gguf(gguf_init_empty());
  std::string vocab = o.vocab_path.empty() ? LITRANK_DEFAULT_VOCAB : o.vocab_path;
  if (bert && o.vocab_path.empty()) {
    vocab = (std::filesystem::path(LITRANK_DEFAULT_VOCAB).parent_path() / "ggml-vocab-bert-bge.gguf").string();
  }
  LITRANK_RETURN_IF_ERROR(CopyTokenizer(vocab, meta_gguf.get()));
  const int64_t tok_key = gguf_find_key(meta_gguf.get(), "tokenizer.ggml.tokens");
  if (tok_key < 0) return Status::Corruption(vocab + " has no tokenizer.ggml.tokens");
  const uint32_t n_vocab = static_cast<uint32_t>(gguf_get_arr_n(meta_gguf.get(), tok_key));
  ggml_init_params mp{ggml_tensor_overhead() * 1024, nullptr, true};
  std::unique_ptr<ggml_context, GgmlFree> meta(ggml_init(mp));
  if (bert) {
    AddBertCrossEncoder(n_vocab, wtype, meta.get(), meta_gguf.get());
  } else {
    SetHyperparameters(*shape, o, meta_gguf.get());
    const bool with_cls = o.kind == "reranker" && !o.omit_cls_output;
    AddQwen3Tensors(*shape, n_vocab, wtype, with_cls, meta.get(), meta_gguf.get());
  }

  FillContext fill{RowFiller(o.seed, o.stdev), {kQwen3YesToken, kQwen3NoToken}};
  llama_model_params mparams = llama_model_default_params();
  mparams.n_gpu_layers = 0;
  ModelPtr model(
      llama_model_init_from_user(meta_gguf.get(), SetTensorData, &fill, mparams));
  if (!model) return Status::Internal("llama_model_init_from_user failed for the synthetic model");

  namespace fs = std::filesystem;
  const std::string raw = out_path + ".raw.tmp", keyed = out_path + ".keys.tmp";
  llama_model_save_to_file(model.get(), raw.c_str());
  model.reset();
  Status st = AddPostSaveKeys(o, fill, meta.get(), raw, keyed);
  std::error_code ec;
  fs::remove(raw, ec);
  if (!st.ok()) return st;
  if (quantized) {
    llama_model_quantize_params qp = llama_model_quantize_default_params();
    qp.ftype = ftype;
    qp.nthread = 0;
    const uint32_t rc = llama_model_quantize(keyed.c_str(), out_path.c_str(), &qp);
    fs::remove(keyed, ec);
    if (rc != 0) return Status::Internal("llama_model_quantize failed for " + out_path);
    return Status::Ok();
  }
  fs::rename(keyed, out_path, ec);
  if (ec) return Status::IOError("cannot write " + out_path + ": " + ec.message());
  return Status::Ok();
}

}  // namespace litrank

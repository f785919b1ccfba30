// Reads a GGUF header (no weights) and classifies the model.
#include "litrank/model_info.h"

#include <filesystem>
#include <map>
#include <memory>

#include "ggml.h"
#include "gguf.h"

namespace litrank {
namespace {

struct GgufDeleter {
  void operator()(gguf_context* ctx) const { gguf_free(ctx); }
};
using GgufPtr = std::unique_ptr<gguf_context, GgufDeleter>;

std::string GetString(const gguf_context* ctx, const std::string& key) {
  const int64_t id = gguf_find_key(ctx, key.c_str());
  if (id < 0 || gguf_get_kv_type(ctx, id) != GGUF_TYPE_STRING) return "";
  return gguf_get_val_str(ctx, id);
}

uint32_t GetU32(const gguf_context* ctx, const std::string& key, uint32_t fallback = 0) {
  const int64_t id = gguf_find_key(ctx, key.c_str());
  if (id < 0) return fallback;
  switch (gguf_get_kv_type(ctx, id)) {
    case GGUF_TYPE_UINT32: return gguf_get_val_u32(ctx, id);
    case GGUF_TYPE_INT32: return static_cast<uint32_t>(gguf_get_val_i32(ctx, id));
    case GGUF_TYPE_UINT64: return static_cast<uint32_t>(gguf_get_val_u64(ctx, id));
    default: return fallback;
  }
}

std::vector<std::string> GetStrings(const gguf_context* ctx, const std::string& key) {
  std::vector<std::string> out;
  const int64_t id = gguf_find_key(ctx, key.c_str());
  if (id < 0 || gguf_get_kv_type(ctx, id) != GGUF_TYPE_ARRAY ||
      gguf_get_arr_type(ctx, id) != GGUF_TYPE_STRING) {
    return out;
  }
  for (size_t i = 0; i < gguf_get_arr_n(ctx, id); ++i) out.emplace_back(gguf_get_arr_str(ctx, id, i));
  return out;
}

const char* PoolingName(uint32_t pooling) {
  // Values of llama_pooling_type as stored in GGUF.
  switch (pooling) {
    case 0: return "none";
    case 1: return "mean";
    case 2: return "cls";
    case 3: return "last";
    case 4: return "rank";
    default: return "unspecified";
  }
}

// Name of the weight format: general.file_type when known, else the most common tensor type.
std::string FileTypeName(const gguf_context* ctx) {
  static const std::map<uint32_t, const char*> kFtypes = {
      {0, "F32"},  {1, "F16"},  {2, "Q4_0"}, {3, "Q4_1"}, {7, "Q8_0"}, {8, "Q5_0"},
      {9, "Q5_1"}, {10, "Q2_K"}, {11, "Q3_K_S"}, {12, "Q3_K_M"}, {13, "Q3_K_L"},
      {14, "Q4_K_S"}, {15, "Q4_K_M"}, {16, "Q5_K_S"}, {17, "Q5_K_M"}, {18, "Q6_K"},
      {32, "BF16"}};
  const uint32_t ftype = GetU32(ctx, "general.file_type", 0xFFFFFFFF);
  if (auto it = kFtypes.find(ftype); it != kFtypes.end()) return it->second;
  std::map<int, uint64_t> bytes_by_type;
  for (int64_t i = 0; i < gguf_get_n_tensors(ctx); ++i) {
    bytes_by_type[gguf_get_tensor_type(ctx, i)] += gguf_get_tensor_size(ctx, i);
  }
  int best = -1;
  uint64_t best_bytes = 0;
  for (const auto& [type, n] : bytes_by_type) {
    if (n > best_bytes) best = type, best_bytes = n;
  }
  return best < 0 ? "none" : ggml_type_name(static_cast<ggml_type>(best));
}

void Classify(ModelInfo* info) {
  const bool qwen3 = info->architecture == "qwen3";
  if (info->pooling == "rank") {
    if (!info->has_cls_output && qwen3) {
      info->kind = ModelKind::kBrokenReranker;
      info->problem =
          "this Qwen3 GGUF declares RANK pooling but has no cls.output tensor: it was converted "
          "without the yes/no classifier head and would score every pair near 0. Re-convert it "
          "with a current llama.cpp convert_hf_to_gguf.py, or use the causal-LM GGUF of the model";
    } else if (qwen3) {
      info->kind = ModelKind::kQwen3Reranker;
    } else {
      info->kind = ModelKind::kRankReranker;
    }
  } else if (info->pooling == "mean" || info->pooling == "cls" || info->pooling == "last") {
    info->kind = ModelKind::kEmbedding;
  } else if (info->n_layer > 0) {
    info->kind = ModelKind::kCausalLM;
  }
}

}  // namespace

const char* ModelKindName(ModelKind kind) {
  switch (kind) {
    case ModelKind::kQwen3Reranker: return "qwen3-reranker";
    case ModelKind::kRankReranker: return "rank-reranker";
    case ModelKind::kEmbedding: return "embedding";
    case ModelKind::kCausalLM: return "causal-lm";
    case ModelKind::kBrokenReranker: return "broken-reranker";
    case ModelKind::kUnknown: break;
  }
  return "unknown";
}

StatusOr<ModelInfo> InspectModel(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::NotFound("model file not found: " + path);
  if (std::filesystem::is_directory(path, ec)) return Status::InvalidArgument(path + " is a directory, not a GGUF file");
  const uint64_t file_size = std::filesystem::file_size(path, ec);
  if (ec) return Status::IOError("cannot read " + path + ": " + ec.message());
  {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return Status::IOError("cannot open " + path);
    char magic[4] = {};
    const size_t n = std::fread(magic, 1, 4, f);
    std::fclose(f);
    if (n != 4 || std::string(magic, 4) != "GGUF") {
      return Status::Corruption(path + " is not a GGUF file (no GGUF magic at the start)");
    }
  }
  gguf_init_params params{/*no_alloc=*/true, /*ctx=*/nullptr};
  GgufPtr ctx(gguf_init_from_file(path.c_str(), params));
  if (!ctx) return Status::Corruption(path + " is a damaged or truncated GGUF file (header unreadable)");

  uint64_t data_end = gguf_get_data_offset(ctx.get());
  ModelInfo info;
  for (int64_t i = 0; i < gguf_get_n_tensors(ctx.get()); ++i) {
    data_end = std::max<uint64_t>(data_end, gguf_get_data_offset(ctx.get()) +
                                                gguf_get_tensor_offset(ctx.get(), i) +
                                                gguf_get_tensor_size(ctx.get(), i));
    const std::string name = gguf_get_tensor_name(ctx.get(), i);
    if (name == "cls.output.weight") info.has_cls_output = true;
  }
  if (data_end > file_size) {
    return Status::Corruption(path + " is truncated: its tensors need " + std::to_string(data_end) +
                              " bytes but the file has " + std::to_string(file_size));
  }
  info.path = path;
  info.file_size = file_size;
  info.name = GetString(ctx.get(), "general.name");
  info.architecture = GetString(ctx.get(), "general.architecture");
  const std::string a = info.architecture;
  info.pooling = PoolingName(GetU32(ctx.get(), a + ".pooling_type", 0xFFFFFFFF));
  info.context_length = GetU32(ctx.get(), a + ".context_length");
  info.n_embd = GetU32(ctx.get(), a + ".embedding_length");
  info.n_layer = GetU32(ctx.get(), a + ".block_count");
  info.labels = GetStrings(ctx.get(), a + ".classifier.output_labels");
  const int64_t tok_id = gguf_find_key(ctx.get(), "tokenizer.ggml.tokens");
  if (tok_id >= 0) info.n_vocab = static_cast<uint32_t>(gguf_get_arr_n(ctx.get(), tok_id));
  for (int64_t i = 0; i < gguf_get_n_kv(ctx.get()); ++i) {
    const std::string key = gguf_get_key(ctx.get(), i);
    static const std::string kPrefix = "tokenizer.chat_template";
    if (key == kPrefix) info.chat_templates.push_back("default");
    else if (key.rfind(kPrefix + ".", 0) == 0) info.chat_templates.push_back(key.substr(kPrefix.size() + 1));
  }
  info.file_type = FileTypeName(ctx.get());
  // n_params: elements per tensor from the GGUF tensor info.
  ggml_context* meta = nullptr;
  gguf_init_params with_meta{/*no_alloc=*/true, &meta};
  if (GgufPtr full{gguf_init_from_file(path.c_str(), with_meta)}; full && meta) {
    for (ggml_tensor* t = ggml_get_first_tensor(meta); t; t = ggml_get_next_tensor(meta, t)) {
      info.n_params += ggml_nelements(t);
    }
    ggml_free(meta);
  }
  Classify(&info);
  return info;
}

}  // namespace litrank

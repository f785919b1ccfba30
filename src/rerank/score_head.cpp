#include "rerank/score_head.h"

#include <cstring>
#include <fstream>
#include <memory>

#include "ggml-cpu.h"
#include "ggml.h"
#include "gguf.h"

namespace litrank {
namespace {
struct GgufFree { void operator()(gguf_context* c) const { gguf_free(c); } };
struct GgmlFree { void operator()(ggml_context* c) const { ggml_free(c); } };

Status ReadBytes(const std::string& path, uint64_t offset, size_t n, uint8_t* out) {
  std::ifstream f(path, std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  f.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
  if (!f) return Status::Corruption("cannot read the score head from " + path);
  return Status::Ok();
}
}  // namespace

StatusOr<ScoreHead> ScoreHead::Load(const std::string& path, int32_t yes_token, int32_t no_token) {
  ggml_context* meta_raw = nullptr;
  gguf_init_params params{true, &meta_raw};
  std::unique_ptr<gguf_context, GgufFree> g(gguf_init_from_file(path.c_str(), params));
  std::unique_ptr<ggml_context, GgmlFree> meta(meta_raw);
  if (!g || !meta) return Status::Corruption("cannot read GGUF header of " + path);

  ScoreHead head;
  int64_t row_yes = yes_token, row_no = no_token;
  const char* candidates[] = {"cls.output.weight", "output.weight", "token_embd.weight"};
  ggml_tensor* t = nullptr;
  for (const char* name : candidates) {
    t = ggml_get_tensor(meta.get(), name);
    if (t) { head.source_ = name; break; }
  }
  if (!t) return Status::Unsupported(path + " has neither cls.output, output nor token_embd weights");
  if (head.source_ == "cls.output.weight") {
    if (t->ne[1] != 2) return Status::Unsupported("cls.output in " + path + " has " + std::to_string(t->ne[1]) + " rows, expected 2 (yes, no)");
    row_yes = 0, row_no = 1;
    const int64_t key = gguf_find_key(g.get(), (std::string(gguf_get_val_str(g.get(), gguf_find_key(g.get(), "general.architecture"))) + ".classifier.output_labels").c_str());
    if (key >= 0 && gguf_get_arr_n(g.get(), key) == 2) {
      const std::string l0 = gguf_get_arr_str(g.get(), key, 0), l1 = gguf_get_arr_str(g.get(), key, 1);
      if (l0 == "no" && l1 == "yes") std::swap(row_yes, row_no);
      else if (!(l0 == "yes" && l1 == "no")) return Status::Unsupported("classifier labels are '" + l0 + "','" + l1 + "', expected yes/no");
    }
  } else if (t->ne[1] <= std::max(yes_token, no_token)) {
    return Status::Unsupported(head.source_ + " in " + path + " is too small for the Qwen3 vocabulary");
  }
  head.type_ = t->type;
  head.n_embd_ = static_cast<uint32_t>(t->ne[0]);
  const size_t row_bytes = ggml_row_size(t->type, t->ne[0]);
  head.rows_.resize(2 * row_bytes);
  const int64_t tid = gguf_find_tensor(g.get(), head.source_.c_str());
  const uint64_t base = gguf_get_data_offset(g.get()) + gguf_get_tensor_offset(g.get(), tid);
  LITRANK_RETURN_IF_ERROR(ReadBytes(path, base + row_yes * row_bytes, row_bytes, head.rows_.data()));
  LITRANK_RETURN_IF_ERROR(ReadBytes(path, base + row_no * row_bytes, row_bytes, head.rows_.data() + row_bytes));
  return head;
}

std::vector<double> ScoreHead::LogitDifferences(const float* hidden, size_t n_rows, int threads) const {
  std::vector<double> out(n_rows);
  if (n_rows == 0) return out;
  const size_t mem = rows_.size() + n_rows * n_embd_ * sizeof(float) * 3 + 2 * n_rows * sizeof(float) +
                     ggml_graph_overhead() + 8 * ggml_tensor_overhead() + (1 << 16);
  ggml_init_params ip{mem, nullptr, false};
  std::unique_ptr<ggml_context, GgmlFree> ctx(ggml_init(ip));
  ggml_tensor* w = ggml_new_tensor_2d(ctx.get(), static_cast<ggml_type>(type_), n_embd_, 2);
  std::memcpy(w->data, rows_.data(), rows_.size());
  ggml_tensor* h = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, n_embd_, static_cast<int64_t>(n_rows));
  std::memcpy(h->data, hidden, n_rows * n_embd_ * sizeof(float));
  ggml_tensor* logits = ggml_mul_mat(ctx.get(), w, h);  // [2, n_rows]
  ggml_cgraph* gf = ggml_new_graph(ctx.get());
  ggml_build_forward_expand(gf, logits);
  ggml_graph_compute_with_ctx(ctx.get(), gf, threads > 0 ? threads : 1);
  const float* l = static_cast<const float*>(logits->data);
  for (size_t i = 0; i < n_rows; ++i) out[i] = static_cast<double>(l[2 * i]) - static_cast<double>(l[2 * i + 1]);
  return out;
}

}  // namespace litrank

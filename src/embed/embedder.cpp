// Embedder on llama.cpp: packed rounds of whole texts, pooled by llama.cpp itself.
#include "litrank/embedder.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <thread>

#include "llama.h"
#include "model/fingerprint.h"
#include "rerank/pair_engine.h"
#include "rerank/prompt.h"
#include "util/utf8.h"

namespace litrank {
namespace {

struct ModelFree { void operator()(llama_model* m) const { llama_model_free(m); } };
struct ContextFree { void operator()(llama_context* c) const { llama_free(c); } };

Status CheckEmbedding(const ModelInfo& info) {
  switch (info.kind) {
    case ModelKind::kEmbedding: return Status::Ok();
    case ModelKind::kQwen3Reranker:
    case ModelKind::kRankReranker:
    case ModelKind::kBrokenReranker:
      return Status::Unsupported(info.path + " is a reranker, not an embedding model: use it with --reranker");
    case ModelKind::kCausalLM:
      return Status::Unsupported(info.path + " is a causal language model without embedding pooling; "
                                 "use a Qwen3-Embedding GGUF");
    case ModelKind::kUnknown: break;
  }
  return Status::Unsupported(info.path + " is not an embedding model llama.cpp can pool");
}

class EmbedderImpl final : public Embedder {
 public:
  EmbedderImpl(ModelInfo info, std::string fingerprint, std::unique_ptr<llama_model, ModelFree> model)
      : info_(std::move(info)), fingerprint_(std::move(fingerprint)), model_(std::move(model)),
        vocab_(llama_model_get_vocab(model_.get())) {}

  Status Init(const EmbedderConfig& config) {
    width_ = static_cast<uint32_t>(llama_model_n_embd(model_.get()));
    const uint32_t trained = static_cast<uint32_t>(std::max(1, llama_model_n_ctx_train(model_.get())));
    max_length_ = std::clamp<uint32_t>(config.max_length, 8, trained);
    const bool gpu = config.gpu_layers != 0 && llama_supports_gpu_offload();
    batch_ = std::max(config.batch_tokens ? config.batch_tokens : gpu ? 8192u : 2048u, max_length_);
    max_sequences_ = std::clamp<uint32_t>(config.max_sequences ? config.max_sequences : gpu ? 128 : 64, 1, 255);
    // "<|endoftext|>" ends every text (Qwen3-Embedding); other vocabularies use their EOS.
    const std::vector<int32_t> eot = Tokenize(vocab_, "<|endoftext|>", /*special=*/true);
    eos_ = eot.size() == 1 ? eot[0] : llama_vocab_eos(vocab_);
    const unsigned hw = std::thread::hardware_concurrency();
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = batch_;
    // One ubatch per round: pooling needs each sequence whole, and MEAN/CLS models
    // attend both ways.
    cp.n_batch = cp.n_ubatch = batch_;
    cp.n_seq_max = max_sequences_;
    cp.kv_unified = true;
    cp.embeddings = true;
    cp.pooling_type = LLAMA_POOLING_TYPE_UNSPECIFIED;  // the GGUF's own (LAST for Qwen3-Embedding)
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_AUTO;
    cp.n_threads = cp.n_threads_batch = config.threads > 0 ? config.threads : static_cast<int>(hw ? hw : 4);
    cp.no_perf = true;
    ctx_.reset(llama_init_from_model(model_.get(), cp));
    if (!ctx_) return Status::Internal("llama.cpp could not create an embedding context of " + std::to_string(batch_) + " tokens");
    if (llama_pooling_type(ctx_.get()) == LLAMA_POOLING_TYPE_NONE) {
      return Status::Unsupported(info_.path + " declares no pooling; cannot make one vector per text");
    }
    return Status::Ok();
  }

  uint32_t width() const override { return width_; }
  const std::string& fingerprint() const override { return fingerprint_; }
  const ModelInfo& info() const override { return info_; }

  std::vector<int32_t> Tokens(const std::string& text, bool is_query, const std::string& task) const override {
    bool truncated = false;
    return TextTokens(is_query ? FormatEmbeddingQuery(task, text) : text, &truncated);
  }

  Status EmbedDocuments(const std::vector<std::string>& texts, const EmbedOptions& options, std::vector<float>* out,
                        std::vector<bool>* truncated, const std::function<void(size_t)>& progress) override {
    return Embed(texts, false, "", options, out, truncated, progress);
  }

  Status EmbedQueries(const std::vector<std::string>& queries, const std::string& task, const EmbedOptions& options,
                      std::vector<float>* out) override {
    if (!IsValidUtf8(task)) return Status::InvalidArgument("the task is not valid UTF-8");
    return Embed(queries, true, task, options, out, nullptr, {});
  }

 private:
  // User text with special-token parsing off (no control-token injection), cut so
  // that the text plus the final EOS fits max_length.
  std::vector<int32_t> TextTokens(const std::string& text, bool* truncated) const {
    std::vector<int32_t> tokens = Tokenize(vocab_, text, /*special=*/false);
    *truncated = tokens.size() + 1 > max_length_;
    if (*truncated) tokens.resize(max_length_ - 1);
    tokens.push_back(eos_);
    return tokens;
  }

  Status Embed(const std::vector<std::string>& texts, bool queries, const std::string& task,
               const EmbedOptions& options, std::vector<float>* out, std::vector<bool>* truncated,
               const std::function<void(size_t)>& progress);
  Status DecodeRound(const std::vector<const std::vector<int32_t>*>& round, float* rows);

  ModelInfo info_;
  std::string fingerprint_;
  std::unique_ptr<llama_model, ModelFree> model_;
  std::unique_ptr<llama_context, ContextFree> ctx_;
  const llama_vocab* vocab_;
  uint32_t width_ = 0, max_length_ = 0, batch_ = 0, max_sequences_ = 0;
  int32_t eos_ = 0;
};

Status EmbedderImpl::Embed(const std::vector<std::string>& texts, bool queries, const std::string& task,
                           const EmbedOptions& options, std::vector<float>* out, std::vector<bool>* truncated,
                           const std::function<void(size_t)>& progress) {
  const uint32_t dims = options.dims == 0 ? width_ : options.dims;
  if (dims < std::min(32u, width_) || dims > width_) {
    return Status::InvalidArgument("dims must be between 32 and " + std::to_string(width_) + ", not " +
                                   std::to_string(options.dims));
  }
  const char* what = queries ? "query" : "text";
  std::vector<std::vector<int32_t>> tokens(texts.size());
  std::vector<bool> cut(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    if (!IsValidUtf8(texts[i])) return Status::InvalidArgument(std::string(what) + " " + std::to_string(i) + " is not valid UTF-8");
    if (texts[i].find_first_not_of(" \t\r\n") == std::string::npos) {
      return Status::InvalidArgument(std::string(what) + " " + std::to_string(i) + " is empty");
    }
    bool t = false;
    tokens[i] = TextTokens(queries ? FormatEmbeddingQuery(task, texts[i]) : texts[i], &t);
    cut[i] = t;
  }
  // Shortest first, so rounds fill evenly.
  std::vector<size_t> order(texts.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return tokens[a].size() < tokens[b].size(); });
  std::vector<size_t> sizes;
  for (size_t i : order) sizes.push_back(tokens[i].size());
  std::vector<float> full(texts.size() * width_);
  Status st = ForEachRound(sizes, batch_, max_sequences_, [&](const std::vector<size_t>& members) -> Status {
    std::vector<const std::vector<int32_t>*> round;
    for (size_t m : members) round.push_back(&tokens[order[m]]);
    std::vector<float> rows(members.size() * width_);
    LITRANK_RETURN_IF_ERROR(DecodeRound(round, rows.data()));
    for (size_t j = 0; j < members.size(); ++j) {
      std::copy_n(&rows[j * width_], width_, &full[order[members[j]] * width_]);
    }
    return Status::Ok();
  }, progress);
  LITRANK_RETURN_IF_ERROR(st);
  out->assign(texts.size() * dims, 0.0f);
  for (size_t i = 0; i < texts.size(); ++i) {
    const float* v = &full[i * width_];
    double norm = 0;
    for (uint32_t j = 0; j < dims; ++j) norm += static_cast<double>(v[j]) * v[j];
    const double scale = norm > 0 ? 1.0 / std::sqrt(norm) : 0.0;
    for (uint32_t j = 0; j < dims; ++j) (*out)[i * dims + j] = static_cast<float>(v[j] * scale);
  }
  if (truncated != nullptr) *truncated = std::move(cut);
  return Status::Ok();
}

Status EmbedderImpl::DecodeRound(const std::vector<const std::vector<int32_t>*>& round, float* rows) {
  size_t total = 0;
  for (const auto* t : round) total += t->size();
  llama_memory_clear(llama_get_memory(ctx_.get()), true);
  llama_batch batch = llama_batch_init(static_cast<int32_t>(total), 0, 1);
  for (size_t s = 0; s < round.size(); ++s) {
    const std::vector<int32_t>& t = *round[s];
    for (size_t p = 0; p < t.size(); ++p) {
      const int32_t i = batch.n_tokens++;
      batch.token[i] = t[p];
      batch.pos[i] = static_cast<llama_pos>(p);
      batch.n_seq_id[i] = 1;
      batch.seq_id[i][0] = static_cast<llama_seq_id>(s);
      batch.logits[i] = 1;  // pooled models take every token as an output
    }
  }
  const int rc = llama_decode(ctx_.get(), batch);
  llama_batch_free(batch);
  if (rc != 0) return Status::Internal("llama_decode failed with code " + std::to_string(rc));
  for (size_t s = 0; s < round.size(); ++s) {
    const float* e = llama_get_embeddings_seq(ctx_.get(), static_cast<llama_seq_id>(s));
    if (e == nullptr) return Status::Internal("llama.cpp returned no pooled embedding for a sequence");
    std::copy_n(e, width_, rows + s * width_);
  }
  return Status::Ok();
}

}  // namespace

std::string FormatEmbeddingQuery(const std::string& task, const std::string& query) {
  return "Instruct: " + (task.empty() ? std::string(kDefaultEmbedTask) : task) + "\nQuery:" + query;
}

StatusOr<std::unique_ptr<Embedder>> Embedder::Open(const std::string& path, const EmbedderConfig& config) {
  auto info = InspectModel(path);
  if (!info.ok()) return info.status();
  LITRANK_RETURN_IF_ERROR(CheckEmbedding(*info));
  auto fingerprint = ModelFingerprint(path);
  if (!fingerprint.ok()) return fingerprint.status();
  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = config.gpu_layers;
  std::unique_ptr<llama_model, ModelFree> model(llama_model_load_from_file(path.c_str(), mp));
  if (!model) return Status::Corruption("llama.cpp could not load " + path + " (damaged file or unsupported architecture)");
  auto impl = std::make_unique<EmbedderImpl>(std::move(*info), std::move(*fingerprint), std::move(model));
  LITRANK_RETURN_IF_ERROR(impl->Init(config));
  return std::unique_ptr<Embedder>(std::move(impl));
}

}  // namespace litrank

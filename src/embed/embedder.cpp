// Embedder: validation, tokenisation, de-duplication, packed rounds (shortest texts
// first), MRL truncation and L2 normalisation. Decoding lives in EmbedEngine.
#include "litrank/embedder.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <numeric>
#include <unordered_map>

#include "embed/embed_engine.h"
#include "embed/embed_tokens.h"
#include "llama.h"
#include "model/fingerprint.h"
#include "model/llama_runtime.h"
#include "rerank/pair_engine.h"
#include "util/utf8.h"

namespace litrank {
namespace {


Status CheckEmbedding(const ModelInfo& info) {
  switch (info.kind) {
    case ModelKind::kEmbedding: return Status::Ok();
    case ModelKind::kQwen3Reranker:
    case ModelKind::kRankReranker:
    case ModelKind::kBrokenReranker:
      return Status::Unsupported(info.path + " is a reranker (RANK pooling), not an embedding model; "
                                 "use a Qwen3-Embedding GGUF");
    case ModelKind::kCausalLM:
      return Status::Unsupported(info.path + " is a causal language model without embedding pooling; "
                                 "use a Qwen3-Embedding GGUF");
    case ModelKind::kUnknown: break;
  }
  return Status::Unsupported(info.path + " declares no LAST/MEAN/CLS pooling (pooling: " + info.pooling +
                             "); it is not an embedding model");
}

/// Our own last-token pooling for the causal Qwen families (no LM head on every token);
/// llama.cpp's pooling for everything else.
EmbedPooling ChoosePooling(const ModelInfo& info, const llama_model* model) {
  const bool qwen = info.architecture == "qwen3" || info.architecture == "qwen2";
  return info.pooling == "last" && qwen && !llama_model_has_encoder(model) ? EmbedPooling::kLastToken
                                                                           : EmbedPooling::kLlama;
}

/// Runs `fn`; an exception escaping llama.cpp or the standard library becomes Internal.
template <typename Fn>
auto Guarded(Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("embedding failed: ") + e.what());
  }
}

/// Writes the first `dims` components of `v`, scaled to unit length; false when
/// they are not finite or all zero.
bool NormalisedPrefix(const float* v, uint32_t dims, float* out) {
  double norm = 0;
  for (uint32_t j = 0; j < dims; ++j) norm += static_cast<double>(v[j]) * v[j];
  if (!std::isfinite(norm) || norm <= 0) return false;
  const double scale = 1.0 / std::sqrt(norm);
  for (uint32_t j = 0; j < dims; ++j) out[j] = static_cast<float>(v[j] * scale);
  return true;
}

class EmbedderImpl final : public Embedder {
 public:
  EmbedderImpl(ModelInfo info, std::string fingerprint, ModelPtr model, EmbedTokenizer tokenizer,
               uint32_t max_length)
      : info_(std::move(info)), fingerprint_(std::move(fingerprint)), model_(std::move(model)),
        tokenizer_(std::move(tokenizer)), max_length_(max_length) {}

  Status Init(const EmbedderConfig& config) {
    auto engine = EmbedEngine::Create(model_.get(), ChoosePooling(info_, model_.get()), config, max_length_);
    if (!engine.ok()) return engine.status();
    engine_ = std::move(*engine);
    return Status::Ok();
  }

  uint32_t width() const override { return engine_->width(); }
  uint32_t max_length() const override { return max_length_; }
  const std::string& fingerprint() const override { return fingerprint_; }
  const ModelInfo& info() const override { return info_; }

  std::vector<int32_t> Tokens(const std::string& text, bool is_query, const std::string& task) const override {
    bool truncated = false;
    return tokenizer_.Encode(is_query ? FormatEmbeddingQuery(task, text) : text, max_length_, &truncated);
  }

  Status EmbedDocuments(const std::vector<std::string>& texts, const EmbedOptions& options, std::vector<float>* out,
                        std::vector<bool>* truncated, const std::function<void(size_t)>& progress) override {
    return Guarded([&] { return Embed(texts, nullptr, options, out, truncated, progress); });
  }

  Status EmbedQueries(const std::vector<std::string>& queries, const std::string& task, const EmbedOptions& options,
                      std::vector<float>* out) override {
    if (!IsValidUtf8(task)) return Status::InvalidArgument("the task is not valid UTF-8");
    return Guarded([&] { return Embed(queries, &task, options, out, nullptr, {}); });
  }

  Status EmbedTokenInputs(const std::vector<std::vector<int32_t>>& inputs, const EmbedOptions& options,
                          std::vector<float>* out) override {
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model_.get()));
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (inputs[i].empty()) return Status::InvalidArgument("input " + std::to_string(i) + " has no tokens");
      if (inputs[i].size() > max_length_) {
        return Status::TooLong("input " + std::to_string(i) + " has " + std::to_string(inputs[i].size()) +
                               " tokens; the limit is " + std::to_string(max_length_));
      }
      for (int32_t id : inputs[i]) {
        if (id < 0 || id >= n_vocab) {
          return Status::InvalidArgument("input " + std::to_string(i) + " has token id " + std::to_string(id) +
                                         ", outside the vocabulary (0.." + std::to_string(n_vocab - 1) + ")");
        }
      }
    }
    return Guarded([&] {
      uint32_t dims = 0;
      LITRANK_RETURN_IF_ERROR(CheckDims(options, &dims));
      std::vector<size_t> slot(inputs.size());
      std::iota(slot.begin(), slot.end(), 0);
      std::vector<float> vectors;
      LITRANK_RETURN_IF_ERROR(Compute(inputs, std::vector<size_t>(inputs.size(), 1), {}, &vectors));
      return Normalise(vectors, slot, dims, "input", out);
    });
  }

 private:
  /// `task` null: documents; else queries formatted with *task.
  Status Embed(const std::vector<std::string>& texts, const std::string* task, const EmbedOptions& options,
               std::vector<float>* out, std::vector<bool>* truncated, const std::function<void(size_t)>& progress);
  /// The dims a call asks for (0 = width), or InvalidArgument.
  Status CheckDims(const EmbedOptions& options, uint32_t* dims) const;
  /// Writes row slot[i] of `vectors` cut to `dims` and normalised, for each i, to `out`.
  Status Normalise(const std::vector<float>& vectors, const std::vector<size_t>& slot, uint32_t dims,
                   const char* what, std::vector<float>* out) const;
  /// Pooled, unnormalised vectors of `inputs` (row i = inputs[i]); `weights[i]`
  /// input texts are done when inputs[i] is.
  Status Compute(const std::vector<litrank::Tokens>& inputs, const std::vector<size_t>& weights,
                 const std::function<void(size_t)>& progress, std::vector<float>* vectors);

  ModelInfo info_;
  std::string fingerprint_;
  ModelPtr model_;
  EmbedTokenizer tokenizer_;
  uint32_t max_length_ = 0;
  std::unique_ptr<EmbedEngine> engine_;
};

Status EmbedderImpl::CheckDims(const EmbedOptions& options, uint32_t* dims) const {
  const uint32_t w = width();
  *dims = options.dims == 0 ? w : options.dims;
  if (*dims < std::min(32u, w) || *dims > w) {
    return Status::InvalidArgument("dims must be between " + std::to_string(std::min(32u, w)) + " and " +
                                   std::to_string(w) + " (the model's width), not " + std::to_string(options.dims));
  }
  return Status::Ok();
}

Status EmbedderImpl::Normalise(const std::vector<float>& vectors, const std::vector<size_t>& slot, uint32_t dims,
                               const char* what, std::vector<float>* out) const {
  const uint32_t w = width();
  std::vector<float> result(slot.size() * dims);
  for (size_t i = 0; i < slot.size(); ++i) {
    if (!NormalisedPrefix(&vectors[slot[i] * w], dims, &result[i * dims])) {
      return Status::Internal("the model produced a zero or non-finite vector for " + std::string(what) + " " +
                              std::to_string(i));
    }
  }
  *out = std::move(result);
  return Status::Ok();
}

Status EmbedderImpl::Embed(const std::vector<std::string>& texts, const std::string* task,
                           const EmbedOptions& options, std::vector<float>* out, std::vector<bool>* truncated,
                           const std::function<void(size_t)>& progress) {
  uint32_t dims = 0;
  LITRANK_RETURN_IF_ERROR(CheckDims(options, &dims));
  const char* what = task ? "query" : "text";
  // Identical inputs are decoded once: slot[i] is text i's row among the distinct inputs.
  std::vector<litrank::Tokens> inputs;
  std::vector<size_t> slot(texts.size()), weights;
  std::vector<bool> cut;
  std::unordered_map<std::string, size_t> seen;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (!IsValidUtf8(texts[i])) return Status::InvalidArgument(std::string(what) + " " + std::to_string(i) + " is not valid UTF-8");
    if (texts[i].find_first_not_of(" \t\r\n\f\v") == std::string::npos) {
      return Status::InvalidArgument(std::string(what) + " " + std::to_string(i) + " is empty");
    }
    std::string input = task ? FormatEmbeddingQuery(*task, texts[i]) : texts[i];
    const auto [it, fresh] = seen.emplace(std::move(input), inputs.size());
    slot[i] = it->second;
    if (fresh) {
      bool t = false;
      inputs.push_back(tokenizer_.Encode(it->first, max_length_, &t));
      cut.push_back(t);
      weights.push_back(0);
    }
    ++weights[slot[i]];
  }
  std::vector<float> vectors;
  LITRANK_RETURN_IF_ERROR(Compute(inputs, weights, progress, &vectors));
  LITRANK_RETURN_IF_ERROR(Normalise(vectors, slot, dims, what, out));
  if (truncated != nullptr) {
    truncated->assign(texts.size(), false);
    for (size_t i = 0; i < texts.size(); ++i) (*truncated)[i] = cut[slot[i]];
  }
  return Status::Ok();
}

Status EmbedderImpl::Compute(const std::vector<litrank::Tokens>& inputs, const std::vector<size_t>& weights,
                             const std::function<void(size_t)>& progress, std::vector<float>* vectors) {
  const uint32_t w = width();
  vectors->assign(inputs.size() * w, 0.0f);
  // Shortest first, so that rounds fill evenly and similar lengths share a round.
  std::vector<size_t> order(inputs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return inputs[a].size() < inputs[b].size(); });
  std::vector<size_t> sizes;
  sizes.reserve(order.size());
  for (size_t i : order) sizes.push_back(inputs[i].size());
  std::vector<float> rows;
  size_t done = 0;
  return ForEachRound(sizes, engine_->round_tokens(), engine_->max_sequences(), [&](const std::vector<size_t>& members) {
    std::vector<const litrank::Tokens*> round;
    for (size_t m : members) round.push_back(&inputs[order[m]]);
    rows.resize(members.size() * w);
    LITRANK_RETURN_IF_ERROR(engine_->DecodeRound(round, rows.data()));
    for (size_t j = 0; j < members.size(); ++j) {
      std::copy_n(&rows[j * w], w, &(*vectors)[order[members[j]] * w]);
      done += weights[order[members[j]]];
    }
    if (progress) progress(done);
    return Status::Ok();
  }, nullptr);
}

StatusOr<std::unique_ptr<Embedder>> OpenEmbedder(const std::string& path, const EmbedderConfig& config) {
  auto info = InspectModel(path);
  if (!info.ok()) return info.status();
  LITRANK_RETURN_IF_ERROR(CheckEmbedding(*info));
  auto fingerprint = ModelFingerprint(path);
  if (!fingerprint.ok()) return fingerprint.status();
  auto loaded = LoadModelFile(path, config.gpu_layers);
  if (!loaded.ok()) return loaded.status();
  ModelPtr model = std::move(*loaded);
  auto tokenizer = EmbedTokenizer::Create(llama_model_get_vocab(model.get()));
  if (!tokenizer.ok()) return tokenizer.status();
  const uint32_t trained = static_cast<uint32_t>(std::max(1, llama_model_n_ctx_train(model.get())));
  const uint32_t max_length = std::min(config.max_length ? config.max_length : 8192u, trained);
  if (max_length <= tokenizer->overhead()) {
    return Status::InvalidArgument("max_length " + std::to_string(max_length) + " leaves no room for text after " +
                                   std::to_string(tokenizer->overhead()) + " special tokens");
  }
  auto impl = std::make_unique<EmbedderImpl>(std::move(*info), std::move(*fingerprint), std::move(model),
                                             std::move(*tokenizer), max_length);
  LITRANK_RETURN_IF_ERROR(impl->Init(config));
  return std::unique_ptr<Embedder>(std::move(impl));
}

}  // namespace

std::string FormatEmbeddingQuery(const std::string& task, const std::string& query) {
  return "Instruct: " + (task.empty() ? std::string(kDefaultEmbedTask) : task) + "\nQuery:" + query;
}

StatusOr<std::unique_ptr<Embedder>> Embedder::Open(const std::string& path, const EmbedderConfig& config) {
  try {
    return OpenEmbedder(path, config);
  } catch (const std::exception& e) {
    return Status::Internal("cannot open embedding model " + path + ": " + e.what());
  }
}

}  // namespace litrank

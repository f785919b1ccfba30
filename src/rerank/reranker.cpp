// Reranker: validation, cache, dedupe and ranking around the DecodeEngine.
#include "litrank/reranker.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include "llama.h"
#include "model/fingerprint.h"
#include "rerank/cross_encoder_engine.h"
#include "rerank/decode_engine.h"
#include "rerank/prompt.h"
#include "rerank/qwen3_protocol.h"
#include "rerank/score_cache.h"
#include "util/utf8.h"

namespace litrank {
namespace {

struct ModelFree { void operator()(llama_model* m) const { llama_model_free(m); } };

bool IsBlank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

/// Checks that the vocabulary is Qwen's: "yes" and "no" at the ids the protocol uses.
Status CheckQwenVocab(const llama_model* model, const std::string& path) {
  const llama_vocab* v = llama_model_get_vocab(model);
  if (llama_vocab_n_tokens(v) <= kQwen3ImEndToken ||
      std::string(llama_vocab_get_text(v, kQwen3YesToken)) != "yes" ||
      std::string(llama_vocab_get_text(v, kQwen3NoToken)) != "no") {
    return Status::Unsupported(path + " does not use the Qwen3 tokenizer (\"yes\" is not token 9693)");
  }
  return Status::Ok();
}

Status CheckRerankable(const ModelInfo& info) {
  switch (info.kind) {
    case ModelKind::kQwen3Reranker: return Status::Ok();
    case ModelKind::kCausalLM:
      if (info.architecture == "qwen3") return Status::Ok();
      return Status::Unsupported(info.path + " is a " + info.architecture +
                                 " causal LM; only Qwen3 causal LMs can rerank through yes/no logits");
    case ModelKind::kBrokenReranker: return Status::Unsupported(info.path + ": " + info.problem);
    case ModelKind::kEmbedding:
      return Status::Unsupported(info.path + " is an embedding model (" + info.pooling +
                                 " pooling), not a reranker; pass a Qwen3-Reranker GGUF");
    case ModelKind::kRankReranker: return Status::Ok();
    case ModelKind::kUnknown: break;
  }
  return Status::Unsupported(info.path + " is not a model litrank can rerank with");
}

class RerankerImpl final : public Reranker {
 public:
  RerankerImpl(ModelInfo info, std::string fingerprint, std::unique_ptr<llama_model, ModelFree> model,
               size_t cache_entries)
      : info_(std::move(info)), fingerprint_(std::move(fingerprint)), model_(std::move(model)),
        cache_(cache_entries) {}

  /// Qwen3 (either GGUF flavour): yes/no head + shared-prefix decoder. Others: cross-encoder.
  Status Init(const RerankerConfig& config) {
    if (info_.kind == ModelKind::kRankReranker) {
      format_ = MakeCrossEncoderPromptFormat(vocab());
      auto engine = CrossEncoderEngine::Create(model_.get(), config);
      if (!engine.ok()) return engine.status();
      engine_ = std::move(engine.value());
      return Status::Ok();
    }
    LITRANK_RETURN_IF_ERROR(CheckQwenVocab(model_.get(), info_.path));
    auto head = ScoreHead::Load(info_.path, kQwen3YesToken, kQwen3NoToken);
    if (!head.ok()) return head.status();
    if (head->n_embd() != static_cast<uint32_t>(llama_model_n_embd(model_.get()))) {
      return Status::Corruption("the yes/no head of " + info_.path + " does not match the model width");
    }
    head_ = std::make_unique<ScoreHead>(std::move(head.value()));
    format_ = MakeQwen3PromptFormat(vocab());
    auto engine = DecodeEngine::Create(model_.get(), head_.get(), config);
    if (!engine.ok()) return engine.status();
    engine_ = std::move(engine.value());
    return Status::Ok();
  }

  const ModelInfo& info() const override { return info_; }
  const std::string& fingerprint() const override { return fingerprint_; }
  void ClearCache() override { cache_.Clear(); }

  StatusOr<std::vector<int32_t>> PairTokens(const std::string& query, const std::string& document,
                                            const RerankOptions& options) override {
    auto prompt = format_->ForQuery(options.instruction, query, MaxLength(options));
    if (!prompt.ok()) return prompt.status();
    bool truncated = false;
    Tokens t = prompt->prefix;
    Tokens d = format_->Document(document, Budget(*prompt, options), &truncated);
    t.insert(t.end(), d.begin(), d.end());
    t.insert(t.end(), prompt->suffix.begin(), prompt->suffix.end());
    return t;
  }

  Status Rerank(const std::string& query, const std::vector<std::string>& documents,
                const RerankOptions& options, RerankResult* result) override;

 private:
  const llama_vocab* vocab() const { return llama_model_get_vocab(model_.get()); }
  uint32_t MaxLength(const RerankOptions& o) const { return std::min(o.max_length, engine_->max_pair_tokens()); }
  size_t Budget(const QueryPrompt& p, const RerankOptions& o) const {
    return MaxLength(o) - p.prefix.size() - p.suffix.size();
  }
  Status Validate(const std::string& query, const std::vector<std::string>& docs, const RerankOptions& o) const;

  ModelInfo info_;
  std::string fingerprint_;
  std::unique_ptr<llama_model, ModelFree> model_;
  ScoreCache cache_;
  std::unique_ptr<ScoreHead> head_;  // Qwen3 only
  std::unique_ptr<PromptFormat> format_;
  std::unique_ptr<PairEngine> engine_;
};

Status RerankerImpl::Validate(const std::string& query, const std::vector<std::string>& docs,
                              const RerankOptions& o) const {
  if (IsBlank(query)) return Status::InvalidArgument("the query is empty");
  if (docs.empty()) return Status::InvalidArgument("no documents to rerank");
  if (!IsValidUtf8(query)) return Status::InvalidArgument("the query is not valid UTF-8");
  if (!IsValidUtf8(o.instruction)) return Status::InvalidArgument("the instruction is not valid UTF-8");
  for (size_t i = 0; i < docs.size(); ++i) {
    if (!IsValidUtf8(docs[i])) return Status::InvalidArgument("document " + std::to_string(i) + " is not valid UTF-8");
  }
  if (o.max_length == 0) return Status::InvalidArgument("max_length must be positive");
  if (!o.instruction.empty() && !format_->takes_instruction()) {
    return Status::InvalidArgument(info_.path + " is a " + info_.architecture +
                                   " cross-encoder, which takes no instruction; leave the instruction empty");
  }
  return Status::Ok();
}

Status RerankerImpl::Rerank(const std::string& query, const std::vector<std::string>& documents,
                            const RerankOptions& options, RerankResult* result) {
  const auto t0 = std::chrono::steady_clock::now();
  *result = RerankResult{};
  LITRANK_RETURN_IF_ERROR(Validate(query, documents, options));
  const uint32_t max_length = MaxLength(options);
  auto prompt = format_->ForQuery(options.instruction, query, max_length);
  if (!prompt.ok()) return prompt.status();
  const std::string instruction = !format_->takes_instruction() ? std::string()
                                  : options.instruction.empty() ? std::string(kQwen3DefaultInstruction)
                                                                : options.instruction;

  std::vector<ScoredDocument> scored(documents.size());
  std::vector<std::string> keys(documents.size());
  std::unordered_map<std::string, size_t> first_with_key;  // identical texts are scored once
  std::vector<Tokens> todo_tokens;
  std::vector<size_t> todo_index;  // document index of each pair to decode
  RerankStats& stats = result->stats;
  stats.documents = documents.size();
  for (size_t i = 0; i < documents.size(); ++i) {
    scored[i].index = i;
    keys[i] = ScoreCacheKey(fingerprint_, instruction, query, documents[i]);
    std::optional<CachedScore> hit = cache_.Get(keys[i], max_length);
    if (!hit && options.score_store != nullptr) {
      hit = options.score_store->GetScore(keys[i]);
      if (hit && !UsableAt(*hit, max_length)) hit.reset();
      if (hit) cache_.Put(keys[i], *hit);
    }
    if (hit) {
      scored[i].logit = hit->logit, scored[i].truncated = hit->truncated, scored[i].tokens = hit->tokens;
      scored[i].cached = true;
      ++stats.cache_hits;
      continue;
    }
    if (first_with_key.count(keys[i])) { ++stats.cache_hits; continue; }  // filled after decoding
    first_with_key[keys[i]] = i;
    bool truncated = false;
    todo_tokens.push_back(format_->Document(documents[i], Budget(*prompt, options), &truncated));
    scored[i].truncated = truncated;
    scored[i].tokens = static_cast<uint32_t>(prompt->prefix.size() + todo_tokens.back().size() + prompt->suffix.size());
    todo_index.push_back(i);
  }

  // Shortest first: rounds fill evenly and short posts never wait behind long abstracts.
  std::vector<size_t> order(todo_index.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return todo_tokens[a].size() < todo_tokens[b].size(); });
  std::vector<const Tokens*> batch_docs;
  for (size_t k : order) batch_docs.push_back(&todo_tokens[k]);
  std::vector<double> logits;
  const size_t cached_count = documents.size() - todo_index.size();
  auto progress = [&](size_t done) { if (options.on_progress) options.on_progress(cached_count + done, documents.size()); };
  if (!batch_docs.empty()) {  // all cached: no model time at all, not even the prefix
    LITRANK_RETURN_IF_ERROR(engine_->Score(*prompt, batch_docs, &logits, &stats.decoded_tokens, progress));
  }
  std::vector<std::pair<std::string, PairScore>> fresh;
  for (size_t j = 0; j < order.size(); ++j) {
    ScoredDocument& d = scored[todo_index[order[j]]];
    d.logit = logits[j];
    fresh.emplace_back(keys[d.index], CachedScore{d.logit, d.truncated, d.tokens, max_length});
    cache_.Put(fresh.back().first, fresh.back().second);
  }
  if (options.score_store != nullptr) LITRANK_RETURN_IF_ERROR(options.score_store->PutScores(fresh));
  for (size_t i = 0; i < documents.size(); ++i) {
    const size_t first = first_with_key.count(keys[i]) ? first_with_key[keys[i]] : i;
    if (first != i) {
      scored[i].logit = scored[first].logit, scored[i].truncated = scored[first].truncated;
      scored[i].tokens = scored[first].tokens, scored[i].cached = true;
    }
    scored[i].score = 1.0 / (1.0 + std::exp(-scored[i].logit));  // P(yes), the only sigmoid
    scored[i].normalized = scored[i].score;
    stats.prompt_tokens += scored[i].tokens;
  }
  if (options.normalize) {
    auto [lo, hi] = std::minmax_element(scored.begin(), scored.end(), [](auto& a, auto& b) { return a.score < b.score; });
    const double range = hi->score - lo->score, low = lo->score;
    for (auto& d : scored) d.normalized = range > 0 ? (d.score - low) / range : 1.0;
  }
  std::stable_sort(scored.begin(), scored.end(), [](const ScoredDocument& a, const ScoredDocument& b) { return a.score > b.score; });
  if (options.threshold) {
    scored.erase(std::remove_if(scored.begin(), scored.end(), [&](auto& d) { return d.score < *options.threshold; }), scored.end());
  }
  if (options.top_k > 0 && scored.size() > options.top_k) scored.resize(options.top_k);
  result->results = std::move(scored);
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<Reranker>> Reranker::Open(const std::string& path, const RerankerConfig& config) {
  auto info = InspectModel(path);
  if (!info.ok()) return info.status();
  LITRANK_RETURN_IF_ERROR(CheckRerankable(*info));
  auto fingerprint = ModelFingerprint(path);
  if (!fingerprint.ok()) return fingerprint.status();
  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = config.gpu_layers;
  std::unique_ptr<llama_model, ModelFree> model(llama_model_load_from_file(path.c_str(), mp));
  if (!model) return Status::Corruption("llama.cpp could not load " + path + " (damaged file or unsupported architecture)");
  auto impl = std::make_unique<RerankerImpl>(std::move(info.value()), std::move(fingerprint.value()),
                                             std::move(model), config.cache_entries);
  LITRANK_RETURN_IF_ERROR(impl->Init(config));
  return std::unique_ptr<Reranker>(std::move(impl));
}

}  // namespace litrank

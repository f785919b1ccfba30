// Reranker: validation, cache, dedupe and ranking around the pair engines.
#include "rerank/reranker_impl.h"

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
#include "util/ascii.h"

namespace litrank {
namespace {


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

}  // namespace

RerankerImpl::RerankerImpl(ModelInfo info, std::string fingerprint, std::unique_ptr<llama_model, ModelFree> model,
                           size_t cache_entries)
    : info_(std::move(info)), fingerprint_(std::move(fingerprint)), model_(std::move(model)), cache_(cache_entries) {}

const llama_vocab* RerankerImpl::vocab() const { return llama_model_get_vocab(model_.get()); }
uint32_t RerankerImpl::MaxLength(const RerankOptions& o) const { return std::min(o.max_length, engine_->max_pair_tokens()); }
size_t RerankerImpl::Budget(const QueryPrompt& p, const RerankOptions& o) const {
  const size_t budget = MaxLength(o) - p.prefix.size() - p.suffix.size();
  return o.max_document_tokens ? std::min<size_t>(budget, o.max_document_tokens) : budget;
}

// Qwen3 (either GGUF flavour): yes/no head + shared-prefix decoder. Others: cross-encoder.
Status RerankerImpl::Init(const RerankerConfig& config) {
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

StatusOr<std::vector<int32_t>> RerankerImpl::PairTokens(const std::string& query, const std::string& document,
                                                        const RerankOptions& options) {
  auto prompt = format_->ForQuery(options.instruction, query, MaxLength(options));
  if (!prompt.ok()) return prompt.status();
  bool truncated = false;
  Tokens t = prompt->prefix;
  Tokens d = format_->Document(document, Budget(*prompt, options), &truncated);
  t.insert(t.end(), d.begin(), d.end());
  t.insert(t.end(), prompt->suffix.begin(), prompt->suffix.end());
  return t;
}

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

Status RerankerImpl::Prepare(const std::string& query, const std::vector<std::string>& documents,
                             const RerankOptions& options, PendingRerank* p) const {
  *p = PendingRerank{};
  p->start = std::chrono::steady_clock::now();
  LITRANK_RETURN_IF_ERROR(Validate(query, documents, options));
  p->max_length = MaxLength(options);
  auto prompt = format_->ForQuery(options.instruction, query, p->max_length);
  if (!prompt.ok()) return prompt.status();
  p->prompt = std::move(prompt.value());
  // The budget the pairs are really scored under (cached scores are only reused under it).
  p->max_length = static_cast<uint32_t>(p->prompt.prefix.size() + p->prompt.suffix.size() + Budget(p->prompt, options));
  const std::string instruction = !format_->takes_instruction() ? std::string()
                                  : options.instruction.empty() ? std::string(kQwen3DefaultInstruction)
                                                                : options.instruction;
  p->scored.resize(documents.size());
  p->keys.resize(documents.size());
  p->first_with_key.resize(documents.size());
  std::unordered_map<std::string, size_t> first_with_key;  // identical texts are scored once
  std::vector<Tokens> tokens;
  std::vector<size_t> index;
  p->stats.documents = documents.size();
  for (size_t i = 0; i < documents.size(); ++i) {
    ScoredDocument& d = p->scored[i];
    d.index = i;
    p->first_with_key[i] = i;
    p->keys[i] = ScoreCacheKey(fingerprint_, instruction, query, documents[i]);
    std::optional<CachedScore> hit = cache_.Get(p->keys[i], p->max_length);
    if (!hit && options.score_store != nullptr) {
      hit = options.score_store->GetScore(p->keys[i]);
      if (hit && !UsableAt(*hit, p->max_length)) hit.reset();
      if (hit) cache_.Put(p->keys[i], *hit);
    }
    if (hit) {
      d.logit = hit->logit, d.truncated = hit->truncated, d.tokens = hit->tokens, d.cached = true;
      ++p->stats.cache_hits;
      continue;
    }
    if (auto it = first_with_key.find(p->keys[i]); it != first_with_key.end()) {  // filled after decoding
      p->first_with_key[i] = it->second;
      ++p->stats.cache_hits;
      continue;
    }
    first_with_key[p->keys[i]] = i;
    bool truncated = false;
    tokens.push_back(format_->Document(documents[i], Budget(p->prompt, options), &truncated));
    d.truncated = truncated;
    d.tokens = static_cast<uint32_t>(p->prompt.prefix.size() + tokens.back().size() + p->prompt.suffix.size());
    index.push_back(i);
  }
  // Shortest first: rounds fill evenly and short posts never wait behind long abstracts.
  std::vector<size_t> order(index.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return tokens[a].size() < tokens[b].size(); });
  for (size_t k : order) p->todo.push_back(std::move(tokens[k])), p->todo_index.push_back(index[k]);
  p->logits.assign(p->todo.size(), 0.0);
  return Status::Ok();
}

Status RerankerImpl::Finish(PendingRerank* p, const RerankOptions& options, RerankResult* result) const {
  std::vector<ScoredDocument>& scored = p->scored;
  std::vector<std::pair<std::string, PairScore>> fresh;
  for (size_t j = 0; j < p->todo.size(); ++j) {
    ScoredDocument& d = scored[p->todo_index[j]];
    d.logit = p->logits[j];
    fresh.emplace_back(p->keys[d.index], CachedScore{d.logit, d.truncated, d.tokens, p->max_length});
    cache_.Put(fresh.back().first, fresh.back().second);
  }
  if (options.score_store != nullptr && !fresh.empty()) LITRANK_RETURN_IF_ERROR(options.score_store->PutScores(fresh));
  for (size_t i = 0; i < scored.size(); ++i) {
    const size_t first = p->first_with_key[i];
    if (first != i) {
      scored[i].logit = scored[first].logit, scored[i].truncated = scored[first].truncated;
      scored[i].tokens = scored[first].tokens, scored[i].cached = true;
    }
    scored[i].score = 1.0 / (1.0 + std::exp(-scored[i].logit));  // P(yes), the only sigmoid
    scored[i].normalized = scored[i].score;
    p->stats.prompt_tokens += scored[i].tokens;
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
  result->stats = p->stats;
  result->stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - p->start).count();
  return Status::Ok();
}

Status RerankerImpl::Rerank(const std::string& query, const std::vector<std::string>& documents,
                            const RerankOptions& options, RerankResult* result) {
  *result = RerankResult{};
  PendingRerank p;
  LITRANK_RETURN_IF_ERROR(Prepare(query, documents, options, &p));
  if (!p.todo.empty()) {  // all cached: no model time at all, not even the prefix
    std::vector<const Tokens*> docs;
    for (const Tokens& t : p.todo) docs.push_back(&t);
    const size_t cached = documents.size() - p.todo.size();
    auto progress = [&](size_t done) { if (options.on_progress) options.on_progress(cached + done, documents.size()); };
    LITRANK_RETURN_IF_ERROR(engine_->Score(p.prompt, docs, &p.logits, &p.stats.decoded_tokens, progress));
  }
  return Finish(&p, options, result);
}

StatusOr<std::unique_ptr<RerankerImpl>> RerankerImpl::Load(const std::string& path, const RerankerConfig& config) {
  auto info = InspectModel(path);
  if (!info.ok()) return info.status();
  LITRANK_RETURN_IF_ERROR(CheckRerankable(*info));
  auto fingerprint = ModelFingerprint(path);
  if (!fingerprint.ok()) return fingerprint.status();
  auto loaded = LoadModelFile(path, config.gpu_layers);
  if (!loaded.ok()) return loaded.status();
  ModelPtr model = std::move(*loaded);
  std::unique_ptr<RerankerImpl> impl(new RerankerImpl(std::move(info.value()), std::move(fingerprint.value()),
                                                      std::move(model), config.cache_entries));
  LITRANK_RETURN_IF_ERROR(impl->Init(config));
  return impl;
}

StatusOr<std::unique_ptr<Reranker>> Reranker::Open(const std::string& path, const RerankerConfig& config) {
  auto impl = RerankerImpl::Load(path, config);
  if (!impl.ok()) return impl.status();
  return std::unique_ptr<Reranker>(std::move(impl.value()));
}

}  // namespace litrank

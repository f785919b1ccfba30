// An Embedder many threads may share: calls take turns on the one wrapped model
// context (each call's texts are already packed into rounds), and a bounded number
// of callers may wait — beyond it a call fails at once with ResourceExhausted.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "litrank/embedder.h"

namespace litrank {

class SerializedEmbedder final : public Embedder {
 public:
  /// Wraps `inner`; at most `max_waiting` calls wait while one runs.
  SerializedEmbedder(std::unique_ptr<Embedder> inner, size_t max_waiting)
      : inner_(std::move(inner)), max_waiting_(max_waiting) {}

  uint32_t width() const override { return inner_->width(); }
  uint32_t max_length() const override { return inner_->max_length(); }
  const std::string& fingerprint() const override { return inner_->fingerprint(); }
  const ModelInfo& info() const override { return inner_->info(); }
  std::vector<int32_t> Tokens(const std::string& text, bool is_query, const std::string& task) const override {
    return inner_->Tokens(text, is_query, task);  // the tokenizer is read-only
  }
  Status EmbedDocuments(const std::vector<std::string>& texts, const EmbedOptions& options, std::vector<float>* out,
                        std::vector<bool>* truncated, const std::function<void(size_t)>& progress) override {
    return Turn([&] { return inner_->EmbedDocuments(texts, options, out, truncated, progress); });
  }
  Status EmbedQueries(const std::vector<std::string>& queries, const std::string& task, const EmbedOptions& options,
                      std::vector<float>* out) override {
    return Turn([&] { return inner_->EmbedQueries(queries, task, options, out); });
  }
  Status EmbedTokenInputs(const std::vector<std::vector<int32_t>>& inputs, const EmbedOptions& options,
                          std::vector<float>* out) override {
    return Turn([&] { return inner_->EmbedTokenInputs(inputs, options, out); });
  }
  /// Calls waiting or running now.
  size_t in_flight() const { return in_flight_.load(); }

 private:
  template <typename Fn>
  Status Turn(Fn&& fn) {
    struct Leave {  // counted out however the call ends
      std::atomic<size_t>& n;
      ~Leave() { n.fetch_sub(1); }
    } leave{in_flight_};
    if (in_flight_.fetch_add(1) > max_waiting_) return Status::ResourceExhausted("the embedding queue is full; retry shortly");
    std::lock_guard<std::mutex> lock(mu_);
    return fn();
  }

  std::unique_ptr<Embedder> inner_;
  const size_t max_waiting_;
  std::mutex mu_;
  std::atomic<size_t> in_flight_{0};
};

}  // namespace litrank

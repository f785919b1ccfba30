#include "server/metrics.h"

#include <cstdio>

namespace litrank::server {
namespace {

void Line(std::string* out, const std::string& name, const std::string& labels, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", value);
  *out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + buf + "\n";
}

void Header(std::string* out, const std::string& name, const char* type, const char* help) {
  *out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

/// A metric with one unlabelled sample.
void Single(std::string* out, const std::string& name, const char* type, const char* help, double value) {
  Header(out, name, type, help);
  Line(out, name, "", value);
}

}  // namespace

void Metrics::Record(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, status}];
  Timing& t = timings_[route];
  ++t.count;
  t.seconds += seconds;
}

std::string Metrics::Render(const EngineSnapshot& e) const {
  std::string out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Header(&out, "litrank_http_requests_total", "counter", "HTTP requests by route and status.");
    for (const auto& [key, n] : requests_) {
      Line(&out, "litrank_http_requests_total", "route=\"" + key.first + "\",status=\"" + std::to_string(key.second) + "\"",
           static_cast<double>(n));
    }
    Header(&out, "litrank_http_request_seconds", "summary", "Time to answer requests, by route.");
    for (const auto& [route, t] : timings_) {
      Line(&out, "litrank_http_request_seconds_sum", "route=\"" + route + "\"", t.seconds);
      Line(&out, "litrank_http_request_seconds_count", "route=\"" + route + "\"", static_cast<double>(t.count));
    }
  }
  if (e.has_reranker) {
    const SchedulerStats& s = e.rerank;
    Single(&out, "litrank_rerank_queue_pairs", "gauge", "Uncached (query, document) pairs waiting or in flight.", static_cast<double>(s.queued_pairs));
    Single(&out, "litrank_rerank_active_calls", "gauge", "Rerank calls waiting for the engine.", static_cast<double>(s.active_calls));
    Single(&out, "litrank_rerank_rejected_total", "counter", "Rerank calls refused because the queue was full.", static_cast<double>(s.rejected));
    Single(&out, "litrank_rerank_cancelled_total", "counter", "Rerank calls whose client went away.", static_cast<double>(s.cancelled));
    Header(&out, "litrank_rerank_batch_pairs", "histogram", "Pairs per decode round.");
    uint64_t cumulative = 0;
    for (size_t i = 0; i < s.round_size_buckets.size(); ++i) {
      cumulative += s.round_size_buckets[i];
      const std::string le = i + 1 < s.round_size_buckets.size() ? std::to_string(1u << i) : "+Inf";
      Line(&out, "litrank_rerank_batch_pairs_bucket", "le=\"" + le + "\"", static_cast<double>(cumulative));
    }
    Line(&out, "litrank_rerank_batch_pairs_sum", "", static_cast<double>(s.pairs));
    Line(&out, "litrank_rerank_batch_pairs_count", "", static_cast<double>(s.rounds));
    Single(&out, "litrank_rerank_mixed_rounds_total", "counter", "Decode rounds holding pairs of several requests.", static_cast<double>(s.mixed_rounds));
    Single(&out, "litrank_rerank_decoded_tokens_total", "counter", "Tokens run through the reranker.", static_cast<double>(s.decoded_tokens));
    Single(&out, "litrank_rerank_busy_seconds_total", "counter", "Time the reranker spent decoding.", s.busy_seconds);
    Single(&out, "litrank_rerank_tokens_per_second", "gauge", "Decoded tokens per busy second since start.", s.busy_seconds > 0 ? static_cast<double>(s.decoded_tokens) / s.busy_seconds : 0);
    Single(&out, "litrank_rerank_cache_hit_ratio", "gauge", "Share of documents answered from a score cache.", s.documents ? static_cast<double>(s.cache_hits) / static_cast<double>(s.documents) : 0);
    Single(&out, "litrank_rerank_documents_total", "counter", "Documents asked for (cached ones included).", static_cast<double>(s.documents));
  }
  if (e.has_embedder) {
    Single(&out, "litrank_embed_in_flight", "gauge", "Embedding calls waiting or running.", static_cast<double>(e.embed_in_flight));
    Single(&out, "litrank_embed_inputs_total", "counter", "Texts embedded through the API.", static_cast<double>(e.embedded_inputs));
  }
  Single(&out, "litrank_http_body_bytes_in_flight", "gauge", "Declared bytes of request bodies admitted and not yet answered.",
         static_cast<double>(e.body_bytes_in_flight));
  Single(&out, "litrank_http_body_refused_total", "counter", "Requests refused (429) because bodies in flight were at the limit.",
         static_cast<double>(e.bodies_refused));
  if (e.has_shared_scores) {
    Single(&out, "litrank_shared_score_cache_hits_total", "counter", "Lookups answered by the score cache shared by replicas.",
           static_cast<double>(e.shared_hits));
    Single(&out, "litrank_shared_score_cache_misses_total", "counter", "Lookups the shared score cache did not answer.",
           static_cast<double>(e.shared_misses));
    Single(&out, "litrank_shared_score_cache_errors_total", "counter", "Lookups and writes lost while its Redis did not answer.",
           static_cast<double>(e.shared_errors));
  }
  Header(&out, "litrank_model_load_seconds", "gauge", "Time taken to load each model at start.");
  if (e.has_reranker) Line(&out, "litrank_model_load_seconds", "model=\"reranker\"", e.reranker_load_seconds);
  if (e.has_embedder) Line(&out, "litrank_model_load_seconds", "model=\"embedder\"", e.embedder_load_seconds);
  return out;
}

}  // namespace litrank::server

#include "load_phase.h"

#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "bench_support.h"

namespace litrank::bench {

using nlohmann::json;

static std::string CheckShape(Kind kind, const std::string& body, size_t expected) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "not a JSON object";
  if (kind == kRerank) {
    if (!j.contains("results") || !j["results"].is_array()) return "no results array";
    if (j["results"].size() != expected) return std::to_string(j["results"].size()) + " results for " + std::to_string(expected) + " documents";
    std::set<size_t> seen;
    for (const json& r : j["results"]) {
      if (!r.contains("index") || !r["index"].is_number_unsigned() || r["index"].get<size_t>() >= expected) return "bad index";
      if (!seen.insert(r["index"].get<size_t>()).second) return "repeated index";
      if (!r.contains("relevance_score") || !r["relevance_score"].is_number()) return "no relevance_score";
      const double s = r["relevance_score"].get<double>();
      if (!std::isfinite(s) || s < 0 || s > 1) return "relevance_score out of [0, 1]";
    }
  } else if (kind == kEmbed) {
    if (!j.contains("data") || !j["data"].is_array() || j["data"].size() != expected) return "wrong number of embeddings";
    size_t dims = 0;
    for (const json& d : j["data"]) {
      if (!d.contains("embedding") || !d["embedding"].is_array() || d["embedding"].empty()) return "empty embedding";
      if (dims != 0 && d["embedding"].size() != dims) return "embeddings of different widths";
      dims = d["embedding"].size();
    }
  } else if (kind == kSearch) {
    if (!j.contains("results") || !j["results"].is_array()) return "no results array";
    if (j["results"].empty() || j["results"].size() > expected) return std::to_string(j["results"].size()) + " search results";
  } else {
    if (!j.contains("added") || !j["added"].is_number() || j["added"].get<size_t>() != expected) return "upload did not add every record";
  }
  return "";
}

/// One client: requests by the phase's mix until its deadline or request bound.
static void ClientLoop(httplib::Client* http, Phase* phase, const LoadSettings* a, Texts* texts, size_t id, Tally* t) {
  std::mt19937_64 rng(id * 7919 + 1);
  std::discrete_distribution<int> pick(std::begin(phase->weights), std::end(phase->weights));
  while (Clock::now() < phase->deadline && phase->started.fetch_add(1) < phase->max_requests) {
    const Kind kind = static_cast<Kind>(pick(rng));
    json body;
    std::string path;
    size_t expected = 0;
    if (kind == kRerank) {
      std::vector<std::string> docs;
      for (size_t d = 0; d < a->docs_per_request; ++d) docs.push_back(texts->Fresh(rng(), a->doc_words));
      body = {{"query", kQueries[rng() % kQueryCount]}, {"documents", docs}};
      path = "/v1/rerank", expected = docs.size();
    } else if (kind == kEmbed) {
      std::vector<std::string> inputs;
      for (size_t d = 0; d < kEmbedInputs; ++d) inputs.push_back(texts->Fresh(rng(), 40));
      body = {{"input", inputs}, {"model", "bench"}};
      path = "/v1/embeddings", expected = inputs.size();
    } else if (kind == kSearch) {
      body = {{"query", kQueries[rng() % kQueryCount]}, {"top_k", kSearchTopK}};
      path = "/v1/collections/default/search", expected = kSearchTopK;
    } else {
      json records = json::array();
      for (size_t d = 0; d < kUploadRecords; ++d) {
        records.push_back({{"title", "Upload " + std::to_string(rng())}, {"abstract", texts->Fresh(rng(), 60)}});
      }
      body = {{"documents", records}};
      path = "/v1/collections/soak" + std::to_string(rng() % kUploadCollections) + "/documents";
      expected = kUploadRecords;
    }
    const auto t0 = Clock::now();
    auto res = http->Post(path.c_str(), body.dump(), "application/json");
    const double ms = Since(t0) * 1000;
    if (!res) {
      if (phase->stopping) { ++t->abandoned[kind]; continue; }
      ++t->transport[kind];
      t->Note(std::string(kKindNames[kind]) + ": transport error " + httplib::to_string(res.error()) +
              " after " + std::to_string(static_cast<int>(ms)) + " ms");
      continue;
    }
    t->ms[kind].push_back(ms);
    const int status = res->status;
    if (status >= 200 && status < 300) {
      const std::string wrong = CheckShape(kind, res->body, expected);
      if (wrong.empty()) {
        ++t->ok[kind];
        if (kind == kRerank) t->pairs += expected;
      } else {
        ++t->bad_shape[kind];
        t->Note(std::string(kKindNames[kind]) + ": " + wrong);
      }
    } else if (status == 429) {
      ++t->throttled[kind];
    } else if (status >= 500) {
      ++t->server_error[kind];
      t->Note(std::string(kKindNames[kind]) + ": HTTP " + std::to_string(status) + " " + res->body.substr(0, 300));
    } else {
      ++t->client_error[kind];
      t->Note(std::string(kKindNames[kind]) + ": HTTP " + std::to_string(status) + " " + res->body.substr(0, 300));
    }
  }
}

/// The server's /metrics as name{labels} -> value.
std::map<std::string, double> ScrapeMetrics(int port) {
  std::map<std::string, double> out;
  httplib::Client http("127.0.0.1", port);
  http.set_read_timeout(60, 0);
  auto res = http.Get("/metrics");
  if (!res || res->status != 200) return out;
  std::istringstream in(res->body);
  for (std::string line; std::getline(in, line);) {
    const size_t space = line.rfind(' ');
    if (line.empty() || line[0] == '#' || space == std::string::npos) continue;
    try { out[line.substr(0, space)] = std::stod(line.substr(space + 1)); } catch (const std::exception&) {}
  }
  return out;
}

/// Server-side 5xx answers counted in a /metrics scrape (/health's 503 while loading is no failure).
double Server5xx(const std::map<std::string, double>& m) {
  double n = 0;
  for (const auto& [key, v] : m) {
    const bool is_5xx = key.rfind("litrank_http_requests_total{", 0) == 0 && key.find("status=\"5") != std::string::npos;
    n += is_5xx && key.find("route=\"/health\"") == std::string::npos ? v : 0;
  }
  return n;
}

/// One series of a scrape (0 when absent).
double MetricValue(const std::map<std::string, double>& m, const std::string& key) { return m.count(key) ? m.at(key) : 0; }

double PhaseResult::Delta(const std::string& key) const { return MetricValue(after, key) - MetricValue(before, key); }

/// Runs `clients` keep-alive clients for `seconds` (then `grace` for answers in
/// flight; later ones are abandoned: the client disconnects, the server cancels).
PhaseResult RunPhase(const LoadSettings& a, int port, Texts* texts, const std::string& name, const double (&weights)[kKinds],
                     size_t clients, double seconds, double grace) {
  PhaseResult r;
  r.name = name, r.clients = clients;
  Phase phase;
  for (int k = 0; k < kKinds; ++k) phase.weights[k] = weights[k];
  phase.max_requests = a.max_requests;
  std::vector<std::unique_ptr<httplib::Client>> http;
  for (size_t i = 0; i < clients; ++i) {
    http.push_back(std::make_unique<httplib::Client>("127.0.0.1", port));
    http.back()->set_keep_alive(true), http.back()->set_connection_timeout(10, 0);
    http.back()->set_read_timeout(3600, 0);  // the grace period bounds the wait, not this
  }
  std::vector<Tally> tallies(clients);
  std::atomic<size_t> running{clients};
  r.before = ScrapeMetrics(port);
  const auto start = Clock::now();
  phase.deadline = start + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] { ClientLoop(http[i].get(), &phase, &a, texts, i, &tallies[i]), --running; });
  }
  const auto give_up = phase.deadline + std::chrono::milliseconds(static_cast<int64_t>(grace * 1000));
  while (running > 0 && Clock::now() < give_up) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  r.seconds = Since(start);
  if (running > 0) {
    std::fprintf(stderr, "bench: %s: %zu clients still waiting %.0f s after the deadline; disconnecting them\n",
                 name.c_str(), running.load(), grace);
    phase.stopping = true;
    for (auto& h : http) h->stop();
  }
  for (std::thread& t : threads) t.join();
  for (const Tally& t : tallies) r.tally.Merge(t);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let cancellations land in /metrics
  r.after = ScrapeMetrics(port);
  r.pairs_per_s = static_cast<double>(r.tally.pairs) / r.seconds;
  r.engine_pairs_per_s = r.Delta("litrank_rerank_batch_pairs_sum") / r.seconds;
  return r;
}

json PhaseJson(const PhaseResult& r, double baseline_pairs_per_s) {
  const Tally& t = r.tally;
  json kinds = json::object();
  for (int k = 0; k < kKinds; ++k) {
    if (t.ms[k].empty() && t.transport[k] == 0 && t.abandoned[k] == 0) continue;
    kinds[kKindNames[k]] = {{"requests", t.ms[k].size()}, {"ok", t.ok[k]}, {"http_4xx", t.client_error[k]},
                            {"http_429", t.throttled[k]}, {"http_5xx", t.server_error[k]},
                            {"transport_errors", t.transport[k]}, {"bad_shape", t.bad_shape[k]},
                            {"abandoned", t.abandoned[k]}, {"latency_p50_ms", Percentile(t.ms[k], 50)},
                            {"latency_p99_ms", Percentile(t.ms[k], 99)},
                            {"throughput_per_s", static_cast<double>(t.ok[k]) / r.seconds}};
  }
  const double rounds = r.Delta("litrank_rerank_batch_pairs_count");
  return {{"phase", r.name}, {"clients", r.clients}, {"seconds", r.seconds}, {"requests", t.Requests()},
          {"requests_per_s", static_cast<double>(t.Requests()) / r.seconds}, {"http_5xx", t.Sum(t.server_error)},
          {"http_429", t.Sum(t.throttled)}, {"http_4xx", t.Sum(t.client_error)},
          {"transport_errors", t.Sum(t.transport)}, {"bad_shape", t.Sum(t.bad_shape)},
          {"abandoned", t.Sum(t.abandoned)}, {"kinds", kinds}, {"rerank_pairs", t.pairs},
          {"rerank_pairs_per_s", r.pairs_per_s}, {"engine_pairs_per_s", r.engine_pairs_per_s},
          {"ratio_vs_single_client", baseline_pairs_per_s > 0 ? r.pairs_per_s / baseline_pairs_per_s : 0},
          {"engine_ratio_vs_single_client", baseline_pairs_per_s > 0 ? r.engine_pairs_per_s / baseline_pairs_per_s : 0},
          {"server_rounds", rounds}, {"server_mixed_rounds", r.Delta("litrank_rerank_mixed_rounds_total")},
          {"server_pairs_per_round", rounds > 0 ? r.Delta("litrank_rerank_batch_pairs_sum") / rounds : 0},
          {"server_cancelled", r.Delta("litrank_rerank_cancelled_total")},
          {"server_rejected", r.Delta("litrank_rerank_rejected_total")},
          {"server_5xx", Server5xx(r.after) - Server5xx(r.before)}, {"problems", t.problems}};
}

void PrintPhase(const PhaseResult& r, double baseline) {
  const Tally& t = r.tally;
  std::printf("%-16s %7zu %7.1f %8zu %8.1f %6zu %5zu %5zu %5zu %5zu %9.1f %9.1f %6.2f\n", r.name.c_str(), r.clients,
              r.seconds, t.Requests(), static_cast<double>(t.Requests()) / r.seconds, t.Sum(t.ok), t.Sum(t.client_error),
              t.Sum(t.throttled), t.Sum(t.server_error), t.Sum(t.transport) + t.Sum(t.bad_shape), r.pairs_per_s,
              r.engine_pairs_per_s, baseline > 0 ? r.pairs_per_s / baseline : 0);
}

void PrintKinds(const PhaseResult& r) {
  const Tally& t = r.tally;
  for (int k = 0; k < kKinds; ++k) {
    if (t.ms[k].empty()) continue;
    std::printf("%-16s %-7s %8zu %9.1f %9.1f %6zu %5zu %5zu %5zu %5zu %5zu\n", r.name.c_str(), kKindNames[k], t.ms[k].size(),
                Percentile(t.ms[k], 50), Percentile(t.ms[k], 99), t.ok[k], t.client_error[k],
                t.throttled[k], t.server_error[k], t.transport[k], t.bad_shape[k]);
  }
}


}  // namespace litrank::bench

// `litrank bench cluster`: topics on the shared sets with gold classes
// (StackOverflow short texts, 20 classes; CSL Chinese papers by category),
// lexical path, topic count given, side by side with the reference script
// (../shared/tools/cluster_ref.py: TF-IDF k-means and TF-IDF → LSA → k-means)
// and with plain k-means on litrank's own TF-IDF rows. NMI, accuracy, time.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "analysis/kmeans.h"
#include "bench_support.h"
#include "cli/cli_common.h"
#include "eval/cluster_metrics.h"
#include "ingest/record_reader.h"
#include "litrank/embedder.h"
#include "litrank/topics.h"
#include "text/tfidf.h"

namespace litrank::cli {
namespace {

struct ClusterBenchArgs {
  std::string shared = "../shared", out_dir = "bench/results", python = "/usr/bin/python3";
  int seeds = 3;
  bool no_reference = false;
  bool plain = false;  ///< also k-means on raw TF-IDF rows (dense: minutes on StackOverflow)
  std::string embedder;  ///< also the embedding path (kNN graph + Leiden) with this GGUF
  int threads = 0;
};

/// A set with gold classes, and how the reference script reads it.
struct LabelledSet {
  std::string name;
  std::vector<Document> docs;
  std::vector<std::string> gold;
  std::string reference_args;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

Status LoadStackOverflow(const std::string& shared, LabelledSet* set) {
  const std::string dir = shared + "/datasets/short_text/";
  set->name = "stackoverflow";
  set->reference_args = dir + "StackOverflow.txt " + dir + "StackOverflow_gnd.txt";
  std::ifstream texts(dir + "StackOverflow.txt"), labels(dir + "StackOverflow_gnd.txt");
  if (!texts || !labels) return Status::NotFound(dir + "StackOverflow.txt or its labels are missing");
  std::string text, label;
  while (std::getline(texts, text) && std::getline(labels, label)) {
    Document d;
    d.abstract = text;
    set->docs.push_back(std::move(d));
    set->gold.push_back(label);
  }
  return Status::Ok();
}

/// CSL: the abstract (as the reference reads it, one field) and the category.
Status LoadCsl(const std::string& shared, LabelledSet* set) {
  const std::string path = shared + "/datasets/csl/csl_dev_joined.jsonl";
  set->name = "csl_category";
  set->reference_args = path + " --field abstract --label-field category --analyzer char";
  std::ifstream in(path);
  if (!in) return Status::NotFound(path + " is missing");
  std::string line;
  while (std::getline(in, line)) {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    Document d;
    d.abstract = j.value("abstract", "");
    set->docs.push_back(std::move(d));
    set->gold.push_back(j.value("category", ""));
  }
  return Status::Ok();
}

nlohmann::json RunReference(const ClusterBenchArgs& a, const LabelledSet& set, int k) {
  const std::string cmd = a.python + " " + a.shared + "/tools/cluster_ref.py " + set.reference_args + " --k " +
                          std::to_string(k) + " --seeds " + std::to_string(a.seeds) + " 2>/dev/null";
  const auto start = std::chrono::steady_clock::now();
  std::string out;
  if (!bench::RunCapture(cmd, &out)) return nullptr;
  nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
  if (!j.is_object()) return nullptr;
  j["wall_seconds_all_seeds"] = Seconds(start);
  return j;
}

/// k-means straight on litrank's TF-IDF rows (no LSA): the "plain" baseline on the same features.
nlohmann::json PlainKMeans(const LabelledSet& set, int k, int seeds) {
  std::vector<std::string> texts;
  for (const Document& d : set.docs) texts.push_back(SearchText(d));
  StatusOr<std::vector<std::vector<std::string>>> terms = AnalyzeTexts(texts, TextTermOptions{});
  if (!terms.ok()) return nullptr;
  TfidfOptions options;
  options.bigrams = false;
  options.min_df = 2;
  const SparseRows x = BuildTfidf(*terms, options);
  analysis::DenseRows dense = analysis::DenseRows::Zero(static_cast<Eigen::Index>(x.rows()), x.dims);
  for (size_t r = 0; r < x.rows(); ++r) {
    for (size_t i = x.offsets[r]; i < x.offsets[r + 1]; ++i) dense(static_cast<Eigen::Index>(r), x.cols[i]) = x.vals[i];
  }
  double nmi = 0, acc = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int s = 0; s < seeds; ++s) {
    analysis::KMeansOptions ko;
    ko.k = k;
    ko.seed = static_cast<uint64_t>(s);
    const analysis::KMeansResult r = analysis::KMeans(dense, ko);
    nmi += NormalizedMutualInformation(set.gold, r.labels) / seeds;
    acc += ClusteringAccuracy(set.gold, r.labels) / seeds;
  }
  return {{"nmi", nmi}, {"acc", acc}, {"features", x.dims}, {"wall_seconds_per_seed", Seconds(start) / seeds}};
}

nlohmann::json RunLitrank(const LabelledSet& set, int k, int seeds) {
  double nmi = 0, acc = 0, seconds = 0;
  uint32_t features = 0;
  for (int s = 0; s < seeds; ++s) {
    TopicOptions o;
    o.k = k;
    o.seed = static_cast<uint64_t>(s);
    const auto start = std::chrono::steady_clock::now();
    StatusOr<TopicModel> m = FindTopics(set.docs, o);
    seconds += Seconds(start);
    if (!m.ok()) return {{"error", m.status().ToString()}};
    nmi += NormalizedMutualInformation(set.gold, m->topic_of) / seeds;
    acc += ClusteringAccuracy(set.gold, m->topic_of) / seeds;
    features = m->features;
  }
  return {{"nmi", nmi}, {"acc", acc}, {"features", features}, {"wall_seconds_per_seed", seconds / seeds}};
}

/// One run with the topic count left to litrank (silhouette over 2..max_k):
/// which k it picks against the gold count, and the NMI it then reaches.
nlohmann::json RunAutoK(const LabelledSet& set) {
  TopicOptions o;  // k = 0: automatic
  const auto start = std::chrono::steady_clock::now();
  StatusOr<TopicModel> m = FindTopics(set.docs, o);
  const double seconds = Seconds(start);
  if (!m.ok()) return {{"error", m.status().ToString()}};
  return {{"k_chosen", m->k},
          {"silhouette", m->silhouette},
          {"nmi", NormalizedMutualInformation(set.gold, m->topic_of)},
          {"wall_seconds", seconds}};
}

/// The embedding path with the topic count given: embed every text, then the
/// kNN graph and Leiden. With random weights the NMI is a plumbing check only.
nlohmann::json RunEmbeddingPath(Embedder& embedder, const LabelledSet& set, int k) {
  std::vector<std::string> texts;
  std::vector<size_t> which;
  for (size_t i = 0; i < set.docs.size(); ++i) {
    std::string t = SearchText(set.docs[i]);
    if (t.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    texts.push_back(std::move(t));
    which.push_back(i);
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<float> out;
  if (Status st = embedder.EmbedDocuments(texts, EmbedOptions{}, &out); !st.ok()) return {{"error", st.ToString()}};
  const double embed_seconds = Seconds(start);
  const size_t dims = embedder.width();
  std::vector<float> rows(set.docs.size() * dims, 0.0f);
  for (size_t r = 0; r < which.size(); ++r) {
    std::copy(out.begin() + static_cast<std::ptrdiff_t>(r * dims), out.begin() + static_cast<std::ptrdiff_t>((r + 1) * dims),
              rows.begin() + static_cast<std::ptrdiff_t>(which[r] * dims));
  }
  TopicOptions o;
  o.k = k;
  start = std::chrono::steady_clock::now();
  StatusOr<TopicModel> m = FindTopicsFromEmbeddings(set.docs, rows, static_cast<uint32_t>(dims), o);
  if (!m.ok()) return {{"error", m.status().ToString()}};
  return {{"model", embedder.info().name}, {"k_found", m->k},
          {"nmi", NormalizedMutualInformation(set.gold, m->topic_of)},
          {"acc", ClusteringAccuracy(set.gold, m->topic_of)}, {"embed_seconds", embed_seconds},
          {"cluster_seconds", Seconds(start)}};
}

int RunClusterBench(const ClusterBenchArgs& a) {
  std::unique_ptr<Embedder> embedder;
  if (!a.embedder.empty()) {
    EmbedderConfig config;
    config.threads = a.threads;
    StatusOr<std::unique_ptr<Embedder>> opened = Embedder::Open(a.embedder, config);
    if (!opened.ok()) return Fail(opened.status(), /*model_related=*/true);
    embedder = std::move(*opened);
  }
  if (!std::filesystem::exists(a.shared + "/datasets")) {
    return Fail(Status::NotFound(a.shared + "/datasets is absent: the cluster benchmark needs the shared sets"));
  }
  const bool reference = !a.no_reference && std::filesystem::exists(a.shared + "/tools/cluster_ref.py");
  std::vector<LabelledSet> sets(2);
  if (Status st = LoadStackOverflow(a.shared, &sets[0]); !st.ok()) return Fail(st);
  if (Status st = LoadCsl(a.shared, &sets[1]); !st.ok()) return Fail(st);
  std::printf("%-14s %6s %3s | %-22s | %-15s | %-15s | %-22s | %-22s\n", "set", "docs", "k", "litrank LSA k-means",
              "ref LSA k-means", "ref TF-IDF k-m.", "litrank auto k", "litrank TF-IDF k-means");
  std::printf("%-14s %6s %3s | %6s %6s %8s | %6s %6s | %6s %6s | %4s %6s %10s | %6s %6s %8s\n", "", "", "", "NMI",
              "ACC", "s/run", "NMI", "ACC", "NMI", "ACC", "k", "NMI", "s", "NMI", "ACC", "s/run");
  nlohmann::json records = nlohmann::json::array();
  for (const LabelledSet& set : sets) {
    std::set<std::string> classes(set.gold.begin(), set.gold.end());
    const int k = static_cast<int>(classes.size());
    const nlohmann::json ours = RunLitrank(set, k, a.seeds);
    // Dense k-means on raw TF-IDF rows takes minutes on StackOverflow: small sets only, unless --plain.
    const bool run_plain = a.plain || set.docs.size() <= 5000;
    const nlohmann::json plain = run_plain ? PlainKMeans(set, k, a.seeds) : nlohmann::json(nullptr);
    const nlohmann::json automatic = RunAutoK(set);
    const nlohmann::json ref = reference ? RunReference(a, set, k) : nlohmann::json(nullptr);
    auto cell = [](const nlohmann::json& j, const char* group, const char* key) {
      const nlohmann::json& g = group ? (j.is_object() && j.contains(group) ? j[group] : nlohmann::json()) : j;
      return g.is_object() && g.contains(key) ? g[key].get<double>() : std::nan("");
    };
    std::printf("%-14s %6zu %3d | %6.3f %6.3f %8.2f | %6.3f %6.3f | %6.3f %6.3f | %4.0f %6.3f %10.2f | %6.3f %6.3f %8.2f\n",
                set.name.c_str(), set.docs.size(), k, cell(ours, nullptr, "nmi"), cell(ours, nullptr, "acc"),
                cell(ours, nullptr, "wall_seconds_per_seed"), cell(ref, "lsa_kmeans", "nmi"),
                cell(ref, "lsa_kmeans", "acc"), cell(ref, "tfidf_kmeans", "nmi"), cell(ref, "tfidf_kmeans", "acc"),
                cell(automatic, nullptr, "k_chosen"), cell(automatic, nullptr, "nmi"),
                cell(automatic, nullptr, "wall_seconds"), cell(plain, nullptr, "nmi"), cell(plain, nullptr, "acc"),
                cell(plain, nullptr, "wall_seconds_per_seed"));
    std::fflush(stdout);
    const nlohmann::json graph = embedder ? RunEmbeddingPath(*embedder, set, k) : nlohmann::json(nullptr);
    if (embedder) {
      std::printf("%-14s   embedding path (%s): NMI %.3f, ACC %.3f, %d topics; embed %.1f s, cluster %.2f s\n", "",
                  graph.value("model", std::string("?")).c_str(), cell(graph, nullptr, "nmi"), cell(graph, nullptr, "acc"),
                  graph.value("k_found", 0), cell(graph, nullptr, "embed_seconds"), cell(graph, nullptr, "cluster_seconds"));
    }
    records.push_back({{"set", set.name}, {"documents", set.docs.size()}, {"k", k}, {"seeds", a.seeds},
                       {"litrank_lsa_kmeans", ours}, {"litrank_tfidf_kmeans", plain}, {"litrank_auto_k", automatic},
                       {"reference", ref}, {"litrank_embedding_leiden", graph}});
  }
  std::printf("wrote %s\n", bench::WriteBenchJson(a.out_dir, "cluster", nlohmann::json{{"sets", records}}.dump(2)).c_str());
  return kExitOk;
}

}  // namespace

void AddClusterBenchCommand(CLI::App& bench, int* exit_code) {
  auto a = std::make_shared<ClusterBenchArgs>();
  auto* cmd = bench.add_subcommand("cluster",
      "Topics on the shared sets with gold classes (StackOverflow, CSL), topic count given: NMI and accuracy\n"
      "of litrank's lexical path, side by side with the reference script (TF-IDF / LSA k-means).");
  cmd->add_option("--shared", a->shared, "The shared folder (datasets/, tools/)")->capture_default_str();
  cmd->add_option("--seeds", a->seeds, "Runs per method (means are reported)")->check(CLI::Range(1, 20))->capture_default_str();
  cmd->add_flag("--no-reference", a->no_reference, "Skip the reference script");
  cmd->add_flag("--plain", a->plain,
                "k-means on raw TF-IDF rows (no LSA) on every set, not only those up to 5,000 documents (dense: minutes)");
  cmd->add_option("--python", a->python, "Python with scikit-learn for the reference")->capture_default_str();
  cmd->add_option("--out-dir", a->out_dir, "Where the JSON goes")->capture_default_str();
  cmd->add_option("-e,--embedder", a->embedder,
                  "Also the embedding path (kNN graph + Leiden) with this GGUF (random weights: a plumbing check)");
  cmd->add_option("--threads", a->threads, "CPU threads for the embedder (0 = all)")->capture_default_str();
  cmd->callback([a, exit_code] { *exit_code = RunClusterBench(*a); });
}

}  // namespace litrank::cli

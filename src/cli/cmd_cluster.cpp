// `litrank cluster`: the topics of a collection or a documents file.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/document_source.h"
#include "litrank/topics.h"
#include "report/json_views.h"

namespace litrank::cli {
namespace {

struct ClusterArgs {
  DocumentSource source;
  std::string json_out;
  int show = 3;
  TopicOptions options;
};

void PrintTable(const TopicModel& m, const std::vector<Document>& docs, int show) {
  std::printf("%-5s  %-6s  %-9s  %s\n", "topic", "size", "years", "keywords");
  for (const Topic& t : m.topics) {
    std::string years = t.year_min > 0 ? std::to_string(t.year_min) + "-" + std::to_string(t.year_max) : "";
    std::string keywords;
    for (size_t i = 0; i < t.keywords.size() && i < 8; ++i) keywords += (i ? ", " : "") + t.keywords[i];
    std::printf("%-5d  %-6zu  %-9s  %s\n", t.id, t.members.size(), years.c_str(), keywords.c_str());
    for (size_t i = 0; i < t.representatives.size() && static_cast<int>(i) < show; ++i) {
      const Document& d = docs[t.representatives[i]];
      std::printf("                          · %s\n", report::DisplayTitle(d, 100).c_str());
    }
  }
  const size_t unplaced = static_cast<size_t>(std::count(m.topic_of.begin(), m.topic_of.end(), -1));
  std::fprintf(stderr, "%zu documents, %d topics%s, silhouette %.3f, %u terms%s\n", docs.size(), m.k,
               m.k_chosen ? " (chosen)" : "", m.silhouette, m.features,
               unplaced ? (", " + std::to_string(unplaced) + " without usable terms (topic -1)").c_str() : "");
}

int Run(const ClusterArgs& a) {
  std::vector<Document> docs;
  std::vector<std::string> ids;
  if (Status st = LoadDocumentSource(a.source, &docs, &ids); !st.ok()) return Fail(st);
  const auto start = std::chrono::steady_clock::now();
  StatusOr<TopicModel> model = FindTopics(docs, a.options);
  if (!model.ok()) return Fail(model.status());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  PrintTable(*model, docs, a.show);
  if (!a.json_out.empty()) {
    std::ofstream out(a.json_out, std::ios::binary | std::ios::trunc);
    nlohmann::json j = report::TopicsJson(*model, docs, ids);
    j["seconds"] = seconds;
    out << j.dump(1) << "\n";
    if (!out.flush()) return Fail(Status::IOError("cannot write " + a.json_out));
  }
  return kExitOk;
}

}  // namespace

void AddClusterCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<ClusterArgs>();
  auto* cmd = app.add_subcommand("cluster",
      "Topics of a collection or a documents file: TF-IDF, LSA and k-means, c-TF-IDF keywords,\n"
      "the most central documents and the year span of each topic. No model needed.");
  AddDocumentSourceOptions(cmd, &a->source);
  cmd->add_option("-k,--k,--topics", a->options.k, "Number of topics (0 = choose by silhouette)")->check(CLI::Range(0, 10000));
  cmd->add_option("--max-k", a->options.max_k, "Largest count the automatic choice tries")->check(CLI::Range(2, 10000))->capture_default_str();
  cmd->add_option("--dims", a->options.dims, "LSA dimensions")->check(CLI::Range(1, 1000))->capture_default_str();
  cmd->add_option("--min-df", a->options.min_df, "Drop terms in fewer documents")->check(CLI::Range(1, 1000000))->capture_default_str();
  cmd->add_flag("--stem", a->options.stem, "Cluster Snowball stems instead of words");
  cmd->add_option("--keywords", a->options.keywords, "Keywords kept per topic")->check(CLI::Range(0, 100))->capture_default_str();
  cmd->add_option("--representatives", a->options.representatives, "Central documents kept per topic")
      ->check(CLI::Range(0, 100))->capture_default_str();
  cmd->add_option("--restarts", a->options.restarts, "k-means seedings; the tightest partition wins")
      ->check(CLI::Range(1, 100))->capture_default_str();
  cmd->add_option("--seed", a->options.seed, "Seed (same input and seed, same topics)")->capture_default_str();
  cmd->add_option("--json", a->json_out,
                  "Write topics and `assignments`, every document's topic in input order (-1: no usable text), as JSON");
  cmd->footer(
      "\nExamples:\n"
      "  litrank cluster --db papers.db\n"
      "  litrank cluster --docs posts.txt --k 20 --json topics.json\n"
      "  litrank cluster --docs papers.jsonl --doc-format jsonl --column abstract --k 8\n");
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace litrank::cli

// `litrank trends`: papers per year, burst terms and how each topic moves.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/document_source.h"
#include "litrank/topics.h"
#include "litrank/trends.h"
#include "report/json_views.h"
#include "util/utf8.h"

namespace litrank::cli {
namespace {

struct TrendsArgs {
  DocumentSource source;
  std::string json_out;
  bool no_topics = false;
  int show = 20;
  TopicOptions topic_options;
  TrendOptions options;
};

/// One character per year, its height the count's share of the largest.
std::string Sparkline(const std::vector<size_t>& counts) {
  static const char* kBars[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  const size_t top = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());
  std::string out;
  for (size_t c : counts) out += kBars[top == 0 ? 0 : (c == 0 ? 0 : 1 + (c * 7) / top)];
  return out;
}

void PrintTrends(const Trends& t, const TopicModel* model, int show) {
  std::printf("papers per year %d-%d  %s\n", t.first_year, t.last_year, Sparkline(t.per_year).c_str());
  if (!t.bursts.empty()) {
    std::printf("\n%-32s %5s %5s %8s  %s\n", "burst term", "start", "end", "strength", "timeline");
    for (size_t i = 0; i < t.bursts.size() && static_cast<int>(i) < show; ++i) {
      const Burst& b = t.bursts[i];
      std::string line;
      for (int y = t.first_year; y <= t.last_year; ++y) line += (y >= b.start && y <= b.end) ? "▆" : "▁";
      std::printf("%-32s %5d %5d %8.2f  %s\n", b.term.substr(0, Utf8SafePrefix(b.term, 32)).c_str(), b.start, b.end, b.strength, line.c_str());
    }
  }
  if (model != nullptr) {
    std::printf("\n%-5s %-9s %-6s %-40s %s\n", "topic", "status", "size", "label", "per year");
    for (size_t i = 0; i < t.topics.size(); ++i) {
      const Topic& topic = model->topics[i];
      std::printf("%-5d %-9s %-6zu %-40s %s\n", topic.id, t.topics[i].status.c_str(), topic.members.size(),
                  topic.label.substr(0, Utf8SafePrefix(topic.label, 40)).c_str(), Sparkline(t.topics[i].per_year).c_str());
    }
  }
  std::fprintf(stderr, "%zu documents, %zu without a year (left out of every count), %zu bursts\n", t.documents,
               t.missing_year, t.bursts.size());
}

int Run(const TrendsArgs& a) {
  std::vector<Document> docs;
  std::vector<std::string> ids;
  if (Status st = LoadDocumentSource(a.source, &docs, &ids); !st.ok()) return Fail(st);
  TopicModel model;
  const bool with_topics = !a.no_topics;
  if (with_topics) {
    StatusOr<TopicModel> m = FindTopics(docs, a.topic_options);
    if (!m.ok()) return Fail(Status::InvalidArgument("topics: " + m.status().message() + " (--no-topics skips them)"));
    model = std::move(*m);
  }
  StatusOr<Trends> trends = FindTrends(docs, a.options, with_topics ? &model : nullptr);
  if (!trends.ok()) return Fail(trends.status());
  PrintTrends(*trends, with_topics ? &model : nullptr, a.show);
  if (!a.json_out.empty()) {
    std::ofstream out(a.json_out, std::ios::binary | std::ios::trunc);
    out << report::TrendsJson(*trends, with_topics ? &model : nullptr).dump(1) << "\n";
    if (!out.flush()) return Fail(Status::IOError("cannot write " + a.json_out));
  }
  return kExitOk;
}

}  // namespace

void AddTrendsCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<TrendsArgs>();
  auto* cmd = app.add_subcommand("trends",
      "Papers per year, the terms that burst when (Kleinberg's automaton, as CiteSpace) and whether each\n"
      "topic is emerging, growing, stable or declining. No model needed.");
  AddDocumentSourceOptions(cmd, &a->source);
  cmd->add_option("--json", a->json_out, "Write years, bursts {term, start, end, strength} and topics as JSON");
  cmd->add_option("-k,--k,--topics", a->topic_options.k, "Number of topics (0 = choose)")->check(CLI::Range(0, 10000));
  cmd->add_flag("--no-topics", a->no_topics, "Years and bursts only");
  cmd->add_option("--window", a->options.window, "Recent years a topic's share is compared over")
      ->check(CLI::Range(1, 1000))->capture_default_str();
  cmd->add_option("--burst-scale", a->options.bursts.scale, "Burst rate over the base rate (s)")
      ->check(CLI::Range(1.01, 100.0))->capture_default_str();
  cmd->add_option("--gamma", a->options.bursts.gamma, "Cost of entering a burst, times ln(years)")
      ->check(CLI::Range(0.0, 100.0))->capture_default_str();
  cmd->add_option("--min-strength", a->options.bursts.min_strength, "Weaker bursts are not reported")
      ->check(CLI::Range(0.0, 1e9))->capture_default_str();
  cmd->add_option("--min-documents", a->options.bursts.min_documents, "Terms in fewer documents are not examined")
      ->check(CLI::Range(1, 1000000000))->capture_default_str();
  cmd->add_flag("!--no-keywords", a->options.keywords, "Burst terms from title + abstract words only");
  cmd->add_option("--show", a->show, "Bursts listed on stdout")->check(CLI::Range(0, 100000))->capture_default_str();
  cmd->add_option("--seed", a->topic_options.seed, "Seed for the topics")->capture_default_str();
  cmd->footer(
      "\nExamples:\n"
      "  litrank trends --db review.db\n"
      "  litrank trends --docs papers.jsonl --k 8 --json trends.json\n");
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace litrank::cli

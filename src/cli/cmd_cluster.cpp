// `litrank cluster`: the topics of a collection or a documents file.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/document_source.h"
#include "cli/search_models.h"
#include "litrank/topics.h"
#include "report/json_views.h"
#include "search/bm25_index.h"
#include "text/posts.h"

namespace litrank::cli {
namespace {

struct ClusterArgs {
  DocumentSource source;
  std::string json_out, question;
  std::string represent = "central";  ///< how representatives are chosen: central | reranker
  int show = 3;
  bool short_posts = false;
  size_t per_topic = 5;
  SearchModelArgs models;  ///< -e: the embedding path; -r: ranks each topic for --question
  TopicOptions options;
};

/// Each document's embedding (a zero row for a document without text).
Status EmbedAll(Embedder& embedder, const std::vector<Document>& docs, std::vector<float>* rows) {
  std::vector<std::string> texts;
  std::vector<size_t> which;
  for (size_t i = 0; i < docs.size(); ++i) {
    std::string t = SearchText(docs[i]);
    if (t.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    texts.push_back(std::move(t));
    which.push_back(i);
  }
  if (texts.empty()) return Status::InvalidArgument("no document has text to embed");
  ProgressBar bar("embed");
  std::vector<float> out;
  LITRANK_RETURN_IF_ERROR(embedder.EmbedDocuments(texts, EmbedOptions{}, &out, nullptr,
                                                  [&](size_t done) { bar.Update(done, texts.size()); }));
  bar.Finish();
  const size_t dims = embedder.width();
  rows->assign(docs.size() * dims, 0.0f);
  for (size_t r = 0; r < which.size(); ++r) {
    std::copy(out.begin() + static_cast<std::ptrdiff_t>(r * dims), out.begin() + static_cast<std::ptrdiff_t>((r + 1) * dims),
              rows->begin() + static_cast<std::ptrdiff_t>(which[r] * dims));
  }
  return Status::Ok();
}

/// The question's score for every document: the reranker's P(yes) when given,
/// else BM25 (stems) over the set.
StatusOr<std::vector<double>> QuestionScores(const std::vector<Document>& docs, const std::string& question,
                                             Reranker* reranker) {
  std::vector<std::string> texts;
  for (const Document& d : docs) texts.push_back(SearchText(d));
  std::vector<double> scores(docs.size(), 0.0);
  if (reranker != nullptr) {
    std::vector<std::string> with_text;
    std::vector<size_t> which;
    for (size_t i = 0; i < texts.size(); ++i) {
      if (texts[i].find_first_not_of(" \t\r\n") == std::string::npos) continue;
      with_text.push_back(texts[i]);
      which.push_back(i);
    }
    RerankOptions ro;
    ProgressBar bar("rerank");
    ro.on_progress = [&](size_t done, size_t total) { bar.Update(done, total); };
    RerankResult result;
    LITRANK_RETURN_IF_ERROR(reranker->Rerank(question, with_text, ro, &result));
    bar.Finish();
    for (const ScoredDocument& d : result.results) scores[which[d.index]] = d.score;
    return scores;
  }
  return Bm25OfQuestion(texts, question);
}

/// Candidates per topic the reranker re-ranks for --represent reranker (the most central).
constexpr int kRepresentativeCandidates = 50;

/// Each topic's representatives re-chosen by the reranker: its most central members
/// (kRepresentativeCandidates, already in topic.representatives) scored against the
/// topic's keywords, the best `keep` kept, best first.
Status RerankRepresentatives(Reranker& reranker, const std::vector<Document>& docs, int keep, TopicModel* model) {
  ProgressBar bar("representatives");
  for (size_t t = 0; t < model->topics.size(); ++t) {
    Topic& topic = model->topics[t];
    bar.Update(t, model->topics.size());
    std::vector<std::string> texts;
    for (size_t m : topic.representatives) texts.push_back(SearchText(docs[m]));
    if (texts.empty()) continue;
    std::string keywords;
    for (size_t i = 0; i < topic.keywords.size() && i < 8; ++i) keywords += (i ? ", " : "") + topic.keywords[i];
    RerankOptions ro;
    ro.instruction = "Given the keywords of a research topic, judge whether the document is a typical paper of this topic";
    RerankResult result;
    LITRANK_RETURN_IF_ERROR(reranker.Rerank(keywords.empty() ? topic.label : keywords, texts, ro, &result));
    std::vector<size_t> best;
    for (const ScoredDocument& d : result.results) {  // best first
      if (static_cast<int>(best.size()) == keep) break;
      best.push_back(topic.representatives[d.index]);
    }
    topic.representatives = std::move(best);
  }
  bar.Finish();
  return Status::Ok();
}

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
  if (a.short_posts) {
    for (Document& d : docs) d.title = CleanPost(d.title), d.abstract = CleanPost(d.abstract);
  }
  std::unique_ptr<Reranker> reranker;
  std::unique_ptr<Embedder> embedder;
  SearchModelArgs models = a.models;
  // Models only from flags (an environment default would switch the path silently);
  // the reranker only ranks for a question.
  models.no_dense = a.models.embedder.empty();
  const bool by_reranker = a.represent == "reranker";
  if (by_reranker && a.models.reranker.empty()) {
    return Fail(Status::InvalidArgument("--represent reranker needs a reranker (-r)"));
  }
  models.no_rerank = a.models.reranker.empty() || (a.question.empty() && !by_reranker);
  if (int rc = OpenSearchModels(models, &reranker, &embedder); rc != kExitOk) return rc;
  const auto start = std::chrono::steady_clock::now();
  StatusOr<TopicModel> model = Status::Internal("unset");
  TopicOptions options = a.options;
  if (by_reranker) options.representatives = std::max(options.representatives, kRepresentativeCandidates);
  if (embedder) {
    std::vector<float> rows;
    if (Status st = EmbedAll(*embedder, docs, &rows); !st.ok()) return Fail(st, /*model_related=*/true);
    model = FindTopicsFromEmbeddings(docs, rows, embedder->width(), options);
  } else {
    model = FindTopics(docs, options);
  }
  if (!model.ok()) return Fail(model.status());
  if (by_reranker) {
    if (Status st = RerankRepresentatives(*reranker, docs, a.options.representatives, &*model); !st.ok()) {
      return Fail(st, /*model_related=*/true);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  PrintTable(*model, docs, a.show);
  // Within each topic, the documents that answer the question best.
  nlohmann::json ranked = nlohmann::json::array();
  if (!a.question.empty()) {
    StatusOr<std::vector<double>> scores = QuestionScores(docs, a.question, reranker.get());
    if (!scores.ok()) return Fail(scores.status(), reranker != nullptr);
    std::printf("\nbest per topic for: %s (%s)\n", a.question.c_str(), reranker ? "reranker P(yes)" : "BM25");
    for (const Topic& t : model->topics) {
      std::vector<size_t> members = t.members;
      std::stable_sort(members.begin(), members.end(), [&](size_t x, size_t y) { return (*scores)[x] > (*scores)[y]; });
      members.resize(std::min(members.size(), a.per_topic));
      nlohmann::json list = nlohmann::json::array();
      std::printf("topic %d (%s):\n", t.id, t.label.c_str());
      for (size_t m : members) {
        list.push_back({{"index", m}, {"id", ids[m]}, {"score", (*scores)[m]}, {"title", report::DisplayTitle(docs[m])}});
        std::printf("  %.4f  %s\n", (*scores)[m], report::DisplayTitle(docs[m], 100).c_str());
      }
      ranked.push_back({{"topic", t.id}, {"documents", list}});
    }
  }
  if (!a.json_out.empty()) {
    std::ofstream out(a.json_out, std::ios::binary | std::ios::trunc);
    nlohmann::json j = report::TopicsJson(*model, docs, ids);
    j["seconds"] = seconds;
    j["path"] = embedder ? "embeddings: kNN graph + Leiden" : "lexical: TF-IDF, LSA, k-means";
    j["representatives_by"] = by_reranker ? "reranker (the 50 most central, against the topic's keywords)" : "centrality";
    if (!a.question.empty()) {
      j["question"] = a.question;
      j["ranked_by"] = reranker ? "reranker" : "bm25";
      j["ranked"] = ranked;
    }
    out << j.dump(1) << "\n";
    if (!out.flush()) return Fail(Status::IOError("cannot write " + a.json_out));
  }
  return kExitOk;
}

}  // namespace

void AddClusterCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<ClusterArgs>();
  auto* cmd = app.add_subcommand("cluster",
      "Topics of a collection or a documents file: TF-IDF, LSA and k-means (no model), or with -e a kNN graph\n"
      "of the embeddings and Leiden; c-TF-IDF keywords, the most central documents and the year span of each\n"
      "topic; with -q, each topic's documents ranked for a question (BM25, or the reranker with -r).");
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
  cmd->add_option("-e,--embedder", a->models.embedder,
                  "Embedding GGUF: topics from a kNN graph of the embeddings and Leiden (no default: the lexical path)");
  cmd->add_option("--neighbours", a->options.neighbours, "kNN graph: neighbours per document")
      ->check(CLI::Range(1, 200))->capture_default_str();
  cmd->add_option("--resolution", a->options.resolution, "Leiden resolution when k is chosen (higher: more topics)")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_flag("--short", a->short_posts,
                "Short posts (tweets, Weibo): drop links and RT, turn #CamelCaseTags and @handles into words");
  cmd->add_option("-q,--question", a->question, "Rank each topic's documents for this question (BM25, or -r)");
  cmd->add_option("-r,--reranker", a->models.reranker,
                  "Reranker GGUF that ranks each topic for --question, and picks representatives with --represent reranker");
  cmd->add_option("--represent", a->represent,
                  "Representatives: central (closest to the topic's centre) or reranker (of the 50 most central, "
                  "the reranker's best against the topic's keywords; needs -r)")
      ->check(CLI::IsMember({"central", "reranker"}))->capture_default_str();
  cmd->add_option("--per-topic", a->per_topic, "Documents listed per topic for --question")->capture_default_str();
  cmd->add_option("--threads", a->models.threads, "CPU threads for the models (0 = all)")->capture_default_str();
  cmd->add_option("--json", a->json_out,
                  "Write topics and `assignments`, every document's topic in input order (-1: no usable text), as JSON");
  cmd->footer(
      "\nExamples:\n"
      "  litrank cluster --db papers.db\n"
      "  litrank cluster --docs posts.txt --k 20 --json topics.json\n"
      "  litrank cluster --docs papers.jsonl --doc-format jsonl --column abstract --k 8\n"
      "  litrank cluster --docs posts.jsonl --column text --short -e embedding.gguf -q \"vaccine side effects\" -r reranker.gguf\n");
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace litrank::cli

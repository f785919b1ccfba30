// The embedding path of topics (kNN graph + Leiden) on constructed embeddings
// whose clusters are known, short-post cleaning, and the cluster CLI's model
// paths end to end on random weights.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <nlohmann/json.hpp>

#include "litrank/topics.h"
#include "process_util.h"
#include "synth_fixture.h"
#include "text/posts.h"

namespace litrank {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kDims = 16;

/// `per` documents around each of `clusters` orthogonal directions (basis
/// vectors e_0, e_1, ...), with seeded noise of 0.15 per coordinate: within a
/// cluster cosines are near 1, across clusters near 0. Document i belongs to
/// cluster i / per. Texts carry the cluster's word so keywords can name it.
void Blobs(size_t clusters, size_t per, std::vector<Document>* docs, std::vector<float>* rows) {
  const std::vector<std::string> words = {"battery", "wheat", "ranking", "glacier", "violin"};
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 0.15f);
  for (size_t c = 0; c < clusters; ++c) {
    for (size_t i = 0; i < per; ++i) {
      Document d;
      d.abstract = words[c] + " study " + words[c] + " results";
      d.year = 2000 + static_cast<int>(i);
      docs->push_back(d);
      for (uint32_t k = 0; k < kDims; ++k) rows->push_back((k == c ? 1.0f : 0.0f) + noise(rng));
    }
  }
}

/// Whether the partition puts documents together exactly when their blobs match.
void ExpectBlobsRecovered(const TopicModel& m, size_t per) {
  for (size_t i = 0; i < m.topic_of.size(); ++i) {
    for (size_t j = 0; j < m.topic_of.size(); ++j) {
      EXPECT_EQ(m.topic_of[i] == m.topic_of[j], i / per == j / per) << i << " " << j;
    }
  }
}

TEST(FindTopicsFromEmbeddings, RecoversSeparatedClustersWithTheirWords) {
  std::vector<Document> docs;
  std::vector<float> rows;
  Blobs(3, 30, &docs, &rows);
  TopicOptions o;
  o.k = 3;
  StatusOr<TopicModel> m = FindTopicsFromEmbeddings(docs, rows, kDims, o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->k, 3);
  EXPECT_FALSE(m->k_chosen);
  ExpectBlobsRecovered(*m, 30);
  for (const Topic& t : m->topics) {
    EXPECT_EQ(t.members.size(), 30u);
    ASSERT_FALSE(t.keywords.empty());
    const size_t blob = t.members.front() / 30;
    EXPECT_EQ(t.keywords[0], std::vector<std::string>({"battery", "wheat", "ranking"})[blob]);
    EXPECT_EQ(t.representatives.size(), 3u);
    EXPECT_EQ(t.year_min, 2000);
    EXPECT_EQ(t.year_max, 2029);
  }
  EXPECT_GT(m->silhouette, 0.3);  // a random partition of these rows scores about 0

  // Chosen: modularity finds the same three.
  o.k = 0;
  m = FindTopicsFromEmbeddings(docs, rows, kDims, o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->k_chosen);
  EXPECT_EQ(m->k, 3);
  ExpectBlobsRecovered(*m, 30);
}

TEST(FindTopicsFromEmbeddings, FewerTopicsThanClustersMergeWholeClusters) {
  std::vector<Document> docs;
  std::vector<float> rows;
  Blobs(4, 20, &docs, &rows);
  TopicOptions o;
  o.k = 2;
  StatusOr<TopicModel> m = FindTopicsFromEmbeddings(docs, rows, kDims, o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->k, 2);
  // Every blob stays whole inside one topic.
  for (size_t i = 0; i < docs.size(); ++i) EXPECT_EQ(m->topic_of[i], m->topic_of[(i / 20) * 20]) << i;
  std::set<int> used(m->topic_of.begin(), m->topic_of.end());
  EXPECT_EQ(used.size(), 2u);
}

TEST(FindTopicsFromEmbeddings, ZeroRowsGetNoTopicAndBadInputIsRefused) {
  std::vector<Document> docs;
  std::vector<float> rows;
  Blobs(2, 10, &docs, &rows);
  for (uint32_t k = 0; k < kDims; ++k) rows[5 * kDims + k] = 0;  // document 5: no embedding
  TopicOptions o;
  o.k = 2;
  StatusOr<TopicModel> m = FindTopicsFromEmbeddings(docs, rows, kDims, o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->topic_of[5], -1);
  size_t placed = 0;
  for (const Topic& t : m->topics) placed += t.members.size();
  EXPECT_EQ(placed, 19u);

  EXPECT_EQ(FindTopicsFromEmbeddings({}, {}, kDims, o).status().code(), Status::Code::kInvalidArgument);
  std::vector<float> short_rows(rows.begin(), rows.end() - 1);
  EXPECT_EQ(FindTopicsFromEmbeddings(docs, short_rows, kDims, o).status().code(), Status::Code::kInvalidArgument);
  TopicOptions too_many = o;
  too_many.k = 50;
  EXPECT_EQ(FindTopicsFromEmbeddings(docs, rows, kDims, too_many).status().code(), Status::Code::kInvalidArgument);
  TopicOptions bad_resolution = o;
  bad_resolution.resolution = 0;
  EXPECT_EQ(FindTopicsFromEmbeddings(docs, rows, kDims, bad_resolution).status().code(),
            Status::Code::kInvalidArgument);
  TopicOptions bad_neighbours = o;
  bad_neighbours.neighbours = 0;
  EXPECT_EQ(FindTopicsFromEmbeddings(docs, rows, kDims, bad_neighbours).status().code(),
            Status::Code::kInvalidArgument);
}

TEST(CleanPost, DropsLinksAndRetweetMarksAndSplitsTags) {
  EXPECT_EQ(CleanPost("RT @OpTic: watch https://t.co/x1 now #CallOfDuty"), " Op Tic: watch  now Call Of Duty");
  EXPECT_EQ(CleanPost("cats &amp; dogs www.example.com"), "cats & dogs ");
  EXPECT_EQ(CleanPost("#HTMLParser and #covid19 and @user_name"), "HTML Parser and covid 19 and user name");
  EXPECT_EQ(CleanPost("email me at a@b and ART is not RT"), "email me at a b and ART is not ");
  // Other scripts pass through untouched; a CJK tag loses only its sign.
  EXPECT_EQ(CleanPost("今日は #東京 で会議"), "今日は 東京 で会議");
  EXPECT_EQ(CleanPost(""), "");
  EXPECT_EQ(CleanPost("#"), "#");
  EXPECT_EQ(CleanPost("&amp"), "&amp");
}

class ClusterModelCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / "cluster_model_cli";
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream f(dir_ / "posts.jsonl");
    const std::vector<std::string> posts = {
        "Battery anode capacity after fast charging #EnergyStorage", "Lithium electrode capacity fades @labnews",
        "Charging lithium battery cells https://t.co/abc", "Wheat harvest after nitrogen fertilizer #Farming",
        "Soil nitrogen and wheat irrigation", "Irrigation raises the wheat harvest",
        "",  // an empty post: no topic
        "Battery electrode anode study"};
    for (const std::string& p : posts) f << nlohmann::json{{"text", p}}.dump() << "\n";
  }
  nlohmann::json Json() {
    std::ifstream in(dir_ / "out.json");
    return nlohmann::json::parse(in);
  }
  fs::path dir_;
};

TEST_F(ClusterModelCli, EmbeddingPathAndQuestionRankingRunEndToEnd) {
  const std::string base = std::string(LITRANK_BINARY) + " cluster --docs " + (dir_ / "posts.jsonl").string() +
                           " --column text --short --json " + (dir_ / "out.json").string();
  testing::CommandResult r = testing::RunCommand(
      base + " -k 2 -e " + testing::TinyModel("embedding") + " -q 'lithium battery' -r " +
          testing::TinyModel("reranker") + " --per-topic 2", true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json j = Json();
  EXPECT_EQ(j["path"], "embeddings: kNN graph + Leiden");
  ASSERT_EQ(j["assignments"].size(), 8u);
  EXPECT_EQ(j["assignments"][6], -1);  // the empty post
  EXPECT_EQ(j["topics"].size(), 2u);
  EXPECT_EQ(j["ranked_by"], "reranker");
  ASSERT_EQ(j["ranked"].size(), 2u);
  for (const auto& t : j["ranked"]) {
    ASSERT_FALSE(t["documents"].empty());
    EXPECT_LE(t["documents"].size(), 2u);
    double last = 2;
    for (const auto& d : t["documents"]) {
      EXPECT_LE(d["score"].get<double>(), last);  // best first
      last = d["score"].get<double>();
      EXPECT_GE(last, 0.0);
      EXPECT_LE(last, 1.0);
      EXPECT_EQ(j["assignments"][d["index"].get<size_t>()], t["topic"]);  // only the topic's own documents
    }
  }
}

// --represent reranker: each topic's representatives are its own members, as many as
// asked, chosen by the reranker; without -r it is refused.
TEST_F(ClusterModelCli, RepresentativesChosenByTheReranker) {
  const std::string base = std::string(LITRANK_BINARY) + " cluster --docs " + (dir_ / "posts.jsonl").string() +
                           " --column text --short -k 2 --min-df 1 --representatives 2 --json " + (dir_ / "out.json").string();
  testing::CommandResult r = testing::RunCommand(base + " --represent reranker -r " + testing::TinyModel("reranker"), true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json j = Json();
  EXPECT_EQ(j["representatives_by"].get<std::string>().rfind("reranker", 0), 0u) << j["representatives_by"];
  ASSERT_EQ(j["topics"].size(), 2u);
  for (const auto& t : j["topics"]) {
    EXPECT_EQ(t["representatives"].size(), std::min<size_t>(2, t["size"].get<size_t>())) << t.dump();
    for (const auto& rep : t["representatives"]) EXPECT_EQ(j["assignments"][rep["index"].get<size_t>()], t["id"]);
  }
  testing::CommandResult refused = testing::RunCommand(base + " --represent reranker", true);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("needs a reranker"), std::string::npos) << refused.output;
  ASSERT_EQ(testing::RunCommand(base, true).exit_code, 0);
  EXPECT_EQ(Json()["representatives_by"], "centrality");
}

// Without models: the lexical path, and BM25 ranks each topic for the question:
// the battery topic's best match for "lithium battery" holds both words.
TEST_F(ClusterModelCli, LexicalPathRanksTopicsByBm25) {
  testing::CommandResult r = testing::RunCommand(
      std::string(LITRANK_BINARY) + " cluster --docs " + (dir_ / "posts.jsonl").string() + " --column text --short -k 2 " +
          "--min-df 1 -q 'lithium battery' --json " + (dir_ / "out.json").string(), true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json j = Json();
  EXPECT_EQ(j["path"], "lexical: TF-IDF, LSA, k-means");
  EXPECT_EQ(j["ranked_by"], "bm25");
  bool found = false;
  for (const auto& t : j["ranked"]) {
    const std::string best = t["documents"][0]["title"];
    if (best.find("Lithium") != std::string::npos || best.find("lithium") != std::string::npos) {
      found = true;
      EXPECT_NE(best.find("attery"), std::string::npos) << best;
    }
  }
  EXPECT_TRUE(found) << j["ranked"].dump();
}

}  // namespace
}  // namespace litrank

// Topics (`litrank cluster`): clustering metrics against hand-computed values,
// LSA and k-means against constructed data, FindTopics and the CLI on corpora
// whose topics are known by construction.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <nlohmann/json.hpp>

#include "analysis/kmeans.h"
#include "analysis/lsa.h"
#include "eval/cluster_metrics.h"
#include "litrank/corpus.h"
#include "litrank/screening.h"
#include "litrank/topics.h"
#include "process_util.h"
#include "text/tfidf.h"

namespace litrank {
namespace {

// ---- metrics ---------------------------------------------------------------

TEST(ClusterMetrics, NmiOfKnownPartitions) {
  // Same partition under other names: 1.
  EXPECT_NEAR(NormalizedMutualInformation({"a", "a", "b", "b"}, {1, 1, 0, 0}), 1.0, 1e-12);
  // Independent: MI = 0.
  EXPECT_NEAR(NormalizedMutualInformation({"a", "a", "b", "b"}, {0, 1, 0, 1}), 0.0, 1e-12);
  // A refinement: MI = H(gold) = ln 2, H(pred) = 1.5 ln 2, NMI = ln2 / 1.25 ln2 = 0.8.
  EXPECT_NEAR(NormalizedMutualInformation({"a", "a", "b", "b"}, {0, 0, 1, 2}), 0.8, 1e-12);
  EXPECT_EQ(NormalizedMutualInformation({}, {}), 0.0);
  EXPECT_EQ(NormalizedMutualInformation({"a"}, {0, 1}), 0.0);
}

TEST(ClusterMetrics, AccuracyUsesTheBestOneToOneMapping) {
  // Clusters 1→x, 0→y, 2→z: five of six right (the 0 in z's place is wrong).
  EXPECT_NEAR(ClusteringAccuracy({"x", "x", "y", "y", "z", "z"}, {1, 1, 0, 0, 0, 2}), 5.0 / 6, 1e-12);
  // More clusters than classes: the extra cluster matches nothing.
  EXPECT_NEAR(ClusteringAccuracy({"x", "x", "x", "y"}, {0, 0, 1, 2}), 3.0 / 4, 1e-12);
  // One cluster for two classes: only the larger class counts.
  EXPECT_NEAR(ClusteringAccuracy({"x", "x", "x", "y"}, {0, 0, 0, 0}), 3.0 / 4, 1e-12);
}

// ---- LSA and k-means -------------------------------------------------------

SparseRows FromDense(const std::vector<std::vector<float>>& rows) {
  SparseRows x;
  x.dims = static_cast<uint32_t>(rows.empty() ? 0 : rows[0].size());
  for (const auto& r : rows) {
    for (uint32_t c = 0; c < r.size(); ++c) {
      if (r[c] != 0) x.cols.push_back(c), x.vals.push_back(r[c]);
    }
    x.offsets.push_back(x.cols.size());
  }
  return x;
}

TEST(Lsa, ColumnsCarryTheSingularValues) {
  // Singular values of this matrix are 5, 3 and 1 (orthogonal rows and columns).
  const SparseRows x = FromDense({{0, 5, 0}, {0, 0, 0}, {3, 0, 0}, {0, 0, 1}});
  const analysis::DenseRows z = analysis::TruncatedSvd(x, 2, 7);
  ASSERT_EQ(z.rows(), 4);
  ASSERT_EQ(z.cols(), 2);
  EXPECT_NEAR(z.col(0).norm(), 5.0, 1e-4);
  EXPECT_NEAR(z.col(1).norm(), 3.0, 1e-4);
  // The row of the 5 holds all of the first component, the row of the 1 nothing.
  EXPECT_NEAR(std::abs(z(0, 0)), 5.0, 1e-4);
  EXPECT_NEAR(z.row(3).norm(), 0.0, 1e-4);
}

TEST(Lsa, FullRankProjectionKeepsAllInnerProducts) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<float> u(0, 1);
  std::vector<std::vector<float>> rows(30, std::vector<float>(12, 0));
  for (auto& r : rows) {
    for (float& v : r) v = u(rng) < 0.3 ? u(rng) : 0;
  }
  const SparseRows x = FromDense(rows);
  const analysis::DenseRows z = analysis::TruncatedSvd(x, 12, 1);  // rank <= 12: nothing is lost
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < rows.size(); ++j) {
      double dot = 0;
      for (size_t c = 0; c < 12; ++c) dot += rows[i][c] * rows[j][c];
      EXPECT_NEAR(z.row(static_cast<Eigen::Index>(i)).dot(z.row(static_cast<Eigen::Index>(j))), dot, 1e-4);
    }
  }
  EXPECT_EQ(analysis::TruncatedSvd(x, 50, 1).cols(), 12);  // clamped to the columns
  EXPECT_EQ(analysis::TruncatedSvd(SparseRows{}, 5, 1).cols(), 0);
}

TEST(KMeans, RecoversSeparatedBlobs) {
  std::mt19937_64 rng(11);
  std::normal_distribution<float> noise(0, 1);
  const float centres[3][2] = {{0, 0}, {20, 0}, {0, 20}};
  analysis::DenseRows x(300, 2);
  std::vector<std::string> gold;
  for (int i = 0; i < 300; ++i) {
    x(i, 0) = centres[i % 3][0] + noise(rng);
    x(i, 1) = centres[i % 3][1] + noise(rng);
    gold.push_back(std::to_string(i % 3));
  }
  analysis::KMeansOptions o;
  o.k = 3;
  const analysis::KMeansResult r = analysis::KMeans(x, o);
  EXPECT_EQ(NormalizedMutualInformation(gold, r.labels), 1.0);
  // Inertia is about 300 points × 2 unit-variance dimensions.
  EXPECT_GT(r.inertia, 400);
  EXPECT_LT(r.inertia, 800);
  EXPECT_EQ(analysis::KMeans(x, o).labels, r.labels);  // seeded: the same partition again
}

TEST(KMeans, SilhouetteOfTwoTightPairs) {
  analysis::DenseRows x(4, 2);
  x << 0, 0, 0, 1, 10, 0, 10, 1;
  // Each point: a = 1, b = (10 + √101) / 2, s = 1 - a / b.
  const double b = (10 + std::sqrt(101.0)) / 2;
  EXPECT_NEAR(analysis::MeanSilhouette(x, {0, 0, 1, 1}, 2), 1 - 1 / b, 1e-5);
}

// ---- FindTopics ------------------------------------------------------------

struct Corpus3 {
  std::vector<Document> docs;
  std::vector<std::string> gold;
};

const std::vector<std::vector<std::string>> kVocab = {
    {"battery", "lithium", "anode", "cathode", "electrolyte", "charging", "capacity", "voltage"},
    {"protein", "folding", "enzyme", "amino", "molecular", "residue", "binding", "peptide"},
    {"football", "match", "goal", "league", "player", "season", "coach", "stadium"}};

/// 20 documents per topic, interleaved, each with 8 words of its topic and 3
/// words every topic uses; topic t's papers are from 2000 + 5t .. 2000 + 5t + 2.
Corpus3 MakeCorpus(uint64_t seed) {
  const std::vector<std::string> shared = {"study", "results", "method", "analysis", "approach"};
  std::mt19937_64 rng(seed);
  Corpus3 c;
  for (int i = 0; i < 60; ++i) {
    const int t = i % 3;
    std::string text;
    for (int w = 0; w < 8; ++w) text += kVocab[t][rng() % kVocab[t].size()] + " ";
    for (int w = 0; w < 3; ++w) text += shared[rng() % shared.size()] + " ";
    Document d;
    d.id = "d";  // appended, not operator+: GCC 12 -Wrestrict false positive
    d.id += std::to_string(i);
    d.abstract = text;
    d.year = 2000 + 5 * t + static_cast<int>(rng() % 3);
    c.docs.push_back(d);
    c.gold.push_back(std::to_string(t));
  }
  return c;
}

TEST(FindTopics, RecoversConstructedTopicsWithKeywordsAndYears) {
  const Corpus3 c = MakeCorpus(5);
  TopicOptions o;
  o.k = 3;
  StatusOr<TopicModel> m = FindTopics(c.docs, o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->k, 3);
  EXPECT_FALSE(m->k_chosen);
  EXPECT_EQ(NormalizedMutualInformation(c.gold, m->topic_of), 1.0);
  for (const Topic& t : m->topics) {
    ASSERT_EQ(t.members.size(), 20u);
    const int gold = std::stoi(c.gold[t.members[0]]);
    const std::set<std::string> vocab(kVocab[gold].begin(), kVocab[gold].end());
    ASSERT_GE(t.keywords.size(), 3u);
    for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(vocab.count(t.keywords[i])) << t.keywords[i];
    EXPECT_EQ(t.year_min, 2000 + 5 * gold);
    EXPECT_EQ(t.year_max, 2000 + 5 * gold + 2);
    ASSERT_EQ(t.representatives.size(), 3u);
    for (size_t r : t.representatives) EXPECT_EQ(m->topic_of[r], t.id);
    EXPECT_TRUE(std::is_sorted(t.members.begin(), t.members.end()));
  }
  EXPECT_GT(m->silhouette, 0.3);
}

TEST(FindTopics, ChoosesTheTopicCountWhenNotGiven) {
  const Corpus3 c = MakeCorpus(9);
  TopicOptions o;  // k = 0: choose
  o.max_k = 8;
  StatusOr<TopicModel> m = FindTopics(c.docs, o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->k_chosen);
  EXPECT_EQ(m->k, 3);
  EXPECT_EQ(NormalizedMutualInformation(c.gold, m->topic_of), 1.0);
}

TEST(FindTopics, SameSeedSameTopicsAndLargestFirst) {
  Corpus3 c = MakeCorpus(2);
  c.docs.resize(50);  // topics of 17, 17 and 16 documents
  TopicOptions o;
  o.k = 3;
  StatusOr<TopicModel> a = FindTopics(c.docs, o), b = FindTopics(c.docs, o);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->topic_of, b->topic_of);
  EXPECT_EQ(a->topics[0].keywords, b->topics[0].keywords);
  for (size_t i = 1; i < a->topics.size(); ++i) EXPECT_GE(a->topics[i - 1].members.size(), a->topics[i].members.size());
}

TEST(FindTopics, ChineseTextIsSegmented) {
  const std::vector<std::vector<std::string>> vocab = {{"锂离子", "电池", "电解质", "正极", "容量"},
                                                       {"蛋白质", "折叠", "氨基酸", "结构", "突变"}};
  std::mt19937_64 rng(4);
  std::vector<Document> docs;
  std::vector<std::string> gold;
  for (int i = 0; i < 30; ++i) {
    Document d;
    for (int w = 0; w < 6; ++w) d.abstract += vocab[i % 2][rng() % 5];
    d.abstract += "。本文研究了这一问题。";
    docs.push_back(d);
    gold.push_back(std::to_string(i % 2));
  }
  TopicOptions o;
  o.k = 2;
  StatusOr<TopicModel> m = FindTopics(docs, o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(NormalizedMutualInformation(gold, m->topic_of), 1.0);
  for (const Topic& t : m->topics) {
    const int g = std::stoi(gold[t.members[0]]);
    std::string all;
    for (const std::string& w : vocab[g]) all += w;
    ASSERT_FALSE(t.keywords.empty());
    EXPECT_NE(all.find(t.keywords[0]), std::string::npos) << t.keywords[0];  // a word of its own topic
  }
}

TEST(FindTopics, DocumentsWithoutUsableTermsGetNoTopic) {
  Corpus3 c = MakeCorpus(1);
  Document odd;
  odd.abstract = "xylophonequartz";  // in one document only: dropped by min_df = 2
  c.docs.insert(c.docs.begin() + 7, odd);
  TopicOptions o;
  o.k = 3;
  StatusOr<TopicModel> m = FindTopics(c.docs, o);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->topic_of.size(), 61u);
  EXPECT_EQ(m->topic_of[7], -1);
  size_t placed = 0;
  for (const Topic& t : m->topics) placed += t.members.size();
  EXPECT_EQ(placed, 60u);
}

TEST(FindTopics, BadRequestsAreClearErrors) {
  const Corpus3 c = MakeCorpus(1);
  TopicOptions o;
  EXPECT_EQ(FindTopics({}, o).status().code(), Status::Code::kInvalidArgument);
  o.k = -1;
  EXPECT_EQ(FindTopics(c.docs, o).status().code(), Status::Code::kInvalidArgument);
  o.k = 61;  // more topics than documents
  EXPECT_EQ(FindTopics(c.docs, o).status().code(), Status::Code::kInvalidArgument);
  o.k = 1 << 30;
  EXPECT_EQ(FindTopics(c.docs, o).status().code(), Status::Code::kInvalidArgument);
  o.k = 3;
  o.dims = 0;
  EXPECT_EQ(FindTopics(c.docs, o).status().code(), Status::Code::kInvalidArgument);
  o.dims = 100;
  Document lone;
  lone.abstract = "word";
  EXPECT_EQ(FindTopics({lone, lone}, o).status().code(), Status::Code::kInvalidArgument);  // k > usable
  o.k = 1;
  EXPECT_TRUE(FindTopics({lone, lone}, o).ok());  // one topic of two identical documents is fine
}

TEST(KMeans, SphericalRefinementMovesARowToItsNearestCentre) {
  // Rows e1, e1, e2, e2 labelled 0, 0, 0, 1: centre 0 = (2, 1)/√5, centre 1 = e2.
  // Row 2 (e2) has cosine 1/√5 with centre 0 and 1 with centre 1, so it moves;
  // after that nothing moves: one round changed something.
  SparseRows x;
  x.dims = 2;
  for (uint32_t col : {0u, 0u, 1u, 1u}) {
    x.cols.push_back(col);
    x.vals.push_back(1.0f);
    x.offsets.push_back(x.cols.size());
  }
  std::vector<int> labels = {0, 0, 0, 1};
  EXPECT_EQ(analysis::RefineSpherical(x, 2, 10, &labels), 1);
  EXPECT_EQ(labels, (std::vector<int>{0, 0, 1, 1}));
  // Rows labelled -1 (no usable terms) are left alone; the rest still settle.
  labels = {0, -1, 0, 1};
  analysis::RefineSpherical(x, 2, 10, &labels);
  EXPECT_EQ(labels, (std::vector<int>{0, -1, 1, 1}));
}

TEST(TopicTerms, GeneralStopListDropsQuestionWordsOnlyWhenAsked) {
  TextTermOptions o;
  auto narrow = AnalyzeTexts({"How do I get the protein folding results"}, o);
  ASSERT_TRUE(narrow.ok());
  EXPECT_NE(std::find((*narrow)[0].begin(), (*narrow)[0].end(), "how"), (*narrow)[0].end());
  o.broad_stopwords = true;
  auto broad = AnalyzeTexts({"How do I get the protein folding results"}, o);
  ASSERT_TRUE(broad.ok());
  EXPECT_EQ((*broad)[0], (std::vector<std::string>{"protein", "folding", "results"}));
}

// ---- CLI -------------------------------------------------------------------

class ClusterCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("litrank_cluster_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    corpus_ = MakeCorpus(21);
    std::ofstream out(dir_ / "docs.jsonl");
    for (const Document& d : corpus_.docs) {
      out << nlohmann::json{{"id", d.id}, {"title", ""}, {"abstract", d.abstract}, {"year", d.year}}.dump() << "\n";
    }
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const char* name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
  Corpus3 corpus_;
};

TEST_F(ClusterCli, JsonListsEveryDocumentInInputOrder) {
  // The command-line contract: --doc-format, --k, --json with `assignments`
  // (one integer per input document, input order) and topics {id, label, size}.
  const auto r = testing::RunCommand(std::string(LITRANK_BINARY) + " cluster --docs " + Path("docs.jsonl") +
                                     " --doc-format jsonl --k 3 --json " + Path("out.json"), true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(Path("out.json"));
  const nlohmann::json j = nlohmann::json::parse(in);
  ASSERT_EQ(j["assignments"].size(), 60u);
  ASSERT_EQ(j["ids"].size(), 60u);
  std::vector<int> topic_of;
  for (size_t i = 0; i < 60; ++i) {
    EXPECT_EQ(j["ids"][i], corpus_.docs[i].id);
    ASSERT_TRUE(j["assignments"][i].is_number_integer());
    topic_of.push_back(j["assignments"][i].get<int>());
  }
  EXPECT_EQ(NormalizedMutualInformation(corpus_.gold, topic_of), 1.0);
  ASSERT_EQ(j["topics"].size(), 3u);
  std::set<int> ids;
  for (const auto& t : j["topics"]) {
    ids.insert(t["id"].get<int>());
    EXPECT_EQ(t["size"], 20);
    EXPECT_FALSE(t["label"].get<std::string>().empty());
    EXPECT_EQ(t["representatives"].size(), 3u);
  }
  EXPECT_EQ(ids, (std::set<int>{0, 1, 2}));  // the ids assignments use
  EXPECT_NE(r.output.find("3 topics"), std::string::npos) << r.output;
}

TEST_F(ClusterCli, LinesFileKeepsBlankLinesSoAssignmentsMatchLineNumbers) {
  // Line i of the file is assignments[i], blank lines included (topic -1).
  std::ofstream out(Path("posts.txt"));
  for (size_t i = 0; i < corpus_.docs.size(); ++i) {
    out << corpus_.docs[i].abstract << "\n";
    if (i == 9) out << "\n";           // line 11 is blank
  }
  out << "   \n";                        // so is the last
  out.close();
  const auto r = testing::RunCommand(std::string(LITRANK_BINARY) + " cluster --docs " + Path("posts.txt") +
                                     " --doc-format lines --k 3 --json " + Path("out.json"), true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(Path("out.json"));
  const nlohmann::json j = nlohmann::json::parse(in);
  ASSERT_EQ(j["assignments"].size(), 62u);
  EXPECT_EQ(j["assignments"][10], -1);
  EXPECT_EQ(j["assignments"][61], -1);
  std::vector<int> topic_of;
  for (size_t line = 0; line < 62; ++line) {
    if (line != 10 && line != 61) topic_of.push_back(j["assignments"][line].get<int>());
  }
  EXPECT_EQ(NormalizedMutualInformation(corpus_.gold, topic_of), 1.0);
}

TEST_F(ClusterCli, ColumnNamesTheTextField) {
  // The topic words sit in "body"; "abstract" holds words every document shares,
  // so clustering the default text would not find the three topics.
  std::ofstream out(Path("fields.jsonl"));
  for (size_t i = 0; i < corpus_.docs.size(); ++i) {
    out << nlohmann::json{{"abstract", i % 2 ? "alpha beta" : "beta gamma"}, {"body", corpus_.docs[i].abstract}}.dump()
        << "\n";
  }
  out.close();
  auto r = testing::RunCommand(std::string(LITRANK_BINARY) + " cluster --docs " + Path("fields.jsonl") +
                               " --doc-format jsonl --column body --k 3 --json " + Path("out.json"), true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(Path("out.json"));
  const nlohmann::json j = nlohmann::json::parse(in);
  ASSERT_EQ(j["assignments"].size(), 60u);
  EXPECT_EQ(NormalizedMutualInformation(corpus_.gold, j["assignments"].get<std::vector<int>>()), 1.0);
  r = testing::RunCommand(std::string(LITRANK_BINARY) + " cluster --docs " + Path("fields.jsonl") +
                          " --doc-format jsonl --column nosuch --k 3", true);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("in field 'nosuch'"), std::string::npos) << r.output;
}

TEST_F(ClusterCli, ClustersACollection) {
  auto r = testing::RunCommand(std::string(LITRANK_BINARY) + " ingest --db " + Path("c.db") + " " + Path("docs.jsonl"), true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = testing::RunCommand(std::string(LITRANK_BINARY) + " cluster --db " + Path("c.db") + " -k 3 --json " + Path("out.json"), true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(Path("out.json"));
  const nlohmann::json j = nlohmann::json::parse(in);
  ASSERT_EQ(j["assignments"].size(), 60u);
  std::map<std::string, int> by_id;
  for (size_t i = 0; i < 60; ++i) by_id[j["ids"][i].get<std::string>()] = j["assignments"][i].get<int>();
  std::vector<int> topic_of;
  for (const Document& d : corpus_.docs) topic_of.push_back(by_id.at(d.id));
  EXPECT_EQ(NormalizedMutualInformation(corpus_.gold, topic_of), 1.0);
}

// --project: only the records a screening project included, in screening order.
TEST_F(ClusterCli, ProjectSelectsTheIncludedRecords) {
  auto r = testing::RunCommand(std::string(LITRANK_BINARY) + " ingest --db " + Path("c.db") + " " + Path("docs.jsonl"), true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::set<std::string> included;
  {
    auto project = ScreeningProject::Create(Path("c.db"), "p", ScreeningSettings{"battery question", "", {}}, nullptr);
    ASSERT_TRUE(project.ok()) << project.status().ToString();
    auto corpus = Corpus::Open(Path("c.db"), false);
    ASSERT_TRUE(corpus.ok());
    std::vector<int64_t> rowids;
    ASSERT_TRUE((*corpus)->FilterRowids(DocumentFilter{}, &rowids).ok());
    std::vector<StoredDocument> stored;
    ASSERT_TRUE((*corpus)->GetMany(rowids, &stored).ok());
    for (size_t i = 0; i < stored.size(); ++i) {
      // Every third record included, the next one excluded, the rest unscreened.
      if (i % 3 == 0) {
        ASSERT_TRUE((*project)->Label(stored[i].rowid, ScreenDecision::kInclude, "test").ok());
        included.insert(stored[i].doc.id);
      } else if (i % 3 == 1) {
        ASSERT_TRUE((*project)->Label(stored[i].rowid, ScreenDecision::kExclude, "test").ok());
      }
    }
  }
  r = testing::RunCommand(std::string(LITRANK_BINARY) + " cluster --db " + Path("c.db") +
                          " --project p -k 3 --json " + Path("out.json"), true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(Path("out.json"));
  const nlohmann::json j = nlohmann::json::parse(in);
  ASSERT_EQ(j["assignments"].size(), included.size());
  std::set<std::string> ids;
  for (const auto& id : j["ids"]) ids.insert(id.get<std::string>());
  EXPECT_EQ(ids, included);

  r = testing::RunCommand(std::string(LITRANK_BINARY) + " cluster --db " + Path("c.db") + " --project nope -k 2", true);
  EXPECT_NE(r.exit_code, 0) << r.output;
  r = testing::RunCommand(std::string(LITRANK_BINARY) + " cluster --docs " + Path("docs.jsonl") + " --project p -k 2", true);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("--project"), std::string::npos) << r.output;
}

TEST_F(ClusterCli, BadInputIsAClearError) {
  const std::string bin = LITRANK_BINARY;
  auto r = testing::RunCommand(bin + " cluster --docs " + Path("docs.jsonl") + " -k 500", true);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("ask for fewer topics"), std::string::npos) << r.output;
  r = testing::RunCommand(bin + " cluster --docs " + Path("missing.jsonl"), true);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  r = testing::RunCommand(bin + " cluster --docs " + Path("docs.jsonl") + " -k -2", true);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = testing::RunCommand(bin + " cluster --docs " + Path("docs.jsonl") + " --db " + Path("c.db"), true);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  std::ofstream(Path("empty.jsonl")).close();
  r = testing::RunCommand(bin + " cluster --docs " + Path("empty.jsonl"), true);
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("litrank: error:"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace litrank

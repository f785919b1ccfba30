// Trends: Kleinberg bursts (hand-derived weights, planted bursts), the topic
// status rule, and the `litrank trends` command-line contract.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <nlohmann/json.hpp>

#include "litrank/trends.h"
#include "process_util.h"

namespace litrank {
namespace {

TEST(Bursts, OneHeavyYearIsABurstWithKleinbergsWeight) {
  // 10 documents a year for 4 years, the term in all 10 of year 2: p0 = 10/40 =
  // 0.25, p1 = 0.5. Year 2 costs 10·ln4 = 13.86 at p0 and 10·ln2 = 6.93 at p1;
  // the other years cost 10·ln(4/3) = 2.88 at p0 and 6.93 at p1; entering costs
  // ln 4 = 1.39 < 6.93, so year 2 alone is the burst, weight 10·ln2.
  BurstOptions o;
  o.min_strength = 0;
  const auto bursts = DetectBursts("crispr", 2000, {0, 0, 10, 0}, {10, 10, 10, 10}, o);
  ASSERT_EQ(bursts.size(), 1u);
  EXPECT_EQ(bursts[0].term, "crispr");
  EXPECT_EQ(bursts[0].start, 2002);
  EXPECT_EQ(bursts[0].end, 2002);
  EXPECT_NEAR(bursts[0].strength, 10 * std::log(2.0), 1e-9);
  EXPECT_EQ(bursts[0].documents, 10u);
  o.min_strength = 7;  // above 6.93: not reported
  EXPECT_TRUE(DetectBursts("crispr", 2000, {0, 0, 10, 0}, {10, 10, 10, 10}, o).empty());
}

TEST(Bursts, EnteringCostCanOutweighAWeakGain) {
  // 1 of 10 in year 1, else 0 of 10: p0 = 1/40, p1 = 1/20. Year 1's gain is
  // ln2 - 9·ln(0.975/0.95) = 0.693 - 0.234 = 0.459 < ln 4: no burst.
  BurstOptions o;
  o.min_strength = 0;
  EXPECT_TRUE(DetectBursts("x", 2000, {0, 1, 0, 0}, {10, 10, 10, 10}, o).empty());
  o.gamma = 0;  // free to enter: the gain alone decides
  const auto bursts = DetectBursts("x", 2000, {0, 1, 0, 0}, {10, 10, 10, 10}, o);
  ASSERT_EQ(bursts.size(), 1u);
  EXPECT_NEAR(bursts[0].strength, std::log(2.0) - 9 * std::log(0.975 / 0.95), 1e-9);
}

TEST(Bursts, DegenerateCountsGiveNoBurst) {
  BurstOptions o;
  EXPECT_TRUE(DetectBursts("t", 2000, {}, {}, o).empty());
  EXPECT_TRUE(DetectBursts("t", 2000, {0, 0}, {5, 5}, o).empty());
  EXPECT_TRUE(DetectBursts("t", 2000, {0, 0}, {0, 0}, o).empty());
  EXPECT_TRUE(DetectBursts("t", 2000, {5, 5}, {5, 5}, o).empty());  // in every document
}

/// 2000..2019, 40 documents a year of background words drawn uniformly; three
/// planted bursts: "crispr" in 35% of 2010..2012, "graphene" in 50% of 2004..2005
/// (keywords), "blockchain" in 40% of 2017..2019; each at 1% elsewhere.
std::vector<Document> PlantedCorpus() {
  const std::vector<std::string> background = {
      "analysis", "model", "patients", "sample", "method", "cohort", "signal", "network", "protein", "cells",
      "trial", "outcome", "measure", "effect", "design", "survey", "dataset", "cluster", "imaging", "therapy"};
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Document> docs;
  for (int year = 2000; year <= 2019; ++year) {
    for (int i = 0; i < 40; ++i) {
      Document d;
      d.year = year;
      std::string text;
      for (int w = 0; w < 8; ++w) text += background[rng() % background.size()] + " ";
      if (u(rng) < (year >= 2010 && year <= 2012 ? 0.35 : 0.01)) text += "crispr ";
      if (u(rng) < (year >= 2017 ? 0.40 : 0.01)) text += "blockchain ";
      if (u(rng) < (year >= 2004 && year <= 2005 ? 0.50 : 0.01)) d.keywords.push_back("Graphene Oxide");
      d.abstract = text;
      docs.push_back(std::move(d));
    }
  }
  return docs;
}

TEST(Trends, FindsEveryPlantedBurstAndNoSpuriousOne) {
  TrendOptions o;  // default strength threshold 3
  StatusOr<Trends> t = FindTrends(PlantedCorpus(), o);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->first_year, 2000);
  EXPECT_EQ(t->last_year, 2019);
  ASSERT_EQ(t->per_year.size(), 20u);
  EXPECT_EQ(t->per_year[0], 40u);
  std::map<std::string, std::pair<int, int>> found;
  for (const Burst& b : t->bursts) found[b.term] = {b.start, b.end};
  EXPECT_EQ(found["crispr"], std::make_pair(2010, 2012));
  EXPECT_EQ(found["blockchain"], std::make_pair(2017, 2019));
  EXPECT_EQ(found["graphene oxide"], std::make_pair(2004, 2005));  // a keyword, case-folded
  EXPECT_EQ(t->bursts.size(), 3u) << "a background word burst above strength 3";
  for (size_t i = 1; i < t->bursts.size(); ++i) EXPECT_GE(t->bursts[i - 1].strength, t->bursts[i].strength);
}

TEST(Trends, CountsMissingYearsAndRefusesAnUndatedSet) {
  std::vector<Document> docs = PlantedCorpus();
  docs[3].year = 0;
  docs[50].year = 0;
  StatusOr<Trends> t = FindTrends(docs, TrendOptions{});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->missing_year, 2u);
  EXPECT_EQ(t->per_year[0], 39u);
  EXPECT_EQ(t->per_year[1], 39u);
  for (Document& d : docs) d.year = 0;
  EXPECT_EQ(FindTrends(docs, TrendOptions{}).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(FindTrends({}, TrendOptions{}).status().code(), Status::Code::kInvalidArgument);
  TrendOptions bad;
  bad.bursts.scale = 1;
  EXPECT_EQ(FindTrends(PlantedCorpus(), bad).status().code(), Status::Code::kInvalidArgument);
}

TEST(Trends, TopicStatusFollowsTheDocumentedRule) {
  // 2000..2009; the window is 2007..2009. Per year before it: topics 5, 1, 0, 4
  // (10 papers); in it: 5, 3, 2, 2 (12 papers).
  std::vector<Document> docs;
  TopicModel m;
  m.k = 4;
  m.topics.resize(4);
  for (int i = 0; i < 4; ++i) m.topics[i].id = i;
  auto add = [&](int year, int topic, int n) {
    for (int i = 0; i < n; ++i) {
      Document d;
      d.year = year;
      d.abstract = "text";
      m.topic_of.push_back(topic);
      m.topics[topic].members.push_back(docs.size());
      docs.push_back(d);
    }
  };
  for (int year = 2000; year <= 2009; ++year) {
    const bool recent = year >= 2007;
    add(year, 0, 5);                // share 0.5 → 5/12: ratio 0.83, stable
    add(year, 1, recent ? 3 : 1);   // 0.1 → 0.25: ratio 2.5 and 9 of its 16 papers recent: emerging
    add(year, 2, recent ? 2 : 0);   // nothing before the window: emerging
    add(year, 3, recent ? 2 : 4);   // 0.4 → 1/6: ratio 0.42, declining
  }
  StatusOr<Trends> t = FindTrends(docs, TrendOptions{}, &m);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->topics.size(), 4u);
  EXPECT_EQ(t->topics[0].status, "stable");
  EXPECT_NEAR(t->topics[1].recent_share, 0.25, 1e-12);
  EXPECT_NEAR(t->topics[1].earlier_share, 0.1, 1e-12);
  EXPECT_EQ(t->topics[1].status, "emerging");
  EXPECT_EQ(t->topics[2].status, "emerging");
  EXPECT_EQ(t->topics[3].status, "declining");
  EXPECT_EQ(t->topics[0].per_year, std::vector<size_t>(10, 5));
}

TEST(Trends, AWideYearSpanIsCountedNotRefused) {
  // Years 1000 and 2999 (the widest the readers accept) around 300 documents of
  // distinct words: 2,000 yearly bins, every empty year a zero.
  std::vector<Document> docs(302);
  docs[0].year = 1000;
  docs[1].year = 2999;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (i >= 2) docs[i].year = 2000;
    docs[i].abstract = "term" + std::string(1, static_cast<char>('a' + i % 26)) + std::to_string(i) + " shared words";
  }
  StatusOr<Trends> t = FindTrends(docs, TrendOptions{});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->per_year.size(), 2000u);
  EXPECT_EQ(t->per_year[1000], 300u);
  EXPECT_EQ(t->per_year[1], 0u);
}

// ---- CLI -------------------------------------------------------------------

class TrendsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("litrank_trends_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream out(dir_ / "papers.jsonl");
    for (const Document& d : PlantedCorpus()) {
      nlohmann::json j = {{"title", ""}, {"abstract", d.abstract}, {"year", d.year}};
      if (!d.keywords.empty()) j["keywords"] = d.keywords;
      out << j.dump() << "\n";
    }
    out << R"({"title": "an undated record", "abstract": "analysis model"})" << "\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const char* name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(TrendsCli, JsonListsBurstsWithTermStartEndStrength) {
  const auto r = testing::RunCommand(std::string(LITRANK_BINARY) + " trends --docs " + Path("papers.jsonl") +
                                     " --k 3 --json " + Path("out.json"), true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(Path("out.json"));
  const nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_EQ(j["missing_year"], 1);
  EXPECT_NE(r.output.find("1 without a year"), std::string::npos) << r.output;
  bool crispr = false;
  for (const auto& b : j["bursts"]) {
    ASSERT_TRUE(b["term"].is_string() && b["start"].is_number_integer() && b["end"].is_number_integer() &&
                b["strength"].is_number());
    if (b["term"] == "crispr") crispr = b["start"] == 2010 && b["end"] == 2012;
  }
  EXPECT_TRUE(crispr) << j["bursts"].dump();
  EXPECT_EQ(j["topics"].size(), 3u);
  EXPECT_EQ(j["papers_per_year"].size(), 20u);
}

TEST_F(TrendsCli, BadInputIsAClearError) {
  const std::string bin = LITRANK_BINARY;
  std::ofstream(Path("undated.jsonl")) << R"({"title": "a", "abstract": "b c"})" << "\n";
  auto r = testing::RunCommand(bin + " trends --no-topics --docs " + Path("undated.jsonl"), true);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("has a year"), std::string::npos) << r.output;
  r = testing::RunCommand(bin + " trends --docs " + Path("missing.jsonl"), true);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  r = testing::RunCommand(bin + " trends --docs " + Path("papers.jsonl") + " --burst-scale 0.5", true);
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

}  // namespace
}  // namespace litrank

// Retrieval metrics against hand-computed values, and BEIR file loading.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "eval/beir.h"
#include "eval/metrics.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

TEST(EvalMetricsTest, NdcgByHandWithGradedRelevance) {
  // Judged: a=2, b=1, c=0 (judged non-relevant). Ranking: x, a, c, b.
  // DCG@3 = 0/log2(2) + 2/log2(3) + 0/log2(4) = 2/1.58496 = 1.26186
  // IDCG@3 = 2/log2(2) + 1/log2(3) = 2 + 0.63093 = 2.63093  -> nDCG@3 = 0.47963
  // DCG@4 adds b at rank 4: 1/log2(5) = 0.43068 -> 1.69254 / 2.63093 = 0.64332
  const std::unordered_map<std::string, int> judged = {{"a", 2}, {"b", 1}, {"c", 0}};
  const std::vector<std::string> ranked = {"x", "a", "c", "b"};
  EXPECT_NEAR(NdcgAt(ranked, judged, 3), (2 / std::log2(3.0)) / (2 + 1 / std::log2(3.0)), 1e-12);
  EXPECT_NEAR(NdcgAt(ranked, judged, 3), 0.47963, 1e-5);
  EXPECT_NEAR(NdcgAt(ranked, judged, 4), 0.64332, 1e-5);
  // k beyond the run: nothing more is found; a perfect ranking scores 1.
  EXPECT_NEAR(NdcgAt(ranked, judged, 100), 0.64332, 1e-5);
  EXPECT_DOUBLE_EQ(NdcgAt({"a", "b"}, judged, 10), 1.0);
  // Ties in the ideal: two grade-1 documents in either order are both ideal.
  const std::unordered_map<std::string, int> ties = {{"p", 1}, {"q", 1}};
  EXPECT_DOUBLE_EQ(NdcgAt({"q", "p"}, ties, 2), 1.0);
  EXPECT_DOUBLE_EQ(NdcgAt({}, judged, 10), 0.0);
}

TEST(EvalMetricsTest, RecallAndReciprocalRankByHand) {
  const std::unordered_map<std::string, int> judged = {{"a", 1}, {"b", 3}, {"c", 0}, {"d", 1}};
  const std::vector<std::string> ranked = {"c", "x", "b", "y", "a"};
  EXPECT_DOUBLE_EQ(RecallAt(ranked, judged, 2), 0.0);      // c is judged non-relevant
  EXPECT_DOUBLE_EQ(RecallAt(ranked, judged, 3), 1.0 / 3);  // b of {a, b, d}
  EXPECT_DOUBLE_EQ(RecallAt(ranked, judged, 100), 2.0 / 3);
  EXPECT_DOUBLE_EQ(ReciprocalRankAt(ranked, judged, 10), 1.0 / 3);
  EXPECT_DOUBLE_EQ(ReciprocalRankAt(ranked, judged, 2), 0.0);
}

TEST(EvalMetricsTest, RepeatedDocumentsCountOnceAndNonPositiveKScoresZero) {
  const std::unordered_map<std::string, int> judged = {{"a", 1}, {"b", 1}};
  // Distinct ranking: x, a, b (the second x and a are ignored).
  const std::vector<std::string> ranked = {"x", "x", "a", "a", "b"};
  EXPECT_DOUBLE_EQ(ReciprocalRankAt(ranked, judged, 10), 0.5);  // a at distinct rank 2
  EXPECT_DOUBLE_EQ(RecallAt(ranked, judged, 2), 0.5);           // top 2 = {x, a}
  EXPECT_DOUBLE_EQ(RecallAt(ranked, judged, 3), 1.0);           // top 3 = {x, a, b}, not {x, x, a}
  // nDCG@3 = (1/log2(3) + 1/log2(4)) / (1 + 1/log2(3)) = (0.63093 + 0.5) / 1.63093 = 0.69342
  EXPECT_NEAR(NdcgAt(ranked, judged, 3), 0.69342, 1e-5);
  for (int k : {0, -1}) {
    EXPECT_DOUBLE_EQ(NdcgAt({"a"}, judged, k), 0.0);
    EXPECT_DOUBLE_EQ(RecallAt({"a"}, judged, k), 0.0);
    EXPECT_DOUBLE_EQ(ReciprocalRankAt({"a"}, judged, k), 0.0);
  }
}

TEST(EvalMetricsTest, MeansCountOnlyJudgedQueriesAndMissingRunsAsZero) {
  Qrels qrels = {{"q1", {{"a", 1}}}, {"q2", {{"b", 1}}}, {"q3", {{"c", 0}}}};  // q3 has nothing relevant
  Rankings run = {{"q1", {"a"}}, {"q3", {"c"}}};                                 // q2 missing
  MetricSummary m = Evaluate(qrels, run, {1, 10});
  EXPECT_EQ(m.queries, 2u);
  EXPECT_DOUBLE_EQ(m.ndcg[10], 0.5);
  EXPECT_DOUBLE_EQ(m.recall[1], 0.5);
  EXPECT_DOUBLE_EQ(m.mrr[10], 0.5);
}

TEST(EvalBeirTest, LoadsQueriesAndQrelsAndNamesBadLines) {
  const std::string dir = testing::TempDir();
  std::ofstream(dir + "/q.jsonl") << R"({"_id": "1", "text": "first"})" "\n\n" R"({"_id": 2, "text": "second"})" "\n";
  std::ofstream(dir + "/qrels.tsv") << "query-id\tcorpus-id\tscore\n1\td1\t1\n1\td2\t2\n2\td3\t0\n";
  BeirQueries queries;
  ASSERT_TRUE(LoadBeirQueries(dir + "/q.jsonl", &queries).ok());
  ASSERT_EQ(queries.size(), 2u);
  EXPECT_EQ(queries[1].first, "2");
  EXPECT_EQ(queries[1].second, "second");
  Qrels qrels;
  ASSERT_TRUE(LoadBeirQrels(dir + "/qrels.tsv", &qrels).ok());
  EXPECT_EQ(qrels["1"]["d2"], 2);
  EXPECT_EQ(qrels["2"]["d3"], 0);
  std::ofstream(dir + "/bad.tsv") << "1\td1\tmany\n";
  Status st = LoadBeirQrels(dir + "/bad.tsv", &qrels);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("bad.tsv:1"), std::string::npos) << st.message();
  EXPECT_EQ(LoadBeirQueries(dir + "/none.jsonl", &queries).code(), Status::Code::kNotFound);
}

TEST(EvalBeirTest, SciFactTestSplit) {
  const std::string dir = std::string(LITRANK_SOURCE_DIR) + "/../shared/datasets/scifact";
  if (!std::ifstream(dir + "/queries.jsonl")) GTEST_SKIP() << "../shared/datasets/scifact is absent";
  BeirQueries queries;
  Qrels qrels;
  ASSERT_TRUE(LoadBeirQueries(dir + "/queries.jsonl", &queries).ok());
  ASSERT_TRUE(LoadBeirQrels(dir + "/qrels/test.tsv", &qrels).ok());
  EXPECT_EQ(queries.size(), 1109u);
  EXPECT_EQ(qrels.size(), 300u);
  size_t judgements = 0;
  for (const auto& [q, docs] : qrels) judgements += docs.size();
  EXPECT_EQ(judgements, 339u);
}

}  // namespace
}  // namespace litrank

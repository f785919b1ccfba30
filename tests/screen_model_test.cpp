// Screening internals: TF-IDF rows, the liblinear classifier, the stopping
// aid, labels from files, and simulations on synthetic reviews.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ingest_test_util.h"
#include "litrank/screening.h"
#include "screen/linear_model.h"
#include "text/tfidf.h"

namespace litrank {
namespace {


double Weight(const SparseRows& x, size_t row, const std::vector<std::string>& vocab_in_order,
              const std::string& term, const std::vector<std::vector<std::string>>&) {
  // Columns are numbered in order of first appearance.
  for (size_t c = 0; c < vocab_in_order.size(); ++c) {
    if (vocab_in_order[c] != term) continue;
    for (size_t i = x.offsets[row]; i < x.offsets[row + 1]; ++i) {
      if (x.cols[i] == c) return x.vals[i];
    }
  }
  return 0;
}

TEST(ScreenFeatures, TfidfMatchesHandComputedWeights) {
  // Two documents; "alpha" in both, "beta" twice in the first only.
  const std::vector<std::vector<std::string>> docs = {{"alpha", "beta", "beta"}, {"alpha", "gamma"}};
  TfidfOptions options;
  options.bigrams = false;
  const SparseRows x = BuildTfidf(docs, options);
  ASSERT_EQ(x.rows(), 2u);
  ASSERT_EQ(x.dims, 3u);
  const std::vector<std::string> vocab = {"alpha", "beta", "gamma"};
  // idf = ln((1+n)/(1+df)) + 1: alpha 1, beta/gamma ln(1.5)+1; tf sublinear 1+ln(tf).
  const double idf_rare = std::log(1.5) + 1;
  const double a0 = 1.0, b0 = (1 + std::log(2.0)) * idf_rare;
  const double n0 = std::sqrt(a0 * a0 + b0 * b0);
  EXPECT_NEAR(Weight(x, 0, vocab, "alpha", docs), a0 / n0, 1e-6);
  EXPECT_NEAR(Weight(x, 0, vocab, "beta", docs), b0 / n0, 1e-6);
  EXPECT_NEAR(Weight(x, 0, vocab, "gamma", docs), 0.0, 1e-12);
  const double n1 = std::sqrt(1 + idf_rare * idf_rare);
  EXPECT_NEAR(Weight(x, 1, vocab, "gamma", docs), idf_rare / n1, 1e-6);
}

TEST(ScreenFeatures, BigramsAreAdjacentPairsAndRowsAreUnitLength) {
  const std::vector<std::vector<std::string>> docs = {{"a", "b", "c"}, {"c", "b"}, {}};
  const SparseRows x = BuildTfidf(docs, TfidfOptions{});
  // a b c "a b" "b c" | "c b": 6 distinct columns.
  EXPECT_EQ(x.dims, 6u);
  EXPECT_EQ(x.offsets[1] - x.offsets[0], 5u);
  EXPECT_EQ(x.offsets[2] - x.offsets[1], 3u);
  EXPECT_EQ(x.offsets[3] - x.offsets[2], 0u);  // an empty document stays empty
  for (size_t r = 0; r < 2; ++r) {
    double norm = 0;
    for (size_t i = x.offsets[r]; i < x.offsets[r + 1]; ++i) norm += x.vals[i] * x.vals[i];
    EXPECT_NEAR(norm, 1.0, 1e-6);
  }
}

TEST(ScreenLearner, RanksThePositiveClassFirstWhicheverLabelComesFirst) {
  // Column 0 marks relevant rows, column 1 irrelevant ones.
  SparseRows x;
  x.dims = 2;
  for (int r = 0; r < 6; ++r) {
    x.cols.push_back(r % 2 == 0 ? 0 : 1);
    x.vals.push_back(1.0f);
    x.offsets.push_back(x.cols.size());
  }
  screen::LinearTrainer trainer(x);
  for (bool positive_first : {true, false}) {
    std::vector<uint32_t> rows = positive_first ? std::vector<uint32_t>{0, 1, 2} : std::vector<uint32_t>{1, 0, 3};
    std::vector<bool> labels;
    for (uint32_t r : rows) labels.push_back(r % 2 == 0);
    for (const char* learner : {"svm", "logistic"}) {
      ScreeningModelOptions o;
      o.learner = learner;
      auto model = trainer.Train(rows, labels, screen::LinearOptions{
          o.learner == "svm" ? screen::Learner::kSvm : screen::Learner::kLogistic, 1.0, true, 1e-4});
      ASSERT_TRUE(model.ok()) << model.status().ToString();
      EXPECT_GT(model->Score(x, 4), 0) << learner;  // unseen relevant row
      EXPECT_LT(model->Score(x, 5), 0) << learner;  // unseen irrelevant row
    }
  }
  auto one_class = trainer.Train({0, 2}, {true, true}, screen::LinearOptions{});
  EXPECT_EQ(one_class.status().code(), Status::Code::kInvalidArgument);
}

TEST(ScreenStopping, KneeRuleStopsAfterIncludesLevelOffOnly) {
  // 200 includes first, then 400 excludes: a sharp knee at 200.
  std::vector<bool> sharp(200, true);
  sharp.resize(600, false);
  StoppingEstimate e = EstimateStopping(sharp, 5000);
  EXPECT_EQ(e.found, 200);
  // rate before the knee 1; after it 1/400 -> ratio 400 >= 156 - 150.
  EXPECT_NEAR(e.knee_slope_ratio, 400.0, 1e-9);
  EXPECT_TRUE(e.suggest_stop);
  EXPECT_NEAR(e.estimated_remaining, 0.0, 1e-9);
  // Includes spread evenly: no knee worth the name.
  std::vector<bool> even;
  for (int i = 0; i < 600; ++i) even.push_back(i % 10 == 0);
  e = EstimateStopping(even, 5000);
  EXPECT_FALSE(e.suggest_stop);
  EXPECT_GT(e.estimated_remaining, 100.0);  // ~0.1 of 4400 still to come
  // Too few screened: never, whatever the curve.
  std::vector<bool> early(20, true);
  early.resize(100, false);
  EXPECT_FALSE(EstimateStopping(early, 5000).suggest_stop);
  // Everything screened: nothing left to find.
  EXPECT_TRUE(EstimateStopping(even, 600).suggest_stop);
}

TEST(ScreenLabels, LabelsComeFromEveryFormatsField) {
  Document d;
  ScreenDecision out;
  d.extra_json = R"({"label": 1})";
  EXPECT_EQ(LabelFromRecord(d), ScreenDecision::kInclude);
  d.extra_json = R"({"label_included": "0"})";
  EXPECT_EQ(LabelFromRecord(d), ScreenDecision::kExclude);
  d.extra_json = R"({"label_included": -1})";
  EXPECT_FALSE(LabelFromRecord(d).has_value());
  d.extra_json = R"({"N1": ["some note", "ASReview_relevant"]})";
  EXPECT_EQ(LabelFromRecord(d), ScreenDecision::kInclude);
  d.extra_json = R"({"N1": "ASReview_not_seen"})";
  EXPECT_FALSE(LabelFromRecord(d).has_value());
  d.extra_json = R"({"LB": "excluded"})";
  EXPECT_EQ(LabelFromRecord(d), ScreenDecision::kExclude);
  d.extra_json = "{}";
  EXPECT_FALSE(LabelFromRecord(d).has_value());
  EXPECT_TRUE(ParseScreenDecision("Include", &out));
  EXPECT_EQ(out, ScreenDecision::kInclude);
  EXPECT_TRUE(ParseScreenDecision("maybe", &out));
  EXPECT_FALSE(ParseScreenDecision("perhaps", &out));
}

// A review where relevant records talk about one topic: 30 of 600.
void SyntheticReview(uint64_t seed, std::vector<Document>* docs, std::vector<bool>* included, bool signal = true) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> common(0, 399), topic(0, 19);
  for (int i = 0; i < 600; ++i) {
    const bool rel = i % 20 == 0;
    std::string text;
    for (int w = 0; w < 40; ++w) {
      const bool on_topic = signal && rel && w % 3 == 0;
      text += (on_topic ? "topic" + std::to_string(topic(rng)) : "word" + std::to_string(common(rng))) + " ";
    }
    Document d;
    d.title = "record " + std::to_string(i);
    d.abstract = text;
    docs->push_back(d);
    included->push_back(rel);
  }
}

TEST(ScreenSimulation, FindsTopicalRecordsEarlyAndIsReproducible) {
  std::vector<Document> docs;
  std::vector<bool> included;
  SyntheticReview(7, &docs, &included);
  SimulationOptions options;
  options.seeds = 3;
  auto a = SimulateScreening(docs, included, options);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->records, 600);
  EXPECT_EQ(a->included, 30);
  // The relevant records share vocabulary no other record has: the model
  // should find 95% of them (29) in little more than 29 records.
  EXPECT_GT(a->wss95, 0.8);
  EXPECT_GT(a->rrf10, 0.9);
  auto b = SimulateScreening(docs, included, options);
  ASSERT_TRUE(b.ok());
  for (size_t i = 0; i < a->runs.size(); ++i) {
    EXPECT_EQ(a->runs[i].screened_at_95, b->runs[i].screened_at_95);
  }
}

TEST(ScreenSimulation, WithoutSignalItIsNoBetterThanChance) {
  std::vector<Document> docs;
  std::vector<bool> included;
  SyntheticReview(11, &docs, &included, /*signal=*/false);
  SimulationOptions options;
  options.seeds = 2;
  auto r = SimulateScreening(docs, included, options);
  ASSERT_TRUE(r.ok());
  // Random order needs ~95% of records for 95% recall: WSS near 0.
  EXPECT_LT(r->wss95, 0.25);
}

TEST(ScreenSimulation, QuestionPriorFindsTheFirstRelevantRecordSooner) {
  std::vector<Document> docs;
  std::vector<bool> included;
  SyntheticReview(3, &docs, &included);
  // Mark the relevant records with a word only the question shares.
  for (size_t i = 0; i < docs.size(); ++i) {
    if (included[i]) docs[i].title += " cardiomyopathy";
  }
  SimulationOptions options;
  options.seeds = 2;
  options.question = "cardiomyopathy";
  options.keep_order = true;
  auto r = SimulateScreening(docs, included, options);
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->rrf10, 0.95);
  EXPECT_EQ(r->runs[0].order.size(), docs.size());
}

TEST(ScreenSimulation, RefusesReviewsWithoutBothClasses) {
  std::vector<Document> docs(3);
  for (auto& d : docs) d.title = "x";
  auto none = SimulateScreening(docs, {false, false, false}, SimulationOptions{});
  EXPECT_EQ(none.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(none.status().message().find("no included"), std::string::npos);
  auto all = SimulateScreening(docs, {true, true, true}, SimulationOptions{});
  EXPECT_NE(all.status().message().find("no excluded"), std::string::npos);
}

TEST(ScreenLabelledReview, ReadsCsvJsonlAndPicksOneReview) {
  testing::IngestTempDir dir;
  const std::string csv = dir.Write("r.csv", "title,abstract,label_included\nA,x,1\nB,y,0\nC,z,0\n");
  std::vector<Document> docs;
  std::vector<bool> inc;
  ASSERT_TRUE(ReadLabelledReview(csv, "", &docs, &inc).ok());
  EXPECT_EQ(inc, (std::vector<bool>{true, false, false}));
  const std::string jsonl = dir.Write("r.jsonl",
      R"({"review":"A","title":"t1","abstract":"a","label_included":"1"})" "\n"
      R"({"review":"B","title":"t2","abstract":"b","label_included":"0"})" "\n"
      R"({"review":"A","title":"t3","abstract":"c","label_included":0})" "\n");
  ASSERT_TRUE(ReadLabelledReview(jsonl, "A", &docs, &inc).ok());
  EXPECT_EQ(docs.size(), 2u);
  EXPECT_EQ(inc, (std::vector<bool>{true, false}));
  Status several = ReadLabelledReview(jsonl, "", &docs, &inc);
  EXPECT_NE(several.message().find("--review"), std::string::npos) << several.ToString();
  Status unknown = ReadLabelledReview(jsonl, "Z", &docs, &inc);
  EXPECT_NE(unknown.message().find("reviews: A, B"), std::string::npos) << unknown.ToString();
  const std::string nolabel = dir.Write("n.csv", "title,abstract\nA,x\nB,y\n");
  Status st = ReadLabelledReview(nolabel, "", &docs, &inc);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("carries a label"), std::string::npos);
  const std::string partial = dir.Write("p.csv", "title,abstract,label_included\nA,x,1\nB,y,-1\n");
  st = ReadLabelledReview(partial, "", &docs, &inc);
  EXPECT_NE(st.message().find("1 record(s)"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace litrank

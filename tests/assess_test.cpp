// Assessment: the composite is the weighted mean of per-criterion percentiles
// (worked out by hand below), the model path asks every criterion and the
// seminal question, the citation graph matches references in every form the
// readers keep, criteria files in TOML and JSON are checked field by field,
// and the CLI ranks, exports and refuses bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "assess/citation_graph.h"
#include "litrank/assess.h"
#include "process_util.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

namespace fs = std::filesystem;

Document Doc(const std::string& id, const std::string& abstract, const std::string& extra = "{}") {
  Document d;
  d.id = id;
  d.abstract = abstract;
  d.extra_json = extra;
  return d;
}

/// Four documents of three words: d0 has the first criterion's cue, d1 the
/// second's, d2 both, d3 neither (equal lengths, so equal BM25 where present).
std::vector<Document> CueDocs() {
  return {Doc("d0", "zebra lion tiger"), Doc("d1", "giraffe lion tiger"), Doc("d2", "zebra giraffe tiger"),
          Doc("d3", "lion tiger bear")};
}

std::vector<Criterion> TwoCriteria() {
  Criterion a;
  a.name = "stripes";
  a.instruction = "Judge stripes";
  a.query = "striped animals";
  a.cues = {"zebra"};
  a.weight = 3;
  Criterion b = a;
  b.name = "necks";
  b.cues = {"giraffe"};
  b.weight = 1;
  return {a, b};
}

// Per criterion, the two documents with the cue share ranks 3-4 of 4 (mid-rank
// percentile 2.5/3 = 5/6), the two without share ranks 1-2 (0.5/3 = 1/6).
// Composites with weights 3 and 1: d0 (3·5/6 + 1/6)/4 = 2/3, d1 (3/6 + 5/6)/4
// = 1/3, d2 (3·5/6 + 5/6)/4 = 5/6, d3 (3/6 + 1/6)/4 = 1/6.
TEST(Assess, CueWordsRankByTheWeightedMeanOfPercentiles) {
  AssessOptions o;
  o.criteria = TwoCriteria();
  o.topic_of = {0, 1, 0, -1};
  StatusOr<Assessment> a = Assess(CueDocs(), o, nullptr);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_FALSE(a->model);
  ASSERT_EQ(a->papers.size(), 4u);
  const std::vector<size_t> order = {2, 0, 1, 3};
  const std::vector<double> composite = {5.0 / 6, 2.0 / 3, 1.0 / 3, 1.0 / 6};
  for (size_t r = 0; r < 4; ++r) {
    EXPECT_EQ(a->papers[r].index, order[r]) << r;
    EXPECT_EQ(a->papers[r].rank, r + 1);
    EXPECT_NEAR(a->papers[r].composite, composite[r], 1e-12) << r;
  }
  EXPECT_NEAR(a->papers[0].percentiles[0], 5.0 / 6, 1e-12);
  EXPECT_GT(a->papers[0].scores[0], 0.0);
  EXPECT_EQ(a->papers[3].scores[0], 0.0);
  // Per topic: members in rank order; topic -1 joins none.
  ASSERT_EQ(a->by_topic.size(), 2u);
  EXPECT_EQ(a->by_topic[0].first, 0);
  EXPECT_EQ(a->by_topic[0].second, (std::vector<size_t>{2, 0}));
  EXPECT_EQ(a->by_topic[1].second, (std::vector<size_t>{1}));
  // Nothing to find seminal papers with, and it says so.
  EXPECT_TRUE(a->seminal.empty());
  bool lexical_note = false;
  for (const std::string& n : a->notes) lexical_note |= n.find("cue words") != std::string::npos;
  EXPECT_TRUE(lexical_note);
}

TEST(Assess, ModelPathAsksEveryCriterionThenTheSeminalQuestion) {
  std::vector<std::string> instructions;
  CriterionScorer scorer = [&](const std::string& query, const std::string& instruction,
                               const std::vector<std::string>& texts, std::vector<double>* scores) {
    EXPECT_FALSE(query.empty());
    EXPECT_EQ(texts.size(), 3u);
    instructions.push_back(instruction);
    if (instruction.find("seminal") != std::string::npos) *scores = {0.2, 0.9, 0.4};
    else *scores = {0.1, 0.5, 0.9};
    return Status::Ok();
  };
  const std::vector<Document> docs = {Doc("a", "first paper"), Doc("b", "second paper"), Doc("c", "third paper")};
  StatusOr<Assessment> a = Assess(docs, AssessOptions{}, scorer);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(a->model);
  const std::vector<Criterion> builtins = BuiltInCriteria();
  ASSERT_EQ(instructions.size(), builtins.size() + 1);
  for (size_t c = 0; c < builtins.size(); ++c) EXPECT_EQ(instructions[c], builtins[c].instruction);
  EXPECT_NE(instructions.back().find("seminal"), std::string::npos);
  // Percentiles 0, 1/2, 1 on every criterion: the composite is the same.
  EXPECT_EQ(a->papers[0].index, 2u);
  EXPECT_NEAR(a->papers[0].composite, 1.0, 1e-12);
  EXPECT_NEAR(a->papers[1].composite, 0.5, 1e-12);
  EXPECT_NEAR(a->papers[2].composite, 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(a->papers[0].scores[0], 0.9);
  // No citation data: the seminal list is the model's judgement alone, said so.
  ASSERT_EQ(a->seminal.size(), 3u);
  EXPECT_EQ(a->seminal[0].index, 1u);
  EXPECT_DOUBLE_EQ(a->seminal[0].instruction_score, 0.9);
  EXPECT_EQ(a->seminal[1].index, 2u);
  bool alone = false;
  for (const std::string& n : a->notes) alone |= n.find("alone") != std::string::npos;
  EXPECT_TRUE(alone);
}

// The built-in cue words read Chinese too (the analyzer segments it): a
// randomised double-blind trial outranks a descriptive paper on rigour.
TEST(Assess, BuiltInCuesReadChinese) {
  const std::vector<Document> docs = {Doc("a", "本研究采用随机双盲对照试验，样本量为三百例。"),
                                      Doc("b", "本文介绍了该地区的历史与文化。")};
  StatusOr<Assessment> a = Assess(docs, AssessOptions{}, nullptr);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  size_t rigour = 0;
  while (a->criteria[rigour].name != "rigour") ++rigour;
  double trial = -1, culture = -1;
  for (const PaperAssessment& p : a->papers) (p.index == 0 ? trial : culture) = p.scores[rigour];
  EXPECT_GT(trial, 0.0);
  EXPECT_EQ(culture, 0.0);
}

TEST(Assess, ScorerFailuresEndTheAssessment) {
  const std::vector<Document> docs = {Doc("a", "first paper"), Doc("b", "second paper")};
  StatusOr<Assessment> cancelled = Assess(docs, AssessOptions{}, [](auto&, auto&, auto&, std::vector<double>*) {
    return Status::Cancelled("stop");
  });
  EXPECT_EQ(cancelled.status().code(), Status::Code::kCancelled);
  StatusOr<Assessment> short_answer = Assess(docs, AssessOptions{}, [](auto&, auto&, auto&, std::vector<double>* s) {
    *s = {0.5};
    return Status::Ok();
  });
  EXPECT_EQ(short_answer.status().code(), Status::Code::kInternal);
}

TEST(Assess, RefusesBadInput) {
  EXPECT_EQ(Assess({}, AssessOptions{}, nullptr).status().code(), Status::Code::kInvalidArgument);
  AssessOptions mismatched;
  mismatched.topic_of = {0};
  EXPECT_EQ(Assess(CueDocs(), mismatched, nullptr).status().code(), Status::Code::kInvalidArgument);
  AssessOptions zero;
  zero.criteria = TwoCriteria();
  for (Criterion& c : zero.criteria) c.weight = 0;
  EXPECT_EQ(Assess(CueDocs(), zero, nullptr).status().code(), Status::Code::kInvalidArgument);
  AssessOptions negative;
  negative.criteria = TwoCriteria();
  negative.criteria[0].weight = -1;
  EXPECT_EQ(Assess(CueDocs(), negative, nullptr).status().code(), Status::Code::kInvalidArgument);
  AssessOptions none;
  none.criteria.clear();
  EXPECT_EQ(Assess(CueDocs(), none, nullptr).status().code(), Status::Code::kInvalidArgument);
}

TEST(CitationGraph, MatchesIdsDoisPmidsAndOpenAlexInEveryForm) {
  const std::vector<Document> docs = {
      Doc("https://openalex.org/W100", "zero"),
      [] {
        Document d = Doc("12345", "one");
        d.doi = "10.1000/abc";
        return d;
      }(),
      Doc("smith2020", "two"),
      Doc("X", "three",
          R"({"referenced_works": ["https://openalex.org/W100"],
              "references": ["PMID:12345", "https://doi.org/10.1000/ABC", "X"]})"),
      Doc("Y", "four", R"({"reference": [{"DOI": "10.1000/abc"}, {"unstructured": "Some text"}],
                           "cites": "smith2020, nothere"})"),
      Doc("Z", "five", R"({"cited_by": ["Y", "X"], "references": ["10.9/dup"]})"),
      [] {
        Document d = Doc("six", "six");
        d.doi = "10.9/dup";
        return d;
      }(),
      [] {
        Document d = Doc("seven", "seven");
        d.doi = "10.9/dup";
        return d;
      }(),
  };
  assess::CitationGraph g = assess::BuildCitationGraph(docs);
  // X: W100 → 0, PMID → 1, DOI → 1 again, itself (not an edge). Y: DOI → 1, an
  // object without ids (skipped), smith2020 → 2, nothere. Z: a DOI two records
  // share (matches neither); cited by Y and X.
  EXPECT_EQ(g.references, 4u + 3u + 1u);
  EXPECT_EQ(g.resolved, 3u + 2u);
  const std::vector<std::pair<size_t, size_t>> edges = {{3, 0}, {3, 1}, {3, 5}, {4, 1}, {4, 2}, {4, 5}};
  EXPECT_EQ(g.edges, edges);
  EXPECT_EQ(g.in_degree, (std::vector<size_t>{1, 2, 1, 0, 0, 2, 0, 0}));
}

// B cites A. With damping d = 0.85 and the dangling A's rank spread evenly:
// pB = (1-d)/2 + d·pA/2 and pA + pB = 1, so pA = (1 - (1-d)/2) / (1 + d/2)
// = 0.925 / 1.425.
TEST(CitationGraph, PageRankOfOneCitationMatchesTheClosedForm) {
  assess::CitationGraph g;
  g.edges = {{1, 0}};
  StatusOr<std::vector<double>> pr = assess::CitationPageRank(g, 2);
  ASSERT_TRUE(pr.ok()) << pr.status().ToString();
  EXPECT_NEAR((*pr)[0], 0.925 / 1.425, 1e-9);
  EXPECT_NEAR((*pr)[1], 1 - 0.925 / 1.425, 1e-9);
}

TEST(Assess, SeminalPapersFollowLocalCitationsThenCitationsPerYear) {
  std::vector<Document> docs = {Doc("root", "alpha"), Doc("mid", "beta", R"({"references": ["root"]})"),
                                Doc("c1", "gamma", R"({"references": ["root"]})"),
                                Doc("c2", "delta", R"({"references": ["root", "mid"]})")};
  StatusOr<Assessment> a = Assess(docs, AssessOptions{}, nullptr);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->seminal.size(), 2u);  // papers nobody cites are no seminal papers
  EXPECT_EQ(a->seminal[0].index, 0u);
  EXPECT_EQ(a->seminal[0].local_citations, 3u);
  EXPECT_EQ(a->seminal[1].index, 1u);
  EXPECT_GT(a->seminal[0].pagerank, a->seminal[1].pagerank);
  EXPECT_EQ(a->references, 4u);
  EXPECT_EQ(a->resolved_references, 4u);

  // Without links, counts decide per year of age: 100 citations over 21 years
  // (2000 to the set's newest, 2020) rank below 20 in one year.
  std::vector<Document> counted = {Doc("old", "alpha"), Doc("new", "beta"), Doc("none", "gamma")};
  counted[0].year = 2000;
  counted[0].citations = 100;
  counted[1].year = 2020;
  counted[1].citations = 20;
  counted[2].year = 2010;
  a = Assess(counted, AssessOptions{}, nullptr);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->seminal.size(), 2u);
  EXPECT_EQ(a->seminal[0].index, 1u);
  EXPECT_DOUBLE_EQ(a->seminal[0].citations_per_year, 20.0);
  EXPECT_DOUBLE_EQ(a->seminal[1].citations_per_year, 100.0 / 21);
}

class CriteriaFile : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const fs::path dir = fs::path(::testing::TempDir()) / "assess_criteria";
    fs::create_directories(dir);
    std::ofstream(dir / name, std::ios::binary) << text;
    return (dir / name).string();
  }
};

TEST_F(CriteriaFile, TomlAddsAndReweightsBuiltIns) {
  StatusOr<std::vector<Criterion>> c = LoadCriteriaFile(Write("c.toml", R"(
[[criterion]]
name = "reproducibility"
instruction = "Judge whether the paper shares code and data"
cues = ["code", "github"]
weight = 2.5

[[criterion]]
name = "impact"
weight = 0.5
)"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const std::vector<Criterion> builtins = BuiltInCriteria();
  ASSERT_EQ(c->size(), builtins.size() + 1);
  EXPECT_EQ((*c)[3].name, "impact");
  EXPECT_DOUBLE_EQ((*c)[3].weight, 0.5);
  EXPECT_EQ((*c)[3].instruction, builtins[3].instruction);  // only the weight changed
  EXPECT_EQ(c->back().name, "reproducibility");
  EXPECT_DOUBLE_EQ(c->back().weight, 2.5);
  EXPECT_EQ(c->back().cues, (std::vector<std::string>{"code", "github"}));
  EXPECT_EQ(c->back().query, "Judge whether the paper shares code and data");
}

TEST_F(CriteriaFile, JsonCanDropTheBuiltInsAndListCriteriaAlone) {
  StatusOr<std::vector<Criterion>> only =
      LoadCriteriaFile(Write("c.json", R"({"builtin": false, "criteria": [{"name": "open-data", "query": "data shared"}]})"));
  ASSERT_TRUE(only.ok()) << only.status().ToString();
  ASSERT_EQ(only->size(), 1u);
  EXPECT_EQ((*only)[0].instruction, "Judge whether the paper shows: data shared");
  EXPECT_DOUBLE_EQ((*only)[0].weight, 1.0);
  // A bare JSON list, no extension: sniffed as JSON, built-ins kept.
  StatusOr<std::vector<Criterion>> list = LoadCriteriaFile(Write("criteria", R"([{"name": "x", "cues": ["y"]}])"));
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->size(), BuiltInCriteria().size() + 1);
}

TEST_F(CriteriaFile, BadFilesNameTheProblem) {
  std::string many = "[";
  for (int i = 0; i < 33; ++i) many += std::string(i ? "," : "") + R"({"name": "c)" + std::to_string(i) + R"(", "query": "q"})";
  many = R"({"builtin": false, "criteria": )" + many + "]}";
  const std::vector<std::pair<std::pair<std::string, std::string>, std::string>> cases = {
      {{"a.toml", "[[criterion]]\nname = \"x\"\nquery = \"q\"\nwieght = 2\n"}, "unknown key `wieght`"},
      {{"b.toml", "[[criterion]]\nname = \"x\"\nquery = \"q\"\nweight = -1\n"}, "`weight` must be finite and ≥ 0"},
      {{"c.toml", "[[criterion]]\nname = \"x\"\nquery = \"q\"\nweight = \"heavy\"\n"}, "`weight` must be a number"},
      {{"d.toml", "[[criterion]]\nname = \"x\"\nquery = \"q\"\n[[criterion]]\nname = \"x\"\nquery = \"r\"\n"},
       "duplicate name `x`"},
      {{"e.toml", "[[criterion]\nname = \n"}, "not valid TOML"},
      {{"f.json", "{\"criteria\": [}"}, "not valid JSON"},
      {{"g.json", R"({"builtin": false})"}, "no criteria"},
      {{"h.json", R"({"criteria": [{"name": "impact", "weight": 0}, {"name": "rigour", "weight": 0},
                      {"name": "innovation", "weight": 0}, {"name": "practical_value", "weight": 0}]})"},
       "every weight is zero"},
      {{"i.json", R"({"criteria": [{"name": "has space", "query": "q"}]})"}, "letters, digits"},
      {{"j.json", many}, "over 32 criteria"},
      {{"k.json", std::string(200, '[') + std::string(200, ']')}, "nested deeper"},
      {{"l.toml", "[[criterion]]\nname = \"x\"\nquery = \"\xff\xfe\"\n"}, "UTF-8"},
      {{"m.json", R"({"criteria": [{"name": "x"}]})"}, "needs an `instruction`, a `query` or `cues`"},
      {{"n.json", R"({"criterion": [], "extra": 1})"}, "unknown key `extra`"},
      {{"o.json", R"({"criteria": [{"name": "x", "cues": "not a list"}]})"}, "`cues` must be a list"},
      {{"p.json", std::string(2 << 20, ' ')}, "1048576"},
  };
  for (const auto& [file, expected] : cases) {
    StatusOr<std::vector<Criterion>> c = LoadCriteriaFile(Write(file.first, file.second));
    ASSERT_FALSE(c.ok()) << file.first;
    EXPECT_NE(c.status().message().find(expected), std::string::npos) << file.first << ": " << c.status().ToString();
  }
  EXPECT_FALSE(LoadCriteriaFile(Write("q.json", "")).ok());
  EXPECT_FALSE(LoadCriteriaFile("/nonexistent/criteria.toml").ok());
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(AssessCli, RanksFindsSeminalPapersAndRefusesBadCriteria) {
  const fs::path dir = fs::path(::testing::TempDir()) / "assess_cli";
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    std::ofstream f(dir / "docs.jsonl");
    f << R"({"id": "A", "title": "A randomized controlled trial", "abstract": "Placebo controlled, double-blind.", "year": 1995})" "\n"
      << R"({"id": "B", "title": "A novel framework", "abstract": "We propose a new approach.", "year": 2005, "references": ["A"]})" "\n"
      << R"({"id": "C", "title": "Clinical practice", "abstract": "Implementation for patients.", "year": 2010, "references": ["A", "B"]})" "\n";
    std::ofstream(dir / "bad.toml") << "[[criterion]]\nname = \"x\"\nqeury = \"typo\"\n";
  }
  const std::string bin = LITRANK_BINARY;
  const std::string docs = (dir / "docs.jsonl").string();
  testing::CommandResult ok = testing::RunCommand(
      bin + " assess --docs " + docs + " --no-topics --no-rerank --json " + (dir / "a.json").string(), true);
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  nlohmann::json j = nlohmann::json::parse(Slurp(dir / "a.json"));
  EXPECT_EQ(j["scored_by"], "cue words (BM25)");
  ASSERT_EQ(j["papers"].size(), 3u);
  EXPECT_EQ(j["papers"][0]["rank"], 1);
  ASSERT_EQ(j["seminal"].size(), 2u);
  EXPECT_EQ(j["seminal"][0]["id"], "A");
  EXPECT_EQ(j["seminal"][0]["local_citations"], 2);
  EXPECT_TRUE(j["seminal"][0]["instruction_score"].is_null());

  testing::CommandResult bad = testing::RunCommand(bin + " assess --docs " + docs + " --criteria " +
                                                   (dir / "bad.toml").string(), true);
  EXPECT_EQ(bad.exit_code, 3) << bad.output;
  EXPECT_NE(bad.output.find("unknown key `qeury`"), std::string::npos) << bad.output;

  std::ofstream(dir / "empty.jsonl") << "";
  testing::CommandResult empty = testing::RunCommand(bin + " assess --docs " + (dir / "empty.jsonl").string(), true);
  EXPECT_EQ(empty.exit_code, 3) << empty.output;
}

// The model path end to end on random weights: every score a probability, the
// seminal list carries the model's judgement.
TEST(AssessCli, RerankerPathScoresEveryCriterionAsAProbability) {
  const fs::path dir = fs::path(::testing::TempDir()) / "assess_cli_model";
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    std::ofstream f(dir / "docs.jsonl");
    for (int i = 0; i < 6; ++i) {
      f << nlohmann::json{{"id", "p" + std::to_string(i)}, {"title", "Paper " + std::to_string(i)},
                          {"abstract", i < 3 ? "A cohort study of statins lowering cholesterol in adults"
                                                 : "Lithium battery electrode capacity under fast charging"},
                          {"year", 2000 + i}}
               .dump()
        << "\n";
    }
  }
  const std::string model = testing::TinyModel("reranker");
  testing::CommandResult ok = testing::RunCommand(std::string(LITRANK_BINARY) + " assess --docs " +
                                                  (dir / "docs.jsonl").string() + " -r " + model + " -k 2 --json " +
                                                  (dir / "a.json").string(), true);
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  nlohmann::json j = nlohmann::json::parse(Slurp(dir / "a.json"));
  EXPECT_EQ(j["scored_by"], "reranker");
  ASSERT_EQ(j["papers"].size(), 6u);
  for (const auto& p : j["papers"]) {
    ASSERT_EQ(p["scores"].size(), 4u);
    for (const auto& [name, s] : p["scores"].items()) {
      EXPECT_GE(s.get<double>(), 0.0) << name;
      EXPECT_LE(s.get<double>(), 1.0) << name;
    }
    EXPECT_GE(p["topic"].get<int>(), 0);
  }
  EXPECT_EQ(j["by_topic"].size(), 2u);
  ASSERT_FALSE(j["seminal"].empty());
  EXPECT_TRUE(j["seminal"][0]["instruction_score"].is_number());
}

}  // namespace
}  // namespace litrank

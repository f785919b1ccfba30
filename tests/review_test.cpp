// The review report: sections follow the question, steps the records cannot give
// are left out with a note, the HTML is self-contained and escapes what records
// carry, and the CLI writes every file or fails with a clear exit code.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <nlohmann/json.hpp>

#include "litrank/review.h"
#include "process_util.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

namespace fs = std::filesystem;

/// Three fields with disjoint vocabularies, eight papers each, dated 2010–2017;
/// field f's papers are f*8 .. f*8+7.
std::vector<Document> ThreeFields() {
  const std::vector<std::vector<std::string>> words = {
      {"battery", "lithium", "electrode", "capacity", "charging", "anode"},
      {"wheat", "soil", "nitrogen", "irrigation", "harvest", "fertilizer"},
      {"reranker", "retrieval", "query", "ranking", "transformer", "passages"}};
  std::vector<Document> docs;
  for (size_t f = 0; f < words.size(); ++f) {
    for (size_t i = 0; i < 8; ++i) {
      const auto& w = words[f];
      Document d;
      d.title = w[i % 6] + " and " + w[(i + 1) % 6] + " study";
      d.abstract = "We measure " + w[i % 6] + " " + w[(i + 2) % 6] + " " + w[(i + 3) % 6] + " and " + w[(i + 4) % 6] +
                   " in " + w[(i + 5) % 6] + " " + w[i % 6] + " experiments.";
      d.keywords = {w[i % 6], w[(i + 1) % 6], w[(i + 2) % 6]};
      d.year = 2010 + static_cast<int>(i);
      docs.push_back(std::move(d));
    }
  }
  return docs;
}

size_t FieldOf(size_t doc) { return doc / 8; }

TEST(Review, SectionsAreTopicsOrderedByTheQuestionWithItsBestPapersFirst) {
  const std::vector<Document> docs = ThreeFields();
  ReviewOptions o;
  o.topics.k = 3;
  o.question = "transformer reranker for passage retrieval";
  o.key_papers = 3;
  std::vector<std::string> steps;
  o.progress = [&](const std::string& step, int n, int total) {
    EXPECT_EQ(total, 5);
    EXPECT_EQ(n, static_cast<int>(steps.size()) + 1);
    steps.push_back(step);
  };
  StatusOr<Review> r = BuildReview(docs, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(steps.size(), 5u);
  ASSERT_EQ(r->outline.size(), 3u);
  // The retrieval field (2) comes first; the other two fields share no term with
  // the question, so their relevance is 0.
  ASSERT_EQ(r->outline[0].key_papers.size(), 3u);
  for (size_t d : r->outline[0].key_papers) EXPECT_EQ(FieldOf(d), 2u) << d;
  EXPECT_GT(r->outline[0].relevance, 0.0);
  EXPECT_EQ(r->outline[1].relevance, 0.0);
  EXPECT_EQ(r->outline[2].relevance, 0.0);
  // Key papers are in falling question score, each section one field.
  for (const ReviewSection& s : r->outline) {
    std::set<size_t> fields;
    for (size_t d : s.key_papers) fields.insert(FieldOf(d));
    EXPECT_EQ(fields.size(), 1u) << s.title;
  }
  const auto& best = r->outline[0].key_papers;
  for (size_t i = 1; i < best.size(); ++i) EXPECT_GE(r->relevance[best[i - 1]], r->relevance[best[i]]);
  // Every paper of the field that mentions more question terms scores at least as
  // well as one that mentions fewer: the top paper's score is the field's maximum.
  double top = 0;
  for (size_t d = 16; d < 24; ++d) top = std::max(top, r->relevance[d]);
  EXPECT_EQ(r->relevance[best[0]], top);
  ASSERT_TRUE(r->trends.has_value());
  ASSERT_TRUE(r->keywords.has_value());
  EXPECT_EQ(r->trends->per_year.size(), 8u);  // 2010..2017, three papers a year
  for (size_t n : r->trends->per_year) EXPECT_EQ(n, 3u);
}

TEST(Review, WithoutYearsTrendsAreLeftOutWithANote) {
  std::vector<Document> docs = ThreeFields();
  ReviewOptions o;
  for (Document& d : docs) d.year = 0;
  o.topics.k = 3;
  StatusOr<Review> r = BuildReview(docs, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->trends.has_value());
  EXPECT_FALSE(r->trends_note.empty());
  EXPECT_TRUE(r->keywords.has_value());
  // Without a question, sections come by size and key papers are representatives.
  for (const ReviewSection& s : r->outline) {
    EXPECT_EQ(s.relevance, 0.0);
    EXPECT_FALSE(s.key_papers.empty());
  }
  EXPECT_TRUE(r->relevance.empty());
  EXPECT_EQ(BuildReview({}, o).status().code(), Status::Code::kInvalidArgument);
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Review, ReportIsSelfContainedAndEscapesWhatRecordsCarry) {
  std::vector<Document> docs = ThreeFields();
  for (size_t d = 16; d < 24; ++d) {  // whichever of them the report lists
    docs[d].title += " </svg><script>alert(1)</script> <img src=\"https://evil.example/x.png\">";
  }
  docs[17].keywords.push_back("<b>bold</b> & \"quoted\"");
  docs[18].keywords.push_back("<b>bold</b> & \"quoted\"");
  ReviewOptions o;
  o.topics.k = 3;
  o.question = "reranker retrieval";
  StatusOr<Review> r = BuildReview(docs, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> ids;
  for (size_t i = 0; i < docs.size(); ++i) ids.push_back("doc" + std::to_string(i));
  const fs::path dir = fs::path(::testing::TempDir()) / "review_report";
  fs::remove_all(dir);
  ASSERT_TRUE(WriteReview(*r, docs, ids, dir.string()).ok());
  for (const char* f : {"report.html", "report.md", "topics.json", "trends.json", "keywords.json", "outline.json"}) {
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  }
  const std::string html = Slurp(dir / "report.html");
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>bold"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;"), std::string::npos);
  // Charts: papers per year, topic sizes, topic lines, keyword network at least.
  size_t svgs = 0;
  for (size_t p = html.find("<svg"); p != std::string::npos; p = html.find("<svg", p + 1)) ++svgs;
  size_t closed = 0;
  for (size_t p = html.find("</svg>"); p != std::string::npos; p = html.find("</svg>", p + 1)) ++closed;
  EXPECT_GE(svgs, 4u);
  EXPECT_EQ(closed, svgs);  // the hostile title closed no chart
  EXPECT_NE(html.find("@media print"), std::string::npos);
  // The outline JSON lists the sections in the report's order, ids included.
  nlohmann::json outline = nlohmann::json::parse(Slurp(dir / "outline.json"));
  ASSERT_TRUE(outline.contains("sections"));
  ASSERT_EQ(outline["sections"].size(), 3u);
  const std::string first_id = outline["sections"][0]["key_papers"][0]["id"].get<std::string>();
  EXPECT_GE(std::stoi(first_id.substr(3)), 16);  // a paper of the retrieval field
  // The Markdown names every section.
  const std::string md = Slurp(dir / "report.md");
  for (const ReviewSection& s : r->outline) EXPECT_NE(md.find(s.title), std::string::npos) << s.title;
}

// Without a question, key papers follow the assessment's composite, and the
// report carries the assessment (cue words without a model, said so).
TEST(Review, WithoutAQuestionKeyPapersFollowTheAssessment) {
  const std::vector<Document> docs = ThreeFields();
  ReviewOptions o;
  o.topics.k = 3;
  o.key_papers = 4;
  StatusOr<Review> r = BuildReview(docs, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->assessment.has_value());
  EXPECT_EQ(r->assessment->papers.size(), docs.size());
  std::vector<double> composite(docs.size());
  for (const PaperAssessment& p : r->assessment->papers) composite[p.index] = p.composite;
  for (const ReviewSection& s : r->outline) {
    ASSERT_FALSE(s.key_papers.empty());
    for (size_t i = 1; i < s.key_papers.size(); ++i) {
      EXPECT_GE(composite[s.key_papers[i - 1]], composite[s.key_papers[i]]);
    }
    // No member left out scores above the last key paper.
    const Topic& t = r->topics.topics[static_cast<size_t>(s.topic)];
    for (size_t m : t.members) {
      if (std::find(s.key_papers.begin(), s.key_papers.end(), m) == s.key_papers.end()) {
        EXPECT_LE(composite[m], composite[s.key_papers.back()]);
      }
    }
  }
  const fs::path dir = fs::path(::testing::TempDir()) / "review_assessed";
  fs::remove_all(dir);
  std::vector<std::string> ids;
  for (size_t i = 0; i < docs.size(); ++i) ids.push_back("d" + std::to_string(i));
  ASSERT_TRUE(WriteReview(*r, docs, ids, dir.string()).ok());
  const std::string md = Slurp(dir / "report.md");
  EXPECT_NE(md.find("## Assessment"), std::string::npos);
  EXPECT_NE(md.find("cue words"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir / "assessment.json"));

  o.assess = false;
  r = BuildReview(docs, o);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->assessment.has_value());
}

TEST(ReviewCli, WritesTheReportAndFailsClearlyOnNothingToReview) {
  const fs::path dir = fs::path(::testing::TempDir()) / "review_cli";
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    std::ofstream f(dir / "docs.jsonl");
    for (const Document& d : ThreeFields()) {
      nlohmann::json j = {{"title", d.title}, {"abstract", d.abstract}, {"year", d.year}, {"keywords", d.keywords}};
      f << j.dump() << "\n";
    }
    std::ofstream empty(dir / "empty.jsonl");
  }
  const std::string bin = LITRANK_BINARY;
  testing::CommandResult ok = testing::RunCommand(bin + " review --docs " + (dir / "docs.jsonl").string() +
                                                  " --out " + (dir / "out").string() + " -k 3 -q 'query ranking'", true);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("[5/5]"), std::string::npos) << ok.output;
  EXPECT_TRUE(fs::exists(dir / "out" / "report.html"));
  nlohmann::json topics = nlohmann::json::parse(Slurp(dir / "out" / "topics.json"));
  EXPECT_EQ(topics["assignments"].size(), 24u);

  // With a reranker the assessment is the model's judgement (random weights: plumbing).
  testing::CommandResult judged = testing::RunCommand(bin + " review --docs " + (dir / "docs.jsonl").string() +
                                                      " --out " + (dir / "judged").string() + " -k 3 --quiet -r " +
                                                      testing::TinyModel("reranker"), true);
  ASSERT_EQ(judged.exit_code, 0) << judged.output;
  nlohmann::json assessment = nlohmann::json::parse(Slurp(dir / "judged" / "assessment.json"));
  EXPECT_EQ(assessment["scored_by"], "reranker");
  EXPECT_EQ(assessment["papers"].size(), 24u);
  EXPECT_NE(Slurp(dir / "judged" / "report.md").find("reranker's judgements"), std::string::npos);

  testing::CommandResult empty = testing::RunCommand(bin + " review --docs " + (dir / "empty.jsonl").string() +
                                                     " --out " + (dir / "out2").string(), true);
  EXPECT_EQ(empty.exit_code, 3) << empty.output;
  EXPECT_NE(empty.output.find("error"), std::string::npos) << empty.output;
  EXPECT_FALSE(fs::exists(dir / "out2" / "report.html"));

  // An output path that is a file is an error, not a crash.
  testing::CommandResult bad = testing::RunCommand(bin + " review --docs " + (dir / "docs.jsonl").string() +
                                                   " --out " + (dir / "docs.jsonl").string() + " -k 3", true);
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_NE(bad.output.find("error"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace litrank

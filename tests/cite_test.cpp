// Citation suggestions: sentence splitting (hard-wrapped, Chinese, blank lines),
// each draft sentence finds the paper it paraphrases, short sentences are not
// searched, bad drafts fail clearly, the CLI's BibTeX/RIS read back through our
// own ingest readers, and the reranker path runs end to end on a tiny model.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ingest/record_reader.h"
#include "litrank/cite.h"
#include "litrank/corpus.h"
#include "litrank/reranker.h"
#include "process_util.h"
#include "synth_fixture.h"
#include "text/sentences.h"

namespace litrank {
namespace {

namespace fs = std::filesystem;

TEST(Sentences, SplitsOnSentenceEndsNotOnHardWraps) {
  const std::string text = "Statins lower LDL cholesterol\nin older adults. Do they prevent strokes?\n\nA new paragraph";
  const std::vector<Sentence> s = SplitSentences(text);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].text, "Statins lower LDL cholesterol in older adults.");
  EXPECT_EQ(s[1].text, "Do they prevent strokes?");
  EXPECT_EQ(s[2].text, "A new paragraph");
  // Offsets point into the input (the wrap is the only byte that differs).
  EXPECT_EQ(text.substr(s[1].begin, s[1].end - s[1].begin), "Do they prevent strokes?");
  EXPECT_EQ(s[0].begin, 0u);
  EXPECT_EQ(s[2].end, text.size());
  // A blank line ends a sentence even without a full stop.
  const std::vector<Sentence> t = SplitSentences("A heading\n\nThe body starts here.");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].text, "A heading");
  EXPECT_TRUE(SplitSentences(" \n\n\t ").empty());
  // A line of spaces and tabs is as blank as an empty one.
  const std::vector<Sentence> w = SplitSentences("A heading\n  \t\nThe body starts here.");
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].text, "A heading");
  EXPECT_EQ(w[1].text, "The body starts here.");
}

/// The input's bytes at a sentence's offsets, line breaks read as spaces (what
/// SplitSentences promises for `text`).
std::string At(const std::string& input, const Sentence& s) {
  std::string out = input.substr(s.begin, s.end - s.begin);
  for (char& c : out) if (c == '\n' || c == '\r') c = ' ';
  return out;
}

TEST(Sentences, OffsetsPointAtEachSentenceWithCrlfAndEmoji) {
  // Windows line ends (a wrap and a blank line), a non-BMP emoji (4 UTF-8 bytes, two
  // UTF-16 units) and a 3-byte character before the last sentence.
  const std::string text =
      "Results \xF0\x9F\x98\x80 were clear.\r\nThey held in\r\nevery trial.\r\n\r\n"
      "\xE2\x80\x9C" "Dose\xE2\x80\x9D mattered.";
  const std::vector<Sentence> s = SplitSentences(text);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].text, "Results \xF0\x9F\x98\x80 were clear.");
  EXPECT_EQ(s[1].text, "They held in  every trial.");  // CR LF of the wrap: two spaces
  EXPECT_EQ(s[2].text, "\xE2\x80\x9C" "Dose\xE2\x80\x9D mattered.");
  for (const Sentence& one : s) EXPECT_EQ(At(text, one), one.text);
  EXPECT_EQ(s[0].begin, 0u);
  EXPECT_EQ(s[0].end, 24u);  // "Results " 8 bytes + the emoji 4 + " were clear." 12
  EXPECT_EQ(s[2].begin, 56u);  // 24 + CR LF 2 + "They held in" 12 + CR LF 2 + "every trial." 12 + 2 × CR LF 4
  EXPECT_EQ(s[2].end, text.size());
}

TEST(Sentences, ChineseSentencesAndWords) {
  const std::string text = "锂电池的容量随温度下降。低温下充电会析锂！";
  const std::vector<Sentence> s = SplitSentences(text);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].text, "锂电池的容量随温度下降。");
  EXPECT_EQ(s[1].text, "低温下充电会析锂！");
  EXPECT_EQ(s[1].begin, s[0].end);
  // ICU's dictionary finds several words in an unspaced Chinese sentence.
  EXPECT_GE(CountWords(s[0].text), 4u);
  EXPECT_EQ(CountWords("We agree."), 2u);
  EXPECT_EQ(CountWords("... !!"), 0u);
  EXPECT_EQ(CountWords("3 of 12 trials"), 4u);
}

/// Six papers on unrelated subjects, so each paraphrase has exactly one source.
std::vector<Document> Papers() {
  const std::vector<std::pair<std::string, std::string>> p = {
      {"Statin therapy and LDL cholesterol in elderly patients",
       "A randomised trial of statins lowering LDL cholesterol in patients over seventy."},
      {"Lithium plating during fast charging of graphite anodes",
       "Fast charging at low temperature deposits metallic lithium on graphite anodes."},
      {"Nitrogen fertilizer and wheat yield under drought",
       "Field trials of nitrogen fertilizer rates on wheat yield in dry seasons."},
      {"Cross-encoder rerankers for passage retrieval",
       "Transformer cross-encoders rerank BM25 candidates and improve passage retrieval."},
      {"Coral bleaching after marine heatwaves",
       "Marine heatwaves bleach reef corals; recovery takes a decade."},
      {"Sleep deprivation impairs working memory",
       "Adults kept awake for a night scored worse on working memory tasks."}};
  std::vector<Document> docs;
  for (size_t i = 0; i < p.size(); ++i) {
    Document d;
    d.id = "p";
    d.id += std::to_string(i);
    d.title = p[i].first;
    d.abstract = p[i].second;
    d.year = 2015 + static_cast<int>(i);
    std::string author = "Author";
    author += std::to_string(i);
    author += ", A.";
    d.authors = {author};
    docs.push_back(std::move(d));
  }
  return docs;
}

std::unique_ptr<Corpus> PaperCorpus(const std::string& path) {
  std::remove(path.c_str());
  auto corpus = Corpus::Open(path);
  EXPECT_TRUE(corpus.ok()) << corpus.status().ToString();
  EXPECT_TRUE((*corpus)->Add(Papers(), nullptr).ok());
  return std::move(*corpus);
}

const char* kDraft =
    "Statins reduce LDL cholesterol in elderly patients. We agree.\n"
    "Charging graphite anodes fast at low temperature plates lithium.\n\n"
    "Reef corals bleach during marine heatwaves. Cross-encoders rerank passages for retrieval.";

TEST(Cite, EachSentenceFindsThePaperItParaphrasesFirst) {
  auto corpus = PaperCorpus(testing::TempDir() + "/cite.db");
  auto searcher = Searcher::Create(corpus.get(), nullptr, nullptr);
  ASSERT_TRUE(searcher.ok());
  CiteOptions o;
  o.per_sentence = 2;
  std::vector<std::pair<size_t, size_t>> progress;
  o.progress = [&](size_t done, size_t total) {
    progress.push_back({done, total});
    return true;
  };
  StatusOr<CitationReport> r = SuggestCitations(searcher->get(), kDraft, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->sentences.size(), 5u);
  // Sentence -> the paper it paraphrases (ids p0..p5); "We agree." is too short.
  const std::vector<std::string> expected = {"p0", "", "p1", "p4", "p3"};
  for (size_t i = 0; i < expected.size(); ++i) {
    const CitedSentence& s = r->sentences[i];
    if (expected[i].empty()) {
      EXPECT_FALSE(s.searched);
      EXPECT_TRUE(s.citations.empty());
      continue;
    }
    EXPECT_TRUE(s.searched) << s.text;
    ASSERT_FALSE(s.citations.empty()) << s.text;
    EXPECT_LE(s.citations.size(), 2u);
    EXPECT_EQ(s.citations[0].document.doc.id, expected[i]) << s.text;
    EXPECT_DOUBLE_EQ(s.citations[0].relative, 1.0);
    for (const SentenceCitation& c : s.citations) EXPECT_LE(c.relative, 1.0);
  }
  EXPECT_EQ(progress, (std::vector<std::pair<size_t, size_t>>{{1, 4}, {2, 4}, {3, 4}, {4, 4}}));
  EXPECT_EQ(r->stages, std::vector<std::string>{"bm25"});
  // References: each once, in order of first citation, listing its sentences.
  ASSERT_GE(r->references.size(), 4u);
  EXPECT_EQ(r->references[0].document.doc.id, "p0");
  EXPECT_EQ(r->references[0].sentences.front(), 0u);
  // Without a reranker the report says what the scores are.
  ASSERT_FALSE(r->notes.empty());
  EXPECT_NE(r->notes.back().find("BM25"), std::string::npos) << r->notes.back();
}

TEST(Cite, AReferenceCitedTwiceIsListedOnceWithBothSentences) {
  auto corpus = PaperCorpus(testing::TempDir() + "/cite_twice.db");
  auto searcher = Searcher::Create(corpus.get(), nullptr, nullptr);
  ASSERT_TRUE(searcher.ok());
  CiteOptions o;
  o.per_sentence = 1;
  // Sentences 0 and 2 paraphrase the statin paper, sentence 1 the coral one.
  StatusOr<CitationReport> r = SuggestCitations(searcher->get(),
      "Statins lower LDL cholesterol in elderly patients. Marine heatwaves bleach reef corals. "
      "In patients over seventy, statin therapy lowered LDL cholesterol.", o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->references.size(), 2u);
  EXPECT_EQ(r->references[0].document.doc.id, "p0");
  EXPECT_EQ(r->references[0].sentences, (std::vector<size_t>{0, 2}));
  EXPECT_EQ(r->references[1].document.doc.id, "p4");
  EXPECT_EQ(r->references[1].sentences, std::vector<size_t>{1});
  // best_score is the larger of the two sentences' scores for p0.
  const double s0 = r->sentences[0].citations.at(0).score, s2 = r->sentences[2].citations.at(0).score;
  EXPECT_EQ(r->references[0].best_score, std::max(s0, s2));
}

TEST(Cite, ThresholdDropsWeakReferencesAndRelativeScoresFollow) {
  auto corpus = PaperCorpus(testing::TempDir() + "/cite_threshold.db");
  auto searcher = Searcher::Create(corpus.get(), nullptr, nullptr);
  ASSERT_TRUE(searcher.ok());
  CiteOptions o;
  o.per_sentence = 6;
  const std::string draft = "Statin trials lowered LDL cholesterol in patients during dry field seasons.";
  StatusOr<CitationReport> all = SuggestCitations(searcher->get(), draft, o);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  const std::vector<SentenceCitation>& c = all->sentences.at(0).citations;
  ASSERT_GE(c.size(), 2u);  // the statin paper and the field-trial paper share words
  for (size_t i = 0; i < c.size(); ++i) {
    EXPECT_DOUBLE_EQ(c[i].relative, c[i].score / c[0].score);
    if (i > 0) {
      EXPECT_LE(c[i].score, c[i - 1].score);
    }
  }
  // A threshold between the best and the second score keeps the best alone.
  o.search.threshold = (c[0].score + c[1].score) / 2;
  ASSERT_LT(c[1].score, c[0].score);
  StatusOr<CitationReport> kept = SuggestCitations(searcher->get(), draft, o);
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->sentences.at(0).citations.size(), 1u);
  EXPECT_EQ(kept->sentences[0].citations[0].document.doc.id, c[0].document.doc.id);
  EXPECT_EQ(kept->references.size(), 1u);
}

TEST(Cite, BadDraftsFailClearlyAndCancelStops) {
  auto corpus = PaperCorpus(testing::TempDir() + "/cite_bad.db");
  auto searcher = Searcher::Create(corpus.get(), nullptr, nullptr);
  ASSERT_TRUE(searcher.ok());
  CiteOptions o;
  auto fails = [&](const std::string& draft, const std::string& words) {
    StatusOr<CitationReport> r = SuggestCitations(searcher->get(), draft, o);
    ASSERT_FALSE(r.ok()) << draft;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(words), std::string::npos) << r.status().ToString();
  };
  fails("", "empty");
  fails("  \n\n ", "empty");
  fails(std::string("Statins lower \xff\xfe cholesterol."), "UTF-8");
  fails("We agree. Yes. Indeed so.", "words");
  std::string many;
  for (int i = 0; i < 201; ++i) many += "Statins lower LDL cholesterol. ";
  fails(many, "201 sentences");
  o.per_sentence = 0;
  fails("Statins lower LDL cholesterol in patients.", "per_sentence");
  o.per_sentence = 3;
  EXPECT_FALSE(SuggestCitations(nullptr, kDraft, o).ok());
  // Cancelling after the first sentence stops the run with Cancelled.
  size_t calls = 0;
  o.progress = [&](size_t, size_t) { return ++calls < 1; };
  StatusOr<CitationReport> r = SuggestCitations(searcher->get(), kDraft, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kCancelled);
  EXPECT_EQ(calls, 1u);
}

TEST(Cite, RerankerPathScoresProbabilities) {
  auto corpus = PaperCorpus(testing::TempDir() + "/cite_rerank.db");
  auto reranker = Reranker::Open(testing::TinyModel("reranker"));
  ASSERT_TRUE(reranker.ok()) << reranker.status().ToString();
  auto searcher = Searcher::Create(corpus.get(), reranker->get(), nullptr);
  ASSERT_TRUE(searcher.ok());
  CiteOptions o;
  o.search.instruction = "Retrieve the publication that supports the claim";
  StatusOr<CitationReport> r = SuggestCitations(searcher->get(), "Statins reduce LDL cholesterol in elderly patients.", o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stages, (std::vector<std::string>{"bm25", "rerank"}));
  ASSERT_EQ(r->sentences.size(), 1u);
  ASSERT_FALSE(r->sentences[0].citations.empty());
  for (const SentenceCitation& c : r->sentences[0].citations) {
    EXPECT_GE(c.score, 0.0);
    EXPECT_LE(c.score, 1.0);
  }
}

std::vector<Document> ReadBack(const fs::path& path) {
  std::vector<Document> docs;
  Status st = ReadRecords(path.string(), {}, [&](Document&& d) {
    docs.push_back(std::move(d));
    return Status::Ok();
  }, nullptr);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return docs;
}

TEST(CiteCli, WritesBibtexAndRisThatReadBackAndFailsClearly) {
  const fs::path dir = fs::path(testing::TempDir()) / "cite_cli";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string db = (dir / "papers.db").string();
  PaperCorpus(db);
  {
    std::ofstream f(dir / "draft.txt");
    f << kDraft;
  }
  const std::string bin = LITRANK_BINARY;
  testing::CommandResult ok = testing::RunCommand(
      bin + " cite " + (dir / "draft.txt").string() + " --db " + db + " -n 1 -f json --bibtex " +
      (dir / "cite.bib").string() + " --ris " + (dir / "cite.ris").string());
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  nlohmann::json j = nlohmann::json::parse(ok.output);
  ASSERT_EQ(j["sentences"].size(), 5u);
  EXPECT_FALSE(j["sentences"][1]["searched"].get<bool>());
  EXPECT_EQ(j["references"].size(), 4u);  // one per searched sentence, all different
  const std::vector<Document> bib = ReadBack(dir / "cite.bib");
  const std::vector<Document> ris = ReadBack(dir / "cite.ris");
  ASSERT_EQ(bib.size(), 4u);
  ASSERT_EQ(ris.size(), 4u);
  // In order of first citation: p0, p1, p4, p3 (the titles of Papers()).
  const std::vector<Document> papers = Papers();
  const std::vector<size_t> order = {0, 1, 4, 3};
  for (size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(bib[i].title, papers[order[i]].title);
    EXPECT_EQ(bib[i].year, papers[order[i]].year);
    EXPECT_EQ(ris[i].title, papers[order[i]].title);
    EXPECT_EQ(ris[i].authors, papers[order[i]].authors);
  }
  // The RIS note says which sentence each reference supports (1-based).
  std::ifstream in(dir / "cite.ris");
  std::string ris_text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(ris_text.find("supports sentence 4"), std::string::npos) << ris_text;

  // Stdin works; errors exit non-zero with a message and write nothing.
  testing::CommandResult piped = testing::RunCommand(
      "printf 'Marine heatwaves bleach reef corals.' | " + bin + " cite - --db " + db + " -f json");
  ASSERT_EQ(piped.exit_code, 0) << piped.output;
  EXPECT_EQ(nlohmann::json::parse(piped.output)["references"][0]["id"], "p4");
  testing::CommandResult none = testing::RunCommand(bin + " cite --text 'We agree.' --db " + db +
                                                    " --bibtex " + (dir / "none.bib").string(), true);
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.output.find("words"), std::string::npos) << none.output;
  EXPECT_FALSE(fs::exists(dir / "none.bib"));
  testing::CommandResult both = testing::RunCommand(bin + " cite " + (dir / "draft.txt").string() +
                                                    " --text 'x y z w' --db " + db, true);
  EXPECT_NE(both.exit_code, 0);
  EXPECT_NE(both.output.find("not both"), std::string::npos) << both.output;
  testing::CommandResult neither = testing::RunCommand(bin + " cite --db " + db, true);
  EXPECT_NE(neither.exit_code, 0);
  EXPECT_NE(neither.output.find("no draft"), std::string::npos) << neither.output;
  // A bad draft is refused before the collection is opened (the file does not exist).
  testing::CommandResult bad_first = testing::RunCommand(bin + " cite --text 'We agree.' --db " +
                                                         (dir / "missing.db").string(), true);
  EXPECT_NE(bad_first.exit_code, 0);
  EXPECT_NE(bad_first.output.find("words"), std::string::npos) << bad_first.output;
  testing::CommandResult nodb = testing::RunCommand(bin + " cite --text 'Statins lower LDL cholesterol.' --db " +
                                                    (dir / "missing.db").string(), true);
  EXPECT_NE(nodb.exit_code, 0);
  EXPECT_NE(nodb.output.find("error"), std::string::npos) << nodb.output;
}

}  // namespace
}  // namespace litrank

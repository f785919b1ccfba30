// Tests for the RIS and BibTeX readers of src/ingest.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ingest/latex.h"
#include "ingest_test_util.h"

namespace litrank {
namespace {

using testing::IngestTempDir;
using testing::ReadText;
using Strings = std::vector<std::string>;

TEST(IngestRisTest, AllFieldsBomCrlfContinuation) {
  IngestTempDir dir;
  const std::string ris =
      "\xEF\xBB\xBFTY  - JOUR\r\n"
      "TI  - Dense   retrieval\r\n"
      "  for literature search\r\n"
      "AU  - Smith, Jane\r\n"
      "AU  - Doe, John\r\n"
      "AB  - We study ranking.\r\n"
      "PY  - 2021/05/03/\r\n"
      "JO  - Journal of Tests\r\n"
      "DO  - https://doi.org/10.1000/ABC.1\r\n"
      "KW  - retrieval\r\n"
      "KW  - ranking; search\r\n"
      "LA  - English\r\n"
      "UR  - https://example.org/paper\r\n"
      "ID  - rec1\r\n"
      "VL  - 12\r\n"
      "ER  - \r\n"
      "\r\n"
      "TY  - CONF\r\n"
      "T1  - Second paper\r\n"
      "N2  - Its abstract.\r\n"
      "Y1  - 1999\r\n"
      "A1  - Roe, R.\r\n"
      "ER  -\r\n";
  auto r = ReadText(dir, "x.ris", ris);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 2u);
  const Document& d = r.docs[0];
  EXPECT_EQ(d.title, "Dense retrieval for literature search");
  EXPECT_EQ(d.abstract, "We study ranking.");
  EXPECT_EQ(d.year, 2021);
  EXPECT_EQ(d.authors, (Strings{"Smith, Jane", "Doe, John"}));
  EXPECT_EQ(d.venue, "Journal of Tests");
  EXPECT_EQ(d.doi, "10.1000/abc.1");
  EXPECT_EQ(d.keywords, (Strings{"retrieval", "ranking", "search"}));
  EXPECT_EQ(d.language, "en");
  EXPECT_EQ(d.url, "https://example.org/paper");
  EXPECT_EQ(d.id, "rec1");
  EXPECT_EQ(d.source, "ris");
  const auto extra = nlohmann::json::parse(d.extra_json);
  EXPECT_EQ(extra.value("type", ""), "JOUR");
  EXPECT_EQ(extra.value("volume", ""), "12");
  EXPECT_EQ(r.docs[1].title, "Second paper");
  EXPECT_EQ(r.docs[1].abstract, "Its abstract.");
  EXPECT_EQ(r.docs[1].year, 1999);
  EXPECT_EQ(r.docs[1].authors, (Strings{"Roe, R."}));
  EXPECT_EQ(r.report.records, 2u);
  EXPECT_TRUE(r.report.skipped.empty());
}

TEST(IngestRisTest, MalformedRecordsSkippedWithLines) {
  IngestTempDir dir;
  const std::string ris =
      "TY  - JOUR\nAU  - Nobody\nPY  - 2000\nER  - \n"         // lines 1-4: no title/abstract
      "TY  - JOUR\nTI  - Bad \xC3\x28 bytes\nER  - \n"          // lines 5-7: invalid UTF-8
      "TY  - JOUR\nTI  - Fine\nTY  - JOUR\nTI  - No ER at end\n";  // 8-9 (no ER), 10-11 (EOF)
  auto r = ReadText(dir, "x.ris", ris);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_EQ(r.docs[0].title, "Fine");
  EXPECT_EQ(r.docs[1].title, "No ER at end");
  ASSERT_EQ(r.report.skipped.size(), 2u);
  EXPECT_EQ(r.report.skipped[0].line, 1u);
  EXPECT_EQ(r.report.skipped[0].reason, "no title or abstract");
  EXPECT_EQ(r.report.skipped[1].line, 5u);
  EXPECT_EQ(r.report.skipped[1].reason, "invalid UTF-8");
  EXPECT_NE(r.report.skipped[1].file.find("x.ris"), std::string::npos);
}

TEST(IngestRisTest, NotRisAtAll) {
  IngestTempDir dir;
  auto r = ReadText(dir, "x.txt", "title,abstract\nsome,csv\n", RecordFormat::kRis);
  EXPECT_EQ(r.status.code(), Status::Code::kCorruption);
  EXPECT_NE(r.status.message().find("not RIS"), std::string::npos);
}

TEST(IngestBibtexTest, AllFieldsMacrosAndLatex) {
  IngestTempDir dir;
  const std::string bib =
      "% exported by hand\n"
      "@string{jot = \"Journal of \" # \"Tests\"}\n"
      "@comment{ignore {this} }\n"
      "@preamble{\"\\newcommand{\\x}{y}\"}\n"
      "@Article{smith2020,\n"
      "  title = {A {Nested {Brace}} Title on G{\\\"o}del and Erd\\H{o}s},\n"
      "  author = {M{\\\"u}ller, J{\\\"o}rg and {\\'E}mile Zola and {Barnes and Noble}},\n"
      "  journal = jot,\n"
      "  year = 2020,\n"
      "  month = mar,\n"
      "  doi = {10.1000/XYZ},\n"
      "  keywords = {ranking; search, retrieval},\n"
      "  abstract = \"Costs 5\\% less \\& pages 1--2 with {\\c c}a and \\ss{} and na{\\\"i}ve\",\n"
      "  url = {https://example.org/a_b},\n"
      "  langid = {english},\n"
      "  pages = {1--2}\n"
      "}\n"
      "@inproceedings(conf99, title = \"Conference paper\", booktitle = {Proc. of Things}, date = {1999-06-01})\n";
  auto r = ReadText(dir, "refs.bib", bib);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 2u);
  const Document& d = r.docs[0];
  EXPECT_EQ(d.id, "smith2020");
  EXPECT_EQ(d.title, "A Nested Brace Title on Gödel and Erdős");
  EXPECT_EQ(d.authors, (Strings{"Müller, Jörg", "Émile Zola", "Barnes and Noble"}));
  EXPECT_EQ(d.venue, "Journal of Tests");
  EXPECT_EQ(d.year, 2020);
  EXPECT_EQ(d.doi, "10.1000/xyz");
  EXPECT_EQ(d.keywords, (Strings{"ranking", "search, retrieval"}));
  EXPECT_EQ(d.abstract, "Costs 5% less & pages 1–2 with ça and ß and naïve");
  EXPECT_EQ(d.url, "https://example.org/a_b");
  EXPECT_EQ(d.language, "en");
  EXPECT_EQ(d.source, "bibtex");
  const auto extra = nlohmann::json::parse(d.extra_json);
  EXPECT_EQ(extra.value("type", ""), "article");
  EXPECT_EQ(extra.value("month", ""), "March");
  EXPECT_EQ(extra.value("pages", ""), "1–2");
  EXPECT_EQ(r.docs[1].id, "conf99");
  EXPECT_EQ(r.docs[1].title, "Conference paper");
  EXPECT_EQ(r.docs[1].venue, "Proc. of Things");
  EXPECT_EQ(r.docs[1].year, 1999);
}

TEST(IngestBibtexTest, UnbalancedEntrySkippedReadingResumes) {
  IngestTempDir dir;
  const std::string bib =
      "@article{bad,\n"                 // 1
      "  title = {Never {closed},\n"    // 2
      "  year = 2001\n"                 // 3
      "@article{good,\n"                // 4
      "  title = {Good one}\n"          // 5
      "}\n"                             // 6
      "@article{syntax, title = {x} year = 2}\n"  // 7: missing comma
      "@article{notitle, year = 2002}\n"          // 8
      "@book{last, title = {Unclosed at end}\n";  // 9
  auto r = ReadText(dir, "refs.bib", bib);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 1u);
  EXPECT_EQ(r.docs[0].id, "good");
  ASSERT_EQ(r.report.skipped.size(), 4u);
  EXPECT_EQ(r.report.skipped[0].line, 1u);
  EXPECT_NE(r.report.skipped[0].reason.find("unbalanced"), std::string::npos);
  EXPECT_EQ(r.report.skipped[1].line, 7u);
  EXPECT_EQ(r.report.skipped[2].line, 8u);
  EXPECT_EQ(r.report.skipped[2].reason, "no title or abstract");
  EXPECT_EQ(r.report.skipped[3].line, 9u);
}

TEST(IngestBibtexTest, NotBibtexAtAll) {
  IngestTempDir dir;
  auto r = ReadText(dir, "x.txt", "just some text\nno entries\n", RecordFormat::kBibtex);
  EXPECT_EQ(r.status.code(), Status::Code::kCorruption);
}

TEST(IngestLatexTest, CommonCommands) {
  EXPECT_EQ(ingest::LatexToUtf8("\\'e\\`a\\^o\\~n\\=a\\.z\\u{g}\\v{s}\\k{a}\\r{a}"), "éàôñāżğšąå");
  EXPECT_EQ(ingest::LatexToUtf8("{\\\"a} \\\"{o} \\'{\\i} \\o{} \\AE{} \\L"), "ä ö í ø Æ Ł");
  EXPECT_EQ(ingest::LatexToUtf8("\\o x"), "øx");  // a control word eats the space after it
  EXPECT_EQ(ingest::LatexToUtf8("\\emph{Deep} learning---now $x$ \\# \\_ \\{\\}"), "Deep learning—now x # _ {}");
  EXPECT_EQ(ingest::LatexToUtf8("caf\xC3\xA9 a~b"), "café a b");
}

// Found by tests/fuzz/bibtex_fuzzer (its regression inputs replay these in the fuzz smoke).
TEST(IngestLatexTest, NonAsciiAfterBackslashKeepsUtf8) {
  // A control "symbol" that is a multi-byte character lost its lead byte.
  EXPECT_EQ(ingest::LatexToUtf8("\\\xDE\xA3x \\\xC3\xA9"), "\xDE\xA3x \xC3\xA9");
}

TEST(IngestLatexTest, AccentOnTruncatedSequenceDoesNotThrow) {
  // A lead byte promising more bytes than the argument has: substr past the end threw.
  EXPECT_EQ(ingest::LatexToUtf8("\\'{\xC3}"), "\xC3\xCC\x81");
  EXPECT_EQ(ingest::LatexToUtf8("\\'\xE2"), "\xE2\xCC\x81");
}

}  // namespace
}  // namespace litrank

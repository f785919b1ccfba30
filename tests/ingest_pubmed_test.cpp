// Tests for the PubMed/MEDLINE XML reader of src/ingest.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ingest_test_util.h"

namespace litrank {
namespace {

using testing::IngestTempDir;
using testing::ReadText;
using Strings = std::vector<std::string>;

// One <PubmedArticle>; `body` goes inside <Article> after the title.
std::string Article(const std::string& pmid, const std::string& title, const std::string& body,
                     const std::string& after_article = "", const std::string& pubmed_data = "") {
  return "<PubmedArticle>\n<MedlineCitation Status=\"MEDLINE\">\n<PMID Version=\"1\">" + pmid +
         "</PMID>\n<Article PubModel=\"Print\">\n<ArticleTitle>" + title + "</ArticleTitle>\n" + body +
         "</Article>\n" + after_article + "</MedlineCitation>\n" + pubmed_data + "</PubmedArticle>\n";
}

const char kHead[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE PubmedArticleSet PUBLIC \"-//NLM//DTD PubMedArticle, 1st January 2024//EN\" "
    "\"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd\">\n"
    "<PubmedArticleSet>\n";

TEST(IngestPubmedTest, AllFields) {
  IngestTempDir dir;
  const std::string xml =
      std::string(kHead) +
      Article("10024335", "Effects of <i>ACE</i> blockade &amp; statins.",
              "<Journal><JournalIssue><PubDate><Year>1999</Year><Month>Jan</Month></PubDate></JournalIssue>"
              "<Title>Hypertension</Title></Journal>\n"
              "<ELocationID EIdType=\"pii\">X1</ELocationID><ELocationID EIdType=\"doi\">10.1161/01.HYP.33.1</ELocationID>\n"
              "<Abstract><AbstractText Label=\"BACKGROUND\">Why it matters.</AbstractText>\n"
              "<AbstractText Label=\"RESULTS\">It  worked.</AbstractText></Abstract>\n"
              "<AuthorList><Author><LastName>Sposito</LastName><ForeName>Andrei C</ForeName></Author>"
              "<Author><LastName>Mansur</LastName><Initials>AP</Initials></Author>"
              "<Author><CollectiveName>The Trial Group</CollectiveName></Author></AuthorList>\n"
              "<Language>eng</Language>\n"
              "<PublicationTypeList><PublicationType>Clinical Trial</PublicationType></PublicationTypeList>\n",
              "<MeshHeadingList><MeshHeading><DescriptorName UI=\"D1\">Hypertension</DescriptorName></MeshHeading>"
              "<MeshHeading><DescriptorName UI=\"D2\">Humans</DescriptorName></MeshHeading></MeshHeadingList>\n"
              "<KeywordList Owner=\"NOTNLM\"><Keyword>statins</Keyword></KeywordList>\n") +
      Article("2", "Second", "<Journal><JournalIssue><PubDate><MedlineDate>1998 Dec-1999 Jan</MedlineDate>"
                             "</PubDate></JournalIssue></Journal><Abstract><AbstractText>Plain.</AbstractText></Abstract>\n",
              "", "<PubmedData><ArticleIdList><ArticleId IdType=\"pubmed\">2</ArticleId>"
                  "<ArticleId IdType=\"doi\">10.9/ZZ</ArticleId></ArticleIdList></PubmedData>\n") +
      "</PubmedArticleSet>\n";
  auto r = ReadText(dir, "pubmed.xml", xml);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 2u);
  const Document& d = r.docs[0];
  EXPECT_EQ(d.id, "10024335");
  EXPECT_EQ(d.title, "Effects of ACE blockade & statins.");
  EXPECT_EQ(d.abstract, "BACKGROUND: Why it matters. RESULTS: It worked.");
  EXPECT_EQ(d.year, 1999);
  EXPECT_EQ(d.venue, "Hypertension");
  EXPECT_EQ(d.doi, "10.1161/01.hyp.33.1");
  EXPECT_EQ(d.authors, (Strings{"Sposito, Andrei C", "Mansur, AP", "The Trial Group"}));
  EXPECT_EQ(d.keywords, (Strings{"statins", "Hypertension", "Humans"}));
  EXPECT_EQ(d.language, "en");
  EXPECT_EQ(d.source, "pubmed_xml");
  const auto extra = nlohmann::json::parse(d.extra_json);
  EXPECT_EQ(extra["mesh"], nlohmann::json({"Hypertension", "Humans"}));
  EXPECT_EQ(extra["publication_types"], nlohmann::json({"Clinical Trial"}));
  EXPECT_EQ(r.docs[1].id, "2");
  EXPECT_EQ(r.docs[1].year, 1998);
  EXPECT_EQ(r.docs[1].doi, "10.9/zz");
  EXPECT_EQ(r.docs[1].abstract, "Plain.");
}

TEST(IngestPubmedTest, EmptyRecordSkippedWithLine) {
  IngestTempDir dir;
  const std::string xml = std::string(kHead) + Article("1", "", "") + Article("2", "Kept", "") +
                          "</PubmedArticleSet>\n";
  auto r = ReadText(dir, "p.xml", xml);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 1u);
  EXPECT_EQ(r.docs[0].title, "Kept");
  ASSERT_EQ(r.report.skipped.size(), 1u);
  EXPECT_EQ(r.report.skipped[0].line, 4u);  // the <PubmedArticle> line
}

TEST(IngestPubmedTest, MalformedXmlStopsWithLine) {
  IngestTempDir dir;
  // libxml2 parses ahead of the articles it hands out, so an error right after
  // a few articles can stop reading before them; 200 leave room to see them read.
  std::string xml = kHead;
  constexpr int kGood = 200;
  for (int i = 1; i <= kGood; ++i) xml += Article(std::to_string(i), "Good " + std::to_string(i), "");
  const size_t bad_line = 3 + 8 * kGood + 2;  // each Article() is 8 lines
  xml += "<PubmedArticle><MedlineCitation><PMID>2</PMID>\n"
         "<Article><ArticleTitle>Broken</Title>\n"  // mismatched tag
         "</Article></MedlineCitation></PubmedArticle>\n</PubmedArticleSet>\n";
  auto r = ReadText(dir, "p.xml", xml);
  EXPECT_EQ(r.status.code(), Status::Code::kCorruption);
  EXPECT_NE(r.status.message().find("p.xml:" + std::to_string(bad_line) + ":"), std::string::npos)
      << r.status.message();
  EXPECT_NE(r.status.message().find("mismatch"), std::string::npos) << r.status.message();
  ASSERT_GT(r.docs.size(), 0u);  // what came before the break was read, in order
  EXPECT_LE(r.docs.size(), static_cast<size_t>(kGood));
  EXPECT_EQ(r.docs[0].title, "Good 1");
}

TEST(IngestPubmedTest, OtherXmlIsRefused) {
  IngestTempDir dir;
  auto r = ReadText(dir, "feed.xml", "<?xml version=\"1.0\"?>\n<rss><channel/></rss>\n");
  EXPECT_EQ(r.status.code(), Status::Code::kUnsupported);
  r = ReadText(dir, "feed2.xml", "<?xml version=\"1.0\"?>\n<rss><channel/></rss>\n", RecordFormat::kPubmedXml);
  EXPECT_EQ(r.status.code(), Status::Code::kCorruption);
  EXPECT_NE(r.status.message().find("<rss>"), std::string::npos);
}


// PubMed Central reference lists become extra_json "references": the cited
// work's PMID, else its DOI; a reference with neither is left out.
TEST(IngestPubmedTest, ReferenceListKeepsCitedPmidsElseDois) {
  IngestTempDir dir;
  const std::string xml =
      std::string(kHead) +
      Article("30000001", "Citing paper.", "", "",
              "<PubmedData><ReferenceList>"
              "<Reference><Citation>Old work.</Citation><ArticleIdList><ArticleId IdType=\"doi\">10.5/old</ArticleId>"
              "<ArticleId IdType=\"pubmed\">123</ArticleId></ArticleIdList></Reference>"
              "<Reference><Citation>Doi only.</Citation><ArticleIdList><ArticleId IdType=\"doi\">10.5/Only</ArticleId>"
              "</ArticleIdList></Reference>"
              "<Reference><Citation>No ids at all.</Citation></Reference>"
              "</ReferenceList></PubmedData>\n") +
      "</PubmedArticleSet>\n";
  auto r = ReadText(dir, "refs.xml", xml);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 1u);
  const auto extra = nlohmann::json::parse(r.docs[0].extra_json);
  ASSERT_TRUE(extra.contains("references")) << r.docs[0].extra_json;
  EXPECT_EQ(extra["references"], nlohmann::json::array({"123", "10.5/Only"}));
}

}  // namespace
}  // namespace litrank

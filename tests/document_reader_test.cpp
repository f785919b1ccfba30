// Tests for io/document_reader: JSONL, CSV, TSV and plain-line inputs.
#include "io/document_reader.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "util/utf8.h"

namespace litrank {
namespace {

namespace fs = std::filesystem;

// Reads `content` as if it were the file `name`; the format comes from its extension.
Status ReadString(const std::string& content, const std::string& name,
                  std::vector<InputDocument>* docs, ReadReport* report,
                  const ReadOptions& options = {}) {
  std::istringstream in(content);
  return ReadDocumentsFromStream(in, name, DocFormat::kAuto, options, docs, report);
}

// A fresh directory for files the test writes; removed when it goes.
class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("litrank_reader_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  // Writes `content` to `name` inside the directory and returns its path.
  std::string Write(const std::string& name, const std::string& content) const {
    const fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(DocumentReaderTest, JsonlTextField) {
  std::vector<InputDocument> docs;
  ReadReport report;
  ASSERT_TRUE(ReadString("{\"id\": \"a\", \"text\": \"  Dense retrieval works.  \"}\n"
                         "{\"id\": \"b\", \"text\": \"Second\", \"title\": \"ignored\"}\n",
                         "in.jsonl", &docs, &report).ok());
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].id, "a");
  EXPECT_EQ(docs[0].text, "Dense retrieval works.");
  EXPECT_EQ(docs[0].line, 1u);
  EXPECT_EQ(docs[1].text, "Second");
  EXPECT_EQ(docs[1].line, 2u);
  EXPECT_EQ(report.read, 2u);
  EXPECT_EQ(report.skipped, 0u);
  EXPECT_TRUE(report.problems.empty());
}

TEST(DocumentReaderTest, JsonlTitleAndAbstract) {
  std::vector<InputDocument> docs;
  ReadReport report;
  ASSERT_TRUE(ReadString(R"({"id":"1","title":"Cross-encoders","abstract":"We rerank."})" "\n"
                         R"({"id":"2","title":"Only a title"})" "\n"
                         R"({"id":"3","abstract":"Only an abstract.","title":null})" "\n"
                         R"({"id":"4","title":"Does it help?","abstract":"Yes."})" "\n",
                         "in.ndjson", &docs, &report).ok());
  ASSERT_EQ(docs.size(), 4u);
  EXPECT_EQ(docs[0].text, "Cross-encoders. We rerank.");
  EXPECT_EQ(docs[1].text, "Only a title");
  EXPECT_EQ(docs[2].text, "Only an abstract.");
  EXPECT_EQ(docs[3].text, "Does it help? Yes.");
}

TEST(DocumentReaderTest, JsonlIdFallbacks) {
  std::vector<InputDocument> docs;
  ReadReport report;
  ASSERT_TRUE(ReadString(R"({"_id":"doc-7","contents":"BEIR style"})" "\n"
                         R"({"id":42,"text":"numeric id"})" "\n"
                         "\n"
                         R"({"text":"no id at all"})" "\n",
                         "corpus.jsonl", &docs, &report).ok());
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].id, "doc-7");
  EXPECT_EQ(docs[0].text, "BEIR style");
  EXPECT_EQ(docs[1].id, "42");
  EXPECT_EQ(docs[2].id, "4");  // the line number; line 3 was blank
  EXPECT_EQ(docs[2].line, 4u);
}

TEST(DocumentReaderTest, JsonlMalformedLineIsSkippedAndReported) {
  std::vector<InputDocument> docs;
  ReadReport report;
  ASSERT_TRUE(ReadString("{\"id\":\"a\",\"text\":\"first\"}\n"
                         "{\"id\":\"b\",\"text\":\"broken\"\n"
                         "{\"id\":\"c\",\"text\":\"third\"}\n",
                         "in.jsonl", &docs, &report).ok());
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].id, "a");
  EXPECT_EQ(docs[1].id, "c");
  EXPECT_EQ(docs[1].line, 3u);
  EXPECT_EQ(report.read, 2u);
  EXPECT_EQ(report.skipped, 1u);
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].rfind("in.jsonl:2: bad JSON", 0), 0u) << report.problems[0];
}

TEST(DocumentReaderTest, JsonlRecordsWithoutUsableTextAreSkipped) {
  std::vector<InputDocument> docs;
  ReadReport report;
  ASSERT_TRUE(ReadString("{\"id\":\"a\",\"body\":\"no known field\"}\n"
                         "[1, 2, 3]\n"
                         "{\"id\":\"c\",\"text\":17}\n"
                         "{\"id\":\"d\",\"text\":\"   \"}\n"
                         "{\"id\":\"e\",\"text\":\"fine\"}\r\n",
                         "in.jsonl", &docs, &report).ok());
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].id, "e");
  EXPECT_EQ(docs[0].text, "fine");
  EXPECT_EQ(report.skipped, 4u);
  ASSERT_EQ(report.problems.size(), 4u);
  EXPECT_NE(report.problems[0].find("in.jsonl:1: no text field"), std::string::npos);
  EXPECT_EQ(report.problems[1], "in.jsonl:2: not a JSON object");
  EXPECT_EQ(report.problems[2], "in.jsonl:3: field \"text\" is not a string");
  EXPECT_EQ(report.problems[3], "in.jsonl:4: empty text");
}

TEST(DocumentReaderTest, JsonlChosenFields) {
  std::vector<InputDocument> docs;
  ReadReport report;
  ReadOptions options;
  options.column = "body";
  options.id_column = "doi";
  ASSERT_TRUE(ReadString(R"({"doi":"10.1/x","body":"chosen","text":"not this"})" "\n"
                         R"({"doi":"10.1/y","text":"no body"})" "\n",
                         "in.jsonl", &docs, &report, options).ok());
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].id, "10.1/x");
  EXPECT_EQ(docs[0].text, "chosen");
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0], "in.jsonl:2: no field \"body\"");
}

TEST(DocumentReaderTest, InvalidUtf8RecordsAreSkippedInEveryFormat) {
  const std::string bad = "caf\xC3 au lait";  // truncated 2-byte sequence
  struct Case {
    std::string name, content;
    size_t bad_line;
  };
  const std::vector<Case> cases = {
      {"in.jsonl", "{\"text\":\"ok one\"}\n{\"text\":\"" + bad + "\"}\n{\"text\":\"ok two\"}\n", 2},
      {"in.csv", "id,text\n1,ok one\n2," + bad + "\n3,ok two\n", 3},
      {"in.tsv", "id\ttext\n1\tok one\n2\t" + bad + "\n3\tok two\n", 3},
      {"in.txt", "ok one\n" + bad + "\nok two\n", 2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<InputDocument> docs;
    ReadReport report;
    ASSERT_TRUE(ReadString(c.content, c.name, &docs, &report).ok());
    ASSERT_EQ(docs.size(), 2u);
    EXPECT_EQ(docs[0].text, "ok one");
    EXPECT_EQ(docs[1].text, "ok two");
    EXPECT_EQ(report.skipped, 1u);
    ASSERT_EQ(report.problems.size(), 1u);
    EXPECT_EQ(report.problems[0], c.name + ":" + std::to_string(c.bad_line) + ": invalid UTF-8");
  }
}

TEST(DocumentReaderTest, CsvQuotedFields) {
  std::vector<InputDocument> docs;
  ReadReport report;
  ASSERT_TRUE(ReadString("id,text\n"
                         "1,\"Retrieval, then reranking\"\n"
                         "2,\"The \"\"monoT5\"\" baseline\"\n"
                         "3,\"First line\nsecond line\"\n"
                         "4,plain\n"
                         "5,\"\"\n",
                         "in.csv", &docs, &report).ok());
  ASSERT_EQ(docs.size(), 4u);
  EXPECT_EQ(docs[0].text, "Retrieval, then reranking");
  EXPECT_EQ(docs[1].text, "The \"monoT5\" baseline");
  EXPECT_EQ(docs[2].text, "First line\nsecond line");
  EXPECT_EQ(docs[2].line, 4u);
  EXPECT_EQ(docs[3].id, "4");
  EXPECT_EQ(docs[3].line, 6u);  // after the record that spans two lines
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0], "in.csv:7: empty text");
}

TEST(DocumentReaderTest, CsvBomCrlfAndTitleAbstract) {
  std::vector<InputDocument> docs;
  ReadReport report;
  ASSERT_TRUE(ReadString("\xEF\xBB\xBFTitle,Abstract,Year\r\n"
                         "Solid electrolytes,\"Dendrites grow,\r\nthen short.\",2021\r\n"
                         "No abstract,,2019\r\n",
                         "in.csv", &docs, &report).ok());
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].text, "Solid electrolytes. Dendrites grow,\nthen short.");
  EXPECT_EQ(docs[0].id, "2");  // no id column: the line number
  EXPECT_EQ(docs[1].text, "No abstract");
  EXPECT_EQ(docs[1].line, 4u);
  EXPECT_TRUE(report.problems.empty());
}

TEST(DocumentReaderTest, CsvAsreviewColumnsWorkAsTheyAre) {
  std::vector<InputDocument> docs;
  ReadReport report;
  ASSERT_TRUE(ReadString("record_id,title,abstract,authors,doi,included\n"
                         "0,Neural rerankers,\"We study cross-encoders; results, mixed.\","
                         "\"Doe, J.; Roe, K.\",10.1/a,1\n"
                         "1,Base editing,Off-target effects are measured.,\"Li, M.\",,0\n",
                         "export.csv", &docs, &report).ok());
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].id, "0");
  EXPECT_EQ(docs[0].text, "Neural rerankers. We study cross-encoders; results, mixed.");
  EXPECT_EQ(docs[1].id, "1");
  EXPECT_EQ(docs[1].text, "Base editing. Off-target effects are measured.");
}

TEST(DocumentReaderTest, CsvChosenColumnAndFirstColumnFallback) {
  const std::string csv = "doi,summary,body\n10.1/a,short one,long one\n";
  std::vector<InputDocument> docs;
  ReadOptions options;
  options.column = "BODY";  // case-insensitive match
  options.id_column = "doi";
  ASSERT_TRUE(ReadString(csv, "in.csv", &docs, nullptr, options).ok());
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].text, "long one");
  EXPECT_EQ(docs[0].id, "10.1/a");

  docs.clear();
  ASSERT_TRUE(ReadString(csv, "in.csv", &docs, nullptr).ok());
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].text, "10.1/a");  // no text/title/abstract: the first column
}

TEST(DocumentReaderTest, CsvUnknownColumnIsInvalidArgument) {
  std::vector<InputDocument> docs;
  ReadOptions options;
  options.column = "summary";
  const Status st = ReadString("id,title,abstract\n1,a,b\n", "in.csv", &docs, nullptr, options);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("\"summary\""), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("\"id\", \"title\", \"abstract\""), std::string::npos)
      << st.message();
  EXPECT_TRUE(docs.empty());

  options.column = "";
  options.id_column = "pmid";
  EXPECT_EQ(ReadString("id,text\n1,a\n", "in.csv", &docs, nullptr, options).code(),
            Status::Code::kInvalidArgument);
}

TEST(DocumentReaderTest, CsvBadRecordsAreSkippedNotFatal) {
  std::vector<InputDocument> docs;
  ReadReport report;
  ASSERT_TRUE(ReadString("id,text\n"
                         "1,one,extra\n"
                         "2,\"never closed\n"
                         "3,three\n",
                         "in.csv", &docs, &report).ok());
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].id, "3");
  EXPECT_EQ(docs[0].line, 4u);
  EXPECT_EQ(report.skipped, 2u);
  ASSERT_EQ(report.problems.size(), 2u);
  EXPECT_EQ(report.problems[0], "in.csv:2: expected 2 fields, found 3");
  EXPECT_EQ(report.problems[1], "in.csv:3: unterminated quoted field");
}

TEST(DocumentReaderTest, Tsv) {
  std::vector<InputDocument> docs;
  ReadReport report;
  ASSERT_TRUE(ReadString("id\ttitle\tabstract\n"
                         "t1\tLiFePO4 aging\tCapacity fade, at 45 C.\n"
                         "\n"
                         "t2\t\"Quoted\ttitle\"\tHe said \"\"x\"\".\n",
                         "in.tab", &docs, &report).ok());
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].id, "t1");
  EXPECT_EQ(docs[0].text, "LiFePO4 aging. Capacity fade, at 45 C.");
  EXPECT_EQ(docs[1].text, "Quoted\ttitle. He said \"\"x\"\".");  // quotes mid-field are literal
  EXPECT_EQ(docs[1].line, 4u);
  EXPECT_TRUE(report.problems.empty());
}

TEST(DocumentReaderTest, PlainLinesSkipBlanks) {
  std::vector<InputDocument> docs;
  ReadReport report;
  ASSERT_TRUE(ReadString("first document\n\n   \n\tsecond document  \r\nthird", "docs.txt",
                         &docs, &report).ok());
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].text, "first document");
  EXPECT_EQ(docs[0].id, "1");
  EXPECT_EQ(docs[1].text, "second document");
  EXPECT_EQ(docs[1].id, "4");
  EXPECT_EQ(docs[1].line, 4u);
  EXPECT_EQ(docs[2].text, "third");
  EXPECT_EQ(report.read, 3u);
  EXPECT_EQ(report.skipped, 0u);
}

TEST(DocumentReaderTest, ExplicitFormatOverridesExtension) {
  std::vector<InputDocument> docs;
  ReadOptions options;
  options.format = DocFormat::kLines;
  ASSERT_TRUE(ReadString("a,b\n1,2\n", "in.csv", &docs, nullptr, options).ok());
  EXPECT_EQ(docs.size(), 2u);
}

TEST(DocumentReaderTest, FormatNames) {
  EXPECT_EQ(DocFormatFromPath("a/b.JSONL"), DocFormat::kJsonl);
  EXPECT_EQ(DocFormatFromPath("b.ndjson"), DocFormat::kJsonl);
  EXPECT_EQ(DocFormatFromPath("b.csv"), DocFormat::kCsv);
  EXPECT_EQ(DocFormatFromPath("b.tsv"), DocFormat::kTsv);
  EXPECT_EQ(DocFormatFromPath("b.tab"), DocFormat::kTsv);
  EXPECT_EQ(DocFormatFromPath("b.txt"), DocFormat::kLines);
  EXPECT_EQ(DocFormatFromPath("-"), DocFormat::kLines);
  DocFormat f = DocFormat::kAuto;
  EXPECT_TRUE(ParseDocFormat("CSV", &f));
  EXPECT_EQ(f, DocFormat::kCsv);
  EXPECT_FALSE(ParseDocFormat("xml", &f));
  EXPECT_EQ(f, DocFormat::kCsv);
  EXPECT_STREQ(DocFormatName(DocFormat::kTsv), "tsv");
}

TEST(DocumentReaderTest, FilesOnDisk) {
  TempDir dir;
  std::vector<InputDocument> docs;
  ReadReport report;
  ASSERT_TRUE(ReadDocuments(dir.Write("a.csv", "text\n\"x, y\"\n"), {}, &docs, &report).ok());
  ASSERT_TRUE(ReadDocuments(dir.Write("b.jsonl", "{\"text\":\"z\"}\n"), {}, &docs, &report).ok());
  ASSERT_EQ(docs.size(), 2u);  // appended
  EXPECT_EQ(docs[0].text, "x, y");
  EXPECT_EQ(docs[1].text, "z");
  EXPECT_EQ(report.read, 2u);

  const std::string bad = dir.Write("c.jsonl", "nope\n");
  ASSERT_TRUE(ReadDocuments(bad, {}, &docs, &report).ok());
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].rfind(bad + ":1: bad JSON", 0), 0u) << report.problems[0];
}

TEST(DocumentReaderTest, MissingFileIsNotFound) {
  std::vector<InputDocument> docs;
  const Status st = ReadDocuments("/nonexistent/litrank/docs.jsonl", {}, &docs, nullptr);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_NE(st.message().find("/nonexistent/litrank/docs.jsonl"), std::string::npos);
}

TEST(DocumentReaderTest, DirectoryIsIOError) {
  TempDir dir;
  std::vector<InputDocument> docs;
  EXPECT_EQ(ReadDocuments(dir.path().string(), {}, &docs, nullptr).code(),
            Status::Code::kIOError);
}

TEST(DocumentReaderTest, GzipIsUnsupported) {
  std::vector<InputDocument> docs;
  EXPECT_EQ(ReadString(std::string("\x1f\x8b\x08\x00", 4), "in.jsonl", &docs, nullptr).code(),
            Status::Code::kUnsupported);
}

// The sample corpus under data/samples reads cleanly, ids and all.
TEST(DocumentReaderTest, SampleFiles) {
  const std::string dir = std::string(LITRANK_SOURCE_DIR) + "/data/samples/";
  struct Sample {
    std::string file;
    size_t count;
    std::string first_id;
  };
  for (const Sample& s : {Sample{"papers.jsonl", 36, "p01"}, Sample{"papers_zh.jsonl", 12, "z01"},
                          Sample{"posts.jsonl", 40, "s01"}}) {
    SCOPED_TRACE(s.file);
    std::vector<InputDocument> docs;
    ReadReport report;
    ASSERT_TRUE(ReadDocuments(dir + s.file, {}, &docs, &report).ok());
    EXPECT_EQ(docs.size(), s.count);
    EXPECT_EQ(report.skipped, 0u);
    EXPECT_TRUE(report.problems.empty()) << report.problems.front();
    ASSERT_FALSE(docs.empty());
    EXPECT_EQ(docs[0].id, s.first_id);
    for (const InputDocument& d : docs) {
      EXPECT_TRUE(IsValidUtf8(d.text)) << d.id;
      EXPECT_FALSE(d.text.empty()) << d.id;
    }
  }
}

}  // namespace
}  // namespace litrank

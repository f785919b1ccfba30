// Hostile files: entity expansion ("billion laughs") in XML and BibTeX, deep JSON,
// endless lines and records. Each must end in a clear error, quickly, in bounded
// memory, through the readers, the CLI and a server upload.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <string>

#include "ingest/json_util.h"
#include "ingest/line_source.h"
#include "ingest_test_util.h"
#include "process_util.h"
#include "server_fixture.h"

namespace litrank {
namespace {

using nlohmann::json;

// The classic: ten entities, each ten of the previous; 10^9 "lol"s (3 GB) from 1.5 KB.
std::string BillionLaughs() {
  std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE PubmedArticleSet [\n <!ENTITY lol \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    xml += " <!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) xml += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    xml += "\">\n";
  }
  xml += "]>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
         "<ArticleTitle>&lol9;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>\n";
  return xml;
}

// JSON nested `depth` levels inside a record's extra field.
std::string DeepJsonRecord(size_t depth) {
  return R"({"title":"Deep","abstract":"nested","extra":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
}

// A program's exit code and output. It runs under an address-space cap, so memory is
// bounded by construction: past the cap an allocation fails and the program does
// not exit with its normal code. (ru_maxrss cannot say it: a child forked from this
// large test process inherits the parent's high-water mark across exec.)
struct Measured {
  int exit_code = -1;
  std::string output;
};

Measured RunCapped(const std::vector<std::string>& argv, const std::string& log, size_t cap_bytes) {
  Measured m;
  const pid_t pid = fork();
  if (pid == 0) {
    FILE* out = std::fopen(log.c_str(), "w");
    if (out) dup2(fileno(out), 1), dup2(fileno(out), 2);
    std::vector<char*> args;  // allocated before the cap: this copy of the test process is large
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    rlimit cap{cap_bytes, cap_bytes};
    setrlimit(RLIMIT_AS, &cap);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) == pid) m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(log);
  m.output.assign(std::istreambuf_iterator<char>(in), {});
  return m;
}

// Runs `check` in a forked child allowed 1 GiB of address space beyond what it
// inherits from this process, and a 60 s alarm, so
// that a regression fails the test instead of taking the machine's memory or time.
// Returns "" when check() passed, else why (its message, or how the child died).
std::string InBoundedChild(const std::function<std::string()>& check) {
  int fds[2];
  if (pipe(fds) != 0) return "pipe failed";
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    size_t pages = 0;
    if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(statm, "%zu", &pages) != 1) pages = 0;
      std::fclose(statm);
    }
    const rlim_t limit = pages * static_cast<size_t>(sysconf(_SC_PAGESIZE)) + (1ul << 30);
    rlimit cap{limit, limit};
    setrlimit(RLIMIT_AS, &cap);
    alarm(60);
    const std::string why = check();
    (void)!write(fds[1], why.data(), why.size());
    _exit(why.empty() ? 0 : 1);
  }
  close(fds[1]);
  std::string why;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) why.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return "the check died of signal " + std::to_string(WTERMSIG(status));
  return WEXITSTATUS(status) == 0 ? "" : why;
}

TEST(HostileInputTest, BillionLaughsIsRefusedByTheReader) {
  testing::IngestTempDir dir;
  const std::string xml = BillionLaughs();
  ASSERT_LT(xml.size(), 2000u);
  const std::string file = dir.Write("laughs.xml", xml);
  std::string utf16;  // the same file in UTF-16 must not slip past the check
  for (char c : xml) utf16 += std::string{c, '\0'};
  const std::string file16 = dir.Write("laughs16.xml", "\xFF\xFE" + utf16);
  EXPECT_EQ(InBoundedChild([&]() -> std::string {
              const auto r = testing::ReadAll(file);
              if (r.status.code() != Status::Code::kInvalidArgument) return "not refused: " + r.status.ToString();
              if (r.status.message().find("DTD") == std::string::npos) return "unclear: " + r.status.message();
              if (!r.docs.empty()) return "records were read";
              if (testing::ReadAll(file16).status.ok()) return "the UTF-16 copy was read";
              return "";
            }),
            "");
}

TEST(HostileInputTest, BillionLaughsThroughTheCli) {
  testing::IngestTempDir dir;
  const std::string file = dir.Write("laughs.xml", BillionLaughs());
  const std::string db = dir.Write("placeholder", "") + ".db";
  // 512 MiB of address space: the whole program, not just the file's share (a plain
  // ingest runs in under 256 MiB; the unfixed reader wanted 12.5 GB).
  const Measured m = RunCapped({LITRANK_BINARY, "ingest", "--db", db, file, "--no-progress"}, db + ".log", 512ul << 20);
  EXPECT_EQ(m.exit_code, 3) << m.output;  // bad input
  EXPECT_NE(m.output.find("DTD"), std::string::npos) << m.output;
}

TEST(HostileInputTest, BillionLaughsThroughAnUpload) {
  server::ServerConfig config;
  config.data_dir = testing::TempDir() + "/hostile_collections";
  testing::TestServer server(config, /*with_models=*/false);
  auto c = server.client();
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  httplib::MultipartFormDataItems items = {{"file", BillionLaughs(), "laughs.xml", "application/xml"}};
  auto res = c.Post("/v1/collections/laughs/documents", items);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  const json body = json::parse(res->body, nullptr, false);
  ASSERT_TRUE(body.contains("error")) << res->body;
  EXPECT_NE(body["error"]["message"].get<std::string>().find("DTD"), std::string::npos) << res->body;
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 100 * 1024) << "the peak grew by KiB";
  // Nothing was created, and the server still answers.
  EXPECT_EQ(testing::GetJson(c, "/v1/collections").raw.find("laughs"), std::string::npos);
  EXPECT_EQ(testing::GetJson(c, "/health").status, 200);
}

TEST(HostileInputTest, BibtexMacroExpansionIsBounded) {
  // @string macros doubling 40 times would be a terabyte.
  std::string bib = "@string{m0 = \"laugh laugh laugh laugh \"}\n";
  for (int i = 1; i <= 40; ++i) {
    bib += "@string{m" + std::to_string(i) + " = m" + std::to_string(i - 1) + " # m" + std::to_string(i - 1) + "}\n";
  }
  bib += "@article{a, title = m40, year = 2020}\n@article{b, title = {A fine title}, year = 2021}\n";
  testing::IngestTempDir dir;
  const std::string file = dir.Write("laughs.bib", bib);
  EXPECT_EQ(InBoundedChild([&]() -> std::string {
              const auto r = testing::ReadAll(file);
              if (!r.status.ok()) return r.status.ToString();
              if (r.docs.size() != 1 || r.docs[0].title != "A fine title") return "wrong records";
              if (r.report.skipped_total < 1 || r.report.skipped[0].reason.find("4 MiB") == std::string::npos) {
                return "the expanding entry was not reported";
              }
              return "";
            }),
            "");
}

TEST(HostileInputTest, DeepJsonIsAnErrorNotAStackOverflow) {
  EXPECT_TRUE(ingest::JsonNestingWithin(R"({"a":[[1]],"s":"[[[[[[[[[[[[[[[["})", 3));
  EXPECT_FALSE(ingest::JsonNestingWithin(R"({"a":[[[1]]]})", 3));
  testing::IngestTempDir dir;
  const std::string file = dir.Write("deep.jsonl", DeepJsonRecord(100000) + "\n" +
                                                       R"({"title":"Shallow","abstract":"fine"})" + "\n");
  EXPECT_EQ(InBoundedChild([&]() -> std::string {
              const auto r = testing::ReadAll(file);
              if (!r.status.ok()) return r.status.ToString();
              if (r.docs.size() != 1 || r.docs[0].title != "Shallow") return "wrong records";
              if (r.report.skipped_total != 1 || r.report.skipped[0].reason.find("nested deeper") == std::string::npos) {
                return "the deep record was not reported";
              }
              return "";
            }),
            "");
  // The CLI's rerank reader and ingest survive it too.
  const std::string db = file + ".db";
  const auto cli = testing::RunCommand(std::string(LITRANK_BINARY) + " ingest --no-progress --db " + db + " " + file, true);
  EXPECT_EQ(cli.exit_code, 0) << cli.output;
  EXPECT_NE(cli.output.find("1 added"), std::string::npos) << cli.output;
  // And the server: 400, not a crash.
  testing::TestServer server({}, /*with_models=*/false);
  auto c = server.client();
  const std::string deep = "{\"documents\":[{\"title\":\"t\",\"x\":" + std::string(100000, '[') +
                           std::string(100000, ']') + "}]}";
  const auto reply = testing::PostJson(c, "/v1/collections/deep/documents", deep);
  EXPECT_EQ(reply.status, 400) << reply.raw.substr(0, 300);
  EXPECT_EQ(reply.body["error"]["code"], "invalid_json");
  EXPECT_EQ(testing::GetJson(c, "/health").status, 200);
}

TEST(HostileInputTest, EndlessLineIsRefused) {
  testing::IngestTempDir dir;
  const std::string line(ingest::LineSource::kMaxLineBytes + 10, 'a');
  const auto r = testing::ReadText(dir, "long.txt", "first line\n" + line + "\nlast\n", RecordFormat::kLines);
  EXPECT_EQ(r.status.code(), Status::Code::kInvalidArgument) << r.status.ToString();
  EXPECT_NE(r.status.message().find("longer than"), std::string::npos) << r.status.message();
}

TEST(HostileInputTest, RisRecordWithoutEndIsBounded) {
  testing::IngestTempDir dir;
  std::string ris = "TY  - JOUR\nTI  - Endless\nAB  - start\n";
  const std::string chunk(1 << 20, 'x');
  for (int i = 0; i < 20; ++i) ris += chunk + "\n";  // 20 MiB of continuation lines
  ris += "TY  - JOUR\nTI  - Normal record\nAB  - fine\nER  - \n";
  const auto r = testing::ReadAll(dir.Write("endless.ris", ris));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 1u);
  EXPECT_EQ(r.docs[0].title, "Normal record");
  ASSERT_EQ(r.report.skipped_total, 1u);
  EXPECT_NE(r.report.skipped[0].reason.find("16 MiB"), std::string::npos);
}

}  // namespace
}  // namespace litrank

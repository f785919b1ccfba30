// PDF ingest on PDFs the test writes itself with MuPDF (HTML laid out, then
// written as PDF; encrypted with a password; a page without text; a broken
// file): title, byline, abstract, sections and references found; the bad files
// refused with an error naming them, the good ones still ingested.
#include <gtest/gtest.h>

#include <mupdf/fitz.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ingest_test_util.h"
#include "process_util.h"

namespace litrank {
namespace {

namespace fs = std::filesystem;

/// Lays out `html` with MuPDF's HTML engine and writes it as a PDF at `pdf`
/// (`options`: MuPDF's PDF writer options, e.g. encryption). True on success.
bool HtmlToPdf(const std::string& html, const std::string& pdf, const char* options = "") {
  const std::string source = pdf + ".html";
  std::ofstream(source) << html;
  fz_context* ctx = fz_new_context(nullptr, nullptr, FZ_STORE_DEFAULT);
  if (ctx == nullptr) return false;
  volatile bool ok = true;
  fz_document* volatile doc = nullptr;
  fz_document_writer* volatile writer = nullptr;
  fz_try(ctx) {
    fz_register_document_handlers(ctx);
    doc = fz_open_document(ctx, source.c_str());
    writer = fz_new_document_writer(ctx, pdf.c_str(), "pdf", options);
    const int pages = fz_count_pages(ctx, doc);
    for (int i = 0; i < pages; ++i) {
      fz_page* page = fz_load_page(ctx, doc, i);
      fz_device* dev = fz_begin_page(ctx, writer, fz_bound_page(ctx, page));
      fz_run_page(ctx, page, dev, fz_identity, nullptr);
      fz_end_page(ctx, writer);
      fz_drop_page(ctx, page);
    }
    fz_close_document_writer(ctx, writer);
  }
  fz_catch(ctx) {
    ok = false;
  }
  fz_drop_document_writer(ctx, writer);
  fz_drop_document(ctx, doc);
  fz_drop_context(ctx);
  return ok;
}

const char kPaper[] = R"(<html><body>
<h1 style="font-size:28pt">Statins and Cognitive Decline in Older Adults</h1>
<p>Jane Doe, John Roe</p>
<h2>Abstract</h2>
<p>We followed 3,000 adults aged over 65 for ten years. Statin users showed slower cognitive decline.
DOI 10.5555/statins.2021</p>
<h2>1 Introduction</h2>
<p>Dementia is common in older adults and statins are widely prescribed.</p>
<h2>2 Methods</h2>
<p>A prospective cohort with annual cognitive tests.</p>
<h2>References</h2>
<p>[1] Smith A. Cholesterol and the brain. J Neuro. 2019. doi:10.1234/brain.42.</p>
<p>[2] Lee B. Statin trials revisited. 2020.</p>
</body></html>)";

class PdfIngest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / "pdf_ingest";
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  std::string Path(const char* name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(PdfIngest, TitleBylineAbstractSectionsAndReferences) {
  ASSERT_TRUE(HtmlToPdf(kPaper, Path("paper.pdf")));
  testing::IngestResult r = testing::ReadAll(Path("paper.pdf"));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.docs.size(), 1u);
  const Document& d = r.docs[0];
  EXPECT_EQ(d.source, "pdf");
  EXPECT_EQ(d.id, "paper.pdf");
  EXPECT_EQ(d.title, "Statins and Cognitive Decline in Older Adults");
  EXPECT_EQ(d.authors, (std::vector<std::string>{"Jane Doe", "John Roe"}));
  EXPECT_EQ(d.abstract.rfind("We followed 3,000 adults", 0), 0u) << d.abstract;
  EXPECT_EQ(d.abstract.find("Dementia"), std::string::npos) << "the abstract ran into the introduction";
  EXPECT_EQ(d.doi, "10.5555/statins.2021");
  const nlohmann::json extra = nlohmann::json::parse(d.extra_json);
  std::vector<std::string> headings;
  for (const auto& s : extra["sections"]) headings.push_back(s["heading"]);
  EXPECT_NE(std::find(headings.begin(), headings.end(), "1 Introduction"), headings.end()) << extra.dump();
  EXPECT_NE(std::find(headings.begin(), headings.end(), "2 Methods"), headings.end()) << extra.dump();
  EXPECT_EQ(extra["reference_strings"].size(), 2u) << extra.dump();
  EXPECT_EQ(extra["references"], nlohmann::json::array({"10.1234/brain.42"}));
  EXPECT_NE(extra["full_text"].get<std::string>().find("prospective cohort"), std::string::npos);
  EXPECT_EQ(extra["full_text"].get<std::string>().find("Smith A."), std::string::npos) << "references are not body text";
}

TEST_F(PdfIngest, EncryptedTextlessAndBrokenFilesAreRefusedByName) {
  ASSERT_TRUE(HtmlToPdf(kPaper, Path("locked.pdf"), "encrypt=aes-256,user-password=secret,owner-password=owner"));
  ASSERT_TRUE(HtmlToPdf(R"(<html><body><div style="height:200pt;background:#000"></div></body></html>)",
                        Path("scan.pdf")));
  std::ofstream(Path("broken.pdf")) << "%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage garbage\n";
  std::ofstream(Path("empty.pdf")) << "";
  for (const char* name : {"locked.pdf", "scan.pdf", "broken.pdf", "empty.pdf"}) {
    testing::IngestResult r = testing::ReadAll(Path(name));
    ASSERT_FALSE(r.status.ok()) << name;
    EXPECT_NE(r.status.message().find(name), std::string::npos) << r.status.ToString();
    EXPECT_TRUE(r.docs.empty()) << name;
  }
  EXPECT_NE(testing::ReadAll(Path("locked.pdf")).status.message().find("encrypted"), std::string::npos);
  EXPECT_NE(testing::ReadAll(Path("scan.pdf")).status.message().find("no text layer"), std::string::npos);

  // The CLI ingests the good file and names each bad one; the exit code says some failed.
  ASSERT_TRUE(HtmlToPdf(kPaper, Path("good.pdf")));
  testing::CommandResult cli = testing::RunCommand(std::string(LITRANK_BINARY) + " ingest --no-progress --db " +
                                                       Path("c.db") + " " + Path("locked.pdf") + " " + Path("good.pdf") +
                                                       " " + Path("scan.pdf") + " " + Path("broken.pdf"),
                                                   true);
  EXPECT_EQ(cli.exit_code, 3) << cli.output;
  EXPECT_NE(cli.output.find("good.pdf: 1 added"), std::string::npos) << cli.output;
  for (const char* name : {"locked.pdf", "scan.pdf", "broken.pdf"}) {
    EXPECT_NE(cli.output.find(std::string(name) + ": "), std::string::npos) << name << "\n" << cli.output;
  }
  EXPECT_NE(cli.output.find("1 documents"), std::string::npos) << cli.output;
}

}  // namespace
}  // namespace litrank

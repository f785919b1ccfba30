// The rerank command's document reader (`litrank rerank --docs`): JSONL, CSV,
// TSV and plain lines from an in-memory stream. Every document it keeps must be
// non-empty, trimmed, valid UTF-8.
#include <sstream>

#include "fuzz_util.h"
#include "io/document_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace litrank;
  const std::string text(fuzz::AsText(data, size));
  for (DocFormat f : {DocFormat::kJsonl, DocFormat::kCsv, DocFormat::kTsv, DocFormat::kLines}) {
    std::istringstream in(text);
    std::vector<InputDocument> docs;
    ReadReport report;
    ReadOptions options;
    (void)ReadDocumentsFromStream(in, "fuzz", f, options, &docs, &report);
    fuzz::Check(report.read == docs.size(), "report.read differs from the documents read");
    for (const InputDocument& d : docs) {
      fuzz::Check(!d.text.empty(), "empty document");
      fuzz::Check(IsValidUtf8(d.text) && IsValidUtf8(d.id), "document is not valid UTF-8", d.text);
      fuzz::Check(d.line >= 1, "document without a line number");
    }
  }
  return 0;
}

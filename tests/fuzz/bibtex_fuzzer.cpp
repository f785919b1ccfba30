// BibTeX entries (strings, macros, nested braces, LaTeX accents) from arbitrary
// bytes through the in-memory LineSource, and the LaTeX-to-UTF-8 conversion on
// its own: valid UTF-8 in must give valid UTF-8 out.
#include "fuzz_util.h"
#include "ingest/latex.h"
#include "ingest/readers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace litrank;
  const std::string_view text = fuzz::AsText(data, size);
  fuzz::CheckingSink sink;
  const RecordSink s = sink.Sink();
  RecordReadReport report;
  ingest::RecordContext ctx("fuzz.bib", RecordFormat::kBibtex, s, &report);
  ingest::LineSource in(text);
  (void)ingest::ReadBibtex(in, ctx);
  (void)ingest::IsBibtexEntryStart(text);
  const std::string plain = ingest::LatexToUtf8(text);
  if (IsValidUtf8(text)) fuzz::Check(IsValidUtf8(plain), "LatexToUtf8 broke UTF-8", plain);
  return 0;
}

// The whole of `litrank ingest`'s reading on one file: format detection from the
// first bytes (RIS, BibTeX, PubMed, BEIR, arXiv, JSONL, else plain lines), then
// that reader through ReadRecords, file-backed LineSource included. The extension
// (.txt) sends undetected input to the plain-lines reader.
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace litrank;
  static fuzz::ScratchFile file(".txt");
  const std::string& path = file.Write(data, size);
  fuzz::CheckingSink sink;
  RecordReadReport report;
  uint64_t last_done = 0;
  const ReadProgress progress = [&](uint64_t done, uint64_t total) {
    fuzz::Check(done <= total && done >= last_done, "progress goes backwards or past the end");
    last_done = done;
  };
  const Status st = ReadRecords(path, RecordReadOptions{}, sink.Sink(), &report, progress);
  fuzz::Check(report.records == sink.records, "report.records differs from the records the sink took");
  (void)st;
  return 0;
}

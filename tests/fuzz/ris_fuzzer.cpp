// RIS (Zotero/EndNote) records from arbitrary bytes, through the reader's
// in-memory LineSource; every record handed on must keep the reader contract.
#include "fuzz_util.h"
#include "ingest/readers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace litrank;
  fuzz::CheckingSink sink;
  const RecordSink s = sink.Sink();
  RecordReadReport report;
  ingest::RecordContext ctx("fuzz.ris", RecordFormat::kRis, s, &report);
  ingest::LineSource in(fuzz::AsText(data, size));
  const Status st = ingest::ReadRis(in, ctx);
  fuzz::Check(report.records == sink.records, "report.records differs from the records the sink took");
  (void)st;
  return 0;
}

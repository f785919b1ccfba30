// JSON Lines from arbitrary bytes through the in-memory LineSource, read as
// generic JSONL, BEIR corpus.jsonl and the arXiv metadata snapshot in turn.
#include "fuzz_util.h"
#include "ingest/readers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace litrank;
  for (RecordFormat f : {RecordFormat::kJsonl, RecordFormat::kBeirCorpus, RecordFormat::kArxivJson}) {
    fuzz::CheckingSink sink;
    const RecordSink s = sink.Sink();
    RecordReadReport report;
    ingest::RecordContext ctx("fuzz.jsonl", f, s, &report);
    ingest::LineSource in(fuzz::AsText(data, size));
    (void)ingest::ReadJsonl(in, f, ColumnMapping{}, ctx);
  }
  return 0;
}

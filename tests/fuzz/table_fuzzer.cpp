// CSV and TSV tables with a header row (ASReview/SYNERGY column names), from
// arbitrary bytes through the in-memory LineSource. The first byte picks the
// delimiter and whether columns are named explicitly or detected.
#include "fuzz_util.h"
#include "ingest/csv_parser.h"
#include "ingest/readers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace litrank;
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const std::string_view text = fuzz::AsText(data + 1, size - 1);
  const char delim = (mode & 1) != 0 ? '\t' : ',';
  ColumnMapping columns;
  if ((mode & 2) != 0) {  // explicit names (may be missing: InvalidArgument is fine)
    columns.title = "title";
    columns.abstract = "abstract";
    columns.year = "year";
  }
  fuzz::CheckingSink sink;
  sink.keep_textless = (mode & 4) != 0;
  const RecordSink s = sink.Sink();
  RecordReadReport report;
  ingest::RecordContext ctx("fuzz.csv", delim == ',' ? RecordFormat::kCsv : RecordFormat::kTsv, s, &report,
                            sink.keep_textless);
  ingest::LineSource in(text);
  (void)ingest::ReadTable(in, delim, columns, ctx);

  // The RFC 4180 splitter on its own: it must end, and give up at most once per line.
  ingest::LineSource again(text);
  ingest::CsvParser parser(again, delim);
  std::vector<std::string> fields;
  size_t start = 0, records = 0;
  for (;;) {
    const ingest::CsvParser::Result r = parser.Next(&fields, &start);
    if (r == ingest::CsvParser::Result::kEnd) break;
    fuzz::Check(++records <= size + 1, "CsvParser does not advance");
  }
  return 0;
}

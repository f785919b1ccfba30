// PubMed/MEDLINE XML from arbitrary bytes. The reader streams a file with
// libxml2's xmlTextReader, so the input goes through a scratch file and
// ReadRecords with the format given.
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace litrank;
  static fuzz::ScratchFile file(".xml");
  const std::string& path = file.Write(data, size);
  fuzz::CheckingSink sink;
  RecordReadOptions options;
  options.format = RecordFormat::kPubmedXml;
  RecordReadReport report;
  (void)ReadRecords(path, options, sink.Sink(), &report);
  return 0;
}

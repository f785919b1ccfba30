// Screening labels that records bring from their files (LabelFromRecord reads
// the record's extra_json), and the decision names people type.
#include "fuzz_util.h"
#include "litrank/screening.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace litrank;
  Document doc;
  doc.title = "t";
  doc.extra_json.assign(fuzz::AsText(data, size));
  const std::optional<ScreenDecision> label = LabelFromRecord(doc);
  if (label) fuzz::Check(ScreenDecisionName(*label)[0] != '?', "unnamed decision");
  ScreenDecision d;
  if (ParseScreenDecision(doc.extra_json, &d)) fuzz::Check(ScreenDecisionName(d)[0] != '?', "unnamed decision");
  return 0;
}

// PassageMode by name (the CLI's --passages, the server's "passages"); kept apart
// from the searcher so the request parsers link without it.
#include "litrank/search.h"

namespace litrank {

bool ParsePassageMode(const std::string& name, PassageMode* mode) {
  if (name == "max") *mode = PassageMode::kMax;
  else if (name == "first") *mode = PassageMode::kFirst;
  else if (name == "whole") *mode = PassageMode::kWhole;
  else return false;
  return true;
}

const char* PassageModeName(PassageMode mode) {
  switch (mode) {
    case PassageMode::kMax: return "max";
    case PassageMode::kFirst: return "first";
    case PassageMode::kWhole: return "whole";
  }
  return "max";
}

}  // namespace litrank

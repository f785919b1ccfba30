// Whole-file text I/O for outputs and small inputs (reports, exports, drafts):
// the one copy the commands share.
#pragma once

#include <string>

#include "litrank/status.h"

namespace litrank {

/// Writes `text` to `path` (created or truncated). IOError names the path.
Status WriteTextFile(const std::string& path, const std::string& text);

/// Reads all of `path` ("-" = stdin) into *text. InvalidArgument when it holds more
/// than `max_bytes`; IOError names the path when it cannot be read.
Status ReadTextFile(const std::string& path, size_t max_bytes, std::string* text);

}  // namespace litrank

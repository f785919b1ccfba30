// A stable identity for a model file's weights, cheap enough to compute at load.
#pragma once

#include <string>

#include "litrank/status.h"

namespace litrank {

/// Hex SHA-256 over the file size, the whole GGUF header and 64 evenly spaced
/// 64 KiB samples of the tensor data. Two files that differ in any metadata or in
/// sampled weights get different fingerprints; reading costs ~4 MiB whatever the size.
StatusOr<std::string> ModelFingerprint(const std::string& path);

}  // namespace litrank

// litrank — UTF-8 validation and safe truncation.
#pragma once

#include <cstddef>
#include <string_view>

namespace litrank {

/// True when `s` is well-formed UTF-8 per the Unicode standard (Table 3-7):
/// no overlong encodings, no surrogates (U+D800..U+DFFF), nothing above
/// U+10FFFF, no stray continuation bytes and no truncated sequences.
/// The empty string is valid.
bool IsValidUtf8(std::string_view s);

/// Length of the longest prefix of `s` that is at most `max_bytes` long and
/// does not end inside a well-formed multi-byte sequence. When `s` is valid
/// UTF-8 the prefix is valid UTF-8 too. Returns s.size() when it already fits.
/// Ill-formed bytes count as single units, so they never stall the cut. O(1).
size_t Utf8SafePrefix(std::string_view s, size_t max_bytes);

}  // namespace litrank

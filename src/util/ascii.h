// litrank — ASCII-only text helpers (locale-independent; bytes >= 0x80 pass through).
#pragma once

#include <string>
#include <string_view>

namespace litrank {

/// True for the six ASCII whitespace bytes: space, \t, \n, \r, \f, \v.
bool IsAsciiSpace(char c);

/// True when `s` is empty or holds only ASCII whitespace.
bool IsBlank(std::string_view s);

/// `s` without leading and trailing ASCII whitespace (a view into `s`).
std::string_view Trim(std::string_view s);

/// A copy of `s` with A-Z mapped to a-z; every other byte (UTF-8 included) unchanged.
std::string Lower(std::string_view s);

}  // namespace litrank

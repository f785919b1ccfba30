// litrank — content hashing shared by caches and the store.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace litrank {

/// Raw 32-byte SHA-256 over the fields, each prefixed by its length, so that
/// ("ab", "c") and ("a", "bc") never collide.
std::string Sha256Fields(std::initializer_list<std::string_view> fields);

/// Lower-case hex of raw bytes ("\x01\xab" → "01ab").
std::string ToHex(std::string_view bytes);

}  // namespace litrank

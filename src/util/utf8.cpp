#include "util/utf8.h"

namespace litrank {
namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length (1-4) of the well-formed sequence starting at s[i], or 0 if the bytes
// there are not one. The second-byte ranges exclude overlongs (E0, F0),
// surrogates (ED) and code points above U+10FFFF (F4).
size_t SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;
  } else {
    return 0;  // 80..C1 (stray continuation or overlong lead), F5..FF
  }
  if (s.size() - i < len) return 0;
  if (byte(1) < lo || byte(1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (!IsContinuation(byte(k))) return 0;
  }
  return len;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t n = SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

size_t Utf8SafePrefix(std::string_view s, size_t max_bytes) {
  if (max_bytes >= s.size()) return s.size();
  // A well-formed sequence is a lead byte plus continuation bytes, so only the
  // nearest non-continuation byte within 3 bytes before the cut can start a
  // sequence that the cut would split.
  const size_t floor = max_bytes >= 3 ? max_bytes - 3 : 0;
  for (size_t p = max_bytes; p > floor;) {
    --p;
    if (!IsContinuation(static_cast<unsigned char>(s[p]))) {
      const size_t n = SequenceLength(s, p);
      return (n > 0 && p + n > max_bytes) ? p : max_bytes;
    }
  }
  return max_bytes;
}

}  // namespace litrank

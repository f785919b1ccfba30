// Tests for util/utf8: strict validation and cut points that keep characters whole.
#include "util/utf8.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>

namespace litrank {
namespace {

TEST(Utf8Test, AcceptsEmptyAndAscii) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("cross-encoder reranking, 2024!"));
  EXPECT_TRUE(IsValidUtf8(std::string_view("a\0b", 3)));  // NUL is a code point
}

TEST(Utf8Test, AcceptsMultiByte) {
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9"));                  // é, 2 bytes
  EXPECT_TRUE(IsValidUtf8("中文文本检索与重排序"));        // 3 bytes each
  EXPECT_TRUE(IsValidUtf8("rain \xF0\x9F\x8C\xA7\xEF\xB8\x8F"));  // 🌧️ (4 bytes + VS16)
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));             // 😀
  EXPECT_TRUE(IsValidUtf8("\xC2\x80"));                     // U+0080, smallest 2-byte
  EXPECT_TRUE(IsValidUtf8("\xE0\xA0\x80"));                 // U+0800, smallest 3-byte
  EXPECT_TRUE(IsValidUtf8("\xF0\x90\x80\x80"));             // U+10000, smallest 4-byte
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));             // U+10FFFF, the largest
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));                 // U+D7FF, just below surrogates
  EXPECT_TRUE(IsValidUtf8("\xEE\x80\x80"));                 // U+E000, just above them
  EXPECT_TRUE(IsValidUtf8("\xEF\xBB\xBF" "abc"));           // a BOM is a valid code point
}

TEST(Utf8Test, RejectsOverlongEncodings) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // '/' in 2 bytes
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));          // "modified UTF-8" NUL
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // '/' in 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xE0\x9F\xBF"));      // U+07FF in 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));  // '/' in 4 bytes
  EXPECT_FALSE(IsValidUtf8("\xF0\x8F\xBF\xBF"));  // U+FFFF in 4 bytes
}

TEST(Utf8Test, RejectsSurrogates) {
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // U+D800
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));  // U+DFFF
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\xBD\xED\xB8\x80"));  // CESU-8 style pair for 😀
}

TEST(Utf8Test, RejectsAboveMaxAndInvalidBytes) {
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xF8\x88\x80\x80\x80"));  // old 5-byte form
  EXPECT_FALSE(IsValidUtf8("\xFE"));
  EXPECT_FALSE(IsValidUtf8("ok\xFF"));
}

TEST(Utf8Test, RejectsTruncatedSequences) {
  EXPECT_FALSE(IsValidUtf8("\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xE4\xB8"));         // first two bytes of 中
  EXPECT_FALSE(IsValidUtf8("a\xF0\x9F\x98"));    // 😀 less its last byte
  EXPECT_FALSE(IsValidUtf8("\xE4\xB8" "abc"));   // cut short by ASCII
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98\xE4\xB8\xAD"));  // cut short by a lead byte
}

TEST(Utf8Test, RejectsStrayContinuationBytes) {
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("a\xBF" "b"));
  EXPECT_FALSE(IsValidUtf8("\xE4\xB8\xAD\xAD"));  // 中 plus one continuation too many
}

TEST(Utf8Test, SafePrefixKeepsCharactersWhole) {
  const std::string s = "a中b";  // 1 + 3 + 1 bytes
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(Utf8SafePrefix(s, 0), 0u);
  EXPECT_EQ(Utf8SafePrefix(s, 1), 1u);
  EXPECT_EQ(Utf8SafePrefix(s, 2), 1u);
  EXPECT_EQ(Utf8SafePrefix(s, 3), 1u);
  EXPECT_EQ(Utf8SafePrefix(s, 4), 4u);
  EXPECT_EQ(Utf8SafePrefix(s, 5), 5u);
  EXPECT_EQ(Utf8SafePrefix(s, 100), 5u);
  const std::string emoji = "\xF0\x9F\x98\x80\xF0\x9F\x98\x80";  // 😀😀
  EXPECT_EQ(Utf8SafePrefix(emoji, 3), 0u);
  EXPECT_EQ(Utf8SafePrefix(emoji, 4), 4u);
  EXPECT_EQ(Utf8SafePrefix(emoji, 7), 4u);
  EXPECT_EQ(Utf8SafePrefix("", 10), 0u);
}

// Every cut of a mixed string is valid and as long as it can be.
TEST(Utf8Test, SafePrefixNeverCutsACharacter) {
  const std::string s = "Rerank é 中文 \xF0\x9F\x94\x8B battery 电池 \xF4\x8F\xBF\xBF!";
  ASSERT_TRUE(IsValidUtf8(s));
  for (size_t max = 0; max <= s.size() + 2; ++max) {
    const size_t n = Utf8SafePrefix(s, max);
    SCOPED_TRACE("max_bytes=" + std::to_string(max));
    EXPECT_LE(n, max);
    EXPECT_LE(n, s.size());
    EXPECT_TRUE(IsValidUtf8(std::string_view(s).substr(0, n)));
    // Maximal: no longer valid prefix fits within max.
    for (size_t longer = n + 1; longer <= std::min(max, s.size()); ++longer) {
      EXPECT_FALSE(IsValidUtf8(std::string_view(s).substr(0, longer))) << "longer=" << longer;
    }
  }
}

TEST(Utf8Test, SafePrefixOnInvalidInputStillMakesProgress) {
  // Stray bytes are not characters to protect: the cut lands where asked.
  EXPECT_EQ(Utf8SafePrefix("\x80\x80\x80\x80\x80", 2), 2u);
  EXPECT_EQ(Utf8SafePrefix("ab\xE4\xB8", 3), 3u);  // truncated sequence, nothing whole to keep
  EXPECT_EQ(Utf8SafePrefix("ab\xFF\xFF", 3), 3u);
  // A well-formed character after garbage is still kept whole.
  EXPECT_EQ(Utf8SafePrefix("\xFF\xE4\xB8\xAD", 2), 1u);
}

}  // namespace
}  // namespace litrank

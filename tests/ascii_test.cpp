// Tests for util/ascii: the one ASCII lower-casing and trimming every module uses.
#include "util/ascii.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace litrank {
namespace {

TEST(AsciiTest, LowerMapsOnlyAsciiCapitals) {
  EXPECT_EQ(Lower("DOI:10.1000/ABC-Xyz_09"), "doi:10.1000/abc-xyz_09");
  EXPECT_EQ(Lower(""), "");
  // '@' and '[' sit either side of A..Z: unchanged.
  EXPECT_EQ(Lower("@AZ["), "@az[");
  // UTF-8 bytes pass through untouched: "ÄÉ" stays upper case, only "B" changes.
  EXPECT_EQ(Lower("\xC3\x84\xC3\x89" "B"), "\xC3\x84\xC3\x89" "b");
  EXPECT_EQ(Lower(std::string_view("A\0B", 3)), std::string("a\0b", 3));
}

TEST(AsciiTest, TrimStripsTheSixAsciiSpaces) {
  EXPECT_EQ(Trim(" \t\n\r\f\vtitle text\v\f\r\n\t "), "title text");
  EXPECT_EQ(Trim("   "), "");
  EXPECT_EQ(Trim(""), "");
  // NBSP (U+00A0) is not ASCII whitespace: kept.
  EXPECT_EQ(Trim("\xC2\xA0x "), "\xC2\xA0x");
  const std::string_view s = "  inner  space ";
  EXPECT_EQ(Trim(s).data(), s.data() + 2);  // a view into the input, not a copy
}

TEST(AsciiTest, IsAsciiSpace) {
  for (char c : std::string(" \t\n\r\f\v")) EXPECT_TRUE(IsAsciiSpace(c)) << static_cast<int>(c);
  for (char c : std::string("a0_\x1F\x7F\xA0")) EXPECT_FALSE(IsAsciiSpace(c)) << static_cast<int>(c);
  EXPECT_FALSE(IsAsciiSpace('\0'));
}

TEST(AsciiTest, IsBlank) {
  EXPECT_TRUE(IsBlank(""));
  EXPECT_TRUE(IsBlank(" \t\n\r\f\v"));
  EXPECT_FALSE(IsBlank("  x "));
  EXPECT_FALSE(IsBlank("\xC2\xA0"));  // a UTF-8 no-break space is text, not ASCII whitespace
  EXPECT_FALSE(IsBlank(std::string_view("\0", 1)));
}

}  // namespace
}  // namespace litrank

// µs decimal text → int64 ns, exactly (no double on the way).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "kineto_internal.h"

namespace moeprof::analyzer::kineto {
namespace {

TEST(KinetoTime, ConvertsDecimalMicrosecondsExactly) {
  EXPECT_EQ(MicrosTextToNanos("1.001"), 1001);
  EXPECT_EQ(MicrosTextToNanos("0"), 0);
  EXPECT_EQ(MicrosTextToNanos("12"), 12000);
  EXPECT_EQ(MicrosTextToNanos("0.001"), 1);
  EXPECT_EQ(MicrosTextToNanos("1717171717171.123"), 1717171717171123);
  // 19 significant digits: a double would give ...171.12304688 → 1717171717171123 only by luck;
  // these would not survive a double at all:
  EXPECT_EQ(MicrosTextToNanos("9007199254740.993"), 9007199254740993);
  EXPECT_EQ(MicrosTextToNanos("1606911006433250"), 1606911006433250000);
  EXPECT_EQ(MicrosTextToNanos("1712195495519695.8"), 1712195495519695800);
  EXPECT_EQ(MicrosTextToNanos("4458676522690.655"), 4458676522690655);
}

TEST(KinetoTime, RoundsSubNanosecondDigitsHalfAwayFromZero) {
  EXPECT_EQ(MicrosTextToNanos("123456789.987654"), 123456789988);
  EXPECT_EQ(MicrosTextToNanos("123456789.987454"), 123456789987);
  EXPECT_EQ(MicrosTextToNanos("0.0005"), 1);
  EXPECT_EQ(MicrosTextToNanos("0.0004999"), 0);
  EXPECT_EQ(MicrosTextToNanos("-1.0005"), -1001);
  EXPECT_EQ(MicrosTextToNanos("0.00000001"), 0);
}

TEST(KinetoTime, ExponentsAndSigns) {
  EXPECT_EQ(MicrosTextToNanos("1.5e3"), 1500000);
  EXPECT_EQ(MicrosTextToNanos("1E-3"), 1);
  EXPECT_EQ(MicrosTextToNanos("25e+0"), 25000);
  EXPECT_EQ(MicrosTextToNanos("-7"), -7000);
  EXPECT_EQ(MicrosTextToNanos("-0.0"), 0);
  EXPECT_EQ(MicrosTextToNanos("3 \n"), 3000);  // raw tokens carry trailing whitespace
}

TEST(KinetoTime, RejectsNonNumbersAndOverflow) {
  EXPECT_FALSE(MicrosTextToNanos(""));
  EXPECT_FALSE(MicrosTextToNanos("-"));
  EXPECT_FALSE(MicrosTextToNanos("1."));
  EXPECT_FALSE(MicrosTextToNanos(".5"));
  EXPECT_FALSE(MicrosTextToNanos("01"));
  EXPECT_FALSE(MicrosTextToNanos("1e"));
  EXPECT_FALSE(MicrosTextToNanos("\"12\""));
  EXPECT_FALSE(MicrosTextToNanos("nan"));
  EXPECT_FALSE(MicrosTextToNanos("1e300"));
  EXPECT_FALSE(MicrosTextToNanos("9223372036854776"));  // × 1000 > INT64_MAX
  EXPECT_EQ(MicrosTextToNanos("9223372036854775.807"), INT64_MAX);
  EXPECT_FALSE(MicrosTextToNanos("9223372036854775.808"));
  EXPECT_EQ(MicrosTextToNanos("-9223372036854775.808"), INT64_MIN);
  EXPECT_FALSE(MicrosTextToNanos("123456789012345678901234567890123456789012345678901234567890"));
  EXPECT_EQ(MicrosTextToNanos("1e-99999999"), 0);
}

}  // namespace
}  // namespace moeprof::analyzer::kineto

namespace moeprof::analyzer::kineto {
namespace {

// Reference for FindTooDeep: the obvious byte-by-byte scan.
size_t ScalarTooDeep(std::string_view t, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
    }
  }
  return std::string_view::npos;
}

TEST(KinetoDepthScan, MatchesAScalarScanOnRandomText) {
  uint64_t x = 88172645463325252ull;  // xorshift: deterministic
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  const char alphabet[] = "[]{}\"\\a,: ";
  for (int it = 0; it < 100000; ++it) {
    std::string s;
    const size_t len = next() % 90;
    for (size_t k = 0; k < len; ++k) s += alphabet[next() % 10];
    const size_t max_depth = next() % 6;
    ASSERT_EQ(FindTooDeep(s, max_depth), ScalarTooDeep(s, max_depth)) << s << " depth " << max_depth;
  }
  EXPECT_EQ(FindTooDeep(std::string(300, '['), 256), 256u);
  EXPECT_EQ(FindTooDeep("\"" + std::string(300, '[') + "\"", 256), std::string_view::npos);
}

}  // namespace
}  // namespace moeprof::analyzer::kineto

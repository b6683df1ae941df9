// Human units used by text output: boundaries between units, separators, negative values.
#include <gtest/gtest.h>

#include <cstdint>

#include "moeprof/analyzer/units.h"

namespace moeprof::analyzer {
namespace {

TEST(FormatDuration, PicksTheUnitAtEachBoundary) {
  EXPECT_EQ(FormatDuration(0), "0 ns");
  EXPECT_EQ(FormatDuration(999), "999 ns");
  EXPECT_EQ(FormatDuration(1'000), "1.00 µs");
  EXPECT_EQ(FormatDuration(1'500), "1.50 µs");
  EXPECT_EQ(FormatDuration(999'994), "999.99 µs");
  EXPECT_EQ(FormatDuration(2'500'000), "2.50 ms");
  EXPECT_EQ(FormatDuration(3'250'000'000), "3.250 s");
  EXPECT_EQ(FormatDuration(125'000'000'000), "2 min 05.0 s");
  EXPECT_EQ(FormatDuration(3'725'500'000'000), "1 h 02 min 05.5 s");
  EXPECT_EQ(FormatDuration(-1'500), "-1.50 µs");
}

TEST(FormatBytes, UsesBinaryPrefixes) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1024), "1.0 KiB");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(int64_t{1} << 20), "1.0 MiB");
  EXPECT_EQ(FormatBytes(85'520'809'984), "79.6 GiB");
  EXPECT_EQ(FormatBytes(int64_t{3} << 40), "3.0 TiB");
}

TEST(FormatCount, GroupsThousands) {
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(999), "999");
  EXPECT_EQ(FormatCount(1000), "1,000");
  EXPECT_EQ(FormatCount(1234567), "1,234,567");
  EXPECT_EQ(FormatCount(-1234), "-1,234");
  EXPECT_EQ(FormatCount(INT64_MIN), "-9,223,372,036,854,775,808");
}

TEST(FormatUtcTime, FormatsEpochNanoseconds) {
  EXPECT_EQ(FormatUtcTime(0), "1970-01-01 00:00:00.000 UTC");
  EXPECT_EQ(FormatUtcTime(1'700'000'000'123'456'789), "2023-11-14 22:13:20.123 UTC");
}

}  // namespace
}  // namespace moeprof::analyzer

// Interval algebra: edge cases (empty, touching, nested, zero-length, reversed) and a randomized
// comparison with a brute-force per-nanosecond model.
#include "moeprof/analyzer/intervals.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace moeprof::analyzer {
namespace {

TEST(Intervals, UnionOfNothingIsEmpty) {
  EXPECT_TRUE(Union({}).empty());
  EXPECT_EQ(Measure({}), 0);
}

TEST(Intervals, UnionDropsZeroLengthAndReversed) {
  EXPECT_TRUE(Union({{5, 5}, {7, 3}}).empty());
  EXPECT_EQ(Union({{5, 5}, {1, 2}}), (IntervalSet{{1, 2}}));
}

TEST(Intervals, UnionMergesTouchingOverlappingAndNested) {
  EXPECT_EQ(Union({{0, 10}, {10, 20}}), (IntervalSet{{0, 20}}));       // touching
  EXPECT_EQ(Union({{0, 10}, {5, 15}}), (IntervalSet{{0, 15}}));        // overlapping
  EXPECT_EQ(Union({{0, 100}, {10, 20}, {30, 40}}), (IntervalSet{{0, 100}}));  // nested
  EXPECT_EQ(Union({{30, 40}, {0, 10}, {11, 12}}), (IntervalSet{{0, 10}, {11, 12}, {30, 40}}));
  EXPECT_EQ(Measure(Union({{0, 10}, {5, 15}, {20, 25}})), 20);
}

TEST(Intervals, IntersectEdgeCases) {
  EXPECT_TRUE(Intersect({}, {{0, 10}}).empty());
  EXPECT_TRUE(Intersect({{0, 10}}, {}).empty());
  EXPECT_TRUE(Intersect({{0, 10}}, {{10, 20}}).empty());  // touching: no common time
  EXPECT_EQ(Intersect({{0, 100}}, {{10, 20}, {30, 40}}), (IntervalSet{{10, 20}, {30, 40}}));
  EXPECT_EQ(Intersect({{0, 15}, {20, 30}}, {{10, 25}}), (IntervalSet{{10, 15}, {20, 25}}));
}

TEST(Intervals, SubtractEdgeCases) {
  EXPECT_TRUE(Subtract({}, {{0, 10}}).empty());
  EXPECT_EQ(Subtract({{0, 10}}, {}), (IntervalSet{{0, 10}}));
  EXPECT_TRUE(Subtract({{0, 10}}, {{0, 10}}).empty());
  EXPECT_TRUE(Subtract({{2, 8}}, {{0, 10}}).empty());
  EXPECT_EQ(Subtract({{0, 10}}, {{10, 20}}), (IntervalSet{{0, 10}}));  // touching
  EXPECT_EQ(Subtract({{0, 100}}, {{10, 20}, {30, 40}}),
            (IntervalSet{{0, 10}, {20, 30}, {40, 100}}));
  // One b spanning two a's.
  EXPECT_EQ(Subtract({{0, 10}, {20, 30}}, {{5, 25}}), (IntervalSet{{0, 5}, {25, 30}}));
}

TEST(Intervals, ClipAndMeasureWithin) {
  const IntervalSet s{{0, 10}, {20, 30}, {40, 50}};
  EXPECT_EQ(Clip(s, {5, 45}), (IntervalSet{{5, 10}, {20, 30}, {40, 45}}));
  EXPECT_TRUE(Clip(s, {10, 20}).empty());
  EXPECT_TRUE(Clip(s, {30, 30}).empty());
  EXPECT_TRUE(Clip({}, {0, 100}).empty());
  EXPECT_EQ(MeasureWithin(s, {5, 45}), 20);
  EXPECT_EQ(MeasureWithin(s, {-100, 100}), 30);
  EXPECT_EQ(MeasureWithin(s, {50, 60}), 0);
  EXPECT_EQ(Interval({5, 3}).length(), 0);
}

// Brute force: a set as the nanoseconds it covers.
std::set<int64_t> Points(const IntervalSet& s) {
  std::set<int64_t> p;
  for (const Interval& i : s) for (int64_t t = i.start; t < i.end; ++t) p.insert(t);
  return p;
}

void ExpectCanonical(const IntervalSet& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    EXPECT_LT(s[i].start, s[i].end);
    if (i > 0) {
      EXPECT_LT(s[i - 1].end, s[i].start);  // disjoint and not touching
    }
  }
}

TEST(Intervals, RandomAgainstBruteForce) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int64_t> pos(0, 200), len(0, 30), count(0, 12);
  for (int round = 0; round < 500; ++round) {
    auto make = [&] {
      std::vector<Interval> v;
      for (int64_t n = count(rng); n > 0; --n) {
        const int64_t s = pos(rng);
        v.push_back({s, s + len(rng)});
      }
      return v;
    };
    const IntervalSet a = Union(make()), b = Union(make());
    ExpectCanonical(a);
    const std::set<int64_t> pa = Points(a), pb = Points(b);
    std::set<int64_t> both, diff;
    for (int64_t t : pa) (pb.count(t) ? both : diff).insert(t);
    const IntervalSet i = Intersect(a, b), d = Subtract(a, b);
    ExpectCanonical(i);
    ExpectCanonical(d);
    EXPECT_EQ(Points(i), both);
    EXPECT_EQ(Points(d), diff);
    EXPECT_EQ(Measure(a), static_cast<int64_t>(pa.size()));
    const Interval w{pos(rng), pos(rng) + len(rng)};
    std::set<int64_t> clipped;
    for (int64_t t : pa) if (t >= w.start && t < w.end) clipped.insert(t);
    EXPECT_EQ(Points(Clip(a, w)), clipped);
    EXPECT_EQ(MeasureWithin(a, w), static_cast<int64_t>(clipped.size()));
  }
}

}  // namespace
}  // namespace moeprof::analyzer

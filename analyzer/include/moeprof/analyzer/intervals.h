// Interval algebra over half-open [start, end) ns intervals: unions, intersections, differences,
// measures. The rules are defined with these (unions of intervals, never sums of durations).
#pragma once

#include <cstdint>
#include <vector>

namespace moeprof::analyzer {

struct Interval {
  int64_t start = 0;
  int64_t end = 0;  // exclusive
  int64_t length() const { return end > start ? end - start : 0; }
  bool operator==(const Interval&) const = default;
};

// A sorted list of disjoint, non-empty, non-touching intervals.
using IntervalSet = std::vector<Interval>;

IntervalSet Union(std::vector<Interval> intervals);  // sorts, merges overlapping and touching
IntervalSet Intersect(const IntervalSet& a, const IntervalSet& b);
IntervalSet Subtract(const IntervalSet& a, const IntervalSet& b);  // a minus b
IntervalSet Clip(const IntervalSet& a, Interval window);
int64_t Measure(const IntervalSet& a);
int64_t MeasureWithin(const IntervalSet& a, Interval window);

}  // namespace moeprof::analyzer

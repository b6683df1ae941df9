// Interval algebra (see intervals.h). Every operation on sets is one linear merge over sorted,
// disjoint inputs; only Union sorts, because its input is an arbitrary bag of intervals.
#include "moeprof/analyzer/intervals.h"

#include <algorithm>

namespace moeprof::analyzer {

IntervalSet Union(std::vector<Interval> intervals) {
  // Empty and reversed intervals carry no time; dropping them first keeps the invariant that a
  // set holds only non-empty intervals.
  std::erase_if(intervals, [](const Interval& i) { return i.end <= i.start; });
  // Already-sorted input is the common case (kernels of one stream); skip the sort then.
  if (!std::is_sorted(intervals.begin(), intervals.end(),
                      [](const Interval& a, const Interval& b) { return a.start < b.start; })) {
    std::sort(intervals.begin(), intervals.end(),
              [](const Interval& a, const Interval& b) { return a.start < b.start; });
  }
  size_t out = 0;
  for (size_t i = 0; i < intervals.size(); ++i) {
    // Touching intervals merge too: [a,b) ∪ [b,c) = [a,c) has no gap, and keeping them apart
    // would make gap counts (idle stretches) see zero-length gaps.
    if (out > 0 && intervals[i].start <= intervals[out - 1].end) {
      intervals[out - 1].end = std::max(intervals[out - 1].end, intervals[i].end);
    } else {
      intervals[out++] = intervals[i];
    }
  }
  intervals.resize(out);
  return intervals;
}

IntervalSet Intersect(const IntervalSet& a, const IntervalSet& b) {
  IntervalSet out;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const int64_t lo = std::max(a[i].start, b[j].start);
    const int64_t hi = std::min(a[i].end, b[j].end);
    if (lo < hi) out.push_back({lo, hi});
    // Advance whichever ends first; the other may still overlap the next one.
    if (a[i].end < b[j].end) ++i; else ++j;
  }
  return out;
}

IntervalSet Subtract(const IntervalSet& a, const IntervalSet& b) {
  IntervalSet out;
  size_t j = 0;
  for (const Interval& x : a) {
    int64_t cur = x.start;
    // Skip the parts of b entirely before this piece of a.
    while (j < b.size() && b[j].end <= cur) ++j;
    size_t k = j;
    while (k < b.size() && b[k].start < x.end) {
      if (b[k].start > cur) out.push_back({cur, b[k].start});
      cur = std::max(cur, b[k].end);
      if (cur >= x.end) break;
      ++k;
    }
    if (cur < x.end) out.push_back({cur, x.end});
    // j is not advanced past k: the last b looked at may reach into the next interval of a. The
    // skip loop above drops every b wholly inside this one on the next turn, so the whole
    // subtraction stays linear.
  }
  return out;
}

IntervalSet Clip(const IntervalSet& a, Interval window) {
  IntervalSet out;
  if (window.end <= window.start) return out;
  // Binary search to the first interval ending after the window starts: clipping a long set to a
  // step window is a frequent query and should not be linear in the whole trace.
  auto it = std::upper_bound(a.begin(), a.end(), window.start,
                             [](int64_t t, const Interval& i) { return t < i.end; });
  for (; it != a.end() && it->start < window.end; ++it) {
    const int64_t lo = std::max(it->start, window.start);
    const int64_t hi = std::min(it->end, window.end);
    if (lo < hi) out.push_back({lo, hi});
  }
  return out;
}

int64_t Measure(const IntervalSet& a) {
  int64_t total = 0;
  for (const Interval& i : a) total += i.length();
  return total;
}

int64_t MeasureWithin(const IntervalSet& a, Interval window) {
  if (window.end <= window.start) return 0;
  int64_t total = 0;
  auto it = std::upper_bound(a.begin(), a.end(), window.start,
                             [](int64_t t, const Interval& i) { return t < i.end; });
  for (; it != a.end() && it->start < window.end; ++it) {
    const int64_t lo = std::max(it->start, window.start);
    const int64_t hi = std::min(it->end, window.end);
    if (lo < hi) total += hi - lo;
  }
  return total;
}

}  // namespace moeprof::analyzer

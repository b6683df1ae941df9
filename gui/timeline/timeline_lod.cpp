// The level-of-detail query (see QueryLod in timeline_rows.h).
//
// Walk the pixels left to right keeping `next_free`, the first pixel no item has claimed yet.
// Each step jumps (galloping search on the prefix max of end times, per block then per event) to
// the first event that can
// still reach next_free — everything before it ends in pixels already covered, including events
// nested inside a longer earlier one — then either emits that event as a box when it spans more
// than one unclaimed pixel, or folds it with every following event that ends within the same
// pixel into one block. Items therefore claim disjoint, increasing pixel ranges (≤ width items),
// and an event's pixels are always inside claimed ones: the item that claimed up to next_free
// started at or before the pixel where the next event starts (starts are sorted).
// Cost: one or two galloping searches per item, O(width · log(n / width)); nothing precomputed
// per zoom (the per-block maxima are built once with the rows).
#include <algorithm>
#include <cmath>

#include "timeline/timeline_rows.h"

namespace moeprof::gui {
namespace {

// Pixel coordinates far outside any window are clamped so they fit int64 and compare correctly.
constexpr double kPxLimit = 1e15;

struct PxMap {
  double t0, inv;
  double Px(int64_t x) const { return (double(x) - t0) * inv; }
  int64_t Floor(int64_t x) const {
    const double p = std::clamp(Px(x), -kPxLimit, kPxLimit);
    return static_cast<int64_t>(std::floor(p));
  }
  int64_t Ceil(int64_t x) const {
    const double p = std::clamp(Px(x), -kPxLimit, kPxLimit);
    return static_cast<int64_t>(std::ceil(p));
  }
  PixelSpan Span(int64_t s, int64_t e) const {
    const int64_t first = Floor(s);
    const int64_t last = e > s ? std::max(first, Ceil(e) - 1) : first;
    return {first, last};
  }
};

// First k in [lo, n) with !pred(k), for pred true then false over the range. Galloping from lo
// because the next item is usually close.
template <class Pred>
size_t Gallop(size_t lo, size_t n, Pred pred) {
  if (lo >= n || !pred(lo)) return lo;
  size_t known_true = lo, step = 1, hi = n;
  while (true) {
    const size_t probe = known_true + step;
    if (probe >= n) { hi = n; break; }
    if (!pred(probe)) { hi = probe; break; }
    known_true = probe;
    step *= 2;
  }
  // Answer in (known_true, hi].
  size_t a = known_true + 1, b = hi;
  while (a < b) {
    const size_t m = a + (b - a) / 2;
    if (pred(m)) a = m + 1; else b = m;
  }
  return a;
}

// First event k >= from whose prefix max of ends fails `before` (before(x) true then false as x
// grows). Searches the rest of from's block, then gallops over the per-block maxima (a small,
// cache-resident array) and finishes inside one block: a few cache lines per call.
template <class Before>
size_t FirstReaching(const TimelineRow& row, size_t from, Before before) {
  const size_t n = row.size();
  if (from >= n) return n;
  constexpr size_t B = TimelineRow::kBlock;
  auto ev = [&](size_t k) { return before(row.MaxEnd(k)); };
  size_t b = from / B;
  if (!before(row.BlockMaxEnd(b))) return Gallop(from, std::min(n, (b + 1) * B), ev);
  const size_t c = Gallop(b + 1, row.blocks(), [&](size_t k) { return before(row.BlockMaxEnd(k)); });
  if (c >= row.blocks()) return n;
  return Gallop(c * B, std::min(n, (c + 1) * B), ev);
}

// The colour of a fold: the most frequent key among a few samples, so a block of mostly GEMMs
// reads as GEMM without visiting all of its events. Within one block of the row, samples of the
// per-event keys (1 byte each: one cache line); across blocks, the blocks' own most frequent
// keys (contiguous bytes, usually the line the previous pixel already read).
uint8_t DominantKey(const TimelineRow& row, size_t begin, size_t end) {
  constexpr size_t kSamples = 8;
  constexpr size_t B = TimelineRow::kBlock;
  uint8_t keys[kSamples];
  int count[kSamples];
  size_t used = 0;
  auto add = [&](uint8_t k) {
    size_t j = 0;
    while (j < used && keys[j] != k) ++j;
    if (j == used) { keys[used] = k; count[used] = 0; ++used; }
    ++count[j];
  };
  const size_t b0 = begin / B, b1 = (end - 1) / B;
  if (b1 - b0 < 2) {
    const size_t n = end - begin, take = std::min<size_t>(n, 5);
    for (size_t s = 0; s < take; ++s) add(row.Key(begin + (take == 1 ? 0 : s * (n - 1) / (take - 1))));
  } else {
    // Whole blocks inside the range.
    const size_t n = b1 - b0 - 1, take = std::min(n, kSamples);
    for (size_t s = 0; s < take; ++s) add(row.BlockKey(b0 + 1 + (take == 1 ? 0 : s * (n - 1) / (take - 1))));
  }
  size_t best = 0;
  for (size_t j = 1; j < used; ++j)
    if (count[j] > count[best]) best = j;
  return keys[best];
}

}  // namespace

PixelSpan EventPixels(int64_t start, int64_t end, double t0, double ns_per_px) {
  return PxMap{t0, 1.0 / ns_per_px}.Span(start, end);
}

void QueryLod(const TimelineRow& row, double t0, double ns_per_px, int width,
              std::vector<LodItem>& out) {
  out.clear();
  const size_t n = row.size();
  if (n == 0 || width <= 0 || !(ns_per_px > 0)) return;
  const PxMap m{t0, 1.0 / ns_per_px};
  const int64_t w = width;
  const bool counter = row.kind == RowKind::kCounter;
  int64_t next_free = 0;
  size_t i = 0;
  while (next_free < w) {
    // Skip events whose pixels all lie before next_free (conservative: floor of the end).
    const int64_t nf = next_free;
    i = FirstReaching(row, i, [&](int64_t e) { return m.Floor(e) < nf; });
    if (i >= n) break;
    const PixelSpan sp = m.Span(row.Start(i), row.End(i));
    if (sp.first >= w) break;  // starts are sorted: nothing later is in the window
    if (sp.last < next_free) { ++i; continue; }  // ends exactly on a pixel boundary
    const int64_t a = std::max(sp.first, next_free);
    const int64_t last = std::min(sp.last, w - 1);
    if (last > a || sp.last > a) {
      // Wider than the unclaimed pixel (or running past the right edge): its own box.
      LodItem it;
      it.px0 = int32_t(a);
      it.px1 = int32_t(last);
      it.first = uint32_t(i);
      it.count = 1;
      it.key = row.Key(i);
      it.value = counter ? row.Value(i) : 0.f;
      out.push_back(it);
      next_free = last + 1;
      ++i;
      continue;
    }
    // Sub-pixel at pixel a: fold it with every following event that ends within pixel a.
    const int64_t pa = a;
    const size_t j = FirstReaching(row, i + 1, [&](int64_t e) { return m.Floor(e) <= pa; });
    const size_t count = j - i;
    LodItem it;
    it.px0 = it.px1 = int32_t(a);
    it.first = uint32_t(i);
    it.count = uint32_t(count);
    it.folded = count > 1;
    it.key = count > 1 ? DominantKey(row, i, j) : row.Key(i);
    it.value = counter ? row.RangeMaxValue(i, j) : 0.f;
    LodItem* prev = out.empty() ? nullptr : &out.back();
    if (it.folded && prev && prev->folded && prev->px1 == a - 1 && prev->key == it.key) {
      // Adjacent folds of one colour become one block: fewer, wider rectangles to paint.
      prev->px1 = int32_t(a);
      prev->count += it.count;
      prev->value = std::max(prev->value, it.value);
    } else {
      out.push_back(it);
    }
    next_free = a + 1;
    i = j;
  }
}

}  // namespace moeprof::gui

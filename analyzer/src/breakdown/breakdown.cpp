// Breakdowns (see breakdown.h) in one pass over the rank's GPU events in start order: a k-way
// merge of the per-stream sorted runs of kernels, memcpys and memsets. Unions are built on the
// fly (events arrive by start, so a running [start, end) per set is enough), the two
// communication unions are kept (they are small) and intersected with the compute unions as
// those come out in order. Nothing proportional to the event count is allocated: the launch
// delays go into a log histogram.
#include "moeprof/analyzer/breakdown.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

namespace moeprof::analyzer {

namespace {

constexpr size_t kClasses = static_cast<size_t>(KernelClass::kCount);

// A running union of intervals that arrive sorted by start; hands each merged piece to `emit`.
struct RunningUnion {
  int64_t start = 0, end = 0;
  bool open = false;
  int64_t total = 0;
  template <typename Emit>
  void Add(int64_t s, int64_t e, Emit&& emit) {
    if (e <= s) return;
    if (open && s <= end) {
      end = std::max(end, e);
      return;
    }
    if (open) Close(emit);
    start = s;
    end = e;
    open = true;
  }
  template <typename Emit>
  void Close(Emit&& emit) {
    if (!open) return;
    total += end - start;
    emit(Interval{start, end});
    open = false;
  }
  void Add(int64_t s, int64_t e) { Add(s, e, [](Interval) {}); }
  void Finish() { Close([](Interval) {}); }
};

// Intersects a stream of sorted disjoint intervals with a fixed sorted set, accumulating the
// measure; the cursor only moves forward.
struct Intersector {
  const IntervalSet* set = nullptr;
  size_t at = 0;
  int64_t total = 0;
  void operator()(Interval x) {
    const IntervalSet& s = *set;
    while (at < s.size() && s[at].end <= x.start) ++at;
    for (size_t i = at; i < s.size() && s[i].start < x.end; ++i) {
      total += std::max<int64_t>(0, std::min(x.end, s[i].end) - std::max(x.start, s[i].start));
    }
  }
};

// Log histogram for launch delays: exact below 64 ns, then 32 buckets per octave (≤ 3.1 %
// bucket width, midpoint within ±1.6 %).
struct LogHistogram {
  std::vector<int64_t> counts = std::vector<int64_t>(64 + 58 * 32, 0);
  static size_t Bucket(int64_t v) {
    if (v < 64) return static_cast<size_t>(std::max<int64_t>(v, 0));
    const int octave = 63 - __builtin_clzll(static_cast<unsigned long long>(v));  // ≥ 6
    const int64_t sub = (v >> (octave - 5)) & 31;
    return static_cast<size_t>(64 + (octave - 6) * 32 + sub);
  }
  static int64_t Mid(size_t b) {
    if (b < 64) return static_cast<int64_t>(b);
    const int octave = static_cast<int>((b - 64) / 32) + 6;
    const int64_t sub = static_cast<int64_t>((b - 64) % 32);
    const int64_t lo = (32 + sub) << (octave - 5);
    const int64_t width = int64_t{1} << (octave - 5);
    return lo + width / 2;
  }
  void Add(int64_t v) {
    const size_t b = Bucket(v);
    if (b < counts.size()) ++counts[b]; else ++counts.back();
  }
  int64_t Percentile(double p, int64_t n) const {
    if (n == 0) return 0;
    const int64_t rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(p * static_cast<double>(n))));
    int64_t seen = 0;
    for (size_t b = 0; b < counts.size(); ++b) {
      seen += counts[b];
      if (seen >= rank) return Mid(b);
    }
    return Mid(counts.size() - 1);
  }
};

// Finds api rows by correlation (api is sorted by correlation). Each cursor keeps its own hint:
// one stream's launches have increasing correlations, so a gallop from the last hit is short.
struct ApiFinder {
  const schemas::ApiColumns* api;
  int64_t Find(int64_t corr, size_t& hint) const {
    const std::vector<int64_t>& c = api->correlation;
    const size_t n = c.size();
    if (n == 0) return -1;
    if (hint >= n) hint = n - 1;
    size_t lo, hi;
    if (c[hint] == corr) return static_cast<int64_t>(hint);
    if (c[hint] < corr) {
      size_t step = 1;
      lo = hint + 1;
      while (lo + step < n && c[lo + step] < corr) step *= 2;
      hi = std::min(n, lo + step + 1);
    } else {
      size_t step = 1;
      hi = hint;
      while (hi > step && c[hi - step] > corr) step *= 2;
      lo = hi > step ? hi - step : 0;
    }
    auto it = std::lower_bound(c.begin() + static_cast<std::ptrdiff_t>(lo), c.begin() + static_cast<std::ptrdiff_t>(hi), corr);
    if (it == c.begin() + static_cast<std::ptrdiff_t>(hi) || *it != corr) return -1;
    hint = static_cast<size_t>(it - c.begin());
    return static_cast<int64_t>(hint);
  }
};

enum class Table : uint8_t { kKernel, kMemcpy, kMemset };

struct Cursor {
  Table table;
  size_t i, end;
  size_t stream_slot;
  size_t api_hint = 0;
};

}  // namespace

const char* CommDefinitionName(CommDefinition d) {
  return d == CommDefinition::kHta ? "hta" : "classifier";
}

bool IsHtaCommKernelName(std::string_view name) {
  static const RE2 re(R"(^nccl|^hip|^hccl|.*ncclKernel.*)");
  return RE2::PartialMatch(name, re);
}

Breakdown ComputeBreakdown(const RankTrace& rt, const Step& step, BreakdownOptions options) {
  options.window = step.interval();
  return ComputeBreakdown(rt, options);
}

Breakdown ComputeBreakdown(const RankTrace& rt, const BreakdownOptions& options) {
  const schemas::Trace& t = rt.trace;
  const schemas::KernelColumns& k = t.kernels;
  Breakdown out;
  out.rank = rt.rank;
  out.definition = options.hta_compatible ? CommDefinition::kHta : CommDefinition::kClassifier;
  const std::optional<Interval> window = options.hta_compatible ? std::nullopt : options.window;

  // HTA's selection cutoff: the start of the last ProfilerStep, when there are at least two.
  std::optional<int64_t> launch_cutoff;
  if (options.hta_compatible) {
    int profiler_steps = 0;
    int64_t last = std::numeric_limits<int64_t>::min();
    for (const Step& s : rt.steps) {
      if (s.source != "profiler_step") continue;
      ++profiler_steps;
      last = std::max(last, s.start);
    }
    if (profiler_steps >= 2) launch_cutoff = last;
  }

  // HTA's comm test per distinct kernel name, evaluated lazily (a windowed call must not pay
  // for a pass over the whole trace): -1 unknown, 0 no, 1 yes.
  std::vector<int8_t> hta_comm(t.strings.size(), -1);
  auto is_hta_comm = [&](int32_t id) {
    const size_t i = static_cast<size_t>(id);
    if (i >= hta_comm.size()) return false;
    if (hta_comm[i] < 0) hta_comm[i] = IsHtaCommKernelName(t.str(id)) ? 1 : 0;
    return hta_comm[i] == 1;
  };

  // Streams: slots for every stream id seen in any GPU table.
  std::vector<int64_t> stream_ids;
  for (const StreamView& v : rt.streams) stream_ids.push_back(v.id);
  for (const auto& r : t.memcpys) stream_ids.push_back(r.stream);
  for (const auto& r : t.memsets) stream_ids.push_back(r.stream);
  std::sort(stream_ids.begin(), stream_ids.end());
  stream_ids.erase(std::unique(stream_ids.begin(), stream_ids.end()), stream_ids.end());
  auto slot_of = [&](int64_t id) {
    return static_cast<size_t>(std::lower_bound(stream_ids.begin(), stream_ids.end(), id) - stream_ids.begin());
  };

  // Cursors: one per (table, stream) run, positioned at the window.
  std::vector<Cursor> cursors;
  for (const StreamView& v : rt.streams) {
    if (v.kernel_end <= v.kernel_begin) continue;
    size_t b = v.kernel_begin;
    size_t e = v.kernel_end;
    if (window) {
      // First kernel starting at/after the window, backed up over kernels still running at its
      // start (a stream's kernels run one after another, so the scan back is short).
      b = static_cast<size_t>(std::lower_bound(k.start.begin() + static_cast<std::ptrdiff_t>(b),
                                               k.start.begin() + static_cast<std::ptrdiff_t>(e), window->start) - k.start.begin());
      while (b > v.kernel_begin && k.start[b - 1] + k.dur[b - 1] > window->start) --b;
      e = static_cast<size_t>(std::lower_bound(k.start.begin() + static_cast<std::ptrdiff_t>(b),
                                               k.start.begin() + static_cast<std::ptrdiff_t>(e), window->end) - k.start.begin());
    }
    if (b < e) cursors.push_back({Table::kKernel, b, e, slot_of(v.id)});
  }
  auto add_rows = [&](const auto& rows, Table table) {
    for (size_t i = 0; i < rows.size();) {
      size_t j = i;
      while (j < rows.size() && rows[j].stream == rows[i].stream) ++j;
      size_t b = i, e = j;
      if (window) {
        // Same positioning as for kernels (rows are sorted by start within a stream).
        auto by_start = [](const auto& r, int64_t v) { return r.start < v; };
        b = static_cast<size_t>(std::lower_bound(rows.begin() + static_cast<std::ptrdiff_t>(i),
                                                 rows.begin() + static_cast<std::ptrdiff_t>(j), window->start, by_start) - rows.begin());
        while (b > i && rows[b - 1].start + rows[b - 1].dur > window->start) --b;
        e = static_cast<size_t>(std::lower_bound(rows.begin() + static_cast<std::ptrdiff_t>(b),
                                                 rows.begin() + static_cast<std::ptrdiff_t>(j), window->end, by_start) - rows.begin());
      }
      if (b < e) cursors.push_back({table, b, e, slot_of(rows[i].stream)});
      i = j;
    }
  };
  add_rows(t.memcpys, Table::kMemcpy);
  add_rows(t.memsets, Table::kMemset);

  auto start_of = [&](const Cursor& c) -> int64_t {
    switch (c.table) {
      case Table::kKernel: return k.start[c.i];
      case Table::kMemcpy: return t.memcpys[c.i].start;
      case Table::kMemset: return t.memsets[c.i].start;
    }
    return 0;
  };
  using Entry = std::pair<int64_t, size_t>;  // (start, cursor)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
  for (size_t c = 0; c < cursors.size(); ++c) {
    if (cursors[c].i < cursors[c].end) heap.push({start_of(cursors[c]), c});
  }

  // Communication unions are built first (one pass over the kernels of the selection would need
  // the same merge; comm kernels are few, so a direct Union is cheap).
  const ApiFinder finder{&t.api};
  auto launch_api = [&](Cursor& c, int64_t corr) { return finder.Find(corr, c.api_hint); };
  auto selected = [&](int64_t api_index) {
    if (!launch_cutoff) return true;
    return api_index >= 0 && t.api.start[static_cast<size_t>(api_index)] < *launch_cutoff;
  };
  IntervalSet comm_hta, comm_cls;
  {
    std::vector<Interval> a, b;
    for (const Cursor& cur : cursors) {
      if (cur.table != Table::kKernel) continue;
      size_t hint = 0;
      for (size_t i = cur.i; i < cur.end; ++i) {
        const bool c = rt.KernelClassOf(i).cls == KernelClass::kComm;
        const bool h = is_hta_comm(k.name[i]);
        if (!h && !c) continue;
        if (launch_cutoff && !selected(finder.Find(k.correlation[i], hint))) continue;
        Interval x{k.start[i], k.start[i] + k.dur[i]};
        if (window) x = {std::max(x.start, window->start), std::min(x.end, window->end)};
        if (x.end <= x.start) continue;
        if (h) a.push_back(x);
        if (c) b.push_back(x);
      }
    }
    comm_hta = Union(std::move(a));
    comm_cls = Union(std::move(b));
  }

  RunningUnion all, compute_hta, compute_cls;
  std::array<RunningUnion, kClasses> per_class{};
  Intersector ov_hta{&comm_hta}, ov_cls{&comm_cls};
  std::vector<int64_t> prev_end(stream_ids.size(), std::numeric_limits<int64_t>::min());
  std::vector<StreamIdle> idle(stream_ids.size());
  for (size_t s = 0; s < stream_ids.size(); ++s) idle[s].stream = stream_ids[s];
  LogHistogram hist;
  int64_t delay_sum = 0;
  // Worst delays: a min-heap of the top max_outliers.
  std::vector<LaunchOutlier> worst;
  auto worse = [](const LaunchOutlier& a, const LaunchOutlier& b) { return a.delay_ns > b.delay_ns; };
  int64_t first = std::numeric_limits<int64_t>::max(), last = std::numeric_limits<int64_t>::min();

  while (!heap.empty()) {
    const size_t ci = heap.top().second;
    heap.pop();
    Cursor& c = cursors[ci];
    int64_t s = 0, d = 0, corr = 0;
    KernelClass cls;
    bool is_hta_compute = false;
    const size_t row = c.i;
    switch (c.table) {
      case Table::kKernel:
        s = k.start[row]; d = k.dur[row]; corr = k.correlation[row];
        cls = rt.KernelClassOf(row).cls;
        is_hta_compute = !is_hta_comm(k.name[row]);
        break;
      case Table::kMemcpy:
        s = t.memcpys[row].start; d = t.memcpys[row].dur; corr = t.memcpys[row].correlation;
        cls = KernelClass::kMemcpy;
        break;
      default:
        s = t.memsets[row].start; d = t.memsets[row].dur; corr = t.memsets[row].correlation;
        cls = KernelClass::kMemset;
        break;
    }
    if (++c.i < c.end) heap.push({start_of(c), ci});

    const int64_t api = launch_api(c, corr);
    if (!selected(api)) continue;
    int64_t e = s + d;
    if (window) {
      s = std::max(s, window->start);
      e = std::min(e, window->end);
      if (e <= s) continue;
    }
    ++out.events;
    first = std::min(first, s);
    last = std::max(last, e);

    all.Add(s, e);
    if (is_hta_compute) compute_hta.Add(s, e, ov_hta);
    if (c.table == Table::kKernel && IsComputeClass(cls)) compute_cls.Add(s, e, ov_cls);
    ClassTime& ct = out.by_class[static_cast<size_t>(cls)];
    ct.sum_ns += e - s;
    ++ct.count;
    per_class[static_cast<size_t>(cls)].Add(s, e);

    // Idle gap on this stream (HTA: host_wait if the launch call started after the previous
    // event ended; else kernel_wait under the threshold; else other).
    int64_t& pe = prev_end[c.stream_slot];
    if (pe != std::numeric_limits<int64_t>::min()) {
      StreamIdle& si = idle[c.stream_slot];
      const int64_t gap = s - pe;
      ++si.gaps;
      if (api >= 0 && t.api.start[static_cast<size_t>(api)] > pe) {
        si.host_wait_ns += gap;
      } else if (gap < options.kernel_wait_ns) {
        si.kernel_wait_ns += gap;
      } else {
        si.other_ns += gap;
      }
    }
    pe = e;  // HTA: the previous event's end, even when an earlier one ended later

    if (c.table == Table::kKernel && api >= 0) {
      const size_t a = static_cast<size_t>(api);
      const int64_t delay = std::max<int64_t>(0, s - (t.api.start[a] + t.api.dur[a]));
      ++out.launch.count;
      delay_sum += delay;
      hist.Add(delay);
      out.launch.max_ns = std::max(out.launch.max_ns, delay);
      if (delay > options.launch_delay_outlier_ns) ++out.launch.delay_outliers;
      if (t.api.dur[a] > options.runtime_outlier_ns) ++out.launch.runtime_outliers;
      if (options.max_outliers > 0 && (worst.size() < options.max_outliers || delay > worst.front().delay_ns)) {
        if (worst.size() == options.max_outliers) {
          std::pop_heap(worst.begin(), worst.end(), worse);
          worst.pop_back();
        }
        worst.push_back({row, delay});
        std::push_heap(worst.begin(), worst.end(), worse);
      }
    }
  }
  all.Finish();
  compute_hta.Close(ov_hta);
  compute_cls.Close(ov_cls);
  for (RunningUnion& u : per_class) u.Finish();
  for (size_t c = 0; c < kClasses; ++c) out.by_class[c].union_ns = per_class[c].total;

  // Temporal.
  TemporalBreakdown& tb = out.temporal;
  if (window) {
    tb.span = *window;
  } else if (out.events > 0) {
    tb.span = {first, last};
  }
  tb.span_ns = tb.span.length();
  tb.idle_ns = tb.span_ns - all.total;
  tb.compute_ns = options.hta_compatible ? compute_hta.total : compute_cls.total;
  tb.non_compute_ns = tb.span_ns - tb.idle_ns - tb.compute_ns;
  if (tb.span_ns > 0) {
    const double span = static_cast<double>(tb.span_ns);
    tb.idle_pct = 100.0 * static_cast<double>(tb.idle_ns) / span;
    tb.compute_pct = 100.0 * static_cast<double>(tb.compute_ns) / span;
    tb.non_compute_pct = 100.0 * static_cast<double>(tb.non_compute_ns) / span;
  }

  // Idle per stream.
  for (size_t s = 0; s < idle.size(); ++s) {
    if (prev_end[s] == std::numeric_limits<int64_t>::min()) continue;
    for (const StreamView& v : rt.streams) {
      if (v.id == idle[s].stream) idle[s].name = v.name;
    }
    out.idle.host_wait_ns += idle[s].host_wait_ns;
    out.idle.kernel_wait_ns += idle[s].kernel_wait_ns;
    out.idle.other_ns += idle[s].other_ns;
    out.idle.streams.push_back(std::move(idle[s]));
  }

  // Overlaps.
  auto overlap = [](CommDefinition def, const IntervalSet& comm, int64_t ov) {
    Overlap o;
    o.definition = def;
    o.comm_ns = Measure(comm);
    o.overlap_ns = ov;
    o.pct = o.comm_ns > 0 ? 100.0 * static_cast<double>(ov) / static_cast<double>(o.comm_ns) : 0.0;
    return o;
  };
  out.overlap_hta = overlap(CommDefinition::kHta, comm_hta, ov_hta.total);
  out.overlap_classifier = overlap(CommDefinition::kClassifier, comm_cls, ov_cls.total);
  out.overlap = options.hta_compatible ? out.overlap_hta : out.overlap_classifier;

  // Launch delays.
  LaunchDelayStats& ls = out.launch;
  if (ls.count > 0) {
    ls.mean_ns = delay_sum / ls.count;
    ls.p50_ns = hist.Percentile(0.50, ls.count);
    ls.p90_ns = hist.Percentile(0.90, ls.count);
    ls.p99_ns = hist.Percentile(0.99, ls.count);
  }
  std::sort(worst.begin(), worst.end(), [](const LaunchOutlier& a, const LaunchOutlier& b) {
    return a.delay_ns != b.delay_ns ? a.delay_ns > b.delay_ns : a.kernel < b.kernel;
  });
  ls.worst = std::move(worst);
  return out;
}

}  // namespace moeprof::analyzer

// TimelineRows: the timeline's row model, built once per run off the UI thread. Rows are grouped
// rank → host threads (CUDA API calls; NVTX ranges, one row per nesting depth) → GPU streams
// (kernels coloured by class; copies and memsets; syncs) → counters (tokens per expert per step
// from routing, communication bytes). Each event row holds its events sorted by start with a
// prefix maximum of end times, so the level-of-detail query (QueryLod) is a handful of binary
// searches per drawn pixel and handles overlapping events. Kernel rows view the analyzer's
// columns without copying them. Collapse state of the groups lives here too.
//
// Plain C++ over the analyzer's model: no Qt at all, so tests and benchmarks need no widgets.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "moeprof/analyzer/finding.h"
#include "moeprof/analyzer/model.h"

namespace moeprof::gui {

enum class RowKind : uint8_t {
  kRank,      // group header: one rank
  kGroup,     // group header: a host thread, the GPU streams, the counters
  kApi,       // CUDA API calls of one thread
  kNvtx,      // NVTX ranges of one thread at one depth
  kKernels,   // kernels of one stream
  kCopies,    // memcpy + memset of one stream
  kSyncs,     // synchronization records of one rank
  kCounter,   // samples with a value (tokens, bytes)
};

// Which table an event of a row comes from (copies rows mix memcpy and memset).
enum class EventTable : uint8_t { kKernel, kMemcpy, kMemset, kApi, kNvtx, kSync, kCounter };
const char* EventTableName(EventTable t);  // "kernel", "memcpy", ... as in analyzer::EventRef

// One drawn item of a level-of-detail query. Pixel ranges of the items of one query are disjoint
// and increasing, so a query never returns more items than pixels.
struct LodItem {
  int32_t px0 = 0, px1 = 0;   // inclusive pixel range in [0, width)
  uint32_t first = 0;         // index of its first event in the row
  uint32_t count = 0;         // events it stands for (1 = one event's box)
  bool folded = false;        // a run of sub-pixel events drawn as one block
  uint8_t key = 0;            // colour key (timeline_palette.h); for folds, the dominant one
  float value = 0;            // counter rows: the largest value among its events
};

struct TimelineRow {
  RowKind kind = RowKind::kApi;
  int rank_index = 0;        // index into Run::ranks
  int parent = -1;           // index of the header row that owns it (-1: top level)
  int indent = 0;            // nesting level, for the header column
  std::string label;
  int64_t id = 0;            // stream id (GPU rows) or thread id (host rows)
  int nvtx_depth = 0;        // kNvtx
  int64_t offset_ns = 0;     // rank's offset: run time = row time + offset_ns
  std::string unit;          // counters: "tokens", "bytes"

  // --- events, sorted by start (row time) ---
  size_t size() const { return n_; }
  int64_t Start(size_t i) const { return start_[i]; }
  int64_t Dur(size_t i) const { return dur_indexed_ ? dur_[own_src_[i]] : dur_[i]; }
  int64_t End(size_t i) const { return Start(i) + Dur(i); }
  // max End over [0, i]. Stored only when ends are not already non-decreasing (overlapping
  // events); for the usual serialized stream or thread it is End(i) itself.
  int64_t MaxEnd(size_t i) const { return max_end_.empty() ? End(i) : max_end_[i]; }
  // Prefix max of ends at the last event of each block of kBlock events: the LOD query gallops
  // over this small array first, then searches one block, so a jump over thousands of events
  // touches a few cache lines instead of one per probe.
  static constexpr size_t kBlock = 16;
  int64_t BlockMaxEnd(size_t b) const { return block_max_[b]; }
  size_t blocks() const { return block_max_.size(); }
  // The most frequent colour key of each block: a fold spanning blocks takes its colour from
  // these contiguous bytes instead of sampling the per-event keys (a cache miss per sample).
  uint8_t BlockKey(size_t b) const { return block_key_[b]; }
  uint8_t Key(size_t i) const { return key_[i]; }
  // Index in the source table (kernels: into trace.kernels; API: trace.api columns; NVTX:
  // trace.nvtx; syncs: trace.syncs; copies: memcpys, or memsets when IsMemset).
  // Counters: the comm row index, or the step number for tokens.
  size_t Source(size_t i) const { return own_src_.empty() ? base_ + i : (own_src_[i] & ~kMemsetBit); }
  EventTable Table(size_t i) const;
  float Value(size_t i) const { return value_.empty() ? 0.f : value_[i]; }
  float max_value() const { return max_value_; }
  float RangeMaxValue(size_t begin, size_t end) const;  // counters, [begin, end)
  bool is_header() const { return kind == RowKind::kRank || kind == RowKind::kGroup; }
  int64_t first_start() const { return n_ ? start_[0] : 0; }
  int64_t last_end() const { return n_ ? block_max_.back() : 0; }

  // Index of the first event with Start(i) >= t (n if none).
  size_t LowerBound(int64_t t) const;
  static constexpr size_t npos = static_cast<size_t>(-1);
  static constexpr uint32_t kMemsetBit = 0x80000000u;

  // A standalone row over these intervals (sorted here; Source(i) is the input index) — for
  // tests and benchmarks of the LOD query without a run. Counter rows take `values`.
  static TimelineRow FromIntervals(const std::vector<int64_t>& start, const std::vector<int64_t>& dur,
                                   const std::vector<uint8_t>& keys, std::vector<float> values = {});

  // --- storage (filled by the builder) ---
  const int64_t* start_ = nullptr;
  const int64_t* dur_ = nullptr;     // parallel to start_, or indexed by own_src_ (API rows)
  bool dur_indexed_ = false;
  size_t n_ = 0, base_ = 0;
  std::vector<int64_t> own_start_, own_dur_, max_end_, block_max_;
  std::vector<uint32_t> own_src_;     // source indices; empty: base_ + i (kernel views)
  std::vector<uint8_t> key_, block_key_;
  std::vector<float> value_, seg_;  // counters: values and a max segment tree (2·n)
  float max_value_ = 0;
  EventTable table_ = EventTable::kKernel;
};

// Level-of-detail query. The window starts at row time `t0` (run time − offset) and has `width`
// pixels of `ns_per_px` each. Every event touching a pixel (PixelSpan) leaves that pixel covered
// by some returned item; events wider than a pixel come back as boxes (count 1), runs of
// sub-pixel events fold into blocks with their count; adjacent folds of one colour merge.
// O(items · log n). `out` is cleared first.
void QueryLod(const TimelineRow& row, double t0, double ns_per_px, int width,
              std::vector<LodItem>& out);

// The pixels [first, last] an event [start, end) touches in that window (unclipped: may lie
// outside [0, width)). Zero-length events touch the pixel of their start.
struct PixelSpan { int64_t first, last; };
PixelSpan EventPixels(int64_t start, int64_t end, double t0, double ns_per_px);

// A row event: (row index, event index in the row).
struct RowEvent {
  int row = -1;
  size_t index = TimelineRow::npos;
  bool valid() const { return row >= 0 && index != TimelineRow::npos; }
  bool operator==(const RowEvent& o) const { return row == o.row && index == o.index; }
};

class TimelineRows {
 public:
  struct BuildOptions {
    int threads = 0;                          // worker threads (0: hardware concurrency)
    const std::atomic<bool>* cancel = nullptr;  // stop early (the result is then unusable)
    bool collapse_counters = true;            // counter groups start collapsed
  };
  // Builds every row of the run. The run must outlive the rows (kernel rows view its columns;
  // the rows keep a reference through `run`).
  static std::shared_ptr<TimelineRows> Build(std::shared_ptr<const analyzer::Run> run,
                                             const BuildOptions& options);
  static std::shared_ptr<TimelineRows> Build(std::shared_ptr<const analyzer::Run> run) {
    return Build(std::move(run), BuildOptions{});
  }

  const analyzer::Run& run() const { return *run_; }
  const std::shared_ptr<const analyzer::Run>& run_ptr() const { return run_; }
  const std::vector<TimelineRow>& rows() const { return rows_; }
  const TimelineRow& row(int i) const { return rows_[static_cast<size_t>(i)]; }
  int64_t start_ns() const { return start_ns_; }  // run-timeline extent of all events
  int64_t end_ns() const { return end_ns_; }
  size_t event_count() const { return events_; }
  size_t memory_bytes() const;  // heap held by the rows (not the run's columns)

  // --- collapsible groups (header rows) ---
  bool collapsed(int row) const { return collapsed_[static_cast<size_t>(row)] != 0; }
  void SetCollapsed(int row, bool c);
  void Toggle(int row) { SetCollapsed(row, !collapsed(row)); }
  // Rows whose ancestors are all expanded, in display order.
  const std::vector<int>& visible_rows() const { return visible_; }
  // Expands the ancestors of `row` so it becomes visible.
  void Reveal(int row);

  // --- events ---
  // Maps an analyzer::EventRef to its row and index; invalid if it is not in the run.
  RowEvent Resolve(const analyzer::EventRef& ev) const;
  analyzer::EventRef Ref(const RowEvent& e) const;
  // The event under run time `t` on `row`: the shortest event containing t, else the nearest
  // within `slop_ns`; invalid if none. For hover and click.
  RowEvent HitTest(int row, int64_t t, int64_t slop_ns) const;
  // The event linked by correlation: API call → its (first) kernel/copy/memset; kernel/copy/
  // memset → the API call that launched it. Invalid when there is none.
  RowEvent Linked(const RowEvent& e) const;
  // Run-time [start, end) of an event.
  int64_t EventStart(const RowEvent& e) const;
  int64_t EventEnd(const RowEvent& e) const;
  // Display name (kernel/API name, NVTX text, "memcpy HtoD 4.0 MiB", ...).
  std::string EventName(const RowEvent& e) const;

  // Row indices by kind and rank (for FitStep and tests).
  int FindRow(RowKind kind, int rank_index, int64_t id, int nvtx_depth = 0) const;

 private:
  // The event of `row` with this start (row time) and, among ties, this correlation (0: any).
  size_t FindInRow(int row, int64_t start, int64_t correlation) const;
  int64_t CorrelationOf(const TimelineRow& r, size_t i) const;
  int RankIndex(int rank) const;
  void RebuildVisible();
  std::shared_ptr<const analyzer::Run> run_;
  std::vector<TimelineRow> rows_;
  std::vector<uint8_t> collapsed_;
  std::vector<int> visible_;
  int64_t start_ns_ = 0, end_ns_ = 0;
  size_t events_ = 0;
};

}  // namespace moeprof::gui

// TimelineRows: building the rows of a run (grouping, per-row sorted arrays, prefix max of ends,
// colour keys) and the event-level queries (resolve, hit test, correlation links). See
// timeline_rows.h; the LOD query is in timeline_lod.cpp.
#include "timeline/timeline_rows.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>
#include <thread>
#include <unordered_map>

#include "timeline/colour_keys.h"

namespace moeprof::gui {

using analyzer::EventRef;
using analyzer::RankTrace;

const char* EventTableName(EventTable t) {
  switch (t) {
    case EventTable::kKernel: return "kernel";
    case EventTable::kMemcpy: return "memcpy";
    case EventTable::kMemset: return "memset";
    case EventTable::kApi: return "api";
    case EventTable::kNvtx: return "nvtx";
    case EventTable::kSync: return "sync";
    case EventTable::kCounter: return "counter";
  }
  return "";
}

EventTable TimelineRow::Table(size_t i) const {
  if (kind == RowKind::kCopies)
    return (own_src_[i] & kMemsetBit) ? EventTable::kMemset : EventTable::kMemcpy;
  return table_;
}

size_t TimelineRow::LowerBound(int64_t t) const {
  size_t a = 0, b = n_;
  while (a < b) {
    const size_t m = a + (b - a) / 2;
    if (start_[m] < t) a = m + 1; else b = m;
  }
  return a;
}

float TimelineRow::RangeMaxValue(size_t begin, size_t end) const {
  if (value_.empty() || begin >= end) return 0.f;
  // Iterative segment tree over 2·n leaves-last layout.
  float best = 0.f;
  size_t l = begin + n_, r = end + n_;
  while (l < r) {
    if (l & 1) best = std::max(best, seg_[l++]);
    if (r & 1) best = std::max(best, seg_[--r]);
    l >>= 1;
    r >>= 1;
  }
  return best;
}

namespace {

// Per-row work done in parallel after the sequential grouping pass.
struct RowJob {
  enum Kind { kKernelView, kGather } kind = kGather;
  // kKernelView: view of trace.kernels[begin, end) with keys from the classes.
  const RankTrace* rt = nullptr;
  size_t begin = 0, end = 0;
};

uint8_t ApiKey(const std::string& name) {
  if (name.find("ynchronize") != std::string::npos || name.find("EventQuery") != std::string::npos ||
      name.find("StreamWait") != std::string::npos)
    return colour_key::kApiSync;
  if (name.find("Memcpy") != std::string::npos || name.find("Memset") != std::string::npos)
    return colour_key::kApiMemcpy;
  if (name.find("Launch") != std::string::npos || name.find("launch") != std::string::npos)
    return colour_key::kApiLaunch;
  return colour_key::kApiOther;
}

uint8_t NvtxKey(const std::string& text) {
  // FNV-1a so a range's colour depends only on its text (the same layer looks the same everywhere).
  uint32_t h = 2166136261u;
  for (unsigned char c : text) { h ^= c; h *= 16777619u; }
  return uint8_t(colour_key::kCategoricalBase + h % colour_key::kCategoricalCount);
}

std::string ThreadLabel(const schemas::Trace& t, int64_t thread_id) {
  for (const auto& th : t.threads) {
    if (th.id != thread_id) continue;
    std::string s = "Thread " + std::to_string(th.tid);
    if (th.name && !th.name->empty()) s += " " + *th.name;
    return s;
  }
  return "Thread #" + std::to_string(thread_id);
}

std::string StreamLabel(const schemas::Trace& t, const analyzer::StreamView* sv, int64_t stream_id) {
  std::string s = "Stream ";
  const schemas::StreamRow* row = nullptr;
  for (const auto& st : t.streams)
    if (st.id == stream_id) { row = &st; break; }
  s += row ? std::to_string(row->native_id) : "#" + std::to_string(stream_id);
  if (sv && !sv->name.empty()) s += " " + sv->name;
  else if (row && row->name && !row->name->empty()) s += " " + *row->name;
  const std::string role = sv ? sv->role : (row && row->role ? *row->role : "");
  if (!role.empty()) s += " (" + role + ")";
  return s;
}

// The prefix max of ends: per block always, per event only when the ends are not
// non-decreasing (then End(i) is the prefix max itself and storing it would cost 8 B/event).
void FinishEvents(TimelineRow& r) {
  r.max_end_.clear();
  bool monotonic = true;
  for (size_t i = 1; i < r.n_ && monotonic; ++i) monotonic = r.End(i) >= r.End(i - 1);
  if (!monotonic) {
    r.max_end_.resize(r.n_);
    int64_t m = INT64_MIN;
    for (size_t i = 0; i < r.n_; ++i) {
      m = std::max(m, r.End(i));
      r.max_end_[i] = m;
    }
  }
  const size_t nb = (r.n_ + TimelineRow::kBlock - 1) / TimelineRow::kBlock;
  r.block_max_.resize(nb);
  for (size_t b = 0; b < nb; ++b) r.block_max_[b] = r.MaxEnd(std::min(r.n_, (b + 1) * TimelineRow::kBlock) - 1);
  r.block_key_.resize(nb);
  for (size_t b = 0; b < nb; ++b) {
    const size_t lo = b * TimelineRow::kBlock, hi = std::min(r.n_, lo + TimelineRow::kBlock);
    uint8_t keys[TimelineRow::kBlock];
    int count[TimelineRow::kBlock];
    size_t used = 0, best = 0;
    for (size_t i = lo; i < hi; ++i) {
      const uint8_t k = r.key_.empty() ? 0 : r.key_[i];
      size_t j = 0;
      while (j < used && keys[j] != k) ++j;
      if (j == used) { keys[used] = k; count[used] = 0; ++used; }
      if (++count[j] > count[best]) best = j;
    }
    r.block_key_[b] = used ? keys[best] : 0;
  }
}

// Rows from owned (start, dur, src) triples: sorts by start (stable), points the views at them.
struct Triple { int64_t start, dur; uint32_t src; uint8_t key; };
void SetOwned(TimelineRow& r, std::vector<Triple>& ev) {
  auto by_start = [](const Triple& a, const Triple& b) { return a.start < b.start; };
  if (!std::is_sorted(ev.begin(), ev.end(), by_start)) std::stable_sort(ev.begin(), ev.end(), by_start);
  r.own_start_.resize(ev.size());
  r.own_dur_.resize(ev.size());
  r.own_src_.resize(ev.size());
  r.key_.resize(ev.size());
  for (size_t i = 0; i < ev.size(); ++i) {
    r.own_start_[i] = ev[i].start;
    r.own_dur_[i] = ev[i].dur;
    r.own_src_[i] = ev[i].src;
    r.key_[i] = ev[i].key;
  }
  r.start_ = r.own_start_.data();
  r.dur_ = r.own_dur_.data();
  r.dur_indexed_ = false;
  r.base_ = 0;
  r.n_ = ev.size();
  FinishEvents(r);
}

void FillSegmentTree(TimelineRow& r) {
  const size_t n = r.value_.size();
  r.seg_.assign(2 * n, 0.f);
  for (size_t i = 0; i < n; ++i) r.seg_[n + i] = r.value_[i];
  for (size_t i = n; i-- > 1;) r.seg_[i] = std::max(r.seg_[2 * i], r.seg_[2 * i + 1]);
  r.max_value_ = n ? *std::max_element(r.value_.begin(), r.value_.end()) : 0.f;
}

}  // namespace

TimelineRow TimelineRow::FromIntervals(const std::vector<int64_t>& start, const std::vector<int64_t>& dur,
                                       const std::vector<uint8_t>& keys, std::vector<float> values) {
  TimelineRow r;
  r.kind = values.empty() ? RowKind::kKernels : RowKind::kCounter;
  r.table_ = values.empty() ? EventTable::kKernel : EventTable::kCounter;
  std::vector<Triple> ev(start.size());
  for (size_t i = 0; i < start.size(); ++i)
    ev[i] = {start[i], dur[i], uint32_t(i), i < keys.size() ? keys[i] : uint8_t(0)};
  SetOwned(r, ev);
  if (!values.empty()) {
    r.value_.resize(r.n_);
    for (size_t i = 0; i < r.n_; ++i) r.value_[i] = values[r.own_src_[i]];
    FillSegmentTree(r);
  }
  return r;
}

namespace {

// The rows of one rank, with parents local to `rows` (offset when the ranks are concatenated).
struct RankRows {
  std::vector<TimelineRow> rows;
  std::vector<RowJob> jobs;
  std::vector<int> collapsed;
};

// Groups one rank's events into rows. Linear in the rank's rows apart from sorting the small
// tables; the heavy per-event work on kernels and API calls is left to the parallel pass.
void BuildRank(const analyzer::Run& run, size_t ri, const TimelineRows::BuildOptions& options, RankRows& out) {
  const RankTrace& rt = run.ranks[ri];
  const schemas::Trace& t = rt.trace;
  std::vector<TimelineRow>& rows = out.rows;
  auto add_row = [&](TimelineRow r) {
    rows.push_back(std::move(r));
    out.jobs.emplace_back();
    return int(rows.size() - 1);
  };
  auto base_row = [&](RowKind kind, int parent, int indent, std::string label, int64_t id) {
    TimelineRow r;
    r.kind = kind;
    r.rank_index = int(ri);
    r.parent = parent;
    r.indent = indent;
    r.label = std::move(label);
    r.id = id;
    r.offset_ns = rt.offset_ns;
    return r;
  };

  TimelineRow rank_row = base_row(RowKind::kRank, -1, 0, "Rank " + std::to_string(rt.rank), 0);
  if (!t.processes.empty() && !t.processes[0].host.empty()) rank_row.label += " · " + t.processes[0].host;
  const int rank_idx = add_row(std::move(rank_row));

  // --- host threads: API calls partitioned by thread (a process has few threads: a short list
  // with a last-hit cache beats a hash map per row), NVTX rows per (thread, depth) ---
  std::vector<int64_t> threads;
  std::vector<std::vector<uint32_t>> api_idx;
  auto thread_slot = [&](int64_t th) {
    for (size_t k = 0; k < threads.size(); ++k)
      if (threads[k] == th) return k;
    threads.push_back(th);
    api_idx.emplace_back();
    return threads.size() - 1;
  };
  {
    int64_t last = INT64_MIN;
    size_t slot = 0;
    for (size_t i = 0; i < t.api.size(); ++i) {
      const int64_t th = t.api.thread[i];
      if (th != last) { slot = thread_slot(th); last = th; }
      api_idx[slot].push_back(uint32_t(i));
    }
  }
  std::vector<int16_t> nvtx_key(t.strings.size(), -1);  // colour by text id, hashed once
  std::map<std::pair<int64_t, int64_t>, std::vector<Triple>> nvtx_rows;  // (thread, depth)
  {
    std::pair<int64_t, int64_t> last{INT64_MIN, INT64_MIN};
    std::vector<Triple>* cur = nullptr;
    for (size_t i = 0; i < t.nvtx.size(); ++i) {
      const auto& nv = t.nvtx[i];
      uint8_t key = colour_key::kNvtxMark;
      if (nv.kind != schemas::NvtxKind::kMark) {
        const auto id = size_t(nv.text);
        if (id < nvtx_key.size()) {
          if (nvtx_key[id] < 0) nvtx_key[id] = NvtxKey(t.strings[id]);
          key = uint8_t(nvtx_key[id]);
        } else {
          key = NvtxKey("");
        }
      }
      const std::pair<int64_t, int64_t> k{nv.thread, nv.depth};
      if (!cur || k != last) { cur = &nvtx_rows[k]; last = k; thread_slot(nv.thread); }
      cur->push_back({nv.start, nv.dur, uint32_t(i), key});
    }
  }
  std::vector<size_t> order(threads.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return threads[a] < threads[b]; });
  for (size_t slot : order) {
    const int64_t th = threads[slot];
    const int g = add_row(base_row(RowKind::kGroup, rank_idx, 1, ThreadLabel(t, th), th));
    if (!api_idx[slot].empty()) {
      TimelineRow r = base_row(RowKind::kApi, g, 2, "CUDA API", th);
      r.table_ = EventTable::kApi;
      r.own_src_ = std::move(api_idx[slot]);
      r.n_ = r.own_src_.size();
      add_row(std::move(r));  // sorted by start in the parallel pass
    }
    for (auto& [key, ev] : nvtx_rows) {
      if (key.first != th) continue;
      TimelineRow r = base_row(RowKind::kNvtx, g, 2, "NVTX " + std::to_string(key.second), th);
      r.nvtx_depth = int(key.second);
      r.table_ = EventTable::kNvtx;
      SetOwned(r, ev);
      add_row(std::move(r));
    }
  }

  // --- GPU: kernels per stream (views), copies per stream, syncs ---
  std::string gpu_label = "GPU";
  if (!t.devices.empty()) gpu_label += " " + std::to_string(t.devices[0].ordinal) + " " + t.devices[0].name;
  const int gpu = add_row(base_row(RowKind::kGroup, rank_idx, 1, gpu_label, 0));
  std::map<int64_t, std::vector<Triple>> copies;
  for (size_t i = 0; i < t.memcpys.size(); ++i)
    copies[t.memcpys[i].stream].push_back({t.memcpys[i].start, t.memcpys[i].dur, uint32_t(i),
                                           colour_key::OfClass(analyzer::KernelClass::kMemcpy)});
  for (size_t i = 0; i < t.memsets.size(); ++i)
    copies[t.memsets[i].stream].push_back({t.memsets[i].start, t.memsets[i].dur, uint32_t(i) | TimelineRow::kMemsetBit,
                                           colour_key::OfClass(analyzer::KernelClass::kMemset)});
  std::set<int64_t> stream_ids;
  for (const auto& sv : rt.streams) stream_ids.insert(sv.id);
  for (const auto& [sid, v] : copies) stream_ids.insert(sid);
  for (int64_t sid : stream_ids) {
    const analyzer::StreamView* sv = nullptr;
    for (const auto& v : rt.streams)
      if (v.id == sid) { sv = &v; break; }
    if (sv && sv->kernel_end > sv->kernel_begin) {
      TimelineRow r = base_row(RowKind::kKernels, gpu, 2, StreamLabel(t, sv, sid), sid);
      r.table_ = EventTable::kKernel;
      r.n_ = sv->kernel_end - sv->kernel_begin;
      const int k = add_row(std::move(r));
      out.jobs[size_t(k)] = {RowJob::kKernelView, &rt, sv->kernel_begin, sv->kernel_end};
    }
    auto c = copies.find(sid);
    if (c != copies.end()) {
      TimelineRow r = base_row(RowKind::kCopies, gpu, 2, StreamLabel(t, sv, sid) + " copies", sid);
      r.table_ = EventTable::kMemcpy;
      SetOwned(r, c->second);
      add_row(std::move(r));
    }
  }
  if (!t.syncs.empty()) {
    std::vector<Triple> ev;
    ev.reserve(t.syncs.size());
    for (size_t i = 0; i < t.syncs.size(); ++i) ev.push_back({t.syncs[i].start, t.syncs[i].dur, uint32_t(i), colour_key::kSync});
    TimelineRow r = base_row(RowKind::kSyncs, gpu, 2, "Syncs", 0);
    r.table_ = EventTable::kSync;
    SetOwned(r, ev);
    add_row(std::move(r));
  }

  // --- counters: communication bytes per op; tokens per expert per step (routing) ---
  const bool has_comm_bytes =
      std::any_of(t.comms.begin(), t.comms.end(), [](const schemas::CommRow& c) { return c.bytes.has_value(); });
  if (!has_comm_bytes && t.routing.empty()) return;
  const int cg = add_row(base_row(RowKind::kGroup, rank_idx, 1, "Counters", 0));
  if (options.collapse_counters) out.collapsed.push_back(cg);
  auto add_counter = [&](std::string label, std::string unit, std::vector<Triple>& ev, std::vector<float>& vals) {
    TimelineRow r = base_row(RowKind::kCounter, cg, 2, std::move(label), 0);
    r.table_ = EventTable::kCounter;
    r.unit = std::move(unit);
    // Values ride in the Triple's source slot through the sort, then move to value_.
    for (size_t i = 0; i < ev.size(); ++i) ev[i].src = uint32_t(i);
    const std::vector<float> v = vals;
    SetOwned(r, ev);
    r.value_.resize(r.n_);
    for (size_t i = 0; i < r.n_; ++i) r.value_[i] = v[r.own_src_[i]];
    FillSegmentTree(r);
    add_row(std::move(r));
  };
  if (has_comm_bytes) {
    std::vector<Triple> ev;
    std::vector<float> vals;
    for (size_t i = 0; i < t.comms.size(); ++i) {
      if (!t.comms[i].bytes) continue;
      ev.push_back({t.comms[i].start, t.comms[i].dur, uint32_t(i), colour_key::kCounter});
      vals.push_back(float(*t.comms[i].bytes));
    }
    add_counter("Comm bytes", "bytes", ev, vals);
    // Source indices of this row are the comm rows: restore them (add_counter used positions).
    TimelineRow& r = rows.back();
    std::vector<uint32_t> comm_idx;
    for (size_t i = 0; i < t.comms.size(); ++i)
      if (t.comms[i].bytes) comm_idx.push_back(uint32_t(i));
    for (auto& s : r.own_src_) s = comm_idx[s];
  }
  if (!t.routing.empty()) {
    // Tokens per (expert, step), summed over layers and microbatches: sort once, reduce runs.
    struct Tok { int64_t expert, step, tokens; };
    std::vector<Tok> tok;
    tok.reserve(t.routing.size());
    for (const auto& rr : t.routing) tok.push_back({rr.expert, rr.step, rr.tokens});
    std::sort(tok.begin(), tok.end(), [](const Tok& a, const Tok& b) {
      return a.expert != b.expert ? a.expert < b.expert : a.step < b.step;
    });
    std::unordered_map<int64_t, size_t> step_index;  // step number → rt.steps index
    step_index.reserve(rt.steps.size());
    for (size_t i = 0; i < rt.steps.size(); ++i) step_index.emplace(rt.steps[i].number, i);
    for (size_t i = 0; i < tok.size();) {
      const int64_t expert = tok[i].expert;
      std::vector<Triple> ev;
      std::vector<float> vals;
      while (i < tok.size() && tok[i].expert == expert) {
        const int64_t step = tok[i].step;
        int64_t sum = 0;
        for (; i < tok.size() && tok[i].expert == expert && tok[i].step == step; ++i) sum += tok[i].tokens;
        auto st = step_index.find(step);
        if (st == step_index.end()) continue;
        const analyzer::Step& s = rt.steps[st->second];
        ev.push_back({s.start, s.end - s.start, 0, colour_key::kCounter});
        vals.push_back(float(sum));
      }
      if (ev.empty()) continue;
      add_counter("Tokens e" + std::to_string(expert), "tokens", ev, vals);
      // Source of a token sample: its step number.
      TimelineRow& r = rows.back();
      for (size_t k = 0; k < r.n_; ++k) {
        // Steps are non-overlapping and sorted, so the sample's start identifies its step.
        auto it = std::lower_bound(rt.steps.begin(), rt.steps.end(), r.Start(k),
                                   [](const analyzer::Step& s, int64_t v) { return s.start < v; });
        r.own_src_[k] = it != rt.steps.end() ? uint32_t(it->number) : 0;
      }
    }
  }
}

// The per-event pass of one row: kernel views (keys from the classes, prefix max of ends) and
// API rows (sorted by start, gathered starts, keys by name).
void FinishRow(const analyzer::Run& run, TimelineRow& r, const RowJob& job) {
  if (r.kind == RowKind::kKernels && job.rt) {
    const auto& ks = job.rt->trace.kernels;
    r.start_ = ks.start.data() + job.begin;
    r.dur_ = ks.dur.data() + job.begin;
    r.base_ = job.begin;
    r.key_.resize(r.n_);
    const auto& nc = job.rt->name_class;
    const int32_t* names = ks.name.data() + job.begin;
    for (size_t i = 0; i < r.n_; ++i) {
      const auto id = size_t(names[i]);
      r.key_[i] = id < nc.size() ? uint8_t(nc[id].cls) : uint8_t(analyzer::KernelClass::kOther);
    }
    if (!std::is_sorted(r.start_, r.start_ + r.n_)) {
      // The analyzer sorts kernels by (stream, start); if a producer ever broke that, own a
      // sorted copy rather than draw garbage.
      std::vector<Triple> ev(r.n_);
      for (size_t i = 0; i < r.n_; ++i) ev[i] = {r.start_[i], r.dur_[i], uint32_t(job.begin + i), r.key_[i]};
      SetOwned(r, ev);
      return;
    }
    FinishEvents(r);
  } else if (r.kind == RowKind::kApi) {
    const auto& t = run.ranks[size_t(r.rank_index)].trace;
    const auto& api = t.api;
    std::vector<uint32_t>& idx = r.own_src_;
    const auto& st = api.start;
    // Correlation order is launch order, so per thread this is almost always sorted already.
    if (!std::is_sorted(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return st[a] < st[b]; }))
      std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return st[a] < st[b]; });
    r.own_start_.resize(r.n_);
    r.key_.resize(r.n_);
    std::vector<int16_t> cache(t.strings.size(), -1);  // colour key by name id
    for (size_t i = 0; i < r.n_; ++i) {
      const uint32_t a = idx[i];
      r.own_start_[i] = st[a];
      const auto id = size_t(api.name[a]);
      if (id >= cache.size()) { r.key_[i] = colour_key::kApiOther; continue; }
      if (cache[id] < 0) cache[id] = ApiKey(t.strings[id]);
      r.key_[i] = uint8_t(cache[id]);
    }
    r.start_ = r.own_start_.data();
    r.dur_ = api.dur.data();
    r.dur_indexed_ = true;
    FinishEvents(r);
  }
}

// Runs fn(i) for i in [0, n) on `threads` threads (the caller's included).
template <class Fn>
void ParallelFor(size_t n, int threads, const std::atomic<bool>* cancel, Fn fn) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t k; (k = next.fetch_add(1)) < n;) {
      if (cancel && cancel->load(std::memory_order_relaxed)) return;
      fn(k);
    }
  };
  threads = std::max(1, std::min(threads, int(n)));
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
}

}  // namespace

std::shared_ptr<TimelineRows> TimelineRows::Build(std::shared_ptr<const analyzer::Run> run,
                                                  const BuildOptions& options) {
  auto out = std::make_shared<TimelineRows>();
  out->run_ = run;
  if (!run) return out;
  auto cancelled = [&] { return options.cancel && options.cancel->load(std::memory_order_relaxed); };
  const int threads =
      options.threads > 0 ? options.threads : int(std::max(1u, std::thread::hardware_concurrency()));

  // Pass 1, one task per rank: grouping into rows.
  std::vector<RankRows> per_rank(run->ranks.size());
  ParallelFor(per_rank.size(), threads, options.cancel, [&](size_t ri) { BuildRank(*run, ri, options, per_rank[ri]); });
  if (cancelled()) return nullptr;
  std::vector<TimelineRow>& rows = out->rows_;
  std::vector<RowJob> jobs;
  std::vector<int> initially_collapsed;
  for (RankRows& rr : per_rank) {
    const int base = int(rows.size());
    for (TimelineRow& r : rr.rows) {
      if (r.parent >= 0) r.parent += base;
      rows.push_back(std::move(r));
    }
    jobs.insert(jobs.end(), rr.jobs.begin(), rr.jobs.end());
    for (int c : rr.collapsed) initially_collapsed.push_back(c + base);
  }
  // Pass 2, one task per row: the per-event arrays. Largest rows first so the threads finish
  // together.
  std::vector<size_t> order(rows.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rows[a].size() > rows[b].size(); });
  ParallelFor(order.size(), threads, options.cancel, [&](size_t k) { FinishRow(*run, rows[order[k]], jobs[order[k]]); });
  if (cancelled()) return nullptr;

  out->collapsed_.assign(rows.size(), 0);
  for (int c : initially_collapsed) out->collapsed_[size_t(c)] = 1;
  bool any = false;
  for (const auto& r : rows) {
    if (r.is_header() || r.size() == 0) continue;
    out->events_ += r.size();
    const int64_t s = r.first_start() + r.offset_ns, e = r.last_end() + r.offset_ns;
    if (!any) { out->start_ns_ = s; out->end_ns_ = e; any = true; }
    out->start_ns_ = std::min(out->start_ns_, s);
    out->end_ns_ = std::max(out->end_ns_, e);
  }
  out->RebuildVisible();
  return out;
}

size_t TimelineRows::memory_bytes() const {
  size_t b = rows_.capacity() * sizeof(TimelineRow);
  for (const auto& r : rows_) {
    b += r.own_start_.capacity() * 8 + r.own_dur_.capacity() * 8 + r.max_end_.capacity() * 8 + r.block_max_.capacity() * 8 + r.block_key_.capacity() +
         r.own_src_.capacity() * 4 + r.key_.capacity() + r.value_.capacity() * 4 + r.seg_.capacity() * 4 +
         r.label.capacity();
  }
  return b;
}

void TimelineRows::SetCollapsed(int row, bool c) {
  if (row < 0 || size_t(row) >= rows_.size() || !rows_[size_t(row)].is_header()) return;
  collapsed_[size_t(row)] = c ? 1 : 0;
  RebuildVisible();
}

void TimelineRows::Reveal(int row) {
  bool changed = false;
  for (int p = row >= 0 && size_t(row) < rows_.size() ? rows_[size_t(row)].parent : -1; p >= 0;
       p = rows_[size_t(p)].parent) {
    if (collapsed_[size_t(p)]) { collapsed_[size_t(p)] = 0; changed = true; }
  }
  if (changed) RebuildVisible();
}

void TimelineRows::RebuildVisible() {
  visible_.clear();
  // Rows are in depth-first order with parents before children, so one pass suffices.
  std::vector<uint8_t> shown(rows_.size(), 0);
  for (size_t i = 0; i < rows_.size(); ++i) {
    const int p = rows_[i].parent;
    const bool vis = p < 0 || (shown[size_t(p)] && !collapsed_[size_t(p)]);
    shown[i] = vis;
    if (vis) visible_.push_back(int(i));
  }
}

int TimelineRows::FindRow(RowKind kind, int rank_index, int64_t id, int nvtx_depth) const {
  for (size_t i = 0; i < rows_.size(); ++i) {
    const auto& r = rows_[i];
    if (r.kind == kind && r.rank_index == rank_index && r.id == id &&
        (kind != RowKind::kNvtx || r.nvtx_depth == nvtx_depth))
      return int(i);
  }
  return -1;
}

int TimelineRows::RankIndex(int rank) const {
  for (size_t i = 0; i < run_->ranks.size(); ++i)
    if (run_->ranks[i].rank == rank) return int(i);
  return -1;
}

int64_t TimelineRows::CorrelationOf(const TimelineRow& r, size_t i) const {
  const auto& t = run_->ranks[size_t(r.rank_index)].trace;
  const size_t s = r.Source(i);
  switch (r.Table(i)) {
    case EventTable::kKernel: return t.kernels.correlation[s];
    case EventTable::kMemcpy: return t.memcpys[s].correlation;
    case EventTable::kMemset: return t.memsets[s].correlation;
    case EventTable::kApi: return t.api.correlation[s];
    case EventTable::kSync: return t.syncs[s].correlation;
    case EventTable::kNvtx: return t.nvtx[s].id;
    case EventTable::kCounter: return 0;
  }
  return 0;
}

size_t TimelineRows::FindInRow(int row, int64_t start, int64_t correlation) const {
  if (row < 0) return TimelineRow::npos;
  const TimelineRow& r = rows_[size_t(row)];
  size_t first = TimelineRow::npos;
  for (size_t k = r.LowerBound(start); k < r.size() && r.Start(k) == start; ++k) {
    if (first == TimelineRow::npos) first = k;
    if (correlation == 0 || CorrelationOf(r, k) == correlation) return k;
  }
  return first;
}

RowEvent TimelineRows::Resolve(const EventRef& ev) const {
  RowEvent out;
  if (!run_) return out;
  const int ri = RankIndex(ev.rank);
  if (ri < 0) return out;
  auto in = [&](int row) {
    const size_t k = FindInRow(row, ev.start, ev.correlation);
    if (k != TimelineRow::npos) { out.row = row; out.index = k; return true; }
    return false;
  };
  const std::string& tb = ev.table;
  if (tb == "kernel") in(FindRow(RowKind::kKernels, ri, ev.stream));
  else if (tb == "memcpy" || tb == "memset") in(FindRow(RowKind::kCopies, ri, ev.stream));
  else if (tb == "api") in(FindRow(RowKind::kApi, ri, ev.stream));
  else if (tb == "sync") in(FindRow(RowKind::kSyncs, ri, 0));
  else if (tb == "nvtx") {
    for (size_t i = 0; i < rows_.size(); ++i) {
      const auto& r = rows_[i];
      if (r.kind == RowKind::kNvtx && r.rank_index == ri && r.id == ev.stream && in(int(i))) break;
    }
  }
  return out;
}

EventRef TimelineRows::Ref(const RowEvent& e) const {
  EventRef ref;
  if (!e.valid()) return ref;
  const TimelineRow& r = rows_[size_t(e.row)];
  ref.rank = run_->ranks[size_t(r.rank_index)].rank;
  ref.table = EventTableName(r.Table(e.index));
  ref.stream = r.id;
  if (r.kind == RowKind::kSyncs) {
    const auto& sy = run_->ranks[size_t(r.rank_index)].trace.syncs[r.Source(e.index)];
    ref.stream = sy.stream.value_or(0);
  }
  ref.start = r.Start(e.index);
  ref.correlation = CorrelationOf(r, e.index);
  return ref;
}

int64_t TimelineRows::EventStart(const RowEvent& e) const {
  const TimelineRow& r = rows_[size_t(e.row)];
  return r.Start(e.index) + r.offset_ns;
}

int64_t TimelineRows::EventEnd(const RowEvent& e) const {
  const TimelineRow& r = rows_[size_t(e.row)];
  return r.End(e.index) + r.offset_ns;
}

RowEvent TimelineRows::HitTest(int row, int64_t t, int64_t slop_ns) const {
  RowEvent best;
  if (row < 0 || size_t(row) >= rows_.size()) return best;
  const TimelineRow& r = rows_[size_t(row)];
  if (r.is_header() || r.size() == 0) return best;
  const int64_t rt = t - r.offset_ns;
  // Candidates start at or before rt + slop; walk back while an earlier event may still reach
  // rt - slop (the prefix max says when none can). Bounded so a pathological row stays cheap.
  size_t k = r.LowerBound(rt + slop_ns + 1);
  int64_t best_dur = INT64_MAX, best_dist = INT64_MAX;
  for (int steps = 0; k > 0 && steps < 4096; ++steps) {
    --k;
    if (r.MaxEnd(k) < rt - slop_ns) break;
    const int64_t s = r.Start(k), e = r.End(k);
    const bool inside = s <= rt && (rt < e || (s == e && rt == s));
    const int64_t dist = inside ? 0 : (rt < s ? s - rt : rt - e);
    if (dist > slop_ns) continue;
    const int64_t d = e - s;
    // Inside beats near; among those, the shortest (the innermost of overlapping events).
    if (dist < best_dist || (dist == best_dist && d < best_dur)) {
      best = {row, k};
      best_dist = dist;
      best_dur = d;
    }
  }
  return best;
}

RowEvent TimelineRows::Linked(const RowEvent& e) const {
  RowEvent out;
  if (!e.valid()) return out;
  const TimelineRow& r = rows_[size_t(e.row)];
  const RankTrace& rt = run_->ranks[size_t(r.rank_index)];
  const auto& t = rt.trace;
  const EventTable tb = r.Table(e.index);
  const int64_t corr = CorrelationOf(r, e.index);
  if (corr == 0) return out;
  if (tb == EventTable::kKernel || tb == EventTable::kMemcpy || tb == EventTable::kMemset ||
      tb == EventTable::kSync) {
    // API columns are sorted by correlation.
    const auto& c = t.api.correlation;
    auto it = std::lower_bound(c.begin(), c.end(), corr);
    if (it == c.end() || *it != corr) return out;
    const size_t a = size_t(it - c.begin());
    const int row = FindRow(RowKind::kApi, r.rank_index, t.api.thread[a]);
    const size_t k = FindInRow(row, t.api.start[a], corr);
    if (k != TimelineRow::npos) out = {row, k};
    return out;
  }
  if (tb == EventTable::kApi) {
    // Kernels are sorted by (stream, start), not correlation: one linear scan per click (≈10 ms
    // on 10 M kernels) instead of a correlation index as large as the column.
    const auto& kc = t.kernels.correlation;
    for (size_t k = 0; k < kc.size(); ++k) {
      if (kc[k] != corr) continue;
      const int row = FindRow(RowKind::kKernels, r.rank_index, t.kernels.stream[k]);
      const size_t i = FindInRow(row, t.kernels.start[k], corr);
      if (i != TimelineRow::npos) return {row, i};
    }
    for (const auto& m : t.memcpys)
      if (m.correlation == corr) {
        const int row = FindRow(RowKind::kCopies, r.rank_index, m.stream);
        const size_t i = FindInRow(row, m.start, corr);
        if (i != TimelineRow::npos) return {row, i};
      }
    for (const auto& m : t.memsets)
      if (m.correlation == corr) {
        const int row = FindRow(RowKind::kCopies, r.rank_index, m.stream);
        const size_t i = FindInRow(row, m.start, corr);
        if (i != TimelineRow::npos) return {row, i};
      }
  }
  return out;
}

namespace {
std::string Bytes(int64_t b) {
  char buf[48];
  if (b >= (int64_t(1) << 30)) std::snprintf(buf, sizeof buf, "%.1f GiB", double(b) / double(int64_t(1) << 30));
  else if (b >= (1 << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", double(b) / double(1 << 20));
  else if (b >= (1 << 10)) std::snprintf(buf, sizeof buf, "%.1f KiB", double(b) / 1024.0);
  else std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(b));
  return buf;
}
const char* CopyKind(int64_t k) {
  switch (k) {
    case 1: return "HtoD";
    case 2: return "DtoH";
    case 3: return "HtoA";
    case 4: return "AtoH";
    case 8: return "DtoD";
    case 9: return "HtoH";
    case 10: return "PtoP";
    default: return "copy";
  }
}
}  // namespace

std::string TimelineRows::EventName(const RowEvent& e) const {
  if (!e.valid()) return {};
  const TimelineRow& r = rows_[size_t(e.row)];
  const auto& t = run_->ranks[size_t(r.rank_index)].trace;
  const size_t s = r.Source(e.index);
  switch (r.Table(e.index)) {
    case EventTable::kKernel: return t.str(t.kernels.name[s]);
    case EventTable::kApi: return t.str(t.api.name[s]);
    case EventTable::kNvtx: return t.str(t.nvtx[s].text);
    case EventTable::kMemcpy:
      return std::string("memcpy ") + CopyKind(t.memcpys[s].copy_kind) + " " + Bytes(t.memcpys[s].bytes);
    case EventTable::kMemset: return "memset " + Bytes(t.memsets[s].bytes);
    case EventTable::kSync: {
      static const char* kTypes[] = {"sync", "event sync", "stream wait event", "stream sync", "context sync"};
      const int64_t ty = t.syncs[s].type;
      return ty >= 0 && ty <= 4 ? kTypes[ty] : "sync";
    }
    case EventTable::kCounter: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.0f %s", double(r.Value(e.index)), r.unit.c_str());
      return r.label + ": " + buf;
    }
  }
  return {};
}

}  // namespace moeprof::gui

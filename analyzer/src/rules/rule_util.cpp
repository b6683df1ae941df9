// Shared machinery of the rules: see rule_util.h for the conventions it implements.
#include "rule_util.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

namespace moeprof::analyzer::rules {

namespace {

// Steps to analyze: the rank's own, else one pseudo-step over all its GPU activity, so that a
// trace without step markers is still analyzed (as one long step).
std::vector<Step> AnalysisSteps(const RankTrace& rank) {
  if (!rank.steps.empty()) return rank.steps;
  const schemas::Trace& t = rank.trace;
  int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
  for (size_t k = 0; k < t.kernels.size(); ++k) {
    lo = std::min(lo, t.kernels.start[k]);
    hi = std::max(hi, t.kernels.start[k] + t.kernels.dur[k]);
  }
  for (const auto& m : t.memcpys) { lo = std::min(lo, m.start); hi = std::max(hi, m.start + m.dur); }
  for (const auto& m : t.memsets) { lo = std::min(lo, m.start); hi = std::max(hi, m.start + m.dur); }
  // API calls too: a trace of host syncs before any kernel still has a span.
  for (size_t a = 0; a < t.api.size(); ++a) {
    lo = std::min(lo, t.api.start[a]);
    hi = std::max(hi, t.api.start[a] + t.api.dur[a]);
  }
  if (lo >= hi) return {};
  Step s;
  s.number = 0;
  s.start = lo;
  s.end = hi;
  s.source = "trace";
  return {s};
}

}  // namespace

RankView::RankView(const RankTrace& rank) : rank_(rank), steps_(AnalysisSteps(rank)) {
  for (const Step& s : steps_) {
    gpu_steps_ = gpu_steps_ || s.source == "inferred" || s.source == "whole_trace" ||
                 s.source == "trace";
  }
}

int RankView::StepAt(int64_t t) const {
  // Steps are sorted and disjoint: the candidate is the last one starting at or before t.
  auto it = std::upper_bound(steps_.begin(), steps_.end(), t,
                             [](int64_t v, const Step& s) { return v < s.start; });
  if (it == steps_.begin()) return -1;
  --it;
  if (t >= it->end) return -1;
  return static_cast<int>(it - steps_.begin());
}

std::optional<size_t> RankView::ApiIndex(int64_t correlation) const {
  const auto& c = trace().api.correlation;
  auto it = std::lower_bound(c.begin(), c.end(), correlation);
  if (it == c.end() || *it != correlation) return std::nullopt;
  return static_cast<size_t>(it - c.begin());
}

int RankView::StepOfGpuEvent(int64_t correlation, int64_t start) const {
  // Steps found on the GPU timeline (inferred from kernel repetition, or the whole trace) hold
  // GPU times: the event's own start decides. Host steps (NVTX, step table) hold the launches.
  if (!gpu_steps_ && correlation != 0) {
    if (auto a = ApiIndex(correlation)) {
      const int s = StepAt(trace().api.start[*a]);
      if (s >= 0) return s;
      // Launched outside every step (before the first, between two): its execution decides.
    }
  }
  return StepAt(start);
}

int RankView::StepOfKernel(size_t k) const {
  return StepOfGpuEvent(trace().kernels.correlation[k], trace().kernels.start[k]);
}

std::string RankView::ApiName(size_t api_index) const {
  std::string name = trace().str(trace().api.name[api_index]);
  // Nsight Systems exports carry version suffixes (cudaLaunchKernel_v7000) and per-thread default
  // stream variants (_ptsz, _ptds); the call site is the same API.
  for (const char* suffix : {"_ptsz", "_ptds"}) {
    const size_t n = std::char_traits<char>::length(suffix);
    if (name.size() > n && name.compare(name.size() - n, n, suffix) == 0) name.resize(name.size() - n);
  }
  const size_t v = name.rfind("_v");
  if (v != std::string::npos && v + 2 < name.size() &&
      std::all_of(name.begin() + static_cast<std::ptrdiff_t>(v + 2), name.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
    name.resize(v);
  }
  return name;
}

const StreamView* RankView::Stream(int64_t stream) const {
  for (const auto& s : rank_.streams) {
    if (s.id == stream) return &s;
  }
  return nullptr;
}

std::string RankView::StreamRole(int64_t stream) const {
  // The recorded role first; the model's inferred one ("comm"/"compute") only as a fallback.
  for (const auto& row : trace().streams) {
    if (row.id == stream && row.role && !row.role->empty()) return *row.role;
  }
  if (const StreamView* s = Stream(stream); s != nullptr) return s->role;
  return "";
}

int64_t RankView::DeviceOfStream(int64_t stream) const {
  for (const auto& row : trace().streams) {
    if (row.id == stream) return row.device;
  }
  return 0;
}

const IntervalSet& RankView::DeviceBusy(int64_t device) const {
  auto found = busy_.find(device);
  if (found != busy_.end()) return found->second;
  const schemas::Trace& t = trace();
  // Device 0 (unknown) means the whole rank; a rank normally drives one device anyway.
  std::map<int64_t, bool> stream_on;  // a few streams, millions of rows: decide per stream once
  auto on_device = [&](int64_t stream) {
    if (device == 0) return true;
    auto [it, fresh] = stream_on.try_emplace(stream, false);
    if (fresh) it->second = DeviceOfStream(stream) == device;
    return it->second;
  };
  std::vector<Interval> all;
  all.reserve(t.kernels.size() + t.memcpys.size() + t.memsets.size());
  for (size_t k = 0; k < t.kernels.size(); ++k) {
    if (on_device(t.kernels.stream[k])) all.push_back(KernelInterval(t, k));
  }
  for (const auto& m : t.memcpys) {
    if (on_device(m.stream)) all.push_back({m.start, m.start + m.dur});
  }
  for (const auto& m : t.memsets) {
    if (on_device(m.stream)) all.push_back({m.start, m.start + m.dur});
  }
  return busy_.emplace(device, Union(std::move(all))).first->second;
}

void RankView::BuildNvtx() const {
  if (nvtx_built_) return;
  nvtx_built_ = true;
  const auto& rows = trace().nvtx;
  ranges_.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].kind == schemas::NvtxKind::kMark) continue;
    ranges_.push_back({rows[i].thread, NvtxRange{i, rows[i].start, rows[i].start + rows[i].dur,
                                                 rows[i].depth}});
  }
  std::sort(ranges_.begin(), ranges_.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    if (a.second.start != b.second.start) return a.second.start < b.second.start;
    return a.second.depth < b.second.depth;
  });
}

const std::vector<std::pair<int64_t, NvtxRange>>& RankView::AllRanges() const {
  BuildNvtx();
  return ranges_;
}

std::vector<NvtxRange> RankView::Enclosing(int64_t thread, int64_t start, int64_t end) const {
  BuildNvtx();
  std::vector<NvtxRange> out;
  // Ranges of this thread starting at or before `start`; walk back from the latest. Push/pop
  // ranges nest, so once an outermost (depth 0) container is found nothing earlier can hold a
  // push/pop parent; start/end ranges (depth 0 too) may, which the bounded look-back still sees.
  auto lo = std::lower_bound(ranges_.begin(), ranges_.end(), thread,
                             [](const auto& r, int64_t th) { return r.first < th; });
  auto hi = std::upper_bound(lo, ranges_.end(), std::make_pair(thread, start),
                             [](const std::pair<int64_t, int64_t>& key, const auto& r) {
                               if (key.first != r.first) return key.first < r.first;
                               return key.second < r.second.start;
                             });
  constexpr size_t kLookBack = 1u << 16;  // bounds the walk on pathological traces
  size_t seen = 0;
  bool found_outermost = false;
  for (auto it = hi; it != lo && seen < kLookBack; ++seen) {
    --it;
    const NvtxRange& r = it->second;
    if (r.start <= start && r.end >= end) {
      out.push_back(r);
      if (r.depth == 0) found_outermost = true;
    } else if (found_outermost && r.depth == 0) {
      break;  // a finished outermost range before our container: nothing earlier encloses us
    }
  }
  std::sort(out.begin(), out.end(), [](const NvtxRange& a, const NvtxRange& b) {
    if (a.start != b.start) return a.start < b.start;
    if (a.end != b.end) return a.end > b.end;
    return a.depth < b.depth;
  });
  return out;
}

const std::string& RankView::NvtxText(size_t row) const { return trace().str(trace().nvtx[row].text); }

std::string RankView::NvtxPath(int64_t thread, int64_t start, int64_t end) const {
  std::string path;
  for (const NvtxRange& r : Enclosing(thread, start, end)) {
    if (!path.empty()) path += '/';
    path += NvtxText(r.row);
  }
  return path;
}

std::string RankView::NvtxSite(int64_t thread, int64_t start, int64_t end) const {
  return FoldDigits(NvtxPath(thread, start, end));
}

void RankView::BuildApiByThread() const {
  if (api_by_thread_built_) return;
  api_by_thread_built_ = true;
  const auto& api = trace().api;
  api_by_thread_.resize(api.size());
  for (size_t i = 0; i < api.size(); ++i) api_by_thread_[i] = i;
  std::sort(api_by_thread_.begin(), api_by_thread_.end(), [&](size_t a, size_t b) {
    if (api.thread[a] != api.thread[b]) return api.thread[a] < api.thread[b];
    return api.start[a] < api.start[b];
  });
}

std::vector<size_t> RankView::ApiCallsIn(int64_t thread, int64_t start, int64_t end) const {
  BuildApiByThread();
  const auto& api = trace().api;
  auto key_less = [&](size_t a, std::pair<int64_t, int64_t> key) {
    if (api.thread[a] != key.first) return api.thread[a] < key.first;
    return api.start[a] < key.second;
  };
  auto lo = std::lower_bound(api_by_thread_.begin(), api_by_thread_.end(),
                             std::make_pair(thread, start), key_less);
  auto hi = std::lower_bound(lo, api_by_thread_.end(), std::make_pair(thread, end), key_less);
  return {lo, hi};
}

void RankView::BuildKernelByCorrelation() const {
  if (kernel_by_corr_built_) return;
  kernel_by_corr_built_ = true;
  const auto& k = trace().kernels;
  kernel_by_corr_.reserve(k.size());
  for (size_t i = 0; i < k.size(); ++i) kernel_by_corr_.push_back({k.correlation[i], i});
  // (correlation, index) pairs are unique, so skipping the sort of already-sorted input (launch
  // order, the common case) gives the same vector.
  if (!std::is_sorted(kernel_by_corr_.begin(), kernel_by_corr_.end())) {
    std::sort(kernel_by_corr_.begin(), kernel_by_corr_.end());
  }
}

std::vector<size_t> RankView::KernelsOfCorrelation(int64_t correlation) const {
  BuildKernelByCorrelation();
  std::vector<size_t> out;
  auto it = std::lower_bound(kernel_by_corr_.begin(), kernel_by_corr_.end(),
                             std::make_pair(correlation, size_t{0}));
  for (; it != kernel_by_corr_.end() && it->first == correlation; ++it) out.push_back(it->second);
  return out;
}

std::optional<double> RankView::DeviceBandwidth() const {
  for (const auto& d : trace().devices) {
    if (d.memory_bandwidth_bps && *d.memory_bandwidth_bps > 0) {
      return static_cast<double>(*d.memory_bandwidth_bps);
    }
  }
  return std::nullopt;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ContainsAny(std::string_view text, const std::vector<std::string_view>& needles) {
  const std::string low = Lower(text);
  for (std::string_view n : needles) {
    if (low.find(n) != std::string::npos) return true;
  }
  return false;
}

std::string FoldDigits(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool in_digits = false;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      if (!in_digits) out += '#';
      in_digits = true;
    } else {
      out += c;
      in_digits = false;
    }
  }
  return out;
}

std::optional<int64_t> NumberAfter(std::string_view text, std::string_view key) {
  const std::string low = Lower(text);
  size_t pos = low.find(key);
  if (pos == std::string::npos) return std::nullopt;
  pos += key.size();
  while (pos < low.size() && std::isdigit(static_cast<unsigned char>(low[pos])) == 0) {
    // Only separators between the key and its number ("layer 3", "layer=3", "layers.3",
    // "microbatch_2", "layer #3"); a letter means the key was part of another word.
    const char c = low[pos];
    if (c != ' ' && c != '=' && c != '.' && c != '_' && c != ':' && c != '#' && c != '-' &&
        c != 's' && c != '[' && c != '(') {
      return std::nullopt;
    }
    ++pos;
  }
  if (pos >= low.size()) return std::nullopt;
  int64_t v = 0;
  while (pos < low.size() && std::isdigit(static_cast<unsigned char>(low[pos])) != 0) {
    if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) return std::nullopt;
    v = v * 10 + (low[pos] - '0');
    ++pos;
  }
  return v;
}

Severity SeverityFor(double pct, double warn_pct, double high_pct, bool strict) {
  auto over = [&](double bar) { return strict ? pct > bar : pct >= bar; };
  if (over(high_pct)) return Severity::kHigh;
  if (over(warn_pct)) return Severity::kWarn;
  return Severity::kInfo;
}

void AddEvidence(Finding& f, Interval run_interval) {
  if (run_interval.length() <= 0 || f.evidence.size() >= kMaxEvidence) return;
  f.evidence.push_back(run_interval);
}

void AddEvent(Finding& f, const EventRef& e) {
  if (f.events.size() >= kMaxEvents) return;
  f.events.push_back(e);
}

EventRef KernelEvent(const RankView& v, size_t k) {
  const auto& ks = v.trace().kernels;
  EventRef e;
  e.rank = v.rank_id();
  e.table = "kernel";
  e.stream = ks.stream[k];
  e.start = ks.start[k];
  e.correlation = ks.correlation[k];
  return e;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

std::string FormatNs(int64_t ns) {
  char buf[64];
  const double v = static_cast<double>(ns);
  if (std::llabs(ns) >= 1'000'000'000) {
    std::snprintf(buf, sizeof buf, "%.2f s", v / 1e9);
  } else if (std::llabs(ns) >= 1'000'000) {
    std::snprintf(buf, sizeof buf, "%.2f ms", v / 1e6);
  } else if (std::llabs(ns) >= 1'000) {
    std::snprintf(buf, sizeof buf, "%.1f us", v / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%lld ns", static_cast<long long>(ns));
  }
  return buf;
}

std::string FormatPct(double pct) {
  char buf[32];
  std::snprintf(buf, sizeof buf, pct < 10 ? "%.2f %%" : "%.1f %%", pct);
  return buf;
}

double Threshold(const RuleOptions& options, const RuleInfo& info, const std::string& name) {
  for (const auto& t : info.thresholds) {
    if (t.name == name) return options.Get(info.id + "." + name, t.default_value);
  }
  // A rule asking for a threshold it does not declare is a bug in the rule; the declared list is
  // what --rules files are validated against, so keep them in step.
  return options.Get(info.id + "." + name, 0.0);
}

}  // namespace moeprof::analyzer::rules

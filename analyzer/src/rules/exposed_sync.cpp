// Rule exposed_sync — exposed CPU synchronization.
//
// Definition. Candidates are host calls that block until the device has done something:
// cuda{Device,Stream,Event,Thread}Synchronize and their driver forms (cu{Ctx,Stream,Event}Synchronize),
// synchronous copies (cudaMemcpy*/cuMemcpy* without "Async": the host waits for the copy), async
// device-to-host copies whose destination is pageable memory (the driver completes them
// synchronously), synchronous memsets (cudaMemset*/cuMemset* without "Async"), and CUPTI sync
// records (event, stream and context synchronize; "stream wait event" is a device-side wait and not
// a candidate) — a record and the API call with the same correlation id are one candidate.
//
// Exposed time of one call [s, e) on the device it waits on (the stream's device, else every device
// of the rank), with B = union of that device's kernels, memcpys and memsets:
//   exposed = ([s, e) \ B)  ∪  [e, min(n, e + launch_latency_cap))
// where n = start of the first busy interval of B at or after e; the second part is empty when the
// device is busy at e. In words: the time the device sat idle while the host was blocked, plus the
// idle time after the call returned until the next work started, at most one launch latency (the
// host must launch again before the device can resume; beyond the cap the host was doing something
// else, which is not the sync's doing). Time the device spends busy during the call is not exposed:
// the host waited, but the GPU did useful work.
//
// Calls are grouped by call site = normalized API name + NVTX parent path on the calling thread
// (digit runs folded to '#', so "step 3/layer 2/router" and "step 4/layer 7/router" are one site),
// across steps and ranks. A call belongs to the step in which it started. Per site:
//   cost = Σ over (rank, step) of |∪ exposed intervals of its calls in that step|
//   cost_pct = cost / Σ step time over the (rank, step) pairs that have a call of the site.
// Severity: warn above warn_pct, high above high_pct; sites below min_pct are not reported.
// Structural vs accidental: a call inside an NVTX range whose text names the router, routing,
// dispatch, all-to-all or token counts is structural MoE (the host needs per-expert token counts to
// size the all-to-all); anywhere else it is accidental (logging, .item(), NaN checks). The fixes
// differ; the saving is the exposed time in both cases (removing the wait removes all of it).
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "rule_util.h"

namespace moeprof::analyzer::rules {

RuleInfo ExposedSyncInfo() {
  RuleInfo info;
  info.id = "exposed_sync";
  info.title = "Exposed CPU synchronization";
  info.definition =
      "Host calls that wait for the device (cuda{Device,Stream,Event}Synchronize, synchronous "
      "cudaMemcpy/cudaMemset, async device-to-host copies into pageable memory, sync records). "
      "Exposed time of a call = the part of the call during which the device it waits on runs no "
      "kernel, copy or memset, plus the idle time after it returns until the next device work "
      "starts, capped at one launch latency (launch_latency_cap_us). Grouped by call site (API "
      "name + NVTX parent path, digits folded) across steps and ranks; cost = per (rank, step) "
      "union of exposed intervals, summed; cost_pct over the step time of the steps with a call. "
      "Calls inside router/dispatch/all-to-all NVTX ranges are the structural MoE case (the host "
      "sizes the all-to-all from per-expert token counts), others accidental. Saving = the exposed "
      "time (removing the wait removes it).";
  info.thresholds = {
      {"warn_pct", 1.0, "%", "warn when the site's exposed time is above this share of step time"},
      {"high_pct", 5.0, "%", "high above this share"},
      {"min_pct", 0.1, "%", "sites below this share are not reported (noise)"},
      {"launch_latency_cap_us", 20.0, "us",
       "at most this much idle after the call returns is charged to it: one launch latency "
       "(a few us of launch call plus launch-to-start; ~20 us end to end on older systems)"},
  };
  return info;
}

namespace {

const std::vector<std::string_view> kStructuralWords = {
    "router", "routing", "dispatch", "all_to_all", "alltoall", "all-to-all", "a2a",
    "token_count", "tokens_per_expert", "expert_count"};

bool IsSyncApi(const std::string& n) {
  static const std::set<std::string> names = {
      "cudaDeviceSynchronize", "cudaStreamSynchronize", "cudaEventSynchronize",
      "cudaThreadSynchronize", "cuCtxSynchronize",      "cuStreamSynchronize",
      "cuEventSynchronize"};
  return names.count(n) > 0;
}
bool IsSyncCopyApi(const std::string& n) {
  return (n.rfind("cudaMemcpy", 0) == 0 || n.rfind("cuMemcpy", 0) == 0) &&
         n.find("Async") == std::string::npos;
}
bool IsSyncMemsetApi(const std::string& n) {
  return (n.rfind("cudaMemset", 0) == 0 || n.rfind("cuMemset", 0) == 0) &&
         n.find("Async") == std::string::npos;
}
const char* SyncTypeName(int64_t type) {
  switch (type) {
    case 1: return "cudaEventSynchronize";
    case 3: return "cudaStreamSynchronize";
    case 4: return "cudaDeviceSynchronize";
    default: return nullptr;  // 2 = stream wait event: device-side, not a host wait
  }
}

struct Candidate {
  std::string api;       // normalized name
  int64_t thread = -1;   // -1 when only a sync record exists (no API row)
  int64_t start = 0, end = 0;
  int64_t device = 0;    // 0 = every device of the rank
  int64_t correlation = 0;
};

struct Site {
  std::string api, nvtx;
  bool structural = false;
  std::set<int> ranks;
  std::map<StepKey, std::vector<Interval>> exposed;  // run-time intervals per (rank, step)
  std::map<StepKey, int64_t> calls;
  int64_t blocked_ns = 0;  // total time the host spent in the calls
  std::vector<EventRef> events;
};

// Gathers the candidates of one rank, one per API correlation.
std::vector<Candidate> Candidates(const RankView& v) {
  const schemas::Trace& t = v.trace();
  std::map<int64_t, Candidate> by_corr;  // correlation → candidate (API-backed)
  std::vector<Candidate> orphan;          // sync records without an API row

  // Devices of GPU activity issued by a call, to know what it waits on.
  std::map<int64_t, int64_t> memcpy_device;
  std::set<int64_t> pageable_d2h;
  for (const auto& m : t.memcpys) {
    memcpy_device[m.correlation] = v.DeviceOfStream(m.stream);
    const bool d2h = m.copy_kind == 2 || m.copy_kind == 4;  // DtoH, AtoH
    if (d2h && m.dst_kind == 1) pageable_d2h.insert(m.correlation);
  }
  std::map<int64_t, int64_t> memset_device;
  for (const auto& m : t.memsets) memset_device[m.correlation] = v.DeviceOfStream(m.stream);

  // Names are judged once per distinct string id: a trace has millions of calls, few names.
  struct NameVerdict { bool candidate = false, memcpy = false; std::string name; };
  std::unordered_map<int32_t, NameVerdict> verdicts;
  for (size_t a = 0; a < t.api.size(); ++a) {
    auto [vit, fresh] = verdicts.try_emplace(t.api.name[a]);
    if (fresh) {
      vit->second.name = v.ApiName(a);
      const std::string& n = vit->second.name;
      vit->second.candidate = IsSyncApi(n) || IsSyncCopyApi(n) || IsSyncMemsetApi(n);
      vit->second.memcpy = n.find("Memcpy") != std::string::npos;
    }
    const NameVerdict& verdict = vit->second;
    const int64_t corr = t.api.correlation[a];
    bool candidate = verdict.candidate;
    if (!candidate && verdict.memcpy && pageable_d2h.count(corr) > 0) {
      candidate = true;  // async D2H into pageable memory: completes synchronously
    }
    if (!candidate) continue;
    const std::string& name = verdict.name;
    Candidate c;
    c.api = name;
    c.thread = t.api.thread[a];
    c.start = t.api.start[a];
    c.end = t.api.start[a] + t.api.dur[a];
    c.correlation = corr;
    if (auto it = memcpy_device.find(corr); it != memcpy_device.end()) c.device = it->second;
    if (auto it = memset_device.find(corr); it != memset_device.end()) c.device = it->second;
    by_corr[corr] = c;
  }
  for (const auto& s : t.syncs) {
    const char* type_name = SyncTypeName(s.type);
    if (type_name == nullptr) continue;
    const int64_t device = s.stream ? v.DeviceOfStream(*s.stream) : 0;
    if (auto it = by_corr.find(s.correlation); it != by_corr.end() && s.correlation != 0) {
      if (it->second.device == 0) it->second.device = device;
      continue;
    }
    std::optional<size_t> a = s.correlation != 0 ? v.ApiIndex(s.correlation) : std::nullopt;
    // cudaEventQuery/cudaStreamQuery never block; some importers attach sync records to them.
    if (a && v.ApiName(*a).find("Query") != std::string::npos) continue;
    if (a) {
      // An API the name list does not know (a wrapper, a renamed entry point) that CUPTI saw
      // synchronize: the call is the candidate.
      Candidate c;
      c.api = v.ApiName(*a);
      c.thread = t.api.thread[*a];
      c.start = t.api.start[*a];
      c.end = t.api.start[*a] + t.api.dur[*a];
      c.correlation = s.correlation;
      c.device = device;
      by_corr[s.correlation] = c;
      continue;
    }
    Candidate c;
    c.api = type_name;
    c.start = s.start;
    c.end = s.start + s.dur;
    c.correlation = s.correlation;
    c.device = device;
    orphan.push_back(c);
  }
  std::vector<Candidate> out;
  out.reserve(by_corr.size() + orphan.size());
  for (auto& [corr, c] : by_corr) out.push_back(std::move(c));
  for (auto& c : orphan) out.push_back(std::move(c));
  return out;
}

// The exposed intervals of one call (rank-relative), per the definition above.
IntervalSet ExposedOf(const Candidate& c, const IntervalSet& busy, int64_t cap_ns) {
  // Only busy intervals inside the call's window matter: clip (binary search) before subtracting,
  // so a call costs O(log |B| + overlapping intervals) instead of a walk over the whole rank.
  const Interval call{c.start, c.end};
  IntervalSet out = Subtract({call}, Clip(busy, call));
  if (c.end <= c.start) out.clear();
  // First busy interval ending after e: either it covers e (device busy at return: nothing more
  // is exposed) or it starts later, at n.
  auto it = std::upper_bound(busy.begin(), busy.end(), c.end,
                             [](int64_t t, const Interval& i) { return t < i.end; });
  const bool busy_at_return = it != busy.end() && it->start <= c.end;
  if (!busy_at_return) {
    const int64_t next = it == busy.end() ? c.end + cap_ns : std::min(it->start, c.end + cap_ns);
    if (next > c.end) {
      out.push_back({c.end, next});
      out = Union(std::move(out));
    }
  }
  return out;
}

}  // namespace

std::vector<Finding> RunExposedSync(const Run& run, const std::vector<RankView>& views,
                                    const RuleOptions& options) {
  (void)run;
  const RuleInfo info = ExposedSyncInfo();
  const double warn_pct = Threshold(options, info, "warn_pct");
  const double high_pct = Threshold(options, info, "high_pct");
  const double min_pct = Threshold(options, info, "min_pct");
  const auto cap_ns =
      static_cast<int64_t>(Threshold(options, info, "launch_latency_cap_us") * kNsPerUs);

  std::map<std::string, Site> sites;
  for (size_t ri = 0; ri < views.size(); ++ri) {
    const RankView& v = views[ri];
    for (const Candidate& c : Candidates(v)) {
      const int step = v.StepAt(c.start);
      if (step < 0) continue;  // outside every analyzed step
      const IntervalSet exposed = ExposedOf(c, v.DeviceBusy(c.device), cap_ns);
      const std::string path = c.thread >= 0 ? v.NvtxPath(c.thread, c.start, c.end) : "";
      const std::string nvtx = FoldDigits(path);
      Site& site = sites[c.api + "\x1f" + nvtx];
      site.api = c.api;
      site.nvtx = nvtx;
      site.structural = site.structural || ContainsAny(path, kStructuralWords);
      site.ranks.insert(v.rank_id());
      const StepKey key{static_cast<int>(ri), step};
      auto& list = site.exposed[key];
      for (const Interval& i : exposed) list.push_back(v.ToRun(i));
      site.calls[key] += 1;
      site.blocked_ns += c.end - c.start;
      if (site.events.size() < kMaxEvents && !exposed.empty()) {
        EventRef e;
        e.rank = v.rank_id();
        e.table = c.thread >= 0 ? "api" : "sync";
        e.stream = c.thread;
        e.start = c.start;
        e.correlation = c.correlation;
        site.events.push_back(e);
      }
    }
  }

  std::vector<Finding> findings;
  for (auto& [key, site] : sites) {
    int64_t cost = 0, step_time = 0, calls = 0;
    std::vector<Interval> evidence;
    std::set<int64_t> step_numbers;
    for (auto& [sk, intervals] : site.exposed) {
      const IntervalSet u = Union(intervals);
      cost += Measure(u);
      const Step& st = views[static_cast<size_t>(sk.rank)].steps()[static_cast<size_t>(sk.step)];
      step_time += st.end - st.start;
      step_numbers.insert(st.number);
      calls += site.calls[sk];
      for (const Interval& i : u) evidence.push_back(i);
    }
    if (cost <= 0) continue;
    const double pct = Pct(cost, step_time);
    if (pct < min_pct) continue;

    Finding f;
    f.rule = info.id;
    f.severity = SeverityFor(pct, warn_pct, high_pct);
    const std::string where = site.nvtx.empty() ? "(no NVTX range)" : site.nvtx;
    f.location = site.api + " @ " + where;
    f.ranks.assign(site.ranks.begin(), site.ranks.end());
    f.steps.assign(step_numbers.begin(), step_numbers.end());
    const double steps_n = static_cast<double>(site.exposed.size());
    f.title = std::string(site.structural ? "Structural MoE sync: " : "Accidental host sync: ") +
              site.api + " in " + where + " leaves the GPU idle " +
              FormatNs(static_cast<int64_t>(static_cast<double>(cost) / steps_n)) +
              " per step (" + FormatPct(pct) + ")";
    std::sort(evidence.begin(), evidence.end(),
              [](const Interval& a, const Interval& b) { return a.length() > b.length(); });
    for (const Interval& i : evidence) AddEvidence(f, i);
    std::sort(f.evidence.begin(), f.evidence.end(),
              [](const Interval& a, const Interval& b) { return a.start < b.start; });
    f.events = site.events;
    f.cost_ns = cost;
    f.cost_pct = pct;
    f.saving_ns = cost;
    f.metrics["calls"] = static_cast<double>(calls);
    f.metrics["calls_per_step"] = static_cast<double>(calls) / steps_n;
    f.metrics["exposed_per_step_ns"] = static_cast<double>(cost) / steps_n;
    f.metrics["blocked_ns"] = static_cast<double>(site.blocked_ns);
    f.metrics["structural"] = site.structural ? 1.0 : 0.0;
    if (site.structural) {
      f.saving_method =
          "all of the exposed time: with the wait gone (sizes known without the host, or read a "
          "step late) the GPU never drains";
      f.fix =
          "The host reads per-expert token counts to size the all-to-all. Avoid the blocking read: "
          "use capacity-sized (drop-and-pad) dispatch buffers so no sizes are needed on the host, "
          "or copy the counts with cudaMemcpyAsync into pinned memory on a side stream and wait on "
          "an event only where the sizes are consumed, keeping independent work queued; a fixed "
          "capacity also lets the MoE layer be captured in a CUDA graph.";
    } else {
      f.saving_method = "all of the exposed time: removing or deferring the read removes the wait";
      f.fix =
          "Remove the synchronization or defer it: avoid .item()/.cpu()/print of device values in "
          "the step (logging, NaN/inf checks, metrics); accumulate such values on the device and "
          "read them every N steps or asynchronously (non_blocking copy into pinned memory + "
          "event); use cudaMemcpyAsync/cudaMemsetAsync instead of the synchronous forms.";
    }
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace moeprof::analyzer::rules

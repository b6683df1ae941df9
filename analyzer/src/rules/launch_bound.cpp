// Rule launch_bound — stretches where the GPU waits on the host between many short kernels.
//
// Definition. On each stream, walk the kernels in start order (kernels from CUDA graphs are
// skipped: they are already what this rule recommends). Kernel i continues the stretch of kernel
// i−1 when
//   (a) start_i − end_{i−1} <= max_gap_us (gaps of about a launch latency, not a host stall), and
//   (b) its launch call returned at most queue_empty_us before it started:
//       start_i − (api_start_i + api_dur_i) <= queue_empty_us.
//       With work queued, a kernel starts long after its launch returned; starting right after
//       means the queue was empty and the GPU was waiting for the host. Kernels whose launch call
//       is not in the trace break stretches (unknown is not evidence).
// A stretch of kernels a..b is reported when it has at least min_kernels kernels, their median
// duration is below max_median_us, and the device is idle for more than min_idle_pct of
// [start_a, end_b), where
//   idle = |[start_a, end_b) \ B|, B = union of the device's kernels, memcpys and memsets
// (another stream keeping the GPU busy meanwhile is not idle time).
// Cost = idle. Saving = max(0, idle − graph_launch_us − (n − 1) × graph_node_gap_us): one graph
// launch replaces the n launches, and graph nodes still start a little apart.
// Stretches are grouped by site = NVTX parent path of the first kernel's launch (digits folded),
// across steps and ranks; a stretch belongs to the step of its first kernel. Per site: cost = Σ per
// (rank, step) |∪ idle intervals|, cost_pct over the step time of those (rank, step) pairs;
// warn >= warn_pct, high >= high_pct, not reported below min_pct.
#include <algorithm>
#include <map>
#include <set>

#include "rule_util.h"

namespace moeprof::analyzer::rules {

RuleInfo LaunchBoundInfo() {
  RuleInfo info;
  info.id = "launch_bound";
  info.title = "Launch-bound region";
  info.definition =
      "Runs of >= min_kernels consecutive kernels on a stream, each starting within max_gap_us of "
      "the previous one's end and within queue_empty_us of its own launch call's return (the "
      "launch queue was empty), with median duration < max_median_us and device idle > "
      "min_idle_pct of the stretch. Cost = device idle time inside the stretches (union of "
      "kernels/copies/memsets subtracted); saving = idle - graph_launch_us - (n-1) x "
      "graph_node_gap_us per stretch (capture in a CUDA graph). Grouped by NVTX site.";
  info.thresholds = {
      {"min_kernels", 20.0, "kernels", "shortest run worth a CUDA graph"},
      {"max_median_us", 10.0, "us", "kernels this short cannot cover a launch's host cost"},
      {"min_idle_pct", 30.0, "%", "device idle share inside the stretch to call it launch-bound"},
      {"max_gap_us", 50.0, "us", "larger gaps are host stalls, not per-launch latency"},
      {"queue_empty_us", 10.0, "us",
       "a kernel starting within this of its launch call's return found the queue empty"},
      {"graph_launch_us", 10.0, "us", "cost of one cudaGraphLaunch that replaces the stretch"},
      {"graph_node_gap_us", 0.5, "us", "gap between consecutive kernel nodes of a graph"},
      {"warn_pct", 3.0, "%", "warn when a site's idle time is at least this share of step time"},
      {"high_pct", 10.0, "%", "high at this share"},
      {"min_pct", 0.5, "%", "sites below this share are not reported"},
  };
  return info;
}

namespace {

struct Site {
  std::map<StepKey, std::vector<Interval>> idle;  // run time
  std::set<int> ranks;
  int64_t saving = 0, stretches = 0, kernels = 0;
  std::vector<EventRef> events;
};

}  // namespace

std::vector<Finding> RunLaunchBound(const Run& run, const std::vector<RankView>& views,
                                    const RuleOptions& options) {
  (void)run;
  const RuleInfo info = LaunchBoundInfo();
  const auto min_kernels = static_cast<size_t>(Threshold(options, info, "min_kernels"));
  const double max_median = Threshold(options, info, "max_median_us") * kNsPerUs;
  const double min_idle = Threshold(options, info, "min_idle_pct");
  const auto max_gap = static_cast<int64_t>(Threshold(options, info, "max_gap_us") * kNsPerUs);
  const auto queue_empty = static_cast<int64_t>(Threshold(options, info, "queue_empty_us") * kNsPerUs);
  const auto graph_launch = static_cast<int64_t>(Threshold(options, info, "graph_launch_us") * kNsPerUs);
  const double node_gap = Threshold(options, info, "graph_node_gap_us") * kNsPerUs;
  const double warn_pct = Threshold(options, info, "warn_pct");
  const double high_pct = Threshold(options, info, "high_pct");
  const double min_pct = Threshold(options, info, "min_pct");

  std::map<std::string, Site> sites;
  for (size_t ri = 0; ri < views.size(); ++ri) {
    const RankView& v = views[ri];
    const schemas::Trace& t = v.trace();
    const auto& ks = t.kernels;
    auto from_graph = [&](size_t k) {
      return ks.graph[k] != 0 || (ks.flags[k] & schemas::kFlagGraph) != 0;
    };
    auto just_in_time = [&](size_t k) {
      auto a = v.ApiIndex(ks.correlation[k]);
      if (!a) return false;
      return ks.start[k] - (t.api.start[*a] + t.api.dur[*a]) <= queue_empty;
    };
    auto evaluate = [&](size_t a, size_t b) {  // stretch [a, b), same stream
      const size_t n = b - a;
      if (n < std::max<size_t>(min_kernels, 1)) return;
      std::vector<double> durs;
      durs.reserve(n);
      for (size_t k = a; k < b; ++k) durs.push_back(static_cast<double>(ks.dur[k]));
      if (!(Median(durs) < max_median)) return;
      int64_t end = 0;
      for (size_t k = a; k < b; ++k) end = std::max(end, ks.start[k] + ks.dur[k]);
      const Interval span{ks.start[a], end};
      // Clip the device's busy set to the stretch first (binary search): subtracting the whole
      // rank's busy set per stretch is linear in the trace for every stretch. Same result.
      const IntervalSet idle =
          Subtract({span}, Clip(v.DeviceBusy(v.DeviceOfStream(ks.stream[a])), span));
      const int64_t idle_ns = Measure(idle);
      if (!(Pct(idle_ns, span.length()) > min_idle)) return;
      const int step = v.StepOfKernel(a);
      if (step < 0) return;
      std::string site_name;
      if (auto api = v.ApiIndex(ks.correlation[a])) {
        site_name = v.NvtxSite(t.api.thread[*api], t.api.start[*api],
                               t.api.start[*api] + t.api.dur[*api]);
      }
      Site& s = sites[site_name];
      auto& list = s.idle[StepKey{static_cast<int>(ri), step}];
      for (const Interval& i : idle) list.push_back(v.ToRun(i));
      s.ranks.insert(v.rank_id());
      s.stretches += 1;
      s.kernels += static_cast<int64_t>(n);
      const auto graph_cost =
          graph_launch + static_cast<int64_t>(static_cast<double>(n - 1) * node_gap);
      s.saving += std::max<int64_t>(0, idle_ns - graph_cost);
      for (size_t k = a; k < b && s.events.size() < kMaxEvents; ++k) s.events.push_back(KernelEvent(v, k));
    };
    size_t begin = 0;
    while (begin < ks.size()) {
      if (from_graph(begin)) { ++begin; continue; }
      size_t end = begin + 1;
      while (end < ks.size() && ks.stream[end] == ks.stream[begin] && !from_graph(end) &&
             ks.start[end] - (ks.start[end - 1] + ks.dur[end - 1]) <= max_gap && just_in_time(end)) {
        ++end;
      }
      evaluate(begin, end);
      begin = end;
    }
  }

  std::vector<Finding> findings;
  for (auto& [name, s] : sites) {
    Finding f;
    int64_t cost = 0, step_time = 0;
    std::set<int64_t> steps;
    for (auto& [sk, list] : s.idle) {
      const RankView& v = views[static_cast<size_t>(sk.rank)];
      const IntervalSet u = Union(list);
      cost += Measure(u);
      const Step& st = v.steps()[static_cast<size_t>(sk.step)];
      step_time += st.end - st.start;
      steps.insert(st.number);
      for (const Interval& i : u) AddEvidence(f, i);
    }
    const double pct = Pct(cost, step_time);
    if (cost <= 0 || pct < min_pct) continue;
    f.rule = info.id;
    f.severity = SeverityFor(pct, warn_pct, high_pct, /*strict=*/false);
    const std::string where = name.empty() ? "(no NVTX range)" : name;
    f.location = where;
    f.title = "Launch-bound: " + std::to_string(s.kernels) + " short kernels in " +
              std::to_string(s.stretches) + " stretch(es) at " + where + "; GPU idle " +
              FormatNs(cost) + " (" + FormatPct(pct) + " of step)";
    f.ranks.assign(s.ranks.begin(), s.ranks.end());
    f.steps.assign(steps.begin(), steps.end());
    f.events = s.events;
    f.cost_ns = cost;
    f.cost_pct = pct;
    f.saving_ns = std::min(s.saving, cost);
    f.saving_method =
        "idle time in the stretches minus one graph launch and the graph's node-to-node gaps, "
        "per stretch";
    f.fix =
        "Capture the region in a CUDA graph (torch.cuda.graphs / CUDA Graph Trees via "
        "torch.compile mode=\"reduce-overhead\", cudaStreamBeginCapture) or fuse the small kernels "
        "(horizontal fusion, multi-tensor apply for optimizer updates, torch.compile); remove host "
        "work between launches.";
    f.metrics["stretches"] = static_cast<double>(s.stretches);
    f.metrics["kernels"] = static_cast<double>(s.kernels);
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace moeprof::analyzer::rules

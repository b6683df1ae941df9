// Rule expert_imbalance — uneven expert load across expert-parallel ranks.
//
// Definition, from routing data (the routing table of every rank's trace, rows deduplicated by
// (step, layer, microbatch, reporting rank, expert)). Per layer and step, tokens per expert =
// Σ over microbatches and reporting ranks. With E experts (largest expert id + 1):
//   load factor = max / mean tokens per expert (mean over all E, idle experts count),
//   CV = population standard deviation / mean,
//   rank load of EP rank r = Σ tokens of the experts it hosts; rank ratio = max / mean over ranks.
// Placement: contiguous blocks, expert e on EP rank floor(e / ceil(E / R)) — Megatron's and
// DeepEP's default layout. R = ep_size (threshold) when > 0, else the largest size of a
// communicator with role ep, else the number of distinct reporting ranks, else the number of ranks.
//
// From the timeline: expert compute of rank r for (step, layer, microbatch, phase) = |∪ GPU
// intervals of the non-communication kernels launched (by API calls on the range's thread) inside
// NVTX ranges whose text contains "expert"|, where layer = the number after "layer" and microbatch
// the number after "microbatch"/"mb" in the enclosing ranges, phase = backward when an enclosing
// range (or the range itself) says "backward"/"bwd", else forward.
//   cost per layer = Σ over steps, microbatches and phases of (max_r T_r − mean_r T_r)
// over the ranks with that key (at least two): the time the average rank waits for the slowest one
// (in the combine all-to-all). cost_pct = cost / Σ over the listed steps of the step time (mean of
// the ranks' durations of that step). Saving = cost: balanced, every rank would finish with the
// mean. Beside it, metrics: slowest-vs-median expert compute, and combine_wait_ns = Σ over keys and
// ranks of (combine time − the fastest rank's combine time), combine time measured like expert
// time inside NVTX ranges containing "combine".
//
// Severity per layer: warn when the rank ratio is above warn_ratio in more than half the layer's
// steps, high when above high_ratio in more than half; otherwise info if cost_pct >= min_pct.
// Without routing rows the ratio is the timeline's max/mean expert compute per (step, layer).
// One finding per layer; ranks = the hot rank (highest load in most imbalanced steps).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

#include "rule_util.h"

namespace moeprof::analyzer::rules {

RuleInfo ExpertImbalanceInfo() {
  RuleInfo info;
  info.id = "expert_imbalance";
  info.title = "Expert load imbalance";
  info.definition =
      "From routing rows per layer and step: load factor (max/mean tokens per expert), CV, and "
      "rank load (tokens of the experts a rank hosts; contiguous blocks of ceil(E/R) experts per "
      "rank) max/mean. From the timeline: per (step, layer, microbatch, fwd/bwd) the union time of "
      "kernels launched in NVTX 'expert' ranges per rank; cost = saving = sum of (max - mean) over "
      "ranks. Warn when rank max/mean > warn_ratio in more than half the steps, high > "
      "high_ratio.";
  info.thresholds = {
      {"warn_ratio", 1.25, "x", "rank load max/mean above this in more than half the steps: warn"},
      {"high_ratio", 1.5, "x", "above this in more than half the steps: high"},
      {"min_pct", 0.5, "%", "unflagged layers are reported (info) when their cost is at least this"},
      {"ep_size", 0.0, "ranks", "expert-parallel group size; 0 = from the ep communicator or routing rows"},
  };
  return info;
}

namespace {

using RoutingKey = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t>;  // step layer mb rank e

// (step number, layer, microbatch, backward?) for timeline keys.
using TimeKey = std::tuple<int64_t, int64_t, int64_t, bool>;

struct LayerStep {
  double rank_ratio = 0, load_factor = 0, cv = 0;
  int64_t hot_rank = -1;
  bool has_routing = false;
};

struct Timeline {
  // per key → per rank → intervals (rank-relative; measured per rank)
  std::map<TimeKey, std::map<int, std::vector<Interval>>> expert, combine;
};

// Walks the NVTX ranges of one rank and collects expert and combine kernel intervals by key.
void CollectTimeline(const RankView& v, Timeline& tl) {
  const schemas::Trace& t = v.trace();
  for (const auto& [thread, r] : v.AllRanges()) {
    const std::string text = Lower(v.NvtxText(r.row));
    const bool is_expert = text.find("expert") != std::string::npos;
    const bool is_combine = text.find("combine") != std::string::npos;
    if (!is_expert && !is_combine) continue;
    const int step = v.StepAt(r.start);
    if (step < 0) continue;
    std::optional<int64_t> layer, mb;
    bool backward = text.find("backward") != std::string::npos || text.find("bwd") != std::string::npos;
    const auto enclosing = v.Enclosing(thread, r.start, r.end);
    for (auto it = enclosing.rbegin(); it != enclosing.rend(); ++it) {
      const std::string& et = v.NvtxText(it->row);
      if (!layer) layer = NumberAfter(et, "layer");
      if (!mb) mb = NumberAfter(et, "microbatch");
      if (!mb && Lower(et).rfind("mb", 0) == 0) mb = NumberAfter(et, "mb");
      const std::string low = Lower(et);
      backward = backward || low.find("backward") != std::string::npos ||
                 low.find("bwd") != std::string::npos;
    }
    if (!layer) continue;  // cannot tie it to a layer
    const TimeKey key{v.steps()[static_cast<size_t>(step)].number, *layer, mb.value_or(0), backward};
    auto& dest = (is_expert ? tl.expert : tl.combine)[key][v.rank_id()];
    for (size_t a : v.ApiCallsIn(thread, r.start, r.end)) {
      for (size_t k : v.KernelsOfCorrelation(t.api.correlation[a])) {
        const KernelClass c = v.rank().KernelClassOf(k).cls;
        if (is_expert && !is_combine && c == KernelClass::kComm) continue;
        if (is_combine && c != KernelClass::kComm) continue;
        dest.push_back(KernelInterval(t, k));
      }
    }
  }
}

}  // namespace

std::vector<Finding> RunExpertImbalance(const Run& run, const std::vector<RankView>& views,
                                        const RuleOptions& options) {
  const RuleInfo info = ExpertImbalanceInfo();
  const double warn_ratio = Threshold(options, info, "warn_ratio");
  const double high_ratio = Threshold(options, info, "high_ratio");
  const double min_pct = Threshold(options, info, "min_pct");
  const auto ep_option = static_cast<int64_t>(Threshold(options, info, "ep_size"));

  // Routing rows of all ranks, deduplicated.
  std::map<RoutingKey, int64_t> rows;
  std::set<int64_t> reporting_ranks;
  int64_t ep_comm = 0;
  for (const RankView& v : views) {
    for (const auto& r : v.trace().routing) {
      rows[{r.step, r.layer, r.microbatch, r.rank, r.expert}] = r.tokens;
      reporting_ranks.insert(r.rank);
    }
    for (const auto& c : v.trace().communicators) {
      if (c.role && Lower(*c.role) == "ep") ep_comm = std::max(ep_comm, c.nranks);
    }
  }
  int64_t ep = ep_option > 0 ? ep_option
               : ep_comm > 0 ? ep_comm
               : !reporting_ranks.empty() ? static_cast<int64_t>(reporting_ranks.size())
                                          : static_cast<int64_t>(run.ranks.size());
  ep = std::max<int64_t>(1, ep);

  // Tokens per (step, layer) per expert.
  std::map<std::pair<int64_t, int64_t>, std::map<int64_t, int64_t>> tokens;
  int64_t experts = 0;
  for (const auto& [key, n] : rows) {
    const auto& [step, layer, mb, rank, e] = key;
    tokens[{step, layer}][e] += n;
    experts = std::max(experts, e + 1);
  }
  const int64_t block = (experts + ep - 1) / std::max<int64_t>(1, ep);

  std::map<int64_t, std::map<int64_t, LayerStep>> by_layer;  // layer → step → figures
  for (const auto& [sl, per_expert] : tokens) {
    LayerStep ls;
    ls.has_routing = true;
    double sum = 0, sq = 0, mx = 0;
    std::vector<double> rank_load(static_cast<size_t>(ep), 0.0);
    for (int64_t e = 0; e < experts; ++e) {
      auto it = per_expert.find(e);
      const double n = it == per_expert.end() ? 0.0 : static_cast<double>(it->second);
      sum += n;
      sq += n * n;
      mx = std::max(mx, n);
      const auto r = static_cast<size_t>(std::min<int64_t>(ep - 1, e / std::max<int64_t>(1, block)));
      rank_load[r] += n;
    }
    const double mean = experts > 0 ? sum / static_cast<double>(experts) : 0.0;
    if (mean <= 0) continue;
    ls.load_factor = mx / mean;
    ls.cv = std::sqrt(std::max(0.0, sq / static_cast<double>(experts) - mean * mean)) / mean;
    const double rank_mean = sum / static_cast<double>(ep);
    const auto hot = std::max_element(rank_load.begin(), rank_load.end());
    ls.rank_ratio = *hot / rank_mean;
    ls.hot_rank = hot - rank_load.begin();
    by_layer[sl.second][sl.first] = ls;
  }

  // Timeline.
  Timeline tl;
  for (const RankView& v : views) CollectTimeline(v, tl);
  struct LayerTime {
    int64_t cost = 0, combine_wait = 0;
    double slowest = 0, median = 0;
    std::map<int64_t, int64_t> cost_by_step;
    std::map<int64_t, std::map<int, int64_t>> per_rank_by_step;  // step → rank → expert time
  };
  std::map<int64_t, LayerTime> times;
  std::map<int64_t, std::vector<Interval>> evidence_by_layer;  // run time
  std::map<int, const RankView*> view_of;
  for (const RankView& v : views) view_of[v.rank_id()] = &v;
  for (auto& [key, per_rank] : tl.expert) {
    const auto& [step, layer, mb, bwd] = key;
    if (per_rank.size() < 2) continue;
    std::vector<double> t;
    int slow_rank = -1;
    int64_t slow = -1;
    std::map<int, IntervalSet> unions;
    for (auto& [rank, list] : per_rank) {
      unions[rank] = Union(list);
      const int64_t m = Measure(unions[rank]);
      t.push_back(static_cast<double>(m));
      times[layer].per_rank_by_step[step][rank] += m;
      if (m > slow) { slow = m; slow_rank = rank; }
    }
    double mean = 0;
    for (double x : t) mean += x;
    mean /= static_cast<double>(t.size());
    const auto c = static_cast<int64_t>(std::llround(static_cast<double>(slow) - mean));
    LayerTime& lt = times[layer];
    lt.cost += c;
    lt.cost_by_step[step] += c;
    lt.slowest += static_cast<double>(slow);
    lt.median += Median(t);
    if (slow_rank >= 0 && evidence_by_layer[layer].size() < kMaxEvidence) {
      const RankView* v = view_of[slow_rank];
      for (const Interval& i : unions[slow_rank]) evidence_by_layer[layer].push_back(v->ToRun(i));
    }
  }
  for (auto& [key, per_rank] : tl.combine) {
    const auto& [step, layer, mb, bwd] = key;
    if (per_rank.size() < 2) continue;
    std::vector<int64_t> c;
    for (auto& [rank, list] : per_rank) c.push_back(Measure(Union(list)));
    const int64_t fastest = *std::min_element(c.begin(), c.end());
    for (int64_t x : c) times[layer].combine_wait += x - fastest;
  }

  // Step time of a step number: mean over the ranks that have it.
  std::map<int64_t, std::pair<int64_t, int64_t>> step_time;  // number → (sum, count)
  for (const RankView& v : views) {
    for (const Step& s : v.steps()) {
      auto& st = step_time[s.number];
      st.first += s.end - s.start;
      st.second += 1;
    }
  }
  auto mean_step = [&](int64_t n) -> int64_t {
    auto it = step_time.find(n);
    return it == step_time.end() || it->second.second == 0 ? 0 : it->second.first / it->second.second;
  };

  std::set<int64_t> layers;
  for (const auto& [l, x] : by_layer) layers.insert(l);
  for (const auto& [l, x] : times) layers.insert(l);
  std::vector<Finding> findings;
  for (int64_t layer : layers) {
    // Per step: the ratio (routing, else timeline) and the hot rank.
    std::map<int64_t, LayerStep> steps;
    if (auto it = by_layer.find(layer); it != by_layer.end()) steps = it->second;
    const LayerTime* lt = times.count(layer) > 0 ? &times[layer] : nullptr;
    if (lt != nullptr) {
      for (const auto& [step, per_rank] : lt->per_rank_by_step) {
        if (steps.count(step) > 0 && steps[step].has_routing) continue;
        double sum = 0, mx = -1;
        int hot = -1;
        for (const auto& [rank, t] : per_rank) {
          sum += static_cast<double>(t);
          if (static_cast<double>(t) > mx) { mx = static_cast<double>(t); hot = rank; }
        }
        const double mean = sum / static_cast<double>(per_rank.size());
        if (mean <= 0) continue;
        LayerStep ls;
        ls.rank_ratio = mx / mean;
        ls.hot_rank = hot;
        steps[step] = ls;
      }
    }
    if (steps.empty()) continue;
    int64_t over_warn = 0, over_high = 0;
    double max_ratio = 0, sum_ratio = 0, sum_lf = 0, sum_cv = 0;
    std::map<int64_t, int64_t> hot_count;
    for (const auto& [step, ls] : steps) {
      if (ls.rank_ratio > warn_ratio) {
        ++over_warn;
        hot_count[ls.hot_rank] += 1;
      }
      if (ls.rank_ratio > high_ratio) ++over_high;
      max_ratio = std::max(max_ratio, ls.rank_ratio);
      sum_ratio += ls.rank_ratio;
      sum_lf += ls.load_factor;
      sum_cv += ls.cv;
    }
    const auto n = static_cast<int64_t>(steps.size());
    Severity sev = Severity::kInfo;
    if (2 * over_warn > n) sev = Severity::kWarn;
    if (2 * over_high > n) sev = Severity::kHigh;

    Finding f;
    int64_t cost = 0, window = 0;
    std::set<int64_t> numbers;
    for (const auto& [step, ls] : steps) {
      numbers.insert(step);
      window += mean_step(step);
      if (lt != nullptr) {
        if (auto c = lt->cost_by_step.find(step); c != lt->cost_by_step.end()) cost += c->second;
      }
    }
    const double pct = Pct(cost, window);
    if (sev == Severity::kInfo && (cost <= 0 || pct < min_pct)) continue;
    int64_t hot = -1, best = -1;
    for (const auto& [r, c] : hot_count) {
      if (c > best) { best = c; hot = r; }
    }
    if (hot < 0) {  // never over the bar: the rank most often the hottest
      std::map<int64_t, int64_t> any;
      for (const auto& [step, ls] : steps) any[ls.hot_rank] += 1;
      for (const auto& [r, c] : any) {
        if (c > best) { best = c; hot = r; }
      }
    }
    f.rule = info.id;
    f.severity = sev;
    f.location = "layer " + std::to_string(layer) + ", hot rank " + std::to_string(hot);
    const double mean_ratio = sum_ratio / static_cast<double>(n);
    char ratios[96];
    std::snprintf(ratios, sizeof ratios, "%.2fx the mean load (%lld/%lld steps over %.2fx)",
                  mean_ratio, static_cast<long long>(over_warn), static_cast<long long>(n),
                  warn_ratio);
    f.title = "Expert load imbalance in layer " + std::to_string(layer) + ": busiest EP rank " +
              std::to_string(hot) + " gets " + ratios;
    if (hot >= 0) f.ranks = {static_cast<int>(hot)};
    f.steps.assign(numbers.begin(), numbers.end());
    if (auto e = evidence_by_layer.find(layer); e != evidence_by_layer.end()) {
      for (const Interval& i : e->second) AddEvidence(f, i);
    }
    f.cost_ns = cost;
    f.cost_pct = pct;
    f.saving_ns = cost;
    f.saving_method = lt != nullptr
                          ? "per step, microbatch and phase: slowest rank's expert compute minus "
                            "the mean (balanced, every rank would take the mean)"
                          : "no expert-compute NVTX ranges on the timeline: cost not measured, "
                            "severity from routing data only";
    f.fix =
        "Even out the routing: raise the load-balancing auxiliary loss coefficient (or use "
        "auxiliary-loss-free bias balancing), add capacity factor/token dropping, or place experts "
        "so that hot experts are spread across EP ranks (expert re-placement / replication of hot "
        "experts).";
    f.metrics["layer"] = static_cast<double>(layer);
    f.metrics["rank_ratio_mean"] = mean_ratio;
    f.metrics["rank_ratio_max"] = max_ratio;
    f.metrics["load_factor_mean"] = sum_lf / static_cast<double>(n);
    f.metrics["cv_mean"] = sum_cv / static_cast<double>(n);
    f.metrics["steps_over_warn"] = static_cast<double>(over_warn);
    f.metrics["ep_size"] = static_cast<double>(ep);
    if (lt != nullptr) {
      f.metrics["slowest_vs_median"] = lt->median > 0 ? lt->slowest / lt->median : 0.0;
      f.metrics["combine_wait_ns"] = static_cast<double>(lt->combine_wait);
    }
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace moeprof::analyzer::rules

// Rule precision — precision transitions: casts, FP64 in the hot path, repeated casts.
//
// Definition. Three findings, each from kernels that belong to a step (by their launch):
// 1. Cast share. cost = Σ over (rank, step) of |∪ intervals of cast-class kernels| (conversion and
//    quantize kernels); cost_pct over the step time of the (rank, step) pairs that have casts (as for
//    every finding: the steps it lists). Severity by
//    cost_pct: warn >= cast_warn_pct, high >= cast_high_pct, info >= min_pct. Saving (upper bound)
//    = cost: fused into the producer or consumer (GEMM epilogue/prologue, fused quantize), the
//    standalone pass disappears.
// 2. FP64 in the hot path. Kernels the classifier marks fp64 (double-precision names: "double",
//    "fp64", "f64", "dgemm", ...), communication excluded, grouped by kernel name. cost = Σ per
//    (rank, step) |∪ intervals|; reported when they run in at least hot_steps_pct of the analyzed
//    steps (hot path, not a one-off) — severity by cost_pct: warn >= fp64_warn_pct, high >=
//    fp64_high_pct, else info; not reported below fp64_min_pct. The fp64_max_findings − 1 costliest
//    names get a finding each, the rest one merged finding. Saving = cost × (1 − 1/fp64_slowdown): the same kernel in FP32 runs
//    about fp64_slowdown times faster (a router in FP64 is a known ~5× slowdown).
// 3. Repeated casts. Proxy for "the same tensor converted again": within one step, the same cast
//    kernel (name and launch configuration, i.e. same shape) launched more than once inside the
//    same innermost NVTX range naming a layer ("layer 3"; the whole step when there is none) —
//    e.g. a weight cast again for every microbatch or again in backward. cost = |∪ intervals of
//    every occurrence after the first| per (rank, step), summed; saving = cost (cache the
//    converted copy); warn >= repeat_warn_pct of step, high >= repeat_high_pct, info >= min_pct.
// Different tensors of one shape in one layer look the same in a trace; the proxy can over-report
// there, which is why it is scoped to a layer range and reported separately from the cast share.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "rule_util.h"

namespace moeprof::analyzer::rules {

RuleInfo PrecisionInfo() {
  RuleInfo info;
  info.id = "precision";
  info.title = "Precision transitions";
  info.definition =
      "Cast share: union of cast/quantize kernel time per step over step time (saving <= all "
      "of it, fused into producer/consumer). FP64 in the hot path: double-precision kernels "
      "running in most steps, cost = their union time, saving = cost x (1 - 1/fp64_slowdown). "
      "Repeated casts: the same cast kernel (name + launch config) launched again in the same "
      "step within the same NVTX layer range (proxy for converting the same tensor twice); cost "
      "= union time of the repeats, saving = cost.";
  info.thresholds = {
      {"cast_warn_pct", 5.0, "%", "warn when cast kernels take at least this share of step time"},
      {"cast_high_pct", 15.0, "%", "high at this share"},
      {"min_pct", 0.5, "%", "cast/repeat findings below this share are not reported"},
      {"fp64_warn_pct", 0.5, "%", "warn when FP64 kernels in the hot path take this share"},
      {"fp64_high_pct", 5.0, "%", "high at this share"},
      {"fp64_max_findings", 5.0, "findings", "FP64 kernel names reported one by one; the rest "
                                             "are merged into one finding"},
      {"fp64_min_pct", 0.1, "%", "FP64 kernels below this share are not reported (loss/metric "
                                 "bookkeeping in double is common and harmless)"},
      {"hot_steps_pct", 50.0, "%", "an FP64 kernel is in the hot path when it runs in at least "
                                   "this share of steps"},
      {"fp64_slowdown", 5.0, "x", "FP64 vs FP32 time of the same kernel (router GEMM: ~5x)"},
      {"repeat_warn_pct", 1.0, "%", "warn when repeated casts take this share of step time"},
      {"repeat_high_pct", 5.0, "%", "high at this share"},
  };
  return info;
}

namespace {

struct Acc {
  std::map<StepKey, std::vector<Interval>> intervals;  // rank-relative per (rank, step)
  std::set<int> ranks;
  std::vector<EventRef> events;
  int64_t kernels = 0;
};

// Σ over (rank, step) of |∪|, plus the evidence (run time) and the step numbers.
int64_t Total(const Acc& a, const std::vector<RankView>& views, Finding& f) {
  int64_t cost = 0;
  std::set<int64_t> steps;
  for (const auto& [sk, list] : a.intervals) {
    const RankView& v = views[static_cast<size_t>(sk.rank)];
    const IntervalSet u = Union(list);
    cost += Measure(u);
    steps.insert(v.steps()[static_cast<size_t>(sk.step)].number);
    for (const Interval& i : u) AddEvidence(f, v.ToRun(i));
  }
  f.steps.assign(steps.begin(), steps.end());
  f.ranks.assign(a.ranks.begin(), a.ranks.end());
  f.events = a.events;
  return cost;
}

int64_t StepTime(const std::vector<RankView>& views, const std::set<StepKey>& keys) {
  int64_t total = 0;
  for (const StepKey& sk : keys) {
    const Step& s = views[static_cast<size_t>(sk.rank)].steps()[static_cast<size_t>(sk.step)];
    total += s.end - s.start;
  }
  return total;
}

}  // namespace

std::vector<Finding> RunPrecision(const Run& run, const std::vector<RankView>& views,
                                  const RuleOptions& options) {
  (void)run;
  const RuleInfo info = PrecisionInfo();
  const double cast_warn = Threshold(options, info, "cast_warn_pct");
  const double cast_high = Threshold(options, info, "cast_high_pct");
  const double min_pct = Threshold(options, info, "min_pct");
  const double fp64_warn = Threshold(options, info, "fp64_warn_pct");
  const double fp64_high = Threshold(options, info, "fp64_high_pct");
  const double fp64_min = Threshold(options, info, "fp64_min_pct");
  const double fp64_max = Threshold(options, info, "fp64_max_findings");
  const double hot_steps = Threshold(options, info, "hot_steps_pct");
  const double slowdown = std::max(1.0, Threshold(options, info, "fp64_slowdown"));
  const double repeat_warn = Threshold(options, info, "repeat_warn_pct");
  const double repeat_high = Threshold(options, info, "repeat_high_pct");

  std::set<StepKey> all_steps;
  Acc casts, repeats;
  std::map<std::string, Acc> fp64;  // by kernel name
  for (size_t ri = 0; ri < views.size(); ++ri) {
    const RankView& v = views[ri];
    const schemas::Trace& t = v.trace();
    const auto& ks = t.kernels;
    for (size_t s = 0; s < v.steps().size(); ++s) all_steps.insert({static_cast<int>(ri), static_cast<int>(s)});
    // (step, name, config, layer range row) → seen before?
    std::set<std::tuple<int, int32_t, int32_t, int64_t>> seen;
    std::vector<size_t> cast_kernels;
    for (size_t k = 0; k < ks.size(); ++k) {
      const Classification& cl = v.rank().KernelClassOf(k);
      if (cl.cls == KernelClass::kCast) {
        cast_kernels.push_back(k);
      } else if (cl.fp64 && cl.cls != KernelClass::kComm) {
        const int step = v.StepOfKernel(k);
        if (step < 0) continue;
        Acc& a = fp64[t.str(ks.name[k])];
        a.intervals[{static_cast<int>(ri), step}].push_back(KernelInterval(t, k));
        a.ranks.insert(v.rank_id());
        a.kernels += 1;
        if (a.events.size() < kMaxEvents) a.events.push_back(KernelEvent(v, k));
      }
    }
    // Repeats are judged in launch order, so sort this rank's cast kernels by start.
    std::sort(cast_kernels.begin(), cast_kernels.end(),
              [&](size_t a, size_t b) { return ks.start[a] < ks.start[b]; });
    for (size_t k : cast_kernels) {
      const int step = v.StepOfKernel(k);
      if (step < 0) continue;
      const StepKey key{static_cast<int>(ri), step};
      casts.intervals[key].push_back(KernelInterval(t, k));
      casts.ranks.insert(v.rank_id());
      casts.kernels += 1;
      if (casts.events.size() < kMaxEvents) casts.events.push_back(KernelEvent(v, k));
      // The innermost enclosing NVTX range naming a layer, on the launching thread.
      int64_t layer_row = -1;
      if (auto a = v.ApiIndex(ks.correlation[k])) {
        const auto ranges =
            v.Enclosing(t.api.thread[*a], t.api.start[*a], t.api.start[*a] + t.api.dur[*a]);
        for (auto it = ranges.rbegin(); it != ranges.rend(); ++it) {
          if (Lower(v.NvtxText(it->row)).find("layer") != std::string::npos) {
            // The layer's text, not the row: forward and backward of layer 3 are two ranges.
            layer_row = t.nvtx[it->row].text;
            break;
          }
        }
      }
      if (!seen.insert({step, ks.name[k], ks.config[k], layer_row}).second) {
        repeats.intervals[key].push_back(KernelInterval(t, k));
        repeats.ranks.insert(v.rank_id());
        repeats.kernels += 1;
        if (repeats.events.size() < kMaxEvents) repeats.events.push_back(KernelEvent(v, k));
      }
    }
  }

  std::vector<Finding> findings;
  if (!casts.intervals.empty()) {
    Finding f;
    const int64_t cost = Total(casts, views, f);
    std::set<StepKey> keys;
    for (const auto& [sk, l] : casts.intervals) keys.insert(sk);
    const double pct = Pct(cost, StepTime(views, keys));
    if (pct >= min_pct) {
      f.rule = info.id;
      f.severity = SeverityFor(pct, cast_warn, cast_high, /*strict=*/false);
      f.location = "cast/quantize kernels";
      f.title = "Cast kernels take " + FormatPct(pct) + " of step time (" +
                std::to_string(casts.kernels) + " kernels)";
      f.cost_ns = cost;
      f.cost_pct = pct;
      f.saving_ns = cost;
      f.saving_method = "upper bound: all standalone cast time, removed when fused";
      f.fix =
          "Fuse conversions into the producing or consuming kernel (GEMM epilogue output cast, "
          "fused quantize+GEMM, Transformer Engine FP8 layers), keep activations in one dtype "
          "through elementwise chains, and cache converted weights between microbatches.";
      f.metrics["kernels"] = static_cast<double>(casts.kernels);
      findings.push_back(std::move(f));
    }
  }
  if (!repeats.intervals.empty()) {
    Finding f;
    const int64_t cost = Total(repeats, views, f);
    std::set<StepKey> keys;
    for (const auto& [sk, l] : repeats.intervals) keys.insert(sk);
    const double pct = Pct(cost, StepTime(views, keys));
    if (pct >= min_pct) {
      f.rule = info.id;
      f.severity = SeverityFor(pct, repeat_warn, repeat_high, /*strict=*/false);
      f.location = "repeated casts";
      f.title = std::to_string(repeats.kernels) +
                " repeated cast kernel launches (same kernel, shape and layer in one step) take " +
                FormatPct(pct) + " of step time";
      f.cost_ns = cost;
      f.cost_pct = pct;
      f.saving_ns = cost;
      f.saving_method = "all repeated cast time: convert once per step and reuse the copy";
      f.fix =
          "Cache the converted tensor: cast weights once per optimizer step (not per microbatch or "
          "again in backward), keep the FP8/BF16 copy with its scale, and reuse it.";
      f.metrics["kernels"] = static_cast<double>(repeats.kernels);
      findings.push_back(std::move(f));
    }
  }
  const size_t total_steps = all_steps.size();
  // FP64 kernel names in the hot path, worst first; beyond fp64_max_findings the rest are merged
  // into one finding (an FP64 application would otherwise fill the report with one per kernel).
  struct Hot { std::string name; Acc* acc; int64_t cost; double steps_pct; };
  std::vector<Hot> hot;
  for (auto& [name, a] : fp64) {
    std::set<StepKey> keys;
    for (const auto& [sk, l] : a.intervals) keys.insert(sk);
    const double steps_pct = total_steps == 0 ? 0.0 : 100.0 * static_cast<double>(keys.size()) /
                                                           static_cast<double>(total_steps);
    if (steps_pct < hot_steps) continue;
    int64_t cost = 0;
    for (const auto& [sk, l] : a.intervals) cost += Measure(Union(l));
    hot.push_back({name, &a, cost, steps_pct});
  }
  std::sort(hot.begin(), hot.end(), [](const Hot& x, const Hot& y) {
    return x.cost != y.cost ? x.cost > y.cost : x.name < y.name;
  });
  const auto max_findings = static_cast<size_t>(std::max(1.0, fp64_max));
  if (hot.size() > max_findings) {
    Acc merged;
    for (size_t i = max_findings - 1; i < hot.size(); ++i) {
      for (const auto& [sk, l] : hot[i].acc->intervals) {
        auto& dst = merged.intervals[sk];
        dst.insert(dst.end(), l.begin(), l.end());
      }
      merged.ranks.insert(hot[i].acc->ranks.begin(), hot[i].acc->ranks.end());
      merged.kernels += hot[i].acc->kernels;
      for (const EventRef& e : hot[i].acc->events) {
        if (merged.events.size() < kMaxEvents) merged.events.push_back(e);
      }
    }
    const std::string name =
        std::to_string(hot.size() - (max_findings - 1)) + " FP64 kernels (" + hot[max_findings - 1].name + ", ...)";
    const double steps_pct = hot[max_findings - 1].steps_pct;
    hot.resize(max_findings - 1);
    fp64[name] = std::move(merged);
    hot.push_back({name, &fp64[name], 0, steps_pct});
  }
  for (const Hot& h : hot) {
    const std::string& name = h.name;
    Acc& a = *h.acc;
    const double steps_pct = h.steps_pct;
    std::set<StepKey> keys;
    for (const auto& [sk, l] : a.intervals) keys.insert(sk);
    Finding f;
    const int64_t cost = Total(a, views, f);
    const double pct = Pct(cost, StepTime(views, keys));
    if (pct < fp64_min) continue;
    f.rule = info.id;
    f.severity = SeverityFor(pct, fp64_warn, fp64_high, /*strict=*/false);
    f.location = name;
    f.title = "FP64 kernel in the hot path: " + name + " takes " + FormatPct(pct) + " of step time";
    f.cost_ns = cost;
    f.cost_pct = pct;
    f.saving_ns = static_cast<int64_t>(static_cast<double>(cost) * (1.0 - 1.0 / slowdown));
    f.saving_method = "the kernel's time x (1 - 1/fp64_slowdown): the same work in FP32 runs about "
                      "fp64_slowdown times faster";
    f.fix =
        "Compute it in FP32 (or BF16 with FP32 accumulation): a router's logits, softmax and "
        "top-k need no double precision; check for a stray .double()/float64 tensor or a NumPy "
        "default dtype leaking into the model.";
    f.metrics["kernels"] = static_cast<double>(a.kernels);
    f.metrics["steps_pct"] = steps_pct;
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace moeprof::analyzer::rules

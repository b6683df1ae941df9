// Rule pipeline_bubble — idle pipeline stages: the schedule's bubble, and stage imbalance.
//
// Definition. Pipeline stages are the ranks that show pipeline-parallel activity: a communicator,
// comm row or stream with role pp / pp_comm. p = the pp communicator's size (largest nranks), else
// the number of such ranks; a stage's index is its rank in that communicator, else its order.
// m = the number of distinct microbatch numbers in the step's NVTX ranges on that rank ("microbatch
// 3", "mb=3"; at least 1), v = virtual_stages (threshold; 1 = GPipe/1F1B).
// Per stage and step, with W = the step's interval on that rank and K = union of the rank's
// compute kernels (every kernel not of class comm — NCCL kernels spin while waiting):
//   compute = |W ∩ K|,  idle = |W| − compute  (time with no compute while the step is open)
//   theory  = (p − 1) / (v·m + p − 1)         (GPipe/1F1B (p−1)/(m+p−1); interleaved (p−1)/(v·m)
//                                              bubble-to-compute, as a share of the step)
//   implied = theory × |W|,  excess = max(0, idle − implied)
// Bubble finding per stage: cost = Σ idle over steps, cost_pct = cost / Σ |W|; severity by
// Σ excess / Σ |W|: warn > excess_warn_pct, high > excess_high_pct; below, info when cost_pct >=
// min_pct (the schedule's own bubble). Saving = Σ excess + Σ (implied − implied with 2m): the part
// beyond what the schedule implies, plus what doubling the microbatches (or interleaving) cuts.
// Stage imbalance (same rule, its own finding): per step, median of the stages' compute; a stage
// whose compute is more than imbalance_pct above the median in more than half the steps is slow.
// cost = Σ (compute − median) over those steps (every other stage waits about that long for it each
// step), saving = cost (rebalance the layer split); warn, high when the mean excess ratio is above
// imbalance_high_pct. Bubble findings of the other stages then name it as the likely cause.
#include <algorithm>
#include <map>
#include <set>

#include "rule_util.h"

namespace moeprof::analyzer::rules {

RuleInfo PipelineBubbleInfo() {
  RuleInfo info;
  info.id = "pipeline_bubble";
  info.title = "Pipeline bubble";
  info.definition =
      "Per pipeline stage and step: idle = step time with no compute kernel running; theory = "
      "(p-1)/(v*m+p-1) of the step (GPipe/1F1B with v=1, interleaved with v virtual stages), p "
      "from the pp group, m from NVTX microbatch ranges; excess = idle - theory x step. Cost = "
      "idle; severity by excess share; saving = excess + what doubling m would cut from the "
      "schedule's bubble. Stage imbalance: a stage whose compute is > imbalance_pct above the "
      "stages' median in most steps; cost = its compute minus the median per step.";
  info.thresholds = {
      {"virtual_stages", 1.0, "", "v: model chunks per stage (interleaved schedule); 1 = GPipe/1F1B"},
      {"excess_warn_pct", 5.0, "%", "warn when idle beyond the schedule is above this share of step"},
      {"excess_high_pct", 15.0, "%", "high above this share"},
      {"min_pct", 1.0, "%", "bubbles below this share of step are not reported"},
      {"imbalance_pct", 10.0, "%", "a stage whose compute is this much above the median is slow"},
      {"imbalance_high_pct", 25.0, "%", "stage imbalance is high above this"},
  };
  return info;
}

namespace {

struct Stage {
  size_t view = 0;  // index into views
  int64_t index = 0;
  IntervalSet compute;
};

struct StepFig {
  int step = 0;  // index into the view's steps
  int64_t number = 0, window = 0, compute = 0, idle = 0, m = 1;
  IntervalSet idle_set;  // run time
};

// m per step of a rank (index into v.steps()): distinct microbatch numbers of the NVTX ranges that
// start in the step. One pass over the ranges; each distinct text is parsed once.
std::vector<int64_t> Microbatches(const RankView& v) {
  std::vector<std::set<int64_t>> mbs(v.steps().size());
  std::map<int64_t, std::optional<int64_t>> parsed;  // text id → microbatch number
  for (const auto& [thread, r] : v.AllRanges()) {
    const int step = v.StepAt(r.start);
    if (step < 0) continue;
    const int64_t text_id = v.trace().nvtx[r.row].text;
    auto [it, fresh] = parsed.try_emplace(text_id);
    if (fresh) {
      const std::string& text = v.NvtxText(r.row);
      it->second = NumberAfter(text, "microbatch");
      if (!it->second && Lower(text).rfind("mb", 0) == 0) it->second = NumberAfter(text, "mb");
    }
    if (it->second) mbs[static_cast<size_t>(step)].insert(*it->second);
  }
  std::vector<int64_t> out;
  for (const auto& set : mbs) out.push_back(std::max<int64_t>(1, static_cast<int64_t>(set.size())));
  return out;
}

}  // namespace

std::vector<Finding> RunPipelineBubble(const Run& run, const std::vector<RankView>& views,
                                       const RuleOptions& options) {
  (void)run;
  const RuleInfo info = PipelineBubbleInfo();
  const double v_stages = std::max(1.0, Threshold(options, info, "virtual_stages"));
  const double excess_warn = Threshold(options, info, "excess_warn_pct");
  const double excess_high = Threshold(options, info, "excess_high_pct");
  const double min_pct = Threshold(options, info, "min_pct");
  const double imbalance = Threshold(options, info, "imbalance_pct");
  const double imbalance_high = Threshold(options, info, "imbalance_high_pct");

  // Stages and p.
  std::vector<Stage> stages;
  int64_t p_comm = 0;
  for (size_t vi = 0; vi < views.size(); ++vi) {
    const schemas::Trace& t = views[vi].trace();
    bool pp = false;
    std::optional<int64_t> index;
    for (const auto& c : t.communicators) {
      if (c.role && Lower(*c.role) == "pp") {
        pp = true;
        p_comm = std::max(p_comm, c.nranks);
        index = c.rank;
      }
    }
    for (const auto& c : t.comms) pp = pp || (c.role && Lower(*c.role) == "pp");
    for (const auto& s : t.streams) pp = pp || (s.role && Lower(*s.role) == "pp_comm");
    for (const auto& s : views[vi].rank().streams) pp = pp || Lower(s.role) == "pp_comm";
    if (!pp) continue;
    Stage st;
    st.view = vi;
    st.index = index.value_or(static_cast<int64_t>(stages.size()));
    std::vector<Interval> compute;
    const auto& ks = t.kernels;
    for (size_t k = 0; k < ks.size(); ++k) {
      if (views[vi].rank().KernelClassOf(k).cls != KernelClass::kComm) {
        compute.push_back(KernelInterval(t, k));
      }
    }
    st.compute = Union(std::move(compute));
    stages.push_back(std::move(st));
  }
  const int64_t p = std::max<int64_t>(p_comm, static_cast<int64_t>(stages.size()));
  if (p < 2 || stages.empty()) return {};

  // Per stage, per step figures.
  std::vector<std::vector<StepFig>> figs(stages.size());
  for (size_t si = 0; si < stages.size(); ++si) {
    const RankView& v = views[stages[si].view];
    const std::vector<int64_t> m = Microbatches(v);
    for (size_t s = 0; s < v.steps().size(); ++s) {
      const Step& step = v.steps()[s];
      StepFig f;
      f.step = static_cast<int>(s);
      f.number = step.number;
      f.window = step.end - step.start;
      const IntervalSet in = Clip(stages[si].compute, step.interval());
      f.compute = Measure(in);
      f.idle = f.window - f.compute;
      for (const Interval& i : Subtract({step.interval()}, in)) f.idle_set.push_back(v.ToRun(i));
      f.m = m[s];
      figs[si].push_back(std::move(f));
    }
  }

  std::vector<Finding> findings;
  // Stage imbalance: per step number, the median compute over the stages that have that step.
  std::map<int64_t, std::vector<double>> compute_by_step;
  for (const auto& list : figs) {
    for (const StepFig& f : list) compute_by_step[f.number].push_back(static_cast<double>(f.compute));
  }
  std::map<int64_t, double> median;
  for (auto& [n, values] : compute_by_step) {
    if (values.size() >= 2) median[n] = Median(values);
  }
  std::set<int> slow_ranks;
  for (size_t si = 0; si < stages.size(); ++si) {
    const RankView& v = views[stages[si].view];
    int64_t cost = 0, window = 0, slow_steps = 0, steps_with_median = 0;
    double ratio_sum = 0;
    std::set<int64_t> numbers;
    for (const StepFig& f : figs[si]) {
      auto it = median.find(f.number);
      if (it == median.end() || it->second <= 0) continue;
      ++steps_with_median;
      // (compute − median) / median, in this order so that exact figures stay exact.
      const double ratio = (static_cast<double>(f.compute) - it->second) / it->second;
      if (100.0 * (static_cast<double>(f.compute) - it->second) / it->second > imbalance) {
        ++slow_steps;
        cost += f.compute - static_cast<int64_t>(it->second);
        window += f.window;
        ratio_sum += ratio;
        numbers.insert(f.number);
      }
    }
    if (steps_with_median == 0 || 2 * slow_steps <= steps_with_median) continue;
    const double mean_ratio = 100.0 * ratio_sum / static_cast<double>(slow_steps);
    Finding f;
    f.rule = info.id;
    f.severity = mean_ratio > imbalance_high ? Severity::kHigh : Severity::kWarn;
    f.location = "stage " + std::to_string(stages[si].index) + " (rank " +
                 std::to_string(v.rank_id()) + ")";
    f.title = "Pipeline stage imbalance: stage " + std::to_string(stages[si].index) +
              " computes " + FormatPct(mean_ratio) + " longer than the median stage";
    f.ranks = {v.rank_id()};
    f.steps.assign(numbers.begin(), numbers.end());
    for (const StepFig& sf : figs[si]) {
      if (numbers.count(sf.number) > 0) {
        AddEvidence(f, v.ToRun(v.steps()[static_cast<size_t>(sf.step)].interval()));
      }
    }
    f.cost_ns = cost;
    f.cost_pct = Pct(cost, window);
    f.saving_ns = cost;
    f.saving_method = "the slow stage's compute above the median, per step: every other stage "
                      "waits for it, so a balanced split shortens the step by about this much";
    f.fix =
        "Rebalance the layer split across stages (fewer layers on the slow stage; account for the "
        "embedding and LM-head/loss on the first and last stage, e.g. Megatron's "
        "decoder_first/last_pipeline_num_layers or an uneven split), or even out MoE routing "
        "if the slow stage's experts are the hot ones.";
    f.metrics["stage"] = static_cast<double>(stages[si].index);
    f.metrics["excess_compute_pct"] = mean_ratio;
    f.metrics["slow_steps"] = static_cast<double>(slow_steps);
    slow_ranks.insert(v.rank_id());
    findings.push_back(std::move(f));
  }

  // Bubble findings per stage.
  for (size_t si = 0; si < stages.size(); ++si) {
    const RankView& v = views[stages[si].view];
    int64_t idle = 0, window = 0, excess = 0, implied_total = 0, schedule_cut = 0, m_sum = 0;
    std::set<int64_t> numbers;
    Finding f;
    for (const StepFig& sf : figs[si]) {
      if (sf.window <= 0) continue;
      const double pm1 = static_cast<double>(p - 1);
      const double theory = pm1 / (v_stages * static_cast<double>(sf.m) + pm1);
      const double theory2 = pm1 / (v_stages * static_cast<double>(2 * sf.m) + pm1);
      const auto implied = static_cast<int64_t>(theory * static_cast<double>(sf.window));
      idle += sf.idle;
      window += sf.window;
      implied_total += implied;
      excess += std::max<int64_t>(0, sf.idle - implied);
      schedule_cut += implied - static_cast<int64_t>(theory2 * static_cast<double>(sf.window));
      m_sum += sf.m;
      numbers.insert(sf.number);
      for (const Interval& i : sf.idle_set) AddEvidence(f, i);
    }
    const double pct = Pct(idle, window);
    if (numbers.empty() || idle <= 0 || pct < min_pct) continue;
    const double excess_pct = Pct(excess, window);
    f.rule = info.id;
    f.severity = SeverityFor(excess_pct, excess_warn, excess_high);
    f.location = "stage " + std::to_string(stages[si].index) + " (rank " +
                 std::to_string(v.rank_id()) + ")";
    const double m_mean = static_cast<double>(m_sum) / static_cast<double>(numbers.size());
    const double theory_pct = Pct(implied_total, window);
    f.title = "Pipeline bubble on stage " + std::to_string(stages[si].index) + ": idle " +
              FormatPct(pct) + " of step vs " + FormatPct(theory_pct) + " by schedule (p=" +
              std::to_string(p) + ", m=" + std::to_string(static_cast<int64_t>(m_mean + 0.5)) + ")";
    std::string cause;
    for (int r : slow_ranks) {
      if (r != v.rank_id()) cause = "rank " + std::to_string(r);
    }
    if (!cause.empty()) f.title += "; stage imbalance on " + cause + " is the likely cause";
    f.ranks = {v.rank_id()};
    f.steps.assign(numbers.begin(), numbers.end());
    f.cost_ns = idle;
    f.cost_pct = pct;
    f.saving_ns = std::min(idle, excess + schedule_cut);
    f.saving_method =
        "idle beyond the schedule's theoretical bubble, plus the part of that bubble doubling the "
        "microbatches (or v) would remove";
    f.fix = excess_pct > excess_warn
                ? "The stage idles beyond what the schedule implies: look for stage imbalance (a "
                  "slower stage), exposed pipeline send/recv (overlap p2p with compute, larger "
                  "buffers), or host stalls between microbatches."
                : "The bubble is the schedule's own: use more microbatches per step, an "
                  "interleaved 1F1B schedule (virtual pipeline stages), or zero-bubble schedules.";
    f.metrics["p"] = static_cast<double>(p);
    f.metrics["m"] = m_mean;
    f.metrics["v"] = v_stages;
    f.metrics["theory_pct"] = theory_pct;
    f.metrics["excess_ns"] = static_cast<double>(excess);
    f.metrics["excess_pct"] = excess_pct;
    f.metrics["implied_ns"] = static_cast<double>(implied_total);
    f.metrics["stage"] = static_cast<double>(stages[si].index);
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace moeprof::analyzer::rules

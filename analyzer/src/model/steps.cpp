// FindSteps: where the training steps are, in this order of trust:
//   1. the trace's step table (written by producers that know: importers put Kineto's
//      ProfilerStep#N there, the trainer its own steps);
//   2. NVTX ranges named like a step: "step", "step 12", "step_12", "train_step", "Step#3",
//      "iteration 4", "ProfilerStep#12" — outermost matches only (a "step" range inside a
//      "train_step" range is not a second step), numbered by the number in the name when every
//      match has one, else 0, 1, 2, ... in time order;
//   3. inferred from repetition of the kernel-name sequence on the busiest stream (see
//      InferSteps below);
//   4. else one step spanning all GPU activity (source "whole_trace").
// Empty only for a trace without GPU activity.
#include <re2/re2.h>

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "moeprof/analyzer/model.h"

namespace moeprof::analyzer {

namespace {

std::vector<Step> StepsFromTable(const schemas::Trace& trace) {
  std::vector<Step> steps;
  for (const schemas::StepRow& r : trace.steps) {
    if (r.dur <= 0) continue;
    steps.push_back({r.number, r.start, r.start + r.dur, r.source.empty() ? "step_table" : r.source});
  }
  return steps;
}

std::vector<Step> StepsFromNvtx(const schemas::Trace& trace) {
  static const RE2 re(
      R"((?i)^\s*(?:profilerstep|train_?step|training_?step|step|iteration|iter)\s*[#_: ]?\s*(\d+)?\s*$)");
  struct Match { int64_t start, end; std::optional<int64_t> number; bool profiler; };
  std::vector<Match> matches;
  // Match each distinct text once: NVTX tables repeat the same few texts many times.
  std::unordered_map<int64_t, int> verdict;  // text id → -1 no, 0 no number, 1 number
  std::unordered_map<int64_t, int64_t> numbers;
  for (const schemas::NvtxRow& n : trace.nvtx) {
    if (n.kind == schemas::NvtxKind::kMark || n.dur <= 0) continue;
    auto [it, fresh] = verdict.try_emplace(n.text, -1);
    if (fresh) {
      std::string digits;
      const std::string& text = trace.str(n.text);
      if (RE2::FullMatch(text, re, &digits)) {
        it->second = digits.empty() ? 0 : 1;
        if (!digits.empty()) numbers[n.text] = std::stoll(digits.substr(0, 18));
      }
    }
    if (it->second < 0) continue;
    Match m{n.start, n.start + n.dur, std::nullopt,
            trace.str(n.text).find("rofilerStep") != std::string::npos};
    if (it->second == 1) m.number = numbers[n.text];
    matches.push_back(m);
  }
  if (matches.empty()) return {};
  std::sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
    return a.start != b.start ? a.start < b.start : a.end > b.end;
  });
  // Outermost only: drop a match that lies inside the previous kept one.
  std::vector<Match> outer;
  for (const Match& m : matches) {
    if (!outer.empty() && m.start >= outer.back().start && m.end <= outer.back().end) continue;
    outer.push_back(m);
  }
  const bool all_numbered = std::all_of(outer.begin(), outer.end(), [](const Match& m) { return m.number.has_value(); });
  std::vector<Step> steps;
  for (size_t i = 0; i < outer.size(); ++i) {
    const Match& m = outer[i];
    steps.push_back({all_numbered ? *m.number : static_cast<int64_t>(i), m.start, m.end,
                     m.profiler ? "profiler_step" : "nvtx"});
  }
  return steps;
}

// Repetition: training runs the same kernel sequence every step. On the stream with the most
// kernels, look for an "anchor" name that occurs at a constant index distance P (its gaps vary by
// at most 2 % of P): among names seen at least twice, the rarest ones are tried first, since a
// once-per-step kernel (optimizer, loss) is the usual anchor. P is accepted when the sequence is
// periodic with it (name[i] == name[i+P] for ≥ 90 % of a sample of positions). Boundaries are put
// at the phase within the period where the time gap before a kernel is largest on average (step
// boundaries hold the host-side work: data loading, logging), so each step starts with its first
// kernel. Only complete periods become steps.
std::vector<Step> InferSteps(const schemas::Trace& trace) {
  const schemas::KernelColumns& k = trace.kernels;
  if (k.size() < 16) return {};
  // Busiest stream's range (kernels are sorted by stream, start).
  size_t best_begin = 0, best_end = 0;
  for (size_t i = 0; i < k.size();) {
    size_t j = i;
    while (j < k.size() && k.stream[j] == k.stream[i]) ++j;
    if (j - i > best_end - best_begin) { best_begin = i; best_end = j; }
    i = j;
  }
  const size_t n = best_end - best_begin;
  if (n < 16) return {};
  const int32_t* name = k.name.data() + best_begin;

  std::unordered_map<int32_t, uint32_t> count;
  for (size_t i = 0; i < n; ++i) ++count[name[i]];
  std::vector<std::pair<uint32_t, int32_t>> candidates;
  for (const auto& [id, c] : count) {
    if (c >= 2 && c <= n / 4) candidates.push_back({c, id});
  }
  std::sort(candidates.begin(), candidates.end());
  if (candidates.size() > 16) candidates.resize(16);
  std::unordered_map<int32_t, std::vector<uint32_t>> positions;
  for (const auto& [c, id] : candidates) positions[id].reserve(c);
  for (size_t i = 0; i < n; ++i) {
    auto it = positions.find(name[i]);
    if (it != positions.end()) it->second.push_back(static_cast<uint32_t>(i));
  }
  for (const auto& [c, id] : candidates) {
    const std::vector<uint32_t>& pos = positions[id];
    std::vector<uint32_t> gaps;
    for (size_t i = 1; i < pos.size(); ++i) gaps.push_back(pos[i] - pos[i - 1]);
    std::vector<uint32_t> sorted = gaps;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const uint32_t period = sorted[sorted.size() / 2];
    if (period < 2) continue;
    const uint32_t slack = period / 50;
    if (!std::all_of(gaps.begin(), gaps.end(), [&](uint32_t g) { return g + slack >= period && g <= period + slack; })) {
      continue;
    }
    // Periodicity check on up to ~100k evenly spaced positions.
    const size_t span = n - period;
    const size_t stride = std::max<size_t>(1, span / 100000);
    size_t same = 0, tried = 0;
    for (size_t i = 0; i < span; i += stride, ++tried) same += name[i] == name[i + period];
    if (tried == 0 || same * 10 < tried * 9) continue;

    // Phase: the offset within the period with the largest mean gap before its kernel.
    const int64_t* start = k.start.data() + best_begin;
    const int64_t* dur = k.dur.data() + best_begin;
    int64_t best_gap = std::numeric_limits<int64_t>::min();
    uint32_t phase = 0;
    for (uint32_t o = 0; o < period; ++o) {
      int64_t sum = 0;
      int cnt = 0;
      for (uint32_t p : pos) {
        const size_t i = p + o;
        if (i == 0 || i >= n) continue;
        sum += start[i] - (start[i - 1] + dur[i - 1]);
        ++cnt;
      }
      if (cnt > 0 && sum / cnt > best_gap) { best_gap = sum / cnt; phase = o; }
    }
    std::vector<size_t> bounds;
    for (uint32_t p : pos) {
      if (p + phase < n) bounds.push_back(p + phase);
    }
    // The anchor may sit late in the step: whole periods before the first boundary and after
    // the last one are steps too (index n = the end of the stream's last kernel).
    while (!bounds.empty() && bounds.front() >= period) bounds.insert(bounds.begin(), bounds.front() - period);
    while (!bounds.empty() && bounds.back() + period <= n) bounds.push_back(bounds.back() + period);
    std::vector<Step> steps;
    for (size_t b = 0; b + 1 < bounds.size(); ++b) {
      const size_t first = bounds[b], last = bounds[b + 1] - 1;
      int64_t end = 0;
      for (size_t i = first; i <= last; ++i) end = std::max(end, start[i] + dur[i]);
      // A step ends where the next begins (host time between them belongs to the step), except
      // the last, which ends with its last kernel.
      const int64_t stop = (bounds[b + 1] < n) ? start[bounds[b + 1]] : end;
      steps.push_back({static_cast<int64_t>(steps.size()), start[first], stop, "inferred"});
    }
    if (steps.size() >= 2) return steps;
  }
  return {};
}

std::vector<Step> WholeTrace(const schemas::Trace& trace) {
  int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
  const schemas::KernelColumns& k = trace.kernels;
  for (size_t i = 0; i < k.size(); ++i) {
    lo = std::min(lo, k.start[i]);
    hi = std::max(hi, k.start[i] + k.dur[i]);
  }
  for (const schemas::MemcpyRow& r : trace.memcpys) { lo = std::min(lo, r.start); hi = std::max(hi, r.start + r.dur); }
  for (const schemas::MemsetRow& r : trace.memsets) { lo = std::min(lo, r.start); hi = std::max(hi, r.start + r.dur); }
  if (lo >= hi) return {};
  return {Step{0, lo, hi, "whole_trace"}};
}

}  // namespace

std::vector<Step> FindSteps(const schemas::Trace& trace) {
  std::vector<Step> steps = StepsFromTable(trace);
  if (steps.empty()) steps = StepsFromNvtx(trace);
  if (steps.empty()) steps = InferSteps(trace);
  if (steps.empty()) steps = WholeTrace(trace);
  std::sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) { return a.start < b.start; });
  // Overlapping step ranges (e.g. ProfilerStep on two threads) are clipped so steps never
  // overlap: the later one starts where the earlier ends.
  for (size_t i = 1; i < steps.size(); ++i) {
    if (steps[i].start < steps[i - 1].end) steps[i].start = std::min(steps[i - 1].end, steps[i].end);
  }
  std::erase_if(steps, [](const Step& s) { return s.end <= s.start; });
  return steps;
}

}  // namespace moeprof::analyzer

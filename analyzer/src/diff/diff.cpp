// DigestRun and ComputeDiff (diff.h): reduce each run to per-step figures, then compare them row by
// row and decide what regressed.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>

#include "moeprof/analyzer/breakdown.h"
#include "moeprof/analyzer/diff.h"
#include "moeprof/analyzer/rules.h"

namespace moeprof::analyzer {

RunDigest DigestRun(const Run& run, const std::vector<Finding>& findings,
                    std::vector<std::string> inputs) {
  RunDigest d;
  d.inputs = std::move(inputs);
  d.ranks = static_cast<int>(run.ranks.size());
  d.median_step_ns = MedianStepNs(run);
  std::map<std::string, int64_t> class_ns;
  for (const RankTrace& r : run.ranks) {
    d.steps = std::max<int64_t>(d.steps, static_cast<int64_t>(r.steps.size()));
    if (r.steps.empty()) continue;
    BreakdownOptions options;
    options.window = Interval{r.steps.front().start, r.steps.back().end};
    const Breakdown b = ComputeBreakdown(r, options);
    for (size_t c = 0; c < b.by_class.size(); ++c) {
      if (b.by_class[c].union_ns > 0) class_ns[KernelClassName(static_cast<KernelClass>(c))] += b.by_class[c].union_ns;
    }
  }
  const int64_t steps = std::max<int64_t>(d.steps, 1);
  for (const auto& [cls, ns] : class_ns) d.class_ns_per_step[cls] = ns / steps;
  for (const RuleInfo& rule : AllRules()) d.rule_ns_per_step[rule.id] = 0;
  for (const Finding& f : findings) d.rule_ns_per_step[f.rule] += f.cost_ns;
  for (auto& [rule, ns] : d.rule_ns_per_step) ns /= steps;
  d.findings = findings;
  return d;
}

namespace {

double ChangePct(int64_t base, int64_t next) {
  if (base == next) return 0.0;
  if (base == 0) return std::numeric_limits<double>::infinity();
  return 100.0 * static_cast<double>(next - base) / static_cast<double>(base);
}

std::string FindingKey(const Finding& f) {
  std::string ranks;
  for (int r : f.ranks) {
    if (!ranks.empty()) ranks += ',';
    ranks += std::to_string(r);
  }
  std::string key = f.rule;
  key.append(" · ").append(f.location).append(" · ").append(ranks);
  return key;
}

}  // namespace

DiffResult ComputeDiff(RunDigest base, RunDigest next, std::optional<double> fail_pct,
                       double floor_pct) {
  DiffResult d;
  d.fail_pct = fail_pct;
  d.step = {"step time", base.median_step_ns, next.median_step_ns,
            ChangePct(base.median_step_ns, next.median_step_ns), false};
  if (fail_pct && base.median_step_ns > 0) d.step.regressed = d.step.change_pct > *fail_pct;

  std::set<std::string> classes;
  for (const auto& [c, ns] : base.class_ns_per_step) classes.insert(c);
  for (const auto& [c, ns] : next.class_ns_per_step) classes.insert(c);
  for (const std::string& c : classes) {
    const int64_t b = base.class_ns_per_step.count(c) ? base.class_ns_per_step.at(c) : 0;
    const int64_t n = next.class_ns_per_step.count(c) ? next.class_ns_per_step.at(c) : 0;
    d.classes.push_back({c, b, n, ChangePct(b, n), false});
  }
  std::stable_sort(d.classes.begin(), d.classes.end(), [](const DiffRow& a, const DiffRow& b) {
    return std::llabs(a.new_ns - a.base_ns) > std::llabs(b.new_ns - b.base_ns);
  });

  for (const RuleInfo& rule : AllRules()) {
    const int64_t b = base.rule_ns_per_step[rule.id], n = next.rule_ns_per_step[rule.id];
    DiffRow row{rule.id, b, n, ChangePct(b, n), false};
    if (fail_pct && n > b) {
      if (b > 0) {
        row.regressed = row.change_pct > *fail_pct;
      } else {
        // From nothing to something: a regression only above the noise floor.
        row.regressed = next.median_step_ns > 0 &&
                        100.0 * static_cast<double>(n) / static_cast<double>(next.median_step_ns) >= floor_pct;
      }
    }
    d.rules.push_back(row);
  }

  std::set<std::string> base_keys, next_keys;
  for (const Finding& f : base.findings) base_keys.insert(FindingKey(f));
  for (const Finding& f : next.findings) next_keys.insert(FindingKey(f));
  for (const Finding& f : next.findings) {
    if (!base_keys.count(FindingKey(f))) d.new_findings.push_back({f, FindingKey(f)});
  }
  for (const Finding& f : base.findings) {
    if (!next_keys.count(FindingKey(f))) d.gone_findings.push_back({f, FindingKey(f)});
  }
  d.regressed = d.step.regressed ||
                std::any_of(d.rules.begin(), d.rules.end(), [](const DiffRow& r) { return r.regressed; });
  d.base = std::move(base);
  d.next = std::move(next);
  return d;
}

}  // namespace moeprof::analyzer

// `moeprof diff BASE NEW`: what got better or worse between two runs — median step time, time per
// kernel class per step, each rule's cost per step, and findings that are new or gone — and the
// regression gate for CI (--fail-on-regression PCT). Runs are reduced to a RunDigest first so the
// two traces never have to be in memory at once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "moeprof/analyzer/finding.h"
#include "moeprof/analyzer/model.h"
#include "moeprof/analyzer/report.h"

namespace moeprof::analyzer {

// What diff compares of one run. Per-step figures are summed over ranks and divided by the number
// of analyzed steps (the most any rank has), so runs of different lengths compare.
struct RunDigest {
  std::vector<std::string> inputs;
  int ranks = 0;
  int64_t steps = 0;
  int64_t median_step_ns = 0;
  std::map<std::string, int64_t> class_ns_per_step;  // kernel class -> union time per step
  std::map<std::string, int64_t> rule_ns_per_step;   // rule id -> Σ finding cost per step
  std::vector<Finding> findings;
};

RunDigest DigestRun(const Run& run, const std::vector<Finding>& findings,
                    std::vector<std::string> inputs);

struct DiffRow {
  std::string key;        // "step time", class name, or rule id
  int64_t base_ns = 0, new_ns = 0;
  double change_pct = 0;  // (new − base) / base × 100; 0 when both are 0; +inf when base is 0
  bool regressed = false; // over --fail-on-regression (step time and rules only)
};

struct FindingChange {
  Finding finding;
  std::string key;  // rule · location · ranks: how a finding is recognised across runs
};

struct DiffResult {
  RunDigest base, next;
  DiffRow step;
  std::vector<DiffRow> classes;  // union of both runs' classes, largest change first
  std::vector<DiffRow> rules;    // every rule id, in AllRules() order
  std::vector<FindingChange> new_findings, gone_findings;
  std::optional<double> fail_pct;  // --fail-on-regression
  bool regressed = false;          // any step/rule row regressed
};

// A rule whose base cost is 0 counts as regressed only when its new cost per step is at least
// `floor_pct` of the new median step (so a new, negligible info finding does not fail CI).
DiffResult ComputeDiff(RunDigest base, RunDigest next, std::optional<double> fail_pct,
                       double floor_pct = 1.0);

std::string RenderDiffText(const DiffResult& diff, const TextStyle& style = {});
std::string RenderDiffMarkdown(const DiffResult& diff);
std::string RenderDiffJson(const DiffResult& diff);  // schema "moeprof-diff/1"

}  // namespace moeprof::analyzer

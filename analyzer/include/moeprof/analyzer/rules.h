// The rule registry: every detector (one file each under analyzer/src/rules/), its configurable
// thresholds, and the entry point that runs them all over a run and returns findings worst first.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "moeprof/analyzer/finding.h"
#include "moeprof/analyzer/model.h"
#include "moeprof/schemas/status.h"

namespace moeprof::analyzer {

// Thresholds by "<rule>.<name>", e.g. "exposed_sync.warn_pct" = 1.0. Rules read them with
// their documented defaults; a --rules TOML file overrides ([rule.exposed_sync] warn_pct = 2).
struct RuleOptions {
  std::map<std::string, double> thresholds;
  double Get(const std::string& key, double default_value) const;
};

// One configurable threshold of a rule: read as "<rule>.<name>", with its default and why.
struct RuleThreshold {
  std::string name;         // e.g. "warn_pct"
  double default_value = 0;
  std::string unit;         // "%", "us", "kernels", "x", ...
  std::string why;          // what it does and why this default
};

struct RuleInfo {
  std::string id;           // exposed_sync, unfused_epilogue, expert_imbalance, pipeline_bubble,
                            // a2a_overlap, precision, launch_bound
  std::string title;        // "Exposed CPU synchronization"
  std::string definition;   // one paragraph: what is measured, how cost and saving are computed
  std::vector<RuleThreshold> thresholds;  // every key the rule reads, with its default
};

const std::vector<RuleInfo>& AllRules();

// Runs every rule (or only `only` when non-empty) and returns findings sorted by saving, then cost.
std::vector<Finding> RunRules(const Run& run, const RuleOptions& options,
                              const std::vector<std::string>& only = {});

// Reads a --rules TOML file: [rule.<id>] thresholds and [[kernel]] classification rules (the
// latter are applied by LoadRun via LoadOptions.rules_file, and skipped here). Errors name the file
// and entry: an unknown rule id or threshold name, or a value that is not a number.
Status LoadRuleOptions(const std::string& path, RuleOptions& options);

}  // namespace moeprof::analyzer

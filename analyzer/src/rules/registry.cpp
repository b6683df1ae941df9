// The rule registry: the seven rules, their descriptions, and RunRules, which runs them over a run
// and orders the findings worst first (estimated saving, then measured cost, then a stable key so
// that reports and golden files do not depend on hash or thread order).
#include <algorithm>
#include <tuple>

#include "moeprof/analyzer/rules.h"
#include "rule_util.h"

namespace moeprof::analyzer {

double RuleOptions::Get(const std::string& key, double default_value) const {
  auto it = thresholds.find(key);
  return it == thresholds.end() ? default_value : it->second;
}

namespace {

using RuleFn = std::vector<Finding> (*)(const Run&, const std::vector<rules::RankView>&,
                                        const RuleOptions&);

struct Entry {
  RuleInfo info;
  RuleFn fn;
};

const std::vector<Entry>& Entries() {
  static const std::vector<Entry> entries = {
      {rules::ExposedSyncInfo(), &rules::RunExposedSync},
      {rules::UnfusedEpilogueInfo(), &rules::RunUnfusedEpilogue},
      {rules::ExpertImbalanceInfo(), &rules::RunExpertImbalance},
      {rules::PipelineBubbleInfo(), &rules::RunPipelineBubble},
      {rules::A2aOverlapInfo(), &rules::RunA2aOverlap},
      {rules::PrecisionInfo(), &rules::RunPrecision},
      {rules::LaunchBoundInfo(), &rules::RunLaunchBound},
  };
  return entries;
}

}  // namespace

const std::vector<RuleInfo>& AllRules() {
  static const std::vector<RuleInfo> infos = [] {
    std::vector<RuleInfo> out;
    for (const Entry& e : Entries()) out.push_back(e.info);
    return out;
  }();
  return infos;
}

std::vector<Finding> RunRules(const Run& run, const RuleOptions& options,
                              const std::vector<std::string>& only) {
  std::vector<rules::RankView> views;
  views.reserve(run.ranks.size());
  for (const RankTrace& r : run.ranks) views.emplace_back(r);

  std::vector<Finding> findings;
  for (const Entry& e : Entries()) {
    if (!only.empty() && std::find(only.begin(), only.end(), e.info.id) == only.end()) continue;
    std::vector<Finding> found = e.fn(run, views, options);
    for (Finding& f : found) findings.push_back(std::move(f));
  }
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(b.saving_ns, b.cost_ns, b.severity, a.rule, a.location, a.ranks) <
           std::tie(a.saving_ns, a.cost_ns, a.severity, b.rule, b.location, b.ranks);
  });
  return findings;
}

}  // namespace moeprof::analyzer

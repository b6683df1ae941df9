// BuildReport: the figures every report format prints — per-rank breakdowns over the analyzed
// steps (breakdown.h, HTA's definitions) beside the findings — and the --fail-on bars.
#include <algorithm>
#include <cctype>
#include <string>

#include "moeprof/analyzer/breakdown.h"
#include "moeprof/analyzer/report.h"
#include "moeprof/analyzer/rules.h"
#include "moeprof/analyzer/version.h"

namespace moeprof::analyzer {

const char* ReportFormatName(ReportFormat f) {
  switch (f) {
    case ReportFormat::kText: return "text";
    case ReportFormat::kMarkdown: return "markdown";
    case ReportFormat::kJson: return "json";
    case ReportFormat::kJunit: return "junit";
  }
  return "text";
}

bool ParseReportFormat(std::string_view name, ReportFormat& out) {
  if (name == "text") out = ReportFormat::kText;
  else if (name == "markdown" || name == "md") out = ReportFormat::kMarkdown;
  else if (name == "json") out = ReportFormat::kJson;
  else if (name == "junit") out = ReportFormat::kJunit;
  else return false;
  return true;
}

Expected<FailOn> ParseFailOn(std::string_view spec) {
  FailOn bar;
  std::string rule(spec), severity;
  if (const size_t colon = spec.find(':'); colon != std::string_view::npos) {
    rule = std::string(spec.substr(0, colon));
    severity = std::string(spec.substr(colon + 1));
  }
  std::string valid = "any";
  bool known = rule == "any";
  for (const RuleInfo& r : AllRules()) {
    valid += ", " + r.id;
    known |= r.id == rule;
  }
  if (!known) {
    return Status(ErrorCode::kInvalidArgument,
                  "--fail-on " + std::string(spec) + ": unknown rule '" + rule + "' (one of: " + valid + ")");
  }
  bar.rule = rule;
  if (!severity.empty() && !ParseSeverity(severity, bar.severity)) {
    return Status(ErrorCode::kInvalidArgument, "--fail-on " + std::string(spec) +
                                                   ": unknown severity '" + severity +
                                                   "' (one of: info, warn, high)");
  }
  return bar;
}

bool IsOverBar(const Finding& f, const FailOn& bar) {
  return (bar.rule == "any" || bar.rule == f.rule) && f.severity >= bar.severity;
}

bool IsOverAnyBar(const Finding& f, const std::vector<FailOn>& bars) {
  return std::any_of(bars.begin(), bars.end(), [&](const FailOn& b) { return IsOverBar(f, b); });
}

bool ReportFails(const Report& report) {
  return std::any_of(report.findings.begin(), report.findings.end(),
                     [&](const Finding& f) { return IsOverAnyBar(f, report.fail_on); });
}

namespace {

int64_t Median(std::vector<int64_t> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double Pct(int64_t part, int64_t whole) {
  return whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

RankReport SummarizeRank(const RankTrace& rt) {
  RankReport r;
  r.rank = rt.rank;
  r.path = rt.path;
  r.steps = static_cast<int64_t>(rt.steps.size());
  std::vector<int64_t> durations;
  for (const Step& s : rt.steps) {
    durations.push_back(s.end - s.start);
    r.analyzed_ns += s.end - s.start;
    if (r.step_source.empty()) r.step_source = s.source;
  }
  r.step_median_ns = Median(durations);
  if (rt.steps.empty()) return r;
  // One breakdown over the analyzed window (first step's start to last step's end): one pass over
  // the trace, where a breakdown per step would rescan it once per step.
  BreakdownOptions options;
  options.window = Interval{rt.steps.front().start, rt.steps.back().end};
  const Breakdown b = ComputeBreakdown(rt, options);
  r.compute_pct = b.temporal.compute_pct;
  r.non_compute_pct = b.temporal.non_compute_pct;
  r.idle_pct = b.temporal.idle_pct;
  r.comm_ns = b.overlap.comm_ns;
  r.comm_overlap_pct = b.overlap.pct;
  for (size_t c = 0; c < b.by_class.size(); ++c) {
    const ClassTime& ct = b.by_class[c];
    if (c != static_cast<size_t>(KernelClass::kMemcpy) && c != static_cast<size_t>(KernelClass::kMemset)) {
      r.kernels += ct.count;
    }
    if (ct.union_ns <= 0) continue;
    r.classes.push_back({KernelClassName(static_cast<KernelClass>(c)), ct.union_ns,
                         Pct(ct.union_ns, b.temporal.span_ns)});
  }
  std::stable_sort(r.classes.begin(), r.classes.end(),
                   [](const ClassShare& a, const ClassShare& b2) { return a.ns > b2.ns; });
  return r;
}

}  // namespace

int64_t MedianStepNs(const Run& run) {
  std::vector<int64_t> d;
  for (const RankTrace& r : run.ranks) {
    for (const Step& s : r.steps) d.push_back(s.end - s.start);
  }
  return Median(std::move(d));
}

Report BuildReport(const Run& run, std::vector<Finding> findings, std::vector<std::string> inputs,
                   const LoadOptions& load, std::vector<FailOn> fail_on) {
  Report report;
  report.version = Version();
  report.inputs = std::move(inputs);
  report.first_step = load.first_step;
  report.last_step = load.last_step;
  for (const RankTrace& r : run.ranks) report.ranks.push_back(SummarizeRank(r));
  // Worst first for people: severity, then RunRules' order (estimated saving, then cost) within it.
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  report.findings = std::move(findings);
  report.fail_on = std::move(fail_on);
  return report;
}

std::string RenderReport(const Report& report, ReportFormat format, const TextStyle& style) {
  switch (format) {
    case ReportFormat::kText: return RenderReportText(report, style);
    case ReportFormat::kMarkdown: return RenderReportMarkdown(report);
    case ReportFormat::kJson: return RenderReportJson(report);
    case ReportFormat::kJunit: return RenderReportJunit(report);
  }
  return RenderReportText(report, style);
}

}  // namespace moeprof::analyzer

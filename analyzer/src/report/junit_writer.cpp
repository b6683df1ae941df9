// The JUnit XML report: one <testsuite> "moeprof" with one <testcase> per rule (every rule, so a
// CI dashboard tracks each one over time). A rule's test case fails when one of its findings is
// over a --fail-on bar (the <failure> lists those findings); otherwise it passes, with its other
// findings in <system-out>. Nothing is ever skipped. Validated against tests/report/junit.xsd.
#include <fmt/format.h>

#include <string>

#include "format_util.h"
#include "moeprof/analyzer/report.h"
#include "moeprof/analyzer/units.h"

namespace moeprof::analyzer {

using namespace report_detail;

namespace {

std::string Describe(const Finding& f) {
  std::string s = fmt::format("[{}] {}\n  where: {}", SeverityName(f.severity), f.title, RanksText(f.ranks));
  if (!f.steps.empty()) s += ", " + StepsText(f.steps);
  if (!f.location.empty()) s += ": " + f.location;
  s += fmt::format("\n  cost: {} ({} of step time)\n  saving: {}", FormatDuration(f.cost_ns),
                   PctText(f.cost_pct), FormatDuration(f.saving_ns));
  if (!f.saving_method.empty()) s += " (" + f.saving_method + ")";
  if (!f.fix.empty()) s += "\n  fix: " + f.fix;
  return s + "\n";
}

}  // namespace

std::string RenderReportJunit(const Report& report) {
  const std::vector<RuleSummary> rules = SummarizeRules(report);
  int failures = 0;
  for (const RuleSummary& s : rules) failures += s.over_bar > 0 ? 1 : 0;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"moeprof\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n",
                     rules.size(), failures);
  out += fmt::format(
      "  <testsuite name=\"moeprof.report\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" "
      "time=\"0\">\n",
      rules.size(), failures);
  out += "    <properties>\n";
  out += "      <property name=\"moeprof_version\" value=\"" + XmlEscape(report.version) + "\"/>\n";
  for (const std::string& in : report.inputs) {
    out += "      <property name=\"input\" value=\"" + XmlEscape(in) + "\"/>\n";
  }
  for (const FailOn& b : report.fail_on) {
    out += "      <property name=\"fail_on\" value=\"" + XmlEscape(b.rule) + ":" +
           SeverityName(b.severity) + "\"/>\n";
  }
  out += "    </properties>\n";
  for (const RuleSummary& s : rules) {
    out += fmt::format("    <testcase classname=\"moeprof.rules\" name=\"{}\" time=\"0\"",
                       XmlEscape(s.info->id));
    if (s.findings == 0) {
      out += "/>\n";
      continue;
    }
    out += ">\n";
    std::string failed, passed;
    for (const Finding& f : report.findings) {
      if (f.rule != s.info->id) continue;
      (IsOverAnyBar(f, report.fail_on) ? failed : passed) += Describe(f);
    }
    if (s.over_bar > 0) {
      out += fmt::format(
          "      <failure message=\"{} finding(s) over a --fail-on bar; worst {}, cost {}\" type=\"{}\">",
          s.over_bar, SeverityName(s.worst), FormatDuration(s.cost_ns), SeverityName(s.worst));
      out += XmlEscape(failed) + "</failure>\n";
    }
    if (!passed.empty()) out += "      <system-out>" + XmlEscape(passed) + "</system-out>\n";
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace moeprof::analyzer

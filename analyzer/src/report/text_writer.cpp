// The text report: worst finding first, readable in an 80-column terminal. Per-rank breakdown
// table, kernel-class shares, then each finding as a block (severity and rule, title, where, cost,
// saving with its method, fix), wrapped with a hanging indent. Colour (severity only) when the
// caller asks for it; every trace string passes TerminalSafe so no escape sequence from a kernel
// name or NVTX text reaches the terminal.
#include <fmt/format.h>

#include <string>

#include "format_util.h"
#include "moeprof/analyzer/report.h"
#include "moeprof/analyzer/units.h"

namespace moeprof::analyzer {

using namespace report_detail;

namespace {

const char* SeverityColor(Severity s) {
  switch (s) {
    case Severity::kHigh: return "\x1b[1;31m";
    case Severity::kWarn: return "\x1b[33m";
    case Severity::kInfo: return "\x1b[2m";
  }
  return "";
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return s;
}

// A labelled field: "   cost    4.63 ms, ..." with continuation lines under the value.
std::string Field(const char* label, const std::string& value, int width) {
  const std::string prefix = fmt::format("   {:<8}", label);
  return WrapText(value, width, prefix, static_cast<int>(prefix.size()));
}

}  // namespace

std::string RenderReportText(const Report& report, const TextStyle& style) {
  const int width = style.width > 40 ? style.width : 40;
  const auto bold = [&](const std::string& s) { return style.color ? "\x1b[1m" + s + "\x1b[0m" : s; };
  std::string out;

  // Header.
  const int64_t steps = MaxSteps(report);
  std::string head = fmt::format("moeprof report · {} rank{} · ", report.ranks.size(),
                                 report.ranks.size() == 1 ? "" : "s");
  if (steps == 0) {
    head += "no steps found";
  } else {
    head += fmt::format("{} step{} analyzed", steps, steps == 1 ? "" : "s");
    if (report.first_step || report.last_step) {
      head += fmt::format(" (--steps {}:{})", report.first_step ? std::to_string(*report.first_step) : "",
                          report.last_step ? std::to_string(*report.last_step) : "");
    }
    head += " · median step " + FormatDuration(RunMedianStep(report));
  }
  std::string head_lines = WrapText(TerminalSafe(head), width, "", 2);
  head_lines.pop_back();  // the newline goes after the colour reset
  out += bold(head_lines) + "\n";
  std::string inputs;
  for (const std::string& in : report.inputs) inputs += (inputs.empty() ? "" : ", ") + TerminalSafe(in);
  out += WrapText(inputs, width, "inputs: ", 8);

  // Per-rank table (all ranks; the columns fit 80).
  if (!report.ranks.empty()) {
    out += "\n" + bold("Per rank") + " (share of the analyzed time, HTA definitions)\n";
    out += "  rank  steps  median step  compute  non-comp.    idle  comm overlap\n";
    for (const RankReport& r : report.ranks) {
      out += fmt::format("  {:>4}  {:>5}  {:>11}  {:>7}  {:>9}  {:>6}  {:>12}\n", r.rank, r.steps,
                         r.steps ? FormatDuration(r.step_median_ns) : "-", PctText(r.compute_pct),
                         PctText(r.non_compute_pct), PctText(r.idle_pct),
                         r.comm_ns > 0 ? PctText(r.comm_overlap_pct) : "no comm");
    }
    const std::vector<ClassShare> classes = AllRankClasses(report);
    if (!classes.empty()) {
      std::string line;
      size_t shown = 0;
      for (const ClassShare& c : classes) {
        if (shown == 8) break;
        line += (shown ? ", " : "") + c.cls + " " + PctText(c.pct);
        ++shown;
      }
      out += WrapText(line, width, report.ranks.size() == 1 ? "  kernel time: " : "  kernel time (all ranks): ",
                      4);
    }
  }

  // Findings.
  out += "\n";
  int over = 0;
  for (const Finding& f : report.findings) over += IsOverAnyBar(f, report.fail_on) ? 1 : 0;
  if (report.findings.empty()) {
    out += bold("No findings") + ": no rule found anything worth reporting in these steps.\n";
  } else {
    std::string h = fmt::format("{} finding{}, worst first", report.findings.size(),
                                report.findings.size() == 1 ? "" : "s");
    if (!report.fail_on.empty()) h += fmt::format(" · {} over a --fail-on bar", over);
    out += bold(h) + "\n";
  }
  int n = 0;
  for (const Finding& f : report.findings) {
    ++n;
    const std::string sev = Upper(SeverityName(f.severity));
    const bool fails = IsOverAnyBar(f, report.fail_on);
    const std::string prefix = fmt::format("\n{:>2}. {:<4} ", n, sev);
    std::string title = f.rule + ": " + FoldLongGroups(TerminalSafe(f.title));
    if (fails) title += " [over --fail-on]";
    std::string block = WrapText(title, width, prefix, static_cast<int>(prefix.size()) - 1);
    if (style.color) {
      const size_t at = block.find(sev);  // the first occurrence is the tag (prefix comes first)
      block.replace(at, sev.size(), std::string(SeverityColor(f.severity)) + sev + "\x1b[0m");
    }
    out += block;
    std::string where = RanksText(f.ranks);
    if (!f.steps.empty()) where += " · " + StepsText(f.steps);
    if (!f.location.empty()) where += " · " + FoldLongGroups(TerminalSafe(f.location));
    out += Field("where", where, width);
    out += Field("cost", FormatDuration(f.cost_ns) + ", " + PctText(f.cost_pct) + " of step time", width);
    std::string saving = FormatDuration(f.saving_ns);
    if (!f.saving_method.empty()) saving += " — " + TerminalSafe(f.saving_method);
    out += Field("saving", saving, width);
    if (!f.fix.empty()) out += Field("fix", TerminalSafe(f.fix), width);
  }
  return out;
}

}  // namespace moeprof::analyzer

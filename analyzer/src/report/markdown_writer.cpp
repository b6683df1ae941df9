// The markdown report, for a pull-request comment: a headline, a findings table (one row per
// finding, worst first) and a collapsible block per finding with where/cost/saving/fix, then the
// per-rank breakdown. Trace strings go through MarkdownInline in markdown context and XmlEscape
// inside HTML (<summary>), where markdown escapes would show literally.
#include <fmt/format.h>

#include <string>

#include "format_util.h"
#include "moeprof/analyzer/report.h"
#include "moeprof/analyzer/units.h"

namespace moeprof::analyzer {

using namespace report_detail;

std::string RenderReportMarkdown(const Report& report) {
  std::string out = "## moeprof report\n\n";
  const int64_t steps = MaxSteps(report);
  int over = 0;
  for (const Finding& f : report.findings) over += IsOverAnyBar(f, report.fail_on) ? 1 : 0;
  out += fmt::format("**{} rank{}** · **{} step{}** analyzed · median step **{}** · **{} finding{}**",
                     report.ranks.size(), report.ranks.size() == 1 ? "" : "s", steps,
                     steps == 1 ? "" : "s", FormatDuration(RunMedianStep(report)),
                     report.findings.size(), report.findings.size() == 1 ? "" : "s");
  if (!report.fail_on.empty()) {
    out += over > 0 ? fmt::format(" · **{} over a `--fail-on` bar** (fails)", over)
                    : std::string(" · none over a `--fail-on` bar (passes)");
  }
  out += "\n\n";

  if (!report.findings.empty()) {
    out += "| # | severity | rule | where | cost | % of step | est. saving |\n";
    out += "|---:|---|---|---|---:|---:|---:|\n";
    int n = 0;
    for (const Finding& f : report.findings) {
      ++n;
      std::string where = RanksText(f.ranks);
      if (!f.steps.empty()) where += ", " + StepsText(f.steps);
      if (!f.location.empty()) where += ": " + FoldLongGroups(f.location);
      std::string sev = SeverityName(f.severity);
      if (f.severity == Severity::kHigh) sev = "**high**";
      if (IsOverAnyBar(f, report.fail_on)) sev += " ✗";
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", n, sev, MarkdownInline(f.rule),
                         MarkdownInline(where), FormatDuration(f.cost_ns), PctText(f.cost_pct),
                         FormatDuration(f.saving_ns));
    }
    out += "\n";
    n = 0;
    for (const Finding& f : report.findings) {
      ++n;
      out += fmt::format("<details><summary>{}. {} — {}</summary>\n\n", n, XmlEscape(f.rule),
                         XmlEscape(f.title));
      std::string where = RanksText(f.ranks);
      if (!f.steps.empty()) where += ", " + StepsText(f.steps);
      out += "- **where:** " + MarkdownInline(where);
      if (!f.location.empty()) out += " — " + MarkdownInline(f.location);
      out += "\n";
      out += fmt::format("- **cost:** {} ({} of step time)\n", FormatDuration(f.cost_ns), PctText(f.cost_pct));
      out += "- **estimated saving:** " + FormatDuration(f.saving_ns);
      if (!f.saving_method.empty()) out += " — " + MarkdownInline(f.saving_method);
      out += "\n";
      if (!f.fix.empty()) out += "- **fix:** " + MarkdownInline(f.fix) + "\n";
      out += "\n</details>\n\n";
    }
  } else {
    out += "No findings.\n\n";
  }

  if (!report.ranks.empty()) {
    out += "<details><summary>Per-rank breakdown</summary>\n\n";
    out += "| rank | steps | median step | compute | non-compute | idle | comm overlap |\n";
    out += "|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const RankReport& r : report.ranks) {
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", r.rank, r.steps,
                         r.steps ? FormatDuration(r.step_median_ns) : "-", PctText(r.compute_pct),
                         PctText(r.non_compute_pct), PctText(r.idle_pct),
                         r.comm_ns > 0 ? PctText(r.comm_overlap_pct) : "no comm");
    }
    const std::vector<ClassShare> classes = AllRankClasses(report);
    if (!classes.empty()) {
      out += "\nKernel time by class: ";
      for (size_t i = 0; i < classes.size() && i < 8; ++i) {
        out += (i ? ", " : "") + MarkdownInline(classes[i].cls) + " " + PctText(classes[i].pct);
      }
      out += "\n";
    }
    out += "\n</details>\n";
  }
  return out;
}

}  // namespace moeprof::analyzer

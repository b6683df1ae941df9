// Rendering a DiffResult as text (80 columns), markdown (PR comment) and JSON ("moeprof-diff/1").
// Trace strings are escaped for each format, as in the report writers.
#include <fmt/format.h>

#include <cmath>
#include <string>

#include "moeprof/analyzer/diff.h"
#include "moeprof/analyzer/json_writer.h"
#include "moeprof/analyzer/units.h"

namespace moeprof::analyzer {

namespace {

std::string Change(const DiffRow& r) {
  if (r.base_ns == r.new_ns) return "=";
  if (std::isinf(r.change_pct)) return "new";
  return fmt::format("{:+.1f} %", r.change_pct);
}

std::string Ranks(const std::vector<int>& ranks) {
  std::string s;
  for (int r : ranks) {
    if (!s.empty()) s += ',';
    s += std::to_string(r);
  }
  return s.empty() ? "-" : s;
}

std::string Verdict(const DiffResult& d) {
  if (!d.fail_pct) return "";
  return d.regressed ? fmt::format("REGRESSED (over {:g} %)", *d.fail_pct)
                     : fmt::format("no regression over {:g} %", *d.fail_pct);
}

}  // namespace

std::string RenderDiffText(const DiffResult& d, const TextStyle& style) {
  const int width = style.width > 40 ? style.width : 40;
  std::string out;
  auto inputs = [](const RunDigest& r) {
    std::string s;
    for (const std::string& i : r.inputs) {
      if (!s.empty()) s += ", ";
      s += TerminalSafe(i);
    }
    return s;
  };
  out += WrapText(inputs(d.base), width, "base  ", 6);
  out += WrapText(inputs(d.next), width, "new   ", 6);
  out += fmt::format("steps {} -> {} · ranks {} -> {}\n\n", d.base.steps, d.next.steps, d.base.ranks,
                     d.next.ranks);
  const auto row = [&](const DiffRow& r, const std::string& label) {
    std::string l = TerminalSafe(label);
    if (l.size() > 28) {
      l.resize(27);
      l += '~';
    }
    std::string flag = r.regressed ? "  REGRESSED" : "";
    if (r.regressed && style.color) flag = "  \x1b[1;31mREGRESSED\x1b[0m";
    return fmt::format("  {:<28} {:>11} {:>11} {:>9}{}\n", l, FormatDuration(r.base_ns),
                       FormatDuration(r.new_ns), Change(r), flag);
  };
  out += fmt::format("  {:<28} {:>11} {:>11} {:>9}\n", "per step", "base", "new", "change");
  out += row(d.step, "median step time");
  out += "\n  rule cost per step\n";
  for (const DiffRow& r : d.rules) out += row(r, r.key);
  out += "\n  kernel time per step, by class\n";
  for (const DiffRow& r : d.classes) out += row(r, r.key);
  const auto list = [&](const char* head, const std::vector<FindingChange>& v) {
    out += fmt::format("\n{} ({})\n", head, v.size());
    for (const FindingChange& c : v) {
      out += WrapText(fmt::format("{} [{}] rank {} · {} · {}", c.finding.rule, SeverityName(c.finding.severity),
                                  Ranks(c.finding.ranks), FormatDuration(c.finding.cost_ns),
                                  TerminalSafe(c.finding.title)),
                      width, "  - ", 4);
    }
  };
  list("New findings", d.new_findings);
  list("Gone findings", d.gone_findings);
  if (d.fail_pct) out.append("\n").append(Verdict(d)).append("\n");
  return out;
}

std::string RenderDiffMarkdown(const DiffResult& d) {
  std::string out = "## moeprof diff\n\n";
  if (d.fail_pct) out.append("**").append(Verdict(d)).append("**\n\n");
  out += "| per step | base | new | change |\n|---|---:|---:|---:|\n";
  const auto row = [&](const DiffRow& r, const std::string& label) {
    return fmt::format("| {} | {} | {} | {}{} |\n", MarkdownInline(label), FormatDuration(r.base_ns),
                       FormatDuration(r.new_ns), Change(r), r.regressed ? " ✗" : "");
  };
  out += row(d.step, "median step time");
  for (const DiffRow& r : d.rules) out += row(r, fmt::format("rule {}", r.key));
  out += "\n<details><summary>Kernel time per step, by class</summary>\n\n";
  out += "| class | base | new | change |\n|---|---:|---:|---:|\n";
  for (const DiffRow& r : d.classes) out += row(r, r.key);
  out += "\n</details>\n";
  const auto list = [&](const char* head, const std::vector<FindingChange>& v) {
    out += fmt::format("\n**{}** ({})\n\n", head, v.size());
    for (const FindingChange& c : v) {
      out += fmt::format("- {} ({}), rank {}, {}: {}\n", MarkdownInline(c.finding.rule),
                         SeverityName(c.finding.severity), Ranks(c.finding.ranks),
                         FormatDuration(c.finding.cost_ns), MarkdownInline(c.finding.title));
    }
  };
  list("New findings", d.new_findings);
  list("Gone findings", d.gone_findings);
  return out;
}

std::string RenderDiffJson(const DiffResult& d) {
  std::string out;
  JsonWriter j(out);
  const auto row = [&](const DiffRow& r) {
    j.BeginObject();
    j.Key("key").String(r.key);
    j.Key("base_ns").Int(r.base_ns);
    j.Key("new_ns").Int(r.new_ns);
    if (std::isinf(r.change_pct)) {
      j.Key("change_pct").Null();  // from zero: no finite percentage
    } else {
      j.Key("change_pct").Double(r.change_pct);
    }
    j.Key("regressed").Bool(r.regressed);
    j.EndObject();
  };
  const auto digest = [&](const RunDigest& r) {
    j.BeginObject();
    j.Key("inputs").BeginArray();
    for (const std::string& i : r.inputs) j.String(i);
    j.EndArray();
    j.Key("ranks").Int(r.ranks);
    j.Key("steps").Int(r.steps);
    j.Key("median_step_ns").Int(r.median_step_ns);
    j.EndObject();
  };
  const auto findings = [&](const std::vector<FindingChange>& v) {
    j.BeginArray();
    for (const FindingChange& c : v) {
      j.BeginObject();
      j.Key("key").String(c.key);
      j.Key("rule").String(c.finding.rule);
      j.Key("severity").String(SeverityName(c.finding.severity));
      j.Key("title").String(c.finding.title);
      j.Key("location").String(c.finding.location);
      j.Key("ranks").BeginArray();
      for (int r : c.finding.ranks) j.Int(r);
      j.EndArray();
      j.Key("cost_ns").Int(c.finding.cost_ns);
      j.EndObject();
    }
    j.EndArray();
  };
  j.BeginObject();
  j.Key("schema").String("moeprof-diff/1");
  j.Key("base");
  digest(d.base);
  j.Key("new");
  digest(d.next);
  j.Key("step_time");
  row(d.step);
  j.Key("rules").BeginArray();
  for (const DiffRow& r : d.rules) row(r);
  j.EndArray();
  j.Key("kernel_classes").BeginArray();
  for (const DiffRow& r : d.classes) row(r);
  j.EndArray();
  j.Key("new_findings");
  findings(d.new_findings);
  j.Key("gone_findings");
  findings(d.gone_findings);
  if (d.fail_pct) {
    j.Key("fail_on_regression_pct").Double(*d.fail_pct);
  } else {
    j.Key("fail_on_regression_pct").Null();
  }
  j.Key("regressed").Bool(d.regressed);
  j.EndObject();
  return out;
}

}  // namespace moeprof::analyzer

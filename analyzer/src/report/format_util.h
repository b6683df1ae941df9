// Small formatting pieces the report writers share, so the same finding reads the same in every
// format: id lists as ranges ("1-3, 7"), percentages, and the severity-ordered rule summary.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "moeprof/analyzer/report.h"
#include "moeprof/analyzer/rules.h"

namespace moeprof::analyzer::report_detail {

// Sorted, deduplicated ids as ranges: {1,2,3,7} -> "1-3, 7".
template <typename T>
std::string IdRanges(std::vector<T> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::string out;
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += j == i ? fmt::format("{}", ids[i])
                  : fmt::format("{}{}{}", ids[i], j == i + 1 ? ", " : "-", ids[j]);
    i = j + 1;
  }
  return out;
}

// Demangled kernel names run to hundreds of characters of template arguments; in a terminal or a
// table the nested argument lists are folded ("kernel<…>(…)") so a finding stays a few lines. Groups of up
// to 24 characters ("(anonymous namespace)") stay. JSON, JUnit and markdown details keep the full name.
inline std::string FoldLongGroups(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const char open = s[i];
    if (open != '<' && open != '(') {
      out.push_back(open);
      continue;
    }
    const char close = open == '<' ? '>' : ')';
    int depth = 0;
    size_t j = i;
    for (; j < s.size(); ++j) {
      if (s[j] == open) ++depth;
      if (s[j] == close && --depth == 0) break;
    }
    if (j < s.size() && j - i - 1 > 24) {
      out += open;
      out += "\u2026";
      out += close;
      i = j;
    } else {
      out.push_back(open);
    }
  }
  return out;
}

inline std::string PctText(double pct) { return fmt::format("{:.1f} %", pct); }

// "rank 0" / "ranks 0-3"
inline std::string RanksText(const std::vector<int>& ranks) {
  if (ranks.empty()) return "all ranks";
  return (ranks.size() == 1 ? "rank " : "ranks ") + IdRanges(ranks);
}

inline std::string StepsText(const std::vector<int64_t>& steps) {
  if (steps.empty()) return "";
  return (steps.size() == 1 ? "step " : "steps ") + IdRanges(steps);
}

// Per rule: its findings, worst severity, total cost, whether any is over a --fail-on bar.
struct RuleSummary {
  const RuleInfo* info = nullptr;
  int findings = 0;
  int over_bar = 0;
  Severity worst = Severity::kInfo;
  int64_t cost_ns = 0, saving_ns = 0;
};

inline std::vector<RuleSummary> SummarizeRules(const Report& report) {
  std::vector<RuleSummary> out;
  for (const RuleInfo& r : AllRules()) {
    RuleSummary s;
    s.info = &r;
    for (const Finding& f : report.findings) {
      if (f.rule != r.id) continue;
      if (s.findings == 0 || f.severity > s.worst) s.worst = f.severity;
      ++s.findings;
      s.over_bar += IsOverAnyBar(f, report.fail_on) ? 1 : 0;
      s.cost_ns += f.cost_ns;
      s.saving_ns += f.saving_ns;
    }
    out.push_back(s);
  }
  return out;
}

inline int64_t RunMedianStep(const Report& report) {
  std::vector<int64_t> v;
  for (const RankReport& r : report.ranks) {
    if (r.steps > 0) v.push_back(r.step_median_ns);
  }
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

inline int64_t MaxSteps(const Report& report) {
  int64_t m = 0;
  for (const RankReport& r : report.ranks) m = std::max(m, r.steps);
  return m;
}

// Kernel-class time over every rank, as a share of all ranks' analyzed time.
inline std::vector<ClassShare> AllRankClasses(const Report& report) {
  std::map<std::string, int64_t> ns;
  int64_t total = 0;
  for (const RankReport& r : report.ranks) {
    total += r.analyzed_ns;
    for (const ClassShare& c : r.classes) ns[c.cls] += c.ns;
  }
  std::vector<ClassShare> out;
  for (const auto& [cls, v] : ns) {
    out.push_back({cls, v, total > 0 ? 100.0 * static_cast<double>(v) / static_cast<double>(total) : 0.0});
  }
  std::stable_sort(out.begin(), out.end(), [](const ClassShare& a, const ClassShare& b) { return a.ns > b.ns; });
  return out;
}

}  // namespace moeprof::analyzer::report_detail

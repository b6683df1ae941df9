// `moeprof report`: what the findings and per-rank breakdowns of a run look like to people (text
// for an 80-column terminal, markdown for a pull-request comment) and to programs (JSON, schema
// "moeprof-report/1" in docs/REPORT-JSON.md; JUnit XML, one test case per rule). Building the
// report (BuildReport) is separate from rendering it, so every format prints the same figures.
// Every string that comes from a trace is escaped for the format it lands in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "moeprof/analyzer/finding.h"
#include "moeprof/analyzer/model.h"
#include "moeprof/schemas/status.h"

namespace moeprof::analyzer {

enum class ReportFormat : uint8_t { kText, kMarkdown, kJson, kJunit };
const char* ReportFormatName(ReportFormat f);  // "text", "markdown", "json", "junit"
bool ParseReportFormat(std::string_view name, ReportFormat& out);

// A --fail-on bar: findings of `rule` ("any" = every rule) at `severity` or worse fail the run.
struct FailOn {
  std::string rule = "any";
  Severity severity = Severity::kWarn;
};
// "RULE[:SEVERITY]"; RULE is a rule id from AllRules() or "any"; SEVERITY info|warn|high (default
// warn). Errors say what was wrong and list the valid choices.
Expected<FailOn> ParseFailOn(std::string_view spec);
bool IsOverBar(const Finding& f, const FailOn& bar);
bool IsOverAnyBar(const Finding& f, const std::vector<FailOn>& bars);

struct ClassShare {
  std::string cls;   // kernel class name (gemm, grouped_gemm, ...)
  int64_t ns = 0;    // union of the class's kernels over the analyzed steps
  double pct = 0;    // of the analyzed step time
};

// One rank's summary over its analyzed steps (breakdowns with HTA's definitions, breakdown.h).
struct RankReport {
  int rank = 0;
  std::string path;
  int64_t steps = 0;
  std::string step_source;       // nvtx, step table's source, inferred, whole_trace
  int64_t step_median_ns = 0;
  int64_t analyzed_ns = 0;       // Σ step durations
  int64_t kernels = 0;           // kernels inside the analyzed steps
  double compute_pct = 0, non_compute_pct = 0, idle_pct = 0;  // of the analyzed span
  int64_t comm_ns = 0;
  double comm_overlap_pct = 0;   // |comm ∩ compute| / |comm|
  std::vector<ClassShare> classes;  // by time, largest first
};

struct Report {
  std::string version;              // moeprof version that wrote it
  std::vector<std::string> inputs;  // as given on the command line
  std::optional<int64_t> first_step, last_step;  // --steps
  std::vector<RankReport> ranks;
  std::vector<Finding> findings;    // worst first: severity, then RunRules order (saving, cost)
  std::vector<FailOn> fail_on;
};

// Per-rank summaries from `run` plus the findings (kept in their order).
Report BuildReport(const Run& run, std::vector<Finding> findings, std::vector<std::string> inputs,
                   const LoadOptions& load, std::vector<FailOn> fail_on);

// Median step duration over all ranks' analyzed steps (0 without steps).
int64_t MedianStepNs(const Run& run);

// Whether any finding is over a --fail-on bar (the exit code 1 condition).
bool ReportFails(const Report& report);

struct TextStyle {
  int width = 80;      // wrap column
  bool color = false;  // ANSI colours (the CLI sets it for a tty without NO_COLOR)
};

std::string RenderReportText(const Report& report, const TextStyle& style = {});
std::string RenderReportMarkdown(const Report& report);
std::string RenderReportJson(const Report& report);
std::string RenderReportJunit(const Report& report);
std::string RenderReport(const Report& report, ReportFormat format, const TextStyle& style = {});

// ---- escaping, one per output format (public for tests) ----------------------------------------

// For a terminal: drops C0 and C1 control characters (ESC, so no escape sequence survives), DEL,
// and bidirectional-override characters; tabs and newlines become spaces; invalid UTF-8 becomes
// U+FFFD.
std::string TerminalSafe(std::string_view s);
// For markdown inline text and table cells (never at the start of a line): backslash-escapes the
// punctuation that acts mid-line (\ ` * _ [ ] | ~), writes < > & as HTML entities (no raw HTML
// from a trace), newlines become spaces, control characters are dropped.
std::string MarkdownInline(std::string_view s);
// For XML (and HTML) attribute values and text: & < > " ' as entities, tab/newline/CR as
// character references; characters XML 1.0 forbids (other C0 controls, U+FFFE/U+FFFF) and those it
// discourages (DEL, C1 controls) and bidi overrides are dropped; invalid UTF-8 becomes U+FFFD.
std::string XmlEscape(std::string_view s);

// Word wrap with a hanging indent: the first line starts after `first_prefix`, the rest after
// `indent` spaces; words longer than a line are broken. Every line ends with '\n'.
std::string WrapText(std::string_view text, int width, std::string_view first_prefix, int indent);

}  // namespace moeprof::analyzer

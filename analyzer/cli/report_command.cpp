// `moeprof report`: parses the options, loads the run (LoadRun: files, run directories, foreign
// formats imported on the fly), runs the rules, builds the report and prints it in the chosen
// format. Exit codes: 0 fine, 1 a finding over a --fail-on bar, 2 bad usage or an input that
// cannot be read (the message names the file).
#include "report_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

#include "moeprof/analyzer/model.h"
#include "moeprof/analyzer/report.h"
#include "moeprof/analyzer/rules.h"

namespace moeprof::cli {
namespace {

struct ReportArgs {
  std::vector<std::string> inputs;
  std::string format = "text";
  std::vector<std::string> fail_on;
  std::string steps;
  std::string rules;
  std::string output;
};

bool ParseInt(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

int RunReport(const ReportArgs& args) {
  analyzer::ReportFormat format;
  if (!analyzer::ParseReportFormat(args.format, format)) {
    fmt::print(stderr, "moeprof: --format {}: unknown format (one of: text, markdown, json, junit)\n",
               args.format);
    return 2;
  }
  std::vector<analyzer::FailOn> bars;
  for (const std::string& spec : args.fail_on) {
    auto bar = analyzer::ParseFailOn(spec);
    if (!bar) {
      fmt::print(stderr, "moeprof: {}\n", bar.status().message());
      return 2;
    }
    bars.push_back(*bar);
  }
  analyzer::LoadOptions load;
  if (!args.steps.empty() && !ParseStepRange(args.steps, load.first_step, load.last_step)) {
    fmt::print(stderr, "moeprof: --steps {}: expected A:B, A:, :B or N (step numbers, A <= B)\n",
               args.steps);
    return 2;
  }
  analyzer::RuleOptions rule_options;
  if (!args.rules.empty()) {
    load.rules_file = args.rules;
    const Status st = analyzer::LoadRuleOptions(args.rules, rule_options);
    if (!st.ok()) {
      fmt::print(stderr, "moeprof: {}\n", st.message());
      return 2;
    }
  }
  auto run = analyzer::LoadRun(args.inputs, load);
  if (!run) {
    fmt::print(stderr, "moeprof: {}\n", run.status().message());
    return 2;
  }
  std::vector<analyzer::Finding> findings = analyzer::RunRules(*run, rule_options);
  const analyzer::Report report =
      analyzer::BuildReport(*run, std::move(findings), args.inputs, load, std::move(bars));
  analyzer::TextStyle style;
  const bool to_stdout = args.output.empty() || args.output == "-";
  style.color = to_stdout && StdoutWantsColor();
  const std::string error = WriteOutput(args.output, analyzer::RenderReport(report, format, style));
  if (!error.empty()) {
    fmt::print(stderr, "moeprof: {}\n", error);
    return 2;
  }
  return analyzer::ReportFails(report) ? 1 : 0;
}

}  // namespace

bool ParseStepRange(const std::string& spec, std::optional<int64_t>& first, std::optional<int64_t>& last) {
  const size_t colon = spec.find(':');
  int64_t a = 0, b = 0;
  if (colon == std::string::npos) {
    if (!ParseInt(spec, a)) return false;
    first = last = a;
    return true;
  }
  const std::string_view sa = std::string_view(spec).substr(0, colon);
  const std::string_view sb = std::string_view(spec).substr(colon + 1);
  if (sa.empty() && sb.empty()) return false;
  if (!sa.empty()) {
    if (!ParseInt(sa, a)) return false;
    first = a;
  }
  if (!sb.empty()) {
    if (!ParseInt(sb, b)) return false;
    last = b;
  }
  return !(first && last && *first > *last);
}

std::string WriteOutput(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return "";
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return path + ": cannot write: " + std::strerror(errno);
  f << text;
  f.close();
  if (!f) return path + ": cannot write: " + std::strerror(errno);
  return "";
}

bool StdoutWantsColor() {
  if (!::isatty(STDOUT_FILENO)) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  return !(term != nullptr && std::strcmp(term, "dumb") == 0);
}

void RegisterReportCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Analyze traces: bottlenecks worst first, with cost, estimated saving and fix");
  cmd->add_option("inputs", args->inputs,
                  "Trace files, run directories (one trace per rank), Kineto JSON or Nsight Systems "
                  "SQLite exports")
      ->required()
      ->type_name("PATH");
  cmd->add_option("--format", args->format, "Output format: text, markdown, json, junit")
      ->capture_default_str();
  cmd->add_option("--fail-on", args->fail_on,
                  "Exit 1 when a finding of RULE (or any) is at SEVERITY (default warn) or worse; "
                  "repeatable")
      ->type_name("RULE[:SEVERITY]");
  cmd->add_option("--steps", args->steps, "Analyze only steps A to B (inclusive)")->type_name("A:B");
  cmd->add_option("--rules", args->rules,
                  "TOML file with rule thresholds ([rule.<id>]) and kernel classification rules")
      ->type_name("FILE");
  cmd->add_option("-o,--output", args->output, "Write the report to FILE instead of stdout")
      ->type_name("FILE");
  cmd->callback([args, &exit_code] { exit_code = RunReport(*args); });
}

}  // namespace moeprof::cli

// `moeprof diff BASE NEW`: loads each run in turn (only one is in memory at a time), runs the
// rules, reduces it to a RunDigest, compares the two and prints the comparison. Exit 1 when the
// median step time or a rule's cost per step regressed by more than --fail-on-regression PCT.
#include "diff_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "moeprof/analyzer/diff.h"
#include "moeprof/analyzer/model.h"
#include "moeprof/analyzer/rules.h"
#include "report_command.h"

namespace moeprof::cli {
namespace {

struct DiffArgs {
  std::string base, next;
  std::string format = "text";
  std::optional<double> fail_pct;
  std::string steps;
  std::string rules;
  std::string output;
};

Expected<analyzer::RunDigest> Digest(const std::string& input, const analyzer::LoadOptions& load,
                                     const analyzer::RuleOptions& rule_options) {
  auto run = analyzer::LoadRun({input}, load);
  if (!run) return run.status();
  const std::vector<analyzer::Finding> findings = analyzer::RunRules(*run, rule_options);
  return analyzer::DigestRun(*run, findings, {input});
}

int RunDiff(const DiffArgs& args) {
  analyzer::ReportFormat format;
  if (!analyzer::ParseReportFormat(args.format, format) || format == analyzer::ReportFormat::kJunit) {
    fmt::print(stderr, "moeprof: --format {}: unknown format for diff (one of: text, markdown, json)\n",
               args.format);
    return 2;
  }
  if (args.fail_pct && *args.fail_pct < 0) {
    fmt::print(stderr, "moeprof: --fail-on-regression must be a percentage >= 0\n");
    return 2;
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
  auto base = Digest(args.base, load, rule_options);
  if (!base) {
    fmt::print(stderr, "moeprof: {}\n", base.status().message());
    return 2;
  }
  auto next = Digest(args.next, load, rule_options);
  if (!next) {
    fmt::print(stderr, "moeprof: {}\n", next.status().message());
    return 2;
  }
  const analyzer::DiffResult diff =
      analyzer::ComputeDiff(std::move(*base), std::move(*next), args.fail_pct);
  std::string text;
  analyzer::TextStyle style;
  style.color = (args.output.empty() || args.output == "-") && StdoutWantsColor();
  switch (format) {
    case analyzer::ReportFormat::kMarkdown: text = analyzer::RenderDiffMarkdown(diff); break;
    case analyzer::ReportFormat::kJson: text = analyzer::RenderDiffJson(diff); break;
    default: text = analyzer::RenderDiffText(diff, style); break;
  }
  const std::string error = WriteOutput(args.output, text);
  if (!error.empty()) {
    fmt::print(stderr, "moeprof: {}\n", error);
    return 2;
  }
  return diff.regressed ? 1 : 0;
}

}  // namespace

void RegisterDiffCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<DiffArgs>();
  CLI::App* cmd = app.add_subcommand(
      "diff", "Compare two runs: step time, kernel time by class, rule costs, new and gone findings");
  cmd->add_option("base", args->base, "The baseline run (trace file or run directory)")
      ->required()
      ->type_name("BASE");
  cmd->add_option("new", args->next, "The run to compare with it")->required()->type_name("NEW");
  cmd->add_option("--format", args->format, "Output format: text, markdown, json")->capture_default_str();
  cmd->add_option("--fail-on-regression", args->fail_pct,
                  "Exit 1 when the median step time or a rule's cost per step grew by more than PCT %")
      ->type_name("PCT");
  cmd->add_option("--steps", args->steps, "Compare only steps A to B of both runs")->type_name("A:B");
  cmd->add_option("--rules", args->rules, "TOML file with rule thresholds and kernel rules")
      ->type_name("FILE");
  cmd->add_option("-o,--output", args->output, "Write to FILE instead of stdout")->type_name("FILE");
  cmd->callback([args, &exit_code] { exit_code = RunDiff(*args); });
}

}  // namespace moeprof::cli

// Entry point of the `moeprof` command-line tool: builds the CLI11 app, lets each subcommand
// register itself, parses, and turns the outcome into the exit code (0 fine, 1 findings over a
// --fail-on bar, 2 bad usage or unreadable input). The only place that ends the process.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "diff_command.h"
#include "export_command.h"
#include "import_command.h"
#include "classify_command.h"
#include "info_command.h"
#include "record_command.h"
#include "report_command.h"
#include "moeprof/analyzer/version.h"

int main(int argc, char** argv) {
  CLI::App app{"moeprof: profiler and bottleneck analyzer for mixture-of-experts training",
               "moeprof"};
  app.set_version_flag("--version", std::string("moeprof ") + moeprof::analyzer::Version());
  app.require_subcommand(1);

  int exit_code = 0;
  // One registration per subcommand.
  moeprof::cli::RegisterInfoCommand(app, exit_code);
  moeprof::cli::RegisterClassifyCommand(app, exit_code);
  moeprof::cli::RegisterRecordCommand(app, exit_code);
  moeprof::cli::RegisterReportCommand(app, exit_code);
  moeprof::cli::RegisterDiffCommand(app, exit_code);
  moeprof::cli::RegisterImportCommand(app, exit_code);
  moeprof::cli::RegisterExportCommand(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive as "errors" with exit code 0; CLI11 prints them.
    if (e.get_exit_code() == 0) return app.exit(e);
    fmt::print(stderr, "moeprof: {}\nRun 'moeprof --help' for usage.\n", e.what());
    return 2;
  }
  return exit_code;
}

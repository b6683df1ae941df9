// `moeprof record`: argument parsing and printing around analyzer::RunRecorded. Everything after
// `--` is the command, passed through untouched.
#include "record_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "moeprof/analyzer/record.h"

namespace moeprof::cli {

void RegisterRecordCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<analyzer::RecordOptions>();
  CLI::App* cmd = app.add_subcommand(
      "record", "Run a command with the collector injected; one trace file per CUDA process");
  cmd->add_option("-o,--output", options->output_dir, "Output directory (created if missing)")
      ->capture_default_str();
  cmd->add_option("--kinds", options->kinds,
                  "Activity kinds to record (comma list: kernel,memcpy,memset,sync,event,runtime,"
                  "driver,external,device,context,stream,overhead,graph); default: what the analyzer needs")
      ->delimiter(',');
  cmd->add_option("--flush-ms", options->flush_ms, "Flush and commit period in ms (default 500)")
      ->check(CLI::Range(10, 600000));
  cmd->add_flag("--graph-trace", options->graph_trace,
                "Record each CUDA graph launch as one record instead of its kernels");
  cmd->add_option("--inject-lib", options->inject_lib, "Path of libmoeprof_inject.so (default: found next to moeprof)");
  cmd->add_option("command", options->command, "The command to run, after --")->required();
  cmd->callback([options, &exit_code]() {
    auto result = analyzer::RunRecorded(*options);
    if (!result) {
      fmt::print(stderr, "moeprof: {}\n", result.status().message());
      exit_code = 2;
      return;
    }
    std::fflush(stdout);
    fmt::print(stderr, "{}", analyzer::SummarizeRecording(*result, options->output_dir));
    exit_code = result->exit_code;
  });
}

}  // namespace moeprof::cli

// `moeprof export FILE|DIR... --perfetto OUT.json`: writes traces (ours, or foreign ones through
// the import cache) as Chrome/Perfetto trace JSON for ui.perfetto.dev / chrome://tracing.
#include "export_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "moeprof/analyzer/perfetto_export.h"
#include "moeprof/analyzer/trace_inputs.h"

namespace moeprof::cli {
namespace {

struct ExportArgs {
  std::vector<std::string> inputs;
  std::string perfetto;
  bool quiet = false;
};

int RunExport(const ExportArgs& args) {
  if (args.perfetto.empty()) {
    fmt::print(stderr, "moeprof: export: say what to write: --perfetto OUT.json\n");
    return 2;
  }
  Expected<std::vector<std::string>> traces = analyzer::EnsureMoeprofTraces(args.inputs);
  if (!traces) {
    fmt::print(stderr, "moeprof: {}\n", traces.status().message());
    return 2;
  }
  analyzer::PerfettoStats stats;
  Status st = analyzer::ExportPerfetto(*traces, args.perfetto, &stats);
  if (!st.ok()) {
    fmt::print(stderr, "moeprof: {}\n", st.message());
    return 2;
  }
  if (!args.quiet) {
    fmt::print("wrote {}: {} events ({} kernels, {} memcpy, {} memset, {} API calls, {} NVTX, {} syncs, "
               "{} flows) from {} trace{}\n",
               args.perfetto, stats.events, stats.kernels, stats.memcpys, stats.memsets, stats.apis,
               stats.nvtx, stats.syncs, stats.flows, traces->size(), traces->size() == 1 ? "" : "s");
  }
  return 0;
}

}  // namespace

void RegisterExportCommand(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("export", "Write traces as Chrome/Perfetto trace JSON");
  auto args = std::make_shared<ExportArgs>();
  cmd->add_option("inputs", args->inputs, "Trace files or run directories (foreign traces are imported)")
      ->required()
      ->type_name("FILE|DIR");
  cmd->add_option("--perfetto", args->perfetto, "Chrome/Perfetto trace JSON to write")->type_name("OUT.json");
  cmd->add_flag("-q,--quiet", args->quiet, "Print nothing but errors");
  cmd->callback([args, &exit_code] { exit_code = RunExport(*args); });
}

}  // namespace moeprof::cli

// `moeprof record [-o DIR] [--kinds ...] [--flush-ms N] [--graph-trace] -- CMD ARGS...`:
// registers the subcommand that runs a program with the collector injected.
#pragma once

namespace CLI {
class App;
}

namespace moeprof::cli {

// Adds `record` to `app`; when it runs, `exit_code` becomes the recorded program's exit code, or
// 2 when the program could not be started.
void RegisterRecordCommand(CLI::App& app, int& exit_code);

}  // namespace moeprof::cli

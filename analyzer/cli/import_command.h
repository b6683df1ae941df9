// `moeprof import SRC... -o OUT` and `moeprof import --routing FILE.jsonl --into TRACE.sqlite`:
// registers the subcommand that converts foreign traces (PyTorch profiler JSON, Nsight Systems
// SQLite) into moeprof traces and attaches Megatron-LM routing traces.
#pragma once

namespace CLI {
class App;
}

namespace moeprof::cli {

// Adds `import` to `app`; its exit code (0, or 2 for bad usage/unreadable input) goes to
// `exit_code`, which must outlive app.parse().
void RegisterImportCommand(CLI::App& app, int& exit_code);

}  // namespace moeprof::cli

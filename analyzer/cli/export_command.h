// `moeprof export FILE|DIR... --perfetto OUT.json`: registers the subcommand that writes traces as
// Chrome/Perfetto trace JSON.
#pragma once

namespace CLI {
class App;
}

namespace moeprof::cli {

// Adds `export` to `app`; its exit code (0, or 2) goes to `exit_code`.
void RegisterExportCommand(CLI::App& app, int& exit_code);

}  // namespace moeprof::cli

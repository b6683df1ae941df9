// `moeprof info FILE|DIR...`: registers the subcommand that summarizes trace files.
#pragma once

namespace CLI {
class App;
}

namespace moeprof::cli {

// Adds `info` to `app`; when it runs, its exit code (0, or 2 for unreadable input) goes to
// `exit_code`, which must outlive app.parse().
void RegisterInfoCommand(CLI::App& app, int& exit_code);

}  // namespace moeprof::cli

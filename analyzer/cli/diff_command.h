// `moeprof diff BASE NEW`: registers the subcommand that compares two runs.
#pragma once

namespace CLI {
class App;
}

namespace moeprof::cli {

// Adds `diff` to `app`; exit code 0, 1 when --fail-on-regression is exceeded, 2 bad usage or
// unreadable input.
void RegisterDiffCommand(CLI::App& app, int& exit_code);

}  // namespace moeprof::cli

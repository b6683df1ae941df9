// `moeprof classify FILE|DIR... [--rules FILE] [--json] [--top N]`: registers the subcommand that
// lists kernel names grouped by class, so users can check and fix classification rules.
#pragma once

namespace CLI {
class App;
}

namespace moeprof::cli {

// Adds `classify` to `app`; its exit code (0, or 2 for unreadable input or a bad rules file)
// goes to `exit_code`, which must outlive app.parse().
void RegisterClassifyCommand(CLI::App& app, int& exit_code);

}  // namespace moeprof::cli

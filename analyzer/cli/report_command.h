// `moeprof report PATH...`: registers the subcommand that analyzes traces and prints the findings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace moeprof::cli {

// Adds `report` to `app`; its exit code (0 fine, 1 findings over a --fail-on bar, 2 bad usage or
// unreadable input) goes to `exit_code`, which must outlive app.parse().
void RegisterReportCommand(CLI::App& app, int& exit_code);

// Shared with `diff`: "A:B", "A:", ":B" or "N" -> first/last step (empty = open). False on bad
// syntax or A > B.
bool ParseStepRange(const std::string& spec, std::optional<int64_t>& first, std::optional<int64_t>& last);

// Writes `text` to `path` ("" or "-" = stdout). Returns an error message, "" on success.
std::string WriteOutput(const std::string& path, const std::string& text);

// Colour for text output on stdout: a terminal, NO_COLOR unset, TERM not "dumb".
bool StdoutWantsColor();

}  // namespace moeprof::cli

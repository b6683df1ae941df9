// Turns command-line inputs into trace files: a file stands for itself; a run directory stands
// for every *.sqlite / *.db file directly inside it (one per rank), sorted by name.
#pragma once

#include <string>
#include <vector>

#include "moeprof/schemas/status.h"

namespace moeprof::analyzer {

// True for names moeprof treats as traces inside a run directory (*.sqlite, *.db).
bool LooksLikeTraceFile(const std::string& name);

// Resolves one input. Errors (kNotFound) read "PATH: no such file or directory" and
// "PATH: directory contains no trace files (*.sqlite, *.db)".
Expected<std::vector<std::string>> ResolveTraceInput(const std::string& input);

// Resolves several inputs in order, keeping each resolved file once. Stops at the first error.
Expected<std::vector<std::string>> ResolveTraceInputs(const std::vector<std::string>& inputs);

}  // namespace moeprof::analyzer

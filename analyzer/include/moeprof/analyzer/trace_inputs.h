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

// Transparent import: like ResolveTraceInput, but foreign traces are accepted too. A PyTorch
// profiler (Kineto) JSON or an Nsight Systems SQLite export — given as a file, or found in a
// directory (*.json, *.json.gz, *.sqlite, *.db; detected from the bytes) — is imported once into
// the import cache and the cached moeprof trace(s) are returned in its place, so every command
// that reads traces reads foreign files too. A directory of Kineto rank files is one run.
// Files that are neither are returned as they are (the trace reader then says what is wrong).
// The cache lives in $MOEPROF_CACHE_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/moeprof/imports;
// an entry is keyed by the source's absolute path, size, mtime and the moeprof version, written
// under a temporary name and renamed when complete; a damaged or partial entry is rebuilt.
// Errors name the source file ("FILE: what is wrong").
Expected<std::vector<std::string>> EnsureMoeprofTraces(const std::string& input);
Expected<std::vector<std::string>> EnsureMoeprofTraces(const std::vector<std::string>& inputs);

// The import cache directory EnsureMoeprofTraces uses (not created by this call).
std::string ImportCacheDir();

}  // namespace moeprof::analyzer

// `moeprof record`: runs a command with the collector injected (CUDA_INJECTION64_PATH,
// NVTX_INJECTION64_PATH, NCCL_PROFILER_PLUGIN), forwards signals, returns the child's exit code,
// and summarizes the trace files the run wrote.
#pragma once

#include <string>
#include <vector>

#include "moeprof/schemas/status.h"

namespace moeprof::analyzer {

struct RecordOptions {
  std::string output_dir = "moeprof-trace";
  std::vector<std::string> kinds;  // empty: collector defaults
  int flush_ms = 0;                // 0: collector default
  bool graph_trace = false;
  std::string inject_lib;          // empty: search (see FindInjectionLibrary)
  std::vector<std::string> command;
};

// Finds libmoeprof_inject.so: `explicit_path`, then $MOEPROF_INJECT_LIB, then next to the moeprof
// executable, then ../lib relative to it, then the build tree this binary came from.
Expected<std::string> FindInjectionLibrary(const std::string& explicit_path);

// The environment the child runs with (parent environment plus the collector's variables).
std::vector<std::string> RecordEnvironment(const RecordOptions& options, const std::string& inject_lib,
                                           const std::string& output_dir_abs);

struct RecordResult {
  int exit_code = 0;                     // the child's exit code, 128+N when killed by signal N
  std::vector<std::string> trace_files;  // written during this run, sorted
};

// Runs options.command to completion. Errors only for problems before the child runs (no
// command, no injection library, output directory not creatable, exec failure).
Expected<RecordResult> RunRecorded(const RecordOptions& options);

// Human summary of the traces a run wrote: per file events per kind, drops, size; then the
// command to run next.
std::string SummarizeRecording(const RecordResult& result, const std::string& output_dir);

}  // namespace moeprof::analyzer

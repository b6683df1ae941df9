// Linked mode of the collector: programs that link moeprof_collector call Start() before their
// first CUDA call and Stop() before exit. The injection library (libmoeprof_inject.so) runs the
// same code from InitializeInjection. Nothing here throws; failures come back as Status and leave
// the host program running.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "moeprof/schemas/status.h"

namespace moeprof::collector {

struct Options {
  // Output: a directory (file name made from rank/host/pid) or, when it ends in .sqlite/.db, a file.
  std::string output = "moeprof-trace";
  // Activity kinds by name: kernel, memcpy, memset, sync, event, runtime, driver, external,
  // device, context, stream, overhead, graph. Empty = the defaults the analyzer needs.
  std::vector<std::string> kinds;
  bool graph_trace = false;         // record CUDA graph launches as one GRAPH_TRACE record
  int flush_period_ms = 500;        // periodic CUPTI flush and trace commit
  size_t buffer_bytes = 8u << 20;   // size of each activity buffer
  size_t max_buffer_memory = 512u << 20;  // cap on buffers held; beyond it records are dropped
  bool nvtx = true;                 // capture NVTX ranges, marks and routing marks
  bool quiet = false;               // no informational lines on stderr (errors still print once)
};

// Reads MOEPROF_* environment variables (set by `moeprof record`) into Options.
Options OptionsFromEnvironment();

// Starts collecting. Must run before the program's first CUDA call for full coverage.
Status Start(const Options& options);
// Flushes everything, writes the end clock pair, closes the trace. Safe to call twice.
Status Stop();
// True while collecting.
bool IsActive();
// Path of the trace file being written ("" when inactive).
std::string TracePath();

}  // namespace moeprof::collector

// `moeprof export --perfetto`: writes moeprof traces as Chrome trace JSON (the format Perfetto,
// chrome://tracing and PyTorch's profiler use), laid out the way Kineto writes it so the file also
// imports back through the Kineto importer with the same counts and times.
#pragma once

#include <string>
#include <vector>

#include "moeprof/analyzer/finding.h"
#include "moeprof/schemas/status.h"

namespace moeprof::analyzer {

struct PerfettoStats {
  int64_t events = 0;  // trace events written (metadata and flows included)
  int64_t kernels = 0, memcpys = 0, memsets = 0, apis = 0, nvtx = 0, syncs = 0, flows = 0,
          findings = 0;
};

// One trace file per rank; a single trace gives exactly Kineto's layout (GPU events: pid = device
// ordinal, tid = stream id; host events: pid/tid of the process/thread); several traces give each
// rank its own host and GPU processes (GPU pid = 1000·(i+1) + device for the i-th trace), names saying which rank.
// Timestamps are µs relative to the first trace's origin with exactly three decimals (= exact ns);
// baseTimeNanoseconds holds that origin. The output is written to a temporary name and renamed.
Status ExportPerfetto(const std::vector<std::string>& traces, const std::string& out_path,
                      PerfettoStats* stats = nullptr);
// Same, with findings as instant events (category "moeprof_finding") at the start of each
// finding's first evidence interval (run-timeline ns, taken relative to the same origin), on the
// first rank the finding names, carrying rule, severity, cost, saving and fix as args.
Status ExportPerfetto(const std::vector<std::string>& traces, const std::string& out_path,
                      const std::vector<Finding>& findings, PerfettoStats* stats = nullptr);

// "12.345" for 12345 ns: µs with exactly three decimals, exact for any int64.
std::string NanosToMicrosText(int64_t ns);

}  // namespace moeprof::analyzer

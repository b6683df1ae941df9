// The analyzer's in-memory model of a run: one RankTrace per trace file (per process/rank), the
// loaded columnar tables, kernel classes, steps, and the offset that puts each rank on the run's
// common timeline (from the recorded clock pairs). Built for interval sweeps: kernels are sorted
// by (stream, start) as stored, with per-stream index ranges.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "moeprof/analyzer/intervals.h"
#include "moeprof/analyzer/kernel_class.h"
#include "moeprof/schemas/status.h"
#include "moeprof/schemas/trace_reader.h"

namespace moeprof::analyzer {

struct Step {
  int64_t number = 0;
  int64_t start = 0, end = 0;  // rank-relative ns (same base as the trace's rows)
  std::string source;          // step table's source, nvtx, profiler_step, inferred, whole_trace
  Interval interval() const { return {start, end}; }
};

struct StreamView {
  int64_t id = 0;               // stream table id
  std::string name, role;       // role from the stream table (compute, ep_comm, pp_comm, ...),
                                // else inferred: "comm" when most of its kernel time is comm
                                // kernels, "compute" otherwise, "" without kernels
  size_t kernel_begin = 0, kernel_end = 0;  // [begin, end) into trace.kernels (sorted by start)
};

struct RankTrace {
  std::string path;
  int rank = 0;              // meta/process rank, else the file's index in the run
  schemas::Trace trace;      // rows as stored: times relative to trace.origin_ns
  int64_t offset_ns = 0;     // add to a row time to get run time (aligns ranks by clock pairs)
  std::vector<StreamView> streams;
  std::vector<Classification> name_class;  // by StringId of kernel names; default kOther
  std::vector<Step> steps;   // sorted, non-overlapping

  const Classification& KernelClassOf(size_t kernel_index) const {
    return name_class[static_cast<size_t>(trace.kernels.name[kernel_index])];
  }
};

struct Run {
  std::vector<RankTrace> ranks;  // sorted by rank; offset_ns set (AlignClocks)
  Classifier classifier;
};

struct LoadOptions {
  std::string rules_file;  // user classification rules (TOML); "" = built-in only
  // Keep only steps numbered in [first, last] (--steps A:B); nullopt = all.
  std::optional<int64_t> first_step, last_step;
};

// Inputs: trace files or run directories (all ranks). Foreign formats are imported on the fly
// (see importers.h). Errors name the file.
Expected<Run> LoadRun(const std::vector<std::string>& inputs, const LoadOptions& options);

// Builds streams, classes and steps for a trace already loaded (used by LoadRun and by tests
// that construct traces in memory).
Expected<RankTrace> BuildRankTrace(schemas::Trace trace, int fallback_rank, const Classifier& classifier,
                                   const LoadOptions& options);

// Steps from the trace's step table, else NVTX ranges named like "step", "step 12",
// "ProfilerStep#12", "train_step" (outermost), else inferred from repetition of the kernel-name
// sequence, else one step spanning all GPU activity (source "whole_trace"). Empty only without
// GPU activity. Sorted, non-overlapping. See src/model/steps.cpp.
std::vector<Step> FindSteps(const schemas::Trace& trace);

// Sets each rank's offset_ns so that row time + offset_ns is on one run timeline whose zero is
// ranks[0]'s origin: via the clock_sync pairs to CLOCK_REALTIME, else (no pairs) assuming the
// same clock and using origin_ns differences. See src/model/clock_align.cpp.
void AlignClocks(std::vector<RankTrace>& ranks);

}  // namespace moeprof::analyzer

// Breakdowns of one rank's GPU time with Holistic Trace Analysis's definitions, so figures can be
// compared with HTA on the same trace (docs/ANALYZER.md lists the comparisons):
//   - temporal: span = last end − first start of the GPU events (kernels, memcpys, memsets);
//     idle = span − |union of all GPU events|; compute = |union of compute kernels|;
//     non-compute = span − idle − compute (communication, memory, and their overlap with nothing
//     else).
//   - idle per stream: each gap between consecutive GPU events of a stream is host_wait when the
//     later event's launching API call started after the earlier event ended, else kernel_wait
//     when shorter than 30 µs, else other. Summed per stream and over streams.
//   - comm/compute overlap: |comm ∩ compute| / |comm| (unions of each).
//   - time by kernel class: union and sum of durations per class, event count.
//   - launch delay: kernel start − (API start + API duration), clamped at 0; percentiles from a
//     log histogram (±1.6 %), outliers (API calls > 50 µs, delays > 100 µs).
// Two definitions of "communication" and "compute": HTA's (comm = kernel name matches
// ^nccl|^hip|^hccl|.*ncclKernel.*; compute = every other kernel; memcpy/memset are neither) and
// ours (the classifier: DeepEP dispatch/combine, multimem and custom all-reduce kernels are comm
// too). Both overlaps are always computed; `definition` says which one the headline figures use.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "moeprof/analyzer/intervals.h"
#include "moeprof/analyzer/kernel_class.h"
#include "moeprof/analyzer/model.h"

namespace moeprof::analyzer {

enum class CommDefinition : uint8_t {
  kClassifier,  // ours: the kernel classifier's kComm (and IsComputeClass for compute)
  kHta,         // HTA's name regex
};
const char* CommDefinitionName(CommDefinition d);  // "classifier", "hta"

struct BreakdownOptions {
  // Rank-relative window (a step); events are clipped to it and span = the window. nullopt =
  // the whole trace, span = first start .. last end of the selected events.
  std::optional<Interval> window;
  // HTA-compatible mode (for comparisons): HTA's comm regex for the headline figures, and HTA's
  // event selection — when the trace has ≥ 2 ProfilerStep steps, only GPU events whose launching
  // API call started before the last ProfilerStep began (HTA drops the last, usually incomplete,
  // profiler step, and events it cannot tie to a launch). Ignores `window`.
  bool hta_compatible = false;
  int64_t kernel_wait_ns = 30'000;          // HTA's consecutive_kernel_delay
  int64_t runtime_outlier_ns = 50'000;      // HTA's launch-stats runtime cutoff
  int64_t launch_delay_outlier_ns = 100'000;  // HTA's launch-delay cutoff
  size_t max_outliers = 10;                 // worst launch delays kept as evidence
};

struct TemporalBreakdown {
  Interval span;  // rank-relative
  int64_t span_ns = 0, idle_ns = 0, compute_ns = 0, non_compute_ns = 0;
  double idle_pct = 0, compute_pct = 0, non_compute_pct = 0;  // of span_ns
};

struct StreamIdle {
  int64_t stream = 0;  // stream table id
  std::string name;
  int64_t host_wait_ns = 0, kernel_wait_ns = 0, other_ns = 0;
  int64_t gaps = 0;  // gaps counted
  int64_t total_ns() const { return host_wait_ns + kernel_wait_ns + other_ns; }
};

struct IdleBreakdown {
  std::vector<StreamIdle> streams;  // streams with ≥ 1 event, by id
  int64_t host_wait_ns = 0, kernel_wait_ns = 0, other_ns = 0;  // summed over streams
};

struct Overlap {
  CommDefinition definition = CommDefinition::kClassifier;
  int64_t comm_ns = 0;     // |union of comm kernels|
  int64_t overlap_ns = 0;  // |comm ∩ compute|
  double pct = 0;          // overlap_ns / comm_ns × 100 (0 without comm)
};

struct ClassTime {
  int64_t union_ns = 0;  // |union of this class's events|
  int64_t sum_ns = 0;    // Σ durations (> union when they run concurrently)
  int64_t count = 0;
};

struct LaunchOutlier {
  size_t kernel = 0;  // index into trace.kernels
  int64_t delay_ns = 0;
};

struct LaunchDelayStats {
  int64_t count = 0;  // kernels with a launching API call found
  int64_t mean_ns = 0, p50_ns = 0, p90_ns = 0, p99_ns = 0, max_ns = 0;
  int64_t delay_outliers = 0;    // delay > launch_delay_outlier_ns
  int64_t runtime_outliers = 0;  // launching call longer than runtime_outlier_ns
  std::vector<LaunchOutlier> worst;  // up to max_outliers, worst first
};

struct Breakdown {
  int rank = 0;
  CommDefinition definition = CommDefinition::kClassifier;  // of temporal and `overlap`
  int64_t events = 0;  // GPU events considered (kernels + memcpys + memsets)
  TemporalBreakdown temporal;
  IdleBreakdown idle;
  Overlap overlap;                // by `definition`
  Overlap overlap_hta, overlap_classifier;  // both, always
  std::array<ClassTime, static_cast<size_t>(KernelClass::kCount)> by_class{};  // classifier
  LaunchDelayStats launch;
};

Breakdown ComputeBreakdown(const RankTrace& rank, const BreakdownOptions& options = {});
// The same over one step's window.
Breakdown ComputeBreakdown(const RankTrace& rank, const Step& step, BreakdownOptions options = {});

// HTA's communication-kernel test (^nccl|^hip|^hccl|.*ncclKernel.*), exposed for tests.
bool IsHtaCommKernelName(std::string_view name);

}  // namespace moeprof::analyzer

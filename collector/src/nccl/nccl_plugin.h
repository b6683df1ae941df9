// The collector's NCCL profiler plugin ("moeprof"), exported from libmoeprof_inject.so as
// ncclProfiler_v5 and ncclProfiler_v4 (NCCL_PROFILER_PLUGIN=<path of the library>). It records
// communicators (NcclCommEvent) and collective / point-to-point operations (NcclOpEvent), and
// pushes a CUSTOM2 external correlation id around NCCL's kernel launches so the runtime can join
// each operation to the kernel it ran in. Details: docs/COLLECTOR-NVTX.md, section NCCL.
#pragma once

#include <cstdint>

namespace moeprof::collector {

// True once NCCL called the plugin's init in this process (any version). The runtime writes
// meta nccl_attribution from it: "plugin" when true, else the analyzer classifies NCCL kernels by
// name.
bool NcclPluginSawInit() noexcept;

// CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM2 (cupti_activity.h, CUDA 13.0). Spelled out because only
// the CUPTI session includes CUPTI headers; tests/collector/nvtx_nccl checks the value.
inline constexpr uint32_t kNcclExternalCorrelationKind = 5;

// Counters for tests and the runtime's summary.
struct NcclPluginStats {
  uint64_t communicators = 0;      // init calls
  uint64_t ops_posted = 0;         // NcclOpEvents posted
  uint64_t ops_dropped = 0;        // operations lost to a full handle pool
  uint64_t kernel_launches = 0;    // kernel-launch events that pushed an external id
  uint64_t in_flight = 0;          // operations started, not yet stopped
};
NcclPluginStats NcclStats() noexcept;

}  // namespace moeprof::collector

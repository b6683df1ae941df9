// Facts about this process for the trace's meta/process rows and the output file name: host, pid,
// rank / local rank / world size from the launcher's environment, and the CUDA driver version —
// read through dlopen so that neither libcuda nor the CUDA runtime is a link dependency (a
// binary linked to libcuda does not even start on a machine without a driver).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace moeprof::collector {

struct ProcessInfo {
  std::string host;
  int64_t pid = 0;
  std::optional<int64_t> rank, local_rank, world_size;
};

// torchrun (RANK/LOCAL_RANK/WORLD_SIZE), Open MPI (OMPI_COMM_WORLD_*), Slurm (SLURM_PROCID/
// SLURM_LOCALID/SLURM_NTASKS), PMI (PMI_RANK/PMI_SIZE); first found wins per field.
ProcessInfo CurrentProcessInfo();

// File name for a trace in a directory: moeprof_r{RANK}_l{LOCAL_RANK}_{host}_{pid}.sqlite, the
// r/l parts left out when unknown.
std::string TraceFileName(const ProcessInfo& info);

struct DriverProbe {
  bool present = false;   // libcuda.so.1 loadable and not the toolkit's stub
  int version = 0;        // cuDriverGetVersion, e.g. 13000
  std::string detail;     // why not present
};
DriverProbe ProbeCudaDriver();

// CLOCK_REALTIME / CLOCK_MONOTONIC in ns.
int64_t RealtimeNs();
int64_t MonotonicNs();

}  // namespace moeprof::collector

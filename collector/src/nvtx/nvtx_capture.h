// NVTX capture: the handlers the collector installs into every NVTX instance of the process
// (through InitializeInjectionNvtx2, see nvtx_injection.cpp and docs/COLLECTOR-NVTX.md). They turn
// ranges, marks, names and routing marks into HostEvents for the runtime's writer thread.
//
// All handlers are noexcept and cheap; when the collector is inactive they still keep NVTX's
// contract (push returns the level, RangeStart a unique id, DomainCreate/RegisterString valid
// handles) but post nothing.
#pragma once

#include <cstdint>
#include <string>

namespace moeprof::collector::nvtx {

// NVTX's NvtxGetExportTableFunc_t (NVTX_API is empty on Linux). Spelled out so this header does not
// pull in NVTX: test programs include it next to the NVTX implementation.
using GetExportTableFn = const void* (*)(uint32_t export_table_id);

// Installs our handlers into the NVTX instance that owns `get_export_table`. Returns 1 on
// success, 0 when the instance offers no callback table (NVTX then rolls back and stays a no-op).
int InstallHandlers(GetExportTableFn get_export_table) noexcept;

// Linked mode: true when NVTX's static-injection hook (InitializeInjectionNvtx2_fnptr) is part of
// this binary. Defined next to the hook, so calling it (e.g. from Start()) makes the linker pull
// that object out of libmoeprof_collector.a; without such a reference, or
// -Wl,--undefined=InitializeInjectionNvtx2, a static archive leaves the hook out and NVTX calls
// compiled into the program never reach the collector (docs/COLLECTOR-NVTX.md).
bool StaticInjectionLinked() noexcept;

// Name given to a category with nvtx[Domain]NameCategory ("" when unnamed). Categories have no
// HostEvent yet (see the report to the lead); kept so they can be written once one exists.
std::string CategoryName(const std::string& domain, uint32_t category);

// Counters for tests and the runtime's end-of-run summary.
struct NvtxStats {
  uint64_t open_start_end_ranges = 0;  // started, not yet ended
  uint64_t dropped_ranges = 0;         // over the open-range or depth caps
  uint64_t bad_routing_marks = 0;
  uint64_t routing_marks = 0;
};
NvtxStats Stats() noexcept;

// The process's global rank from the launcher's environment (RANK, OMPI_COMM_WORLD_RANK,
// PMI_RANK, SLURM_PROCID), 0 when none is set. Used for routing marks that leave rank out.
int64_t EnvironmentRank() noexcept;

}  // namespace moeprof::collector::nvtx

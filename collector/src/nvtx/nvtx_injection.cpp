// NVTX entry points of the collector (docs/COLLECTOR-NVTX.md):
// - InitializeInjectionNvtx2: exported by libmoeprof_inject.so; every NVTX instance in the process
//   (one per module that compiled NVTX in: the program, libtorch, NCCL, the `nvtx` Python package)
//   dlopens NVTX_INJECTION64_PATH on its first call and calls this with its own export table.
// - InitializeInjectionNvtx2_fnptr: NVTX's static-injection hook (load sequence 2). Programs that
//   link moeprof_collector get our handlers in the NVTX instances compiled into the executable
//   even without the environment variable. Hidden, so the shared library exports only what the
//   injection contract names.
#include "nvtx_capture.h"

namespace {

int InitializeNvtx(moeprof::collector::nvtx::GetExportTableFn get_export_table) noexcept {
  try {
    return moeprof::collector::nvtx::InstallHandlers(get_export_table);
  } catch (...) {  // InstallHandlers does not throw; belt and braces at the C boundary
    return 0;
  }
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int InitializeInjectionNvtx2(
    moeprof::collector::nvtx::GetExportTableFn get_export_table) {
  return InitializeNvtx(get_export_table);
}

// Must be a strong definition with exactly this name and NVTX's type
// (NvtxInitializeInjectionNvtxFunc_t) so that it overrides the weak null one that nvtxInit.h
// defines in every translation unit using NVTX.
extern "C" {
__attribute__((visibility("hidden"))) int (*InitializeInjectionNvtx2_fnptr)(
    moeprof::collector::nvtx::GetExportTableFn) = &InitializeInjectionNvtx2;
}

bool moeprof::collector::nvtx::StaticInjectionLinked() noexcept {
  return InitializeInjectionNvtx2_fnptr != nullptr;
}

// ---- Shadows for entry points that libcupti also exports ----
// NVTX extensions (payload schemas, counters, memory) initialize on their own: each module's
// extension code dlopens NVTX_INJECTION64_PATH and dlsym()s "InitializeInjectionNvtxExtension".
// dlsym on a library handle also searches that library's dependencies, and libcupti (a dependency
// of libmoeprof_inject.so) exports its own InitializeInjectionNvtxExtension and the legacy
// InitializeInjectionNvtx. Without these definitions NCCL's payload-schema registration in
// ncclGetUniqueId called into CUPTI's never-initialized NVTX code and crashed (seen on an H100 with
// NCCL 2.28.3). We decline both: a 0 return makes NVTX disable that extension (or the legacy
// library) for the module; core NVTX keeps working through InitializeInjectionNvtx2.
// They must be exported from the injection library (inject.map) to shadow CUPTI's.
extern "C" __attribute__((visibility("default"))) int InitializeInjectionNvtxExtension(
    const void* /*get_export_function*/) {
  return 0;
}
extern "C" __attribute__((visibility("default"))) int InitializeInjectionNvtx(
    const void* /*get_export_table*/) {
  return 0;
}

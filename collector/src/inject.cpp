// Entry point of libmoeprof_inject.so for CUDA_INJECTION64_PATH: the driver calls
// InitializeInjection during cuInit. We start from the MOEPROF_* environment and always report
// success: a profiler that cannot run must never make cuInit fail. (InitializeInjectionNvtx2 and
// ncclProfiler_v5/_v4 come from collector/src/nvtx and collector/src/nccl.)
#include <atomic>

#include "moeprof/collector/collector.h"

extern "C" __attribute__((visibility("default"))) int InitializeInjection(void) {
  static std::atomic<bool> done{false};
  if (done.exchange(true)) return 1;
  try {
    (void)moeprof::collector::Start(moeprof::collector::OptionsFromEnvironment());
  } catch (...) {
  }
  return 1;
}

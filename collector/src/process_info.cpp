// Environment, host name and driver probing.
#include "process_info.h"

#include <dlfcn.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace moeprof::collector {
namespace {

std::optional<int64_t> EnvInt(std::initializer_list<const char*> names) {
  for (const char* n : names) {
    const char* v = std::getenv(n);
    if (v == nullptr || *v == '\0') continue;
    char* end = nullptr;
    errno = 0;
    long long x = std::strtoll(v, &end, 10);
    if (errno == 0 && end != v && *end == '\0' && x >= 0) return static_cast<int64_t>(x);
  }
  return std::nullopt;
}

int64_t ClockNs(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

ProcessInfo CurrentProcessInfo() {
  ProcessInfo p;
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) == 0) p.host = host;
  if (p.host.empty()) p.host = "localhost";
  p.pid = getpid();
  p.rank = EnvInt({"RANK", "OMPI_COMM_WORLD_RANK", "SLURM_PROCID", "PMI_RANK"});
  p.local_rank = EnvInt({"LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID"});
  p.world_size = EnvInt({"WORLD_SIZE", "OMPI_COMM_WORLD_SIZE", "SLURM_NTASKS", "PMI_SIZE"});
  return p;
}

std::string TraceFileName(const ProcessInfo& info) {
  std::string name = "moeprof";
  if (info.rank) name += "_r" + std::to_string(*info.rank);
  if (info.local_rank) name += "_l" + std::to_string(*info.local_rank);
  std::string host;
  for (char ch : info.host) host += (ch == '/' || ch == ' ') ? '_' : ch;
  name += "_" + host + "_" + std::to_string(info.pid) + ".sqlite";
  return name;
}

DriverProbe ProbeCudaDriver() {
  DriverProbe probe;
  // RTLD_NOLOAD first: in injection mode the driver is already loaded and we must not load a
  // second copy from a different path.
  void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);
  if (lib == nullptr) lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* e = dlerror();
    probe.detail = e != nullptr ? e : "libcuda.so.1 not found";
    return probe;
  }
  using GetVersionFn = int (*)(int*);
  auto get_version = reinterpret_cast<GetVersionFn>(dlsym(lib, "cuDriverGetVersion"));
  if (get_version == nullptr) {
    probe.detail = "cuDriverGetVersion missing from libcuda.so.1";
    return probe;  // handle stays open: unloading a driver is never safe
  }
  int version = 0;
  const int rc = get_version(&version);
  if (rc != 0) {  // 34 = CUDA_ERROR_STUB_LIBRARY: the toolkit's stub, not a driver
    probe.detail = "cuDriverGetVersion returned " + std::to_string(rc);
    return probe;
  }
  probe.present = true;
  probe.version = version;
  return probe;
}

int64_t RealtimeNs() { return ClockNs(CLOCK_REALTIME); }
int64_t MonotonicNs() { return ClockNs(CLOCK_MONOTONIC); }

}  // namespace moeprof::collector

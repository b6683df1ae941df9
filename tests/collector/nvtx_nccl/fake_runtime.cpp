// Recording implementation of the runtime functions declared in host_events.h (see fake_runtime.h).
#include "fake_runtime.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>

namespace moeprof::collector {
namespace testing {

FakeRuntime& Fake() {
  static auto* f = new FakeRuntime;
  return *f;
}

uint64_t CurrentTid() { return static_cast<uint64_t>(::syscall(SYS_gettid)); }

namespace {
// The unit tests attach through NVTX's static injection (InitializeInjectionNvtx2_fnptr, compiled
// in with the handlers); an inherited NVTX_INJECTION64_PATH would take precedence, so drop it
// before any NVTX call. RANK feeds routing marks that leave rank out.
const bool kEnvironmentReady = [] {
  ::unsetenv("NVTX_INJECTION64_PATH");
  ::setenv("RANK", "5", 1);
  return true;
}();
}  // namespace

}  // namespace testing

void PostHostEvent(HostEvent&& event) noexcept {
  auto& f = testing::Fake();
  if (!f.active.load()) return;  // the runtime's contract: a no-op when inactive
  std::lock_guard<std::mutex> lock(f.mu);
  f.events.push_back(std::move(event));
}

int64_t TraceClockNs() noexcept { return testing::Fake().clock.fetch_add(10); }

bool CollectorActive() noexcept { return testing::Fake().active.load(); }

void PushExternalCorrelation(uint32_t kind, uint64_t id) noexcept {
  auto& f = testing::Fake();
  std::lock_guard<std::mutex> lock(f.mu);
  f.correlation.push_back({true, kind, id, testing::CurrentTid()});
}

void PopExternalCorrelation(uint32_t kind) noexcept {
  auto& f = testing::Fake();
  std::lock_guard<std::mutex> lock(f.mu);
  f.correlation.push_back({false, kind, 0, testing::CurrentTid()});
}

}  // namespace moeprof::collector

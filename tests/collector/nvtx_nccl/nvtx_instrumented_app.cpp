// A program instrumented with plain NVTX (no moeprof link dependency besides the header-only
// routing-mark emitter), run by nvtx_nccl_inject_tests with NVTX_INJECTION64_PATH pointing at
// libmoeprof_inject.so. It exercises every NVTX feature the collector captures and checks the
// values NVTX returns, which come from the collector's handlers once it is attached: exit 0 when
// all are right, 1 (with a message) otherwise, 2 when no tool attached at all.
// With MOEPROF_APP_INIT_CUDA=1 it first calls cuInit(0) (libcuda loaded with dlopen, so the
// program needs no driver to start), which starts the collector under CUDA_INJECTION64_PATH;
// exit 3 when there is no usable driver.
//
// What it emits (the trace test checks these rows when the runtime writes a trace):
//   thread "main" (nvtxNameOsThreadA), stream 0x5000 named "ep_comm"
//   push/pop, default domain:  step (depth 0) > layer (1) > attention (2)
//   push/pop, domain "trainer": forward (registered string, category 3 "compute", color, int64
//                                payload 7) > experts (depth 1)
//   start/end, domain "trainer": "prefetch" started on a worker thread, ended on main
//   marks: "checkpoint" (default domain), "loss" in "trainer" with double payload 2.5
//   routing marks: 2 valid (layers 0 and 1 of step 3, rank 1, e0 0), 1 malformed
#include <dlfcn.h>
#include <nvtx3/nvToolsExt.h>
#include <nvtx3/nvToolsExtCudaRt.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "moeprof/collector/routing_mark.h"

namespace {

int g_failures = 0;
void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "nvtx_instrumented_app: %s\n", what);
    ++g_failures;
  }
}

nvtxEventAttributes_t Attr() {
  nvtxEventAttributes_t a{};
  a.version = NVTX_VERSION;
  a.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
  return a;
}

}  // namespace

// cuInit(0) through dlopen; false when there is no driver or no device.
bool InitCuda() {
  void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
  if (lib == nullptr) return false;
  using CuInit = int (*)(unsigned int);
  auto cu_init = reinterpret_cast<CuInit>(dlsym(lib, "cuInit"));
  return cu_init != nullptr && cu_init(0) == 0;
}

int main() {
  if (const char* v = std::getenv("MOEPROF_APP_INIT_CUDA"); v != nullptr && v[0] == '1') {
    if (!InitCuda()) {
      std::fprintf(stderr, "nvtx_instrumented_app: no usable CUDA driver\n");
      return 3;
    }
  }
  nvtxDomainHandle_t trainer = nvtxDomainCreateA("trainer");
  if (trainer == nullptr) {
    std::fprintf(stderr, "nvtx_instrumented_app: no NVTX tool attached (NVTX_INJECTION64_PATH?)\n");
    return 2;
  }
  Check(nvtxDomainCreateA("trainer") == trainer, "same domain name gave another handle");

  nvtxNameOsThreadA(static_cast<uint32_t>(::syscall(SYS_gettid)), "main");
  nvtxNameCudaStreamA(reinterpret_cast<cudaStream_t>(uintptr_t{0x5000}), "ep_comm");
  nvtxDomainNameCategoryA(trainer, 3, "compute");
  nvtxStringHandle_t forward = nvtxDomainRegisterStringA(trainer, "forward");
  Check(forward != nullptr, "registered string handle is null");

  Check(nvtxRangePushA("step") == 0, "push step != 0");
  Check(nvtxRangePushA("layer") == 1, "push layer != 1");
  Check(nvtxRangePushA("attention") == 2, "push attention != 2");

  auto fwd = Attr();
  fwd.messageType = NVTX_MESSAGE_TYPE_REGISTERED;
  fwd.message.registered = forward;
  fwd.category = 3;
  fwd.colorType = NVTX_COLOR_ARGB;
  fwd.color = 0xFF76B900u;
  fwd.payloadType = NVTX_PAYLOAD_TYPE_INT64;
  fwd.payload.llValue = 7;
  Check(nvtxDomainRangePushEx(trainer, &fwd) == 0, "trainer push forward != 0");
  auto experts = Attr();
  experts.messageType = NVTX_MESSAGE_TYPE_ASCII;
  experts.message.ascii = "experts";
  Check(nvtxDomainRangePushEx(trainer, &experts) == 1, "trainer push experts != 1");

  nvtxRangeId_t prefetch = 0;
  std::thread worker([&] {
    auto a = Attr();
    a.messageType = NVTX_MESSAGE_TYPE_ASCII;
    a.message.ascii = "prefetch";
    prefetch = nvtxDomainRangeStartEx(trainer, &a);
  });
  worker.join();
  Check(prefetch != 0, "range id is 0");
  Check(nvtxRangeStartA("other") != prefetch, "range ids not unique");

  nvtxMarkA("checkpoint");
  auto loss = Attr();
  loss.messageType = NVTX_MESSAGE_TYPE_ASCII;
  loss.message.ascii = "loss";
  loss.payloadType = NVTX_PAYLOAD_TYPE_DOUBLE;
  loss.payload.dValue = 2.5;
  nvtxDomainMarkEx(trainer, &loss);

  Check(moeprof::collector::EmitRoutingMark(3, 0, std::vector<int>{10, 0, 5, 1}, 0, int64_t{1}),
        "routing mark 1 refused");
  Check(moeprof::collector::EmitRoutingMark(3, 1, std::vector<int>{4, 4, 4, 4}, 0, int64_t{1}),
        "routing mark 2 refused");
  auto bad = Attr();
  bad.messageType = NVTX_MESSAGE_TYPE_ASCII;
  bad.message.ascii = "moe.route step=3 layer=oops tokens=1";
  nvtxDomainMarkEx(moeprof::collector::RoutingDomain(), &bad);

  nvtxDomainRangeEnd(trainer, prefetch);
  Check(nvtxDomainRangePop(trainer) == 1, "trainer pop experts != 1");
  Check(nvtxDomainRangePop(trainer) == 0, "trainer pop forward != 0");
  Check(nvtxRangePop() == 2, "pop attention != 2");
  Check(nvtxRangePop() == 1, "pop layer != 1");
  Check(nvtxRangePop() == 0, "pop step != 0");
  Check(nvtxRangePop() < 0, "unbalanced pop did not fail");

  if (g_failures == 0) std::printf("nvtx_instrumented_app: ok\n");
  return g_failures == 0 ? 0 : 1;
}

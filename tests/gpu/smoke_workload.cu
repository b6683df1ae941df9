// GPU smoke workload for the collector: two streams, kernels, H2D/D2H copies, a memset, stream /
// event / device synchronizations, a captured CUDA graph replayed three times and nested NVTX
// ranges. Built twice: plain (for `moeprof record`, injected mode) and with MOEPROF_LINKED (calls
// moeprof::collector::Start/Stop itself). Prints what it launched as JSON-ish "expect" lines that
// check_smoke_trace compares with the trace.
#include <cuda_runtime.h>
#include <nvtx3/nvToolsExt.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#ifdef MOEPROF_LINKED
#include <cupti.h>

#include "moeprof/collector/collector.h"
#endif

namespace {

constexpr int kN = 1 << 20;
constexpr int kGraphReplays = 3;
constexpr int kGraphKernels = 4;

__global__ void ScaleKernel(float* x, float a, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] = x[i] * a + 1.0f;
}

__global__ void AddKernel(const float* a, const float* b, float* c, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) c[i] = a[i] + b[i];
}

__global__ void TinyKernel(int* counter) {
  if (threadIdx.x == 0 && blockIdx.x == 0) atomicAdd(counter, 1);
}

int Check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    std::fprintf(stderr, "smoke: %s failed: %s\n", what, cudaGetErrorString(e));
    std::exit(3);
  }
  return 0;
}
#define CK(x) Check((x), #x)

// Overhead loop: `iters` kernels back to back, timed on the host. Tiny kernels make the loop
// launch-bound (the worst case for a tracer: all its per-launch cost shows); `medium` kernels
// (a 16 MB scale, ~10 us on an H100) keep the GPU busy like real training kernels do.
double KernelLoopSeconds(int iters, int* d_counter, float* d_x, bool medium, cudaStream_t s) {
  CK(cudaStreamSynchronize(s));
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) {
    if (medium) ScaleKernel<<<(4 * kN + 255) / 256, 256, 0, s>>>(d_x, 1.0f, 4 * kN);
    else TinyKernel<<<1, 32, 0, s>>>(d_counter);
  }
  CK(cudaStreamSynchronize(s));
  auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double>(t1 - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int overhead_iters = 0;  // --overhead N: only run the timed kernel loop, N kernels, then exit
  bool medium = false;     // --medium: the loop's kernels do real memory traffic
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--overhead") == 0 && i + 1 < argc) overhead_iters = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--medium") == 0) medium = true;
  }
#ifdef MOEPROF_LINKED
  bool other_subscriber = false;  // --other-subscriber: another CUPTI client attaches first
  for (int i = 1; i < argc; ++i) other_subscriber |= std::strcmp(argv[i], "--other-subscriber") == 0;
  if (other_subscriber) {
    // Plays nsys / torch.profiler: CUPTI allows one subscriber per process.
    CUpti_SubscriberHandle other;
    CUpti_SubscriberParams params{};
    params.structSize = sizeof(params);
    params.subscriberName = "smoke-other-profiler";
    if (cuptiSubscribe_v2(&other, [](void*, CUpti_CallbackDomain, CUpti_CallbackId, const void*) {},
                          nullptr, &params) != CUPTI_SUCCESS) {
      std::fprintf(stderr, "smoke: could not subscribe the stand-in profiler\n");
      return 5;
    }
  }

  moeprof::collector::Options options = moeprof::collector::OptionsFromEnvironment();
  if (auto st = moeprof::collector::Start(options); !st.ok()) {
    std::fprintf(stderr, "smoke: collector did not start: %s\n", st.message().c_str());
  }
#endif
  int* d_counter = nullptr;
  CK(cudaMalloc(&d_counter, sizeof(int)));
  CK(cudaMemset(d_counter, 0, sizeof(int)));

  if (overhead_iters > 0) {
    cudaStream_t s;
    CK(cudaStreamCreate(&s));
    float* d_x = nullptr;
    CK(cudaMalloc(&d_x, 4 * kN * sizeof(float)));
    CK(cudaMemset(d_x, 0, 4 * kN * sizeof(float)));
    KernelLoopSeconds(1000, d_counter, d_x, medium, s);  // warm-up
    double best = 1e9;
    for (int rep = 0; rep < 5; ++rep) {
      double t = KernelLoopSeconds(overhead_iters, d_counter, d_x, medium, s);
      if (t < best) best = t;
    }
    std::printf("overhead_loop kernels=%s iters=%d best_s=%.6f per_kernel_us=%.3f\n",
                medium ? "medium" : "tiny", overhead_iters, best, best / overhead_iters * 1e6);
    CK(cudaFree(d_x));
    CK(cudaStreamDestroy(s));
    CK(cudaFree(d_counter));
#ifdef MOEPROF_LINKED
    (void)moeprof::collector::Stop();
#endif
    return 0;
  }

  nvtxRangePushA("smoke");
  cudaStream_t s0, s1;
  CK(cudaStreamCreateWithFlags(&s0, cudaStreamNonBlocking));
  CK(cudaStreamCreateWithFlags(&s1, cudaStreamNonBlocking));
  float *d_a, *d_b, *d_c;
  CK(cudaMalloc(&d_a, kN * sizeof(float)));
  CK(cudaMalloc(&d_b, kN * sizeof(float)));
  CK(cudaMalloc(&d_c, kN * sizeof(float)));
  float* h_pinned = nullptr;
  CK(cudaMallocHost(&h_pinned, kN * sizeof(float)));
  std::vector<float> h_pageable(kN, 1.0f);
  for (int i = 0; i < kN; ++i) h_pinned[i] = float(i % 7);

  int kernels = 0, h2d = 0, d2h = 0, memsets = 1;  // the counter memset above
  const int blocks = (kN + 255) / 256;

  nvtxRangePushA("copies_in");
  CK(cudaMemcpyAsync(d_a, h_pinned, kN * sizeof(float), cudaMemcpyHostToDevice, s0)); ++h2d;
  CK(cudaMemcpy(d_b, h_pageable.data(), kN * sizeof(float), cudaMemcpyHostToDevice)); ++h2d;
  CK(cudaMemsetAsync(d_c, 0, kN * sizeof(float), s1)); ++memsets;
  nvtxRangePop();

  nvtxRangePushA("compute");
  cudaEvent_t ev;
  CK(cudaEventCreateWithFlags(&ev, cudaEventDisableTiming));
  for (int i = 0; i < 8; ++i) {
    nvtxRangePushA("iteration");
    ScaleKernel<<<blocks, 256, 0, s0>>>(d_a, 1.001f, kN); ++kernels;
    ScaleKernel<<<blocks, 256, 0, s1>>>(d_b, 0.999f, kN); ++kernels;
    CK(cudaEventRecord(ev, s1));
    CK(cudaStreamWaitEvent(s0, ev, 0));
    AddKernel<<<blocks, 256, 0, s0>>>(d_a, d_b, d_c, kN); ++kernels;
    nvtxRangePop();
  }
  CK(cudaEventSynchronize(ev));
  CK(cudaStreamSynchronize(s0));
  nvtxRangePop();

  // A captured graph of kGraphKernels kernels, replayed kGraphReplays times.
  nvtxRangePushA("graph");
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  CK(cudaStreamBeginCapture(s0, cudaStreamCaptureModeThreadLocal));
  for (int k = 0; k < kGraphKernels; ++k) ScaleKernel<<<blocks, 256, 0, s0>>>(d_c, 1.0f, kN);
  CK(cudaStreamEndCapture(s0, &graph));
  CK(cudaGraphInstantiate(&exec, graph, 0));
  for (int r = 0; r < kGraphReplays; ++r) CK(cudaGraphLaunch(exec, s0));
  CK(cudaStreamSynchronize(s0));
  nvtxRangePop();

  nvtxRangePushA("copies_out");
  CK(cudaMemcpyAsync(h_pinned, d_c, kN * sizeof(float), cudaMemcpyDeviceToHost, s0)); ++d2h;
  CK(cudaMemcpy(h_pageable.data(), d_c, kN * sizeof(float), cudaMemcpyDeviceToHost)); ++d2h;
  CK(cudaDeviceSynchronize());
  nvtxRangePop();
  nvtxRangePop();  // smoke

  CK(cudaGraphExecDestroy(exec));
  CK(cudaGraphDestroy(graph));
  CK(cudaEventDestroy(ev));
  CK(cudaFree(d_a)); CK(cudaFree(d_b)); CK(cudaFree(d_c)); CK(cudaFree(d_counter));
  CK(cudaFreeHost(h_pinned));
  CK(cudaStreamDestroy(s0)); CK(cudaStreamDestroy(s1));
  // One line the checker parses: what a complete trace must contain.
  std::printf("expect kernels=%d graph_kernels=%d h2d=%d d2h=%d memsets=%d nvtx_ranges=%d\n",
              kernels, kGraphKernels * kGraphReplays, h2d, d2h, memsets,
              5 + 8 /* smoke, copies_in, compute, graph, copies_out + 8 iterations */);
#ifdef MOEPROF_LINKED
  if (auto st = moeprof::collector::Stop(); !st.ok()) {
    std::fprintf(stderr, "smoke: collector stop: %s\n", st.message().c_str());
    return 4;
  }
#endif
  return 0;
}

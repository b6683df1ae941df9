// GPU smoke test of the NCCL profiler plugin with a real NCCL (label `gpu`; exit 77 = skipped,
// no device). One process, one GPU, a 1-rank communicator: NCCL loads NCCL_PROFILER_PLUGIN (our
// libmoeprof_inject.so), calls ncclProfiler_v5.init with the communicator and takes our mask, and
// drives the plugin through an AllReduce and a grouped Send/Recv. With nranks = 1 NCCL may run
// copies instead of kernels, so this checks the ABI and the event flow, not kernel attribution
// (that needs >= 2 GPUs). The test harness inspects the trace; this program only runs NCCL.
#include <cuda_runtime.h>
#include <nccl.h>

#include <cstdio>

#define CHECK_CUDA(x)                                                            \
  do {                                                                           \
    cudaError_t e = (x);                                                         \
    if (e != cudaSuccess) {                                                      \
      std::fprintf(stderr, "nccl_gpu_smoke: %s: %s\n", #x, cudaGetErrorString(e)); \
      return 1;                                                                  \
    }                                                                            \
  } while (0)
#define CHECK_NCCL(x)                                                            \
  do {                                                                           \
    ncclResult_t r = (x);                                                        \
    if (r != ncclSuccess) {                                                      \
      std::fprintf(stderr, "nccl_gpu_smoke: %s: %s\n", #x, ncclGetErrorString(r)); \
      return 1;                                                                  \
    }                                                                            \
  } while (0)

int main() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n < 1) {
    std::fprintf(stderr, "nccl_gpu_smoke: no CUDA device, skipped\n");
    return 77;
  }
  CHECK_CUDA(cudaSetDevice(0));
  ncclComm_t comm = nullptr;
  int devs[1] = {0};
  CHECK_NCCL(ncclCommInitAll(&comm, 1, devs));
  cudaStream_t s = nullptr;
  CHECK_CUDA(cudaStreamCreate(&s));
  const size_t count = 1 << 20;
  float *a = nullptr, *b = nullptr;
  CHECK_CUDA(cudaMalloc(&a, count * sizeof(float)));
  CHECK_CUDA(cudaMalloc(&b, count * sizeof(float)));
  for (int i = 0; i < 3; ++i) CHECK_NCCL(ncclAllReduce(a, b, count, ncclFloat32, ncclSum, comm, s));
  CHECK_NCCL(ncclGroupStart());
  CHECK_NCCL(ncclSend(a, count / 2, ncclBfloat16, 0, comm, s));
  CHECK_NCCL(ncclRecv(b, count / 2, ncclBfloat16, 0, comm, s));
  CHECK_NCCL(ncclGroupEnd());
  CHECK_CUDA(cudaStreamSynchronize(s));
  CHECK_NCCL(ncclCommDestroy(comm));
  CHECK_CUDA(cudaFree(a));
  CHECK_CUDA(cudaFree(b));
  std::printf("nccl_gpu_smoke: ok\n");
  return 0;
}

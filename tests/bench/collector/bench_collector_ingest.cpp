// Records/s from CUPTI activity buffers to committed SQLite rows, on one core: the writer thread's
// whole job (real cuptiActivityGetNextRecord -> parser -> correlator -> TraceWriter -> commit).
// The buffers hold a busy MoE rank's mix: per launch a runtime API record and a kernel (60 kernel
// names, 4 streams, 2 devices), plus memcpys, memsets, syncs, CUDA events and NCCL external
// correlations. Bar (DESIGN.md): >= 1 M records/s.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "activity_buffer.h"
#include "activity_parser.h"
#include "correlator.h"

namespace moeprof::collector {
namespace {

using testing::ActivityBuffer;

constexpr uint64_t kOrigin = 1'700'000'000'000'000'000ull;

struct Workload {
  std::vector<std::string> names;
  std::vector<ActivityBuffer> buffers;
  int64_t records = 0;
};

const Workload& GetWorkload() {
  static Workload* w = [] {
    auto* wl = new Workload();
    for (int i = 0; i < 60; ++i) {
      wl->names.push_back("void cutlass::Kernel2<cutlass_80_tensorop_bf16_s16816gemm_relu_bf16_" +
                          std::to_string(64 << (i % 3)) + "x" + std::to_string(128 + i) +
                          "_32x3_nn_align8>(Params)");
    }
    std::mt19937 rng(7);
    uint32_t corr = 1;
    uint64_t t = kOrigin + 1000;
    const size_t kBufferBytes = 8u << 20;
    const int kBuffers = 6;  // ~48 MB of records, ~500k records
    for (int bi = 0; bi < kBuffers; ++bi) {
      ActivityBuffer b;
      while (b.size() + 512 < kBufferBytes) {
        const uint32_t dev = rng() % 2;
        const uint32_t stream = 13 + rng() % 4;
        const uint32_t r = rng() % 100;
        auto api = testing::Api(corr, t, t + 2500, CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000,
                                4000 + rng() % 3);
        if (r < 80) {
          b.Add(api, CUPTI_ACTIVITY_KIND_RUNTIME);
          b.Add(testing::Kernel(corr, t + 3000, t + 3000 + 5000 + rng() % 50000,
                                wl->names[rng() % wl->names.size()].c_str(), dev, dev + 1, stream),
                CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
          wl->records += 2;
        } else if (r < 88) {
          api.cbid = CUPTI_RUNTIME_TRACE_CBID_cudaMemcpyAsync_v3020;
          b.Add(api, CUPTI_ACTIVITY_KIND_RUNTIME);
          CUpti_ActivityMemcpy6 m{};
          m.copyKind = CUPTI_ACTIVITY_MEMCPY_KIND_DTOD;
          m.bytes = 1 << 20;
          m.start = t + 3000;
          m.end = t + 9000;
          m.deviceId = dev, m.contextId = dev + 1, m.streamId = stream;
          m.correlationId = corr;
          b.Add(m, CUPTI_ACTIVITY_KIND_MEMCPY);
          wl->records += 2;
        } else if (r < 92) {
          api.cbid = CUPTI_RUNTIME_TRACE_CBID_cudaMemsetAsync_v3020;
          b.Add(api, CUPTI_ACTIVITY_KIND_RUNTIME);
          CUpti_ActivityMemset4 m{};
          m.bytes = 4096;
          m.start = t + 3000;
          m.end = t + 4000;
          m.deviceId = dev, m.contextId = dev + 1, m.streamId = stream;
          m.correlationId = corr;
          b.Add(m, CUPTI_ACTIVITY_KIND_MEMSET);
          wl->records += 2;
        } else if (r < 95) {
          api.cbid = CUPTI_RUNTIME_TRACE_CBID_cudaStreamSynchronize_v3020;
          b.Add(api, CUPTI_ACTIVITY_KIND_RUNTIME);
          CUpti_ActivitySynchronization2 s{};
          s.type = CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_SYNCHRONIZE;
          s.start = t;
          s.end = t + 20000;
          s.correlationId = corr;
          s.contextId = dev + 1;
          s.streamId = stream;
          s.cudaEventId = CUPTI_SYNCHRONIZATION_INVALID_VALUE;
          b.Add(s, CUPTI_ACTIVITY_KIND_SYNCHRONIZATION);
          wl->records += 2;
        } else if (r < 97) {
          api.cbid = CUPTI_RUNTIME_TRACE_CBID_cudaEventRecord_v3020;
          b.Add(api, CUPTI_ACTIVITY_KIND_RUNTIME);
          CUpti_ActivityCudaEvent2 e{};
          e.correlationId = corr;
          e.contextId = dev + 1, e.streamId = stream, e.deviceId = dev;
          e.eventId = corr % 64;
          e.cudaEventSyncId = corr;
          b.Add(e, CUPTI_ACTIVITY_KIND_CUDA_EVENT);
          wl->records += 2;
        } else {
          CUpti_ActivityExternalCorrelation x{};
          x.externalKind = CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM2;
          x.externalId = corr;
          x.correlationId = corr;
          b.Add(x, CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION);
          api.cbid = CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx;
          b.Add(api, CUPTI_ACTIVITY_KIND_DRIVER);
          b.Add(testing::Kernel(corr, t + 3000, t + 200000, "ncclDevKernel_SendRecv(ncclDevKernelArgsStorage<4096ul>)",
                                dev, dev + 1, 40 + dev),
                CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
          wl->records += 3;
        }
        ++corr;
        t += 4000;
      }
      wl->buffers.push_back(std::move(b));
    }
    return wl;
  }();
  return *w;
}

void BM_IngestToCommittedRows(benchmark::State& state) {
  const Workload& wl = GetWorkload();
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("moeprof_bench_ingest_" + std::to_string(getpid()) + ".sqlite")).string();
  int64_t records = 0;
  double bytes_per_record = 0;
  for (auto _ : state) {
    schemas::WriterOptions wo;
    wo.overwrite = true;
    wo.origin_ns = static_cast<int64_t>(kOrigin);
    wo.commit_interval_ms = 500;
    auto w = schemas::TraceWriter::Create(path, wo);
    if (!w.ok()) {
      state.SkipWithError(w.status().message().c_str());
      return;
    }
    schemas::TraceWriter& writer = *w.value();
    schemas::ProcessRow p;
    p.pid = 1;
    p.host = "bench";
    CorrelatorOptions co;
    co.origin_ns = static_cast<int64_t>(kOrigin);
    co.process_id = writer.AddProcess(p);
    Correlator correlator(writer, co);
    ActivityParser parser(correlator);
    for (const ActivityBuffer& b : wl.buffers) {
      parser.Parse(const_cast<ActivityBuffer&>(b).data(), b.size());
      correlator.Tick(std::chrono::steady_clock::now());
      (void)writer.MaybeCommit();
    }
    correlator.Finish();
    if (!writer.Close().ok()) {
      state.SkipWithError("close failed");
      return;
    }
    records += parser.totals().records;
    state.PauseTiming();
    bytes_per_record = static_cast<double>(std::filesystem::file_size(path)) /
                       static_cast<double>(parser.totals().records);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(records);
  state.counters["records_per_pass"] = static_cast<double>(wl.records);
  state.counters["file_bytes_per_record"] = bytes_per_record;
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}
BENCHMARK(BM_IngestToCommittedRows)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);

// Parsing alone (no SQLite): how much of the budget the CUPTI side takes.
void BM_ParseOnlyIterator(benchmark::State& state) {
  const Workload& wl = GetWorkload();
  int64_t n = 0;
  for (auto _ : state) {
    for (const ActivityBuffer& b : wl.buffers) {
      CUpti_Activity* rec = nullptr;
      uint8_t* data = const_cast<ActivityBuffer&>(b).data();
      while (cuptiActivityGetNextRecord(data, b.size(), &rec) == CUPTI_SUCCESS) {
        const int kind = rec->kind;
        benchmark::DoNotOptimize(kind);
        ++n;
      }
    }
  }
  state.SetItemsProcessed(n);
}
BENCHMARK(BM_ParseOnlyIterator)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace moeprof::collector

BENCHMARK_MAIN();

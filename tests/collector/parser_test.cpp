// Activity buffers built from the real CUPTI 13.0 structs, walked by the real
// cuptiActivityGetNextRecord, correlated and written with TraceWriter, read back with
// TraceReader: the rows must equal what went in. Plus the edge cases: no timing, unknown kind,
// truncated tail, out-of-order arrival, misaligned buffers.
#include <gtest/gtest.h>

#include <cstring>

#include "activity_buffer.h"
#include "activity_parser.h"
#include "correlator.h"
#include "self_check.h"
#include "test_util.h"

namespace moeprof::collector {
namespace {

using testing::ActivityBuffer;
using testing::Api;
using testing::Kernel;

constexpr uint64_t kOrigin = 1'700'000'000'000'000'000ull;

class ParserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir("parser");
    path_ = dir_ + "/t.sqlite";
    schemas::WriterOptions wo;
    wo.origin_ns = static_cast<int64_t>(kOrigin);
    auto w = schemas::TraceWriter::Create(path_, wo);
    ASSERT_TRUE(w.ok()) << w.status().message();
    writer_ = std::move(w.value());
    schemas::ProcessRow p;
    p.pid = 1;
    p.host = "h";
    CorrelatorOptions co;
    co.origin_ns = static_cast<int64_t>(kOrigin);
    co.process_id = writer_->AddProcess(p);
    co.pending_timeout = std::chrono::milliseconds(50);
    correlator_ = std::make_unique<Correlator>(*writer_, co);
    parser_ = std::make_unique<ActivityParser>(*correlator_);
  }
  schemas::Trace Finish() {
    correlator_->Finish();
    EXPECT_TRUE(writer_->Close().ok());
    return testing::LoadTrace(path_);
  }
  ParseStats Parse(ActivityBuffer& b) { return parser_->Parse(b.data(), b.size()); }

  std::string dir_, path_;
  std::unique_ptr<schemas::TraceWriter> writer_;
  std::unique_ptr<Correlator> correlator_;
  std::unique_ptr<ActivityParser> parser_;
};

TEST(SelfCheck, StridesAndVersionMatchInstalledCupti) {
  EXPECT_EQ(CheckRecordStrides(), "");
  EXPECT_EQ(CheckCuptiVersion(RealCupti()), "");
  EXPECT_EQ(sizeof(CUpti_ActivityKernel10), 216u);
  EXPECT_EQ(sizeof(CUpti_ActivityMemcpy6), 96u);
  EXPECT_EQ(sizeof(CUpti_ActivityMemcpyPtoP4), 96u);
  EXPECT_EQ(sizeof(CUpti_ActivityMemset4), 88u);
  EXPECT_EQ(sizeof(CUpti_ActivityAPI), 40u);
  EXPECT_EQ(sizeof(CUpti_ActivitySynchronization2), 56u);
  EXPECT_EQ(sizeof(CUpti_ActivityExternalCorrelation), 24u);
  EXPECT_EQ(sizeof(CUpti_ActivityGraphTrace2), 56u);
  EXPECT_EQ(sizeof(CUpti_ActivityDevice5), 184u);
  EXPECT_EQ(sizeof(CUpti_ActivityContext3), 32u);
  EXPECT_EQ(sizeof(CUpti_ActivityStream), 24u);
  EXPECT_EQ(sizeof(CUpti_ActivityOverhead3), 56u);
}

TEST_F(ParserTest, EveryKindRoundTrips) {
  ActivityBuffer b;
  CUpti_ActivityDevice5 dev;
  std::memset(&dev, 0, sizeof(dev));
  dev.id = 0;
  dev.name = "NVIDIA H100 80GB HBM3";
  dev.numMultiprocessors = 132;
  dev.computeCapabilityMajor = 9;
  dev.computeCapabilityMinor = 0;
  dev.globalMemorySize = 85'000'000'000ull;
  dev.globalMemoryBandwidth = 3'352'320'000ull;  // kB/s
  dev.l2CacheSize = 52'428'800;
  dev.coreClockRate = 1'980'000;
  dev.uuid.bytes[0] = 0x12;
  b.Add(dev, CUPTI_ACTIVITY_KIND_DEVICE);

  CUpti_ActivityContext3 ctx;
  std::memset(&ctx, 0, sizeof(ctx));
  ctx.contextId = 1;
  ctx.deviceId = 0;
  ctx.nullStreamId = 7;
  b.Add(ctx, CUPTI_ACTIVITY_KIND_CONTEXT);

  CUpti_ActivityStream st;
  std::memset(&st, 0, sizeof(st));
  st.contextId = 1;
  st.streamId = 13;
  st.priority = static_cast<uint32_t>(-2);
  b.Add(st, CUPTI_ACTIVITY_KIND_STREAM);

  b.Add(Api(100, kOrigin + 500, kOrigin + 900, CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000),
        CUPTI_ACTIVITY_KIND_RUNTIME);
  auto k = Kernel(100, kOrigin + 1000, kOrigin + 3000, "gemm_kernel");
  k.graphId = 4;
  k.graphNodeId = 0x100000002ull;
  k.clusterX = 2, k.clusterY = 1, k.clusterZ = 1;
  b.Add(k, CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);

  CUpti_ActivityMemcpy6 mc;
  std::memset(&mc, 0, sizeof(mc));
  mc.copyKind = CUPTI_ACTIVITY_MEMCPY_KIND_HTOD;
  mc.srcKind = CUPTI_ACTIVITY_MEMORY_KIND_PINNED;
  mc.dstKind = CUPTI_ACTIVITY_MEMORY_KIND_DEVICE;
  mc.flags = CUPTI_ACTIVITY_FLAG_MEMCPY_ASYNC;
  mc.bytes = 1 << 20;
  mc.start = kOrigin + 4000;
  mc.end = kOrigin + 5000;
  mc.deviceId = 0, mc.contextId = 1, mc.streamId = 13;
  mc.correlationId = 101;
  b.Add(mc, CUPTI_ACTIVITY_KIND_MEMCPY);

  CUpti_ActivityMemcpyPtoP4 p2p;
  std::memset(&p2p, 0, sizeof(p2p));
  p2p.copyKind = CUPTI_ACTIVITY_MEMCPY_KIND_PTOP;
  p2p.srcKind = p2p.dstKind = CUPTI_ACTIVITY_MEMORY_KIND_DEVICE;
  p2p.bytes = 4096;
  p2p.start = kOrigin + 6000;
  p2p.end = kOrigin + 6500;
  p2p.deviceId = 0, p2p.contextId = 1, p2p.streamId = 13;
  p2p.srcDeviceId = 0, p2p.dstDeviceId = 1;
  p2p.correlationId = 102;
  b.Add(p2p, CUPTI_ACTIVITY_KIND_MEMCPY2);

  CUpti_ActivityMemset4 ms;
  std::memset(&ms, 0, sizeof(ms));
  ms.value = 0xab;
  ms.bytes = 256;
  ms.start = kOrigin + 7000;
  ms.end = kOrigin + 7100;
  ms.deviceId = 0, ms.contextId = 1, ms.streamId = 7;
  ms.correlationId = 103;
  ms.memoryKind = CUPTI_ACTIVITY_MEMORY_KIND_DEVICE;
  b.Add(ms, CUPTI_ACTIVITY_KIND_MEMSET);

  CUpti_ActivitySynchronization2 sy;
  std::memset(&sy, 0, sizeof(sy));
  sy.type = CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_SYNCHRONIZE;
  sy.start = kOrigin + 8000;
  sy.end = kOrigin + 9000;
  sy.correlationId = 104;
  sy.contextId = 1;
  sy.streamId = 13;
  sy.cudaEventId = CUPTI_SYNCHRONIZATION_INVALID_VALUE;
  sy.cudaEventSyncId = CUPTI_SYNCHRONIZATION_INVALID_VALUE;
  b.Add(sy, CUPTI_ACTIVITY_KIND_SYNCHRONIZATION);
  sy.type = CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_CONTEXT_SYNCHRONIZE;
  sy.correlationId = 105;
  sy.streamId = CUPTI_SYNCHRONIZATION_INVALID_VALUE;
  b.Add(sy, CUPTI_ACTIVITY_KIND_SYNCHRONIZATION);

  CUpti_ActivityCudaEvent2 ev;
  std::memset(&ev, 0, sizeof(ev));
  ev.correlationId = 106;
  ev.contextId = 1, ev.streamId = 13, ev.deviceId = 0;
  ev.eventId = 9;
  ev.cudaEventSyncId = 55;
  b.Add(ev, CUPTI_ACTIVITY_KIND_CUDA_EVENT);

  CUpti_ActivityGraphTrace2 g;
  std::memset(&g, 0, sizeof(g));
  g.correlationId = 107;
  g.start = kOrigin + 10000;
  g.end = kOrigin + 20000;
  g.deviceId = 0, g.graphId = 4, g.contextId = 1, g.streamId = 13;
  b.Add(g, CUPTI_ACTIVITY_KIND_GRAPH_TRACE);

  CUpti_ActivityOverhead3 ov;
  std::memset(&ov, 0, sizeof(ov));
  ov.overheadKind = CUPTI_ACTIVITY_OVERHEAD_CUPTI_BUFFER_FLUSH;
  ov.objectKind = CUPTI_ACTIVITY_OBJECT_THREAD;
  ov.objectId.pt.threadId = 4242;
  ov.start = kOrigin + 30000;
  ov.end = kOrigin + 30500;
  b.Add(ov, CUPTI_ACTIVITY_KIND_OVERHEAD);

  CUpti_ActivityExternalCorrelation x;
  std::memset(&x, 0, sizeof(x));
  x.externalKind = CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM0;
  x.externalId = 1234567890123ull;
  x.correlationId = 100;
  b.Add(x, CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION);

  const ParseStats s = Parse(b);
  EXPECT_EQ(s.records, 14);
  EXPECT_EQ(s.no_timing, 0);
  EXPECT_EQ(s.unknown_kind, 0);
  EXPECT_EQ(s.truncated_bytes, 0);

  const schemas::Trace t = Finish();
  ASSERT_EQ(t.devices.size(), 1u);
  const auto& d = t.devices[0];
  EXPECT_EQ(d.name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(d.ordinal, 0);
  EXPECT_EQ(d.sm_count, 132);
  EXPECT_EQ(d.cc_major, 9);
  EXPECT_EQ(d.cc_minor, 0);
  EXPECT_EQ(d.memory_bytes, 85'000'000'000ll);
  EXPECT_EQ(d.memory_bandwidth_bps, 3'352'320'000'000ll);
  EXPECT_EQ(d.l2_bytes, 52'428'800);
  EXPECT_EQ(d.clock_khz, 1'980'000);
  EXPECT_DOUBLE_EQ(d.peak_bf16_flops.value_or(0), 989e12);
  EXPECT_DOUBLE_EQ(d.peak_fp32_flops.value_or(0), 67e12);
  ASSERT_TRUE(d.uuid.has_value());
  EXPECT_EQ(d.uuid->substr(0, 6), "GPU-12");

  ASSERT_EQ(t.streams.size(), 2u);  // 13 (from STREAM) and 7 (the NULL stream, via memset)
  int64_t s13 = 0, s7 = 0;
  for (const auto& st_row : t.streams) {
    EXPECT_EQ(st_row.device, d.id);
    EXPECT_EQ(st_row.context, 1);
    if (st_row.native_id == 13) {
      s13 = st_row.id;
      EXPECT_EQ(st_row.priority, -2);
    } else if (st_row.native_id == 7) {
      s7 = st_row.id;
      EXPECT_EQ(st_row.name, "default");
    }
  }
  ASSERT_NE(s13, 0);
  ASSERT_NE(s7, 0);

  ASSERT_EQ(t.api.size(), 1u);
  EXPECT_EQ(t.api.correlation[0], 100);
  EXPECT_EQ(t.api.start[0], 500);
  EXPECT_EQ(t.api.dur[0], 400);
  EXPECT_EQ(t.api.domain[0], static_cast<int8_t>(schemas::ApiDomain::kRuntime));
  EXPECT_EQ(t.api.cbid[0], CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000);
  EXPECT_EQ(t.str(t.api.name[0]), "cudaLaunchKernel_v7000");
  ASSERT_EQ(t.threads.size(), 1u);
  EXPECT_EQ(t.threads[0].tid, 4242);
  EXPECT_EQ(t.api.thread[0], t.threads[0].id);

  ASSERT_EQ(t.kernels.size(), 1u);
  EXPECT_EQ(t.kernels.stream[0], s13);
  EXPECT_EQ(t.kernels.start[0], 1000);
  EXPECT_EQ(t.kernels.dur[0], 2000);
  EXPECT_EQ(t.kernels.correlation[0], 100);
  EXPECT_EQ(t.kernels.graph[0], 4);
  EXPECT_EQ(t.kernels.graph_node[0], 0x100000002ll);
  EXPECT_EQ(t.kernels.flags[0], schemas::kFlagGraph);
  EXPECT_EQ(t.str(t.kernels.name[0]), "gemm_kernel");
  ASSERT_EQ(t.launch_configs.size(), 1u);
  const auto& cfg = t.launch_configs[0];
  EXPECT_EQ(cfg.id, t.kernels.config[0]);
  EXPECT_EQ(cfg.grid_x, 132);
  EXPECT_EQ(cfg.grid_y, 2);
  EXPECT_EQ(cfg.block_x, 256);
  EXPECT_EQ(cfg.cluster_x, 2);
  EXPECT_EQ(cfg.registers, 96);
  EXPECT_EQ(cfg.static_smem, 1024);
  EXPECT_EQ(cfg.dynamic_smem, 49152);

  ASSERT_EQ(t.memcpys.size(), 2u);
  for (const auto& m : t.memcpys) {
    EXPECT_EQ(m.stream, s13);
    if (m.correlation == 101) {
      EXPECT_EQ(m.start, 4000);
      EXPECT_EQ(m.dur, 1000);
      EXPECT_EQ(m.bytes, 1 << 20);
      EXPECT_EQ(m.copy_kind, CUPTI_ACTIVITY_MEMCPY_KIND_HTOD);
      EXPECT_EQ(m.src_kind, CUPTI_ACTIVITY_MEMORY_KIND_PINNED);
      EXPECT_EQ(m.dst_kind, CUPTI_ACTIVITY_MEMORY_KIND_DEVICE);
      EXPECT_EQ(m.flags, schemas::kFlagAsync);
      EXPECT_FALSE(m.src_device.has_value());
    } else {
      EXPECT_EQ(m.correlation, 102);
      EXPECT_EQ(m.copy_kind, CUPTI_ACTIVITY_MEMCPY_KIND_PTOP);
      EXPECT_EQ(m.src_device, 0);
      EXPECT_EQ(m.dst_device, 1);
      EXPECT_EQ(m.bytes, 4096);
    }
  }
  ASSERT_EQ(t.memsets.size(), 1u);
  EXPECT_EQ(t.memsets[0].stream, s7);
  EXPECT_EQ(t.memsets[0].value, 0xab);
  EXPECT_EQ(t.memsets[0].bytes, 256);
  EXPECT_EQ(t.memsets[0].dur, 100);
  EXPECT_EQ(t.memsets[0].mem_kind, CUPTI_ACTIVITY_MEMORY_KIND_DEVICE);

  ASSERT_EQ(t.syncs.size(), 2u);
  for (const auto& sr : t.syncs) {
    if (sr.correlation == 104) {
      EXPECT_EQ(sr.type, CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_SYNCHRONIZE);
      EXPECT_EQ(sr.stream, s13);
      EXPECT_FALSE(sr.event.has_value());
      EXPECT_EQ(sr.start, 8000);
      EXPECT_EQ(sr.dur, 1000);
    } else {
      EXPECT_EQ(sr.correlation, 105);
      EXPECT_EQ(sr.type, CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_CONTEXT_SYNCHRONIZE);
      EXPECT_FALSE(sr.stream.has_value());
    }
  }
  ASSERT_EQ(t.cuda_events.size(), 1u);
  EXPECT_EQ(t.cuda_events[0].correlation, 106);
  EXPECT_EQ(t.cuda_events[0].event, 9);
  EXPECT_EQ(t.cuda_events[0].sync_id, 55);
  EXPECT_EQ(t.cuda_events[0].stream, s13);
  EXPECT_FALSE(t.cuda_events[0].device_time.has_value());

  ASSERT_EQ(t.graph_launches.size(), 1u);
  EXPECT_EQ(t.graph_launches[0].correlation, 107);
  EXPECT_EQ(t.graph_launches[0].graph, 4);
  EXPECT_EQ(t.graph_launches[0].stream, s13);
  EXPECT_EQ(t.graph_launches[0].start, 10000);
  EXPECT_EQ(t.graph_launches[0].dur, 10000);

  ASSERT_EQ(t.overheads.size(), 1u);
  EXPECT_EQ(t.overheads[0].kind, CUPTI_ACTIVITY_OVERHEAD_CUPTI_BUFFER_FLUSH);
  EXPECT_EQ(t.overheads[0].thread, t.threads[0].id);
  EXPECT_EQ(t.overheads[0].start, 30000);
  EXPECT_EQ(t.overheads[0].dur, 500);

  ASSERT_EQ(t.external_correlations.size(), 1u);
  EXPECT_EQ(t.external_correlations[0].correlation, 100);
  EXPECT_EQ(t.external_correlations[0].kind, CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM0);
  EXPECT_EQ(t.external_correlations[0].external_id, 1234567890123ll);
  EXPECT_TRUE(t.drops.empty());
}

TEST_F(ParserTest, NoTimingRecordsBecomeDrops) {
  ActivityBuffer b;
  b.Add(Kernel(1, 0, 0, "k"), CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
  b.Add(Kernel(2, kOrigin + 10, kOrigin + 20, "k"), CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
  CUpti_ActivityMemset4 ms;
  std::memset(&ms, 0, sizeof(ms));
  ms.correlationId = 3;
  b.Add(ms, CUPTI_ACTIVITY_KIND_MEMSET);
  CUpti_ActivityMemcpy6 mc;
  std::memset(&mc, 0, sizeof(mc));
  b.Add(mc, CUPTI_ACTIVITY_KIND_MEMCPY);
  const ParseStats s = Parse(b);
  EXPECT_EQ(s.records, 1);
  EXPECT_EQ(s.no_timing, 3);
  const schemas::Trace t = Finish();
  EXPECT_EQ(t.kernels.size(), 1u);
  EXPECT_TRUE(t.memsets.empty());
  EXPECT_TRUE(t.memcpys.empty());
  EXPECT_EQ(testing::DropCount(t, "cupti", "no timing"), 3);
}

TEST_F(ParserTest, UnknownKindStopsThatBufferButKeepsEarlierRecords) {
  ActivityBuffer b;
  b.Add(Api(1, kOrigin + 1, kOrigin + 2, CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000),
        CUPTI_ACTIVITY_KIND_RUNTIME);
  uint64_t bogus[5] = {0};
  const uint32_t kind = 0x7000;  // no such kind
  std::memcpy(bogus, &kind, sizeof(kind));
  b.AddRaw(bogus, sizeof(bogus));
  b.Add(Api(2, kOrigin + 3, kOrigin + 4, CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000),
        CUPTI_ACTIVITY_KIND_RUNTIME);
  const ParseStats s = Parse(b);
  EXPECT_EQ(s.records, 1);
  EXPECT_EQ(s.unknown_kind, 1);
  // The next buffer parses normally.
  ActivityBuffer b2;
  b2.Add(Api(3, kOrigin + 5, kOrigin + 6, CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000),
         CUPTI_ACTIVITY_KIND_RUNTIME);
  EXPECT_EQ(Parse(b2).records, 1);
  const schemas::Trace t = Finish();
  EXPECT_EQ(t.api.size(), 2u);
  EXPECT_EQ(testing::DropCount(t, "cupti", "unknown record kind (rest of buffer unreadable)"), 1);
}

TEST_F(ParserTest, KnownButUnhandledKindIsCountedAndSkipped) {
  ActivityBuffer b;
  CUpti_ActivityMemory4 mem;  // MEMORY2: a kind CUPTI can size but we never enable
  std::memset(&mem, 0, sizeof(mem));
  b.Add(mem, CUPTI_ACTIVITY_KIND_MEMORY2);
  b.Add(Api(1, kOrigin + 1, kOrigin + 2, CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000),
        CUPTI_ACTIVITY_KIND_RUNTIME);
  const ParseStats s = Parse(b);
  EXPECT_EQ(s.records, 1);
  EXPECT_EQ(s.unknown_kind, 1);
  const schemas::Trace t = Finish();
  EXPECT_EQ(t.api.size(), 1u);
  EXPECT_EQ(testing::DropCount(t, "cupti", "unknown record kind"), 1);
}

TEST_F(ParserTest, TruncatedTailIsCounted) {
  ActivityBuffer b;
  b.Add(Api(1, kOrigin + 1, kOrigin + 2, CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000),
        CUPTI_ACTIVITY_KIND_RUNTIME);
  auto k = Kernel(2, kOrigin + 10, kOrigin + 20, "k");
  k.kind = CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL;
  b.AddRaw(&k, 64);  // first 64 bytes of a 216-byte record
  const ParseStats s = Parse(b);
  EXPECT_EQ(s.records, 1);
  EXPECT_EQ(s.truncated_bytes, 64);
  const schemas::Trace t = Finish();
  EXPECT_EQ(t.api.size(), 1u);
  EXPECT_EQ(t.kernels.size(), 0u);
  EXPECT_EQ(testing::DropCount(t, "cupti", "truncated record"), 1);
}

TEST_F(ParserTest, MisalignedBufferIsRejected) {
  std::vector<uint64_t> storage(16, 0);
  auto* p = reinterpret_cast<uint8_t*>(storage.data()) + 4;
  auto a = Api(1, kOrigin + 1, kOrigin + 2, CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000);
  const uint32_t kind = CUPTI_ACTIVITY_KIND_RUNTIME;
  std::memcpy(&a, &kind, sizeof(kind));
  std::memcpy(p, &a, sizeof(a));
  const ParseStats s = parser_->Parse(p, sizeof(a));
  EXPECT_EQ(s.misaligned_buffers, 1);
  EXPECT_EQ(s.records, 0);
  const schemas::Trace t = Finish();
  EXPECT_EQ(t.api.size(), 0u);
  EXPECT_EQ(testing::DropCount(t, "cupti", "misaligned buffer"), 1);
}

TEST_F(ParserTest, OutOfOrderArrivalAcrossBuffers) {
  // Thread A's buffer: kernels and an external-correlation record; thread B's buffer, later:
  // the API records they belong to. No DEVICE/CONTEXT record at all.
  ActivityBuffer a, b;
  a.Add(Kernel(7, kOrigin + 100, kOrigin + 200, "late_api_kernel", 1, 5, 21),
        CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
  CUpti_ActivityExternalCorrelation x;
  std::memset(&x, 0, sizeof(x));
  x.externalKind = CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM1;
  x.externalId = 99;
  x.correlationId = 8;
  a.Add(x, CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION);
  // A sync in a context whose device is not known yet: waits until a record places context 6.
  CUpti_ActivitySynchronization2 sy;
  std::memset(&sy, 0, sizeof(sy));
  sy.type = CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_SYNCHRONIZE;
  sy.start = kOrigin + 300;
  sy.end = kOrigin + 400;
  sy.correlationId = 9;
  sy.contextId = 6;
  sy.streamId = 30;
  sy.cudaEventId = CUPTI_SYNCHRONIZATION_INVALID_VALUE;
  a.Add(sy, CUPTI_ACTIVITY_KIND_SYNCHRONIZATION);
  Parse(a);
  b.Add(Api(7, kOrigin + 50, kOrigin + 90, CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000),
        CUPTI_ACTIVITY_KIND_RUNTIME);
  b.Add(Api(8, kOrigin + 95, kOrigin + 99, CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx),
        CUPTI_ACTIVITY_KIND_DRIVER);
  b.Add(Kernel(8, kOrigin + 110, kOrigin + 120, "ext_kernel", 2, 6, 30),
        CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
  Parse(b);
  const schemas::Trace t = Finish();
  ASSERT_EQ(t.api.size(), 2u);
  ASSERT_EQ(t.kernels.size(), 2u);
  // Every kernel has its API row, joined by correlation.
  for (size_t i = 0; i < t.kernels.size(); ++i) {
    bool found = false;
    for (size_t j = 0; j < t.api.size(); ++j) found |= t.api.correlation[j] == t.kernels.correlation[i];
    EXPECT_TRUE(found) << t.kernels.correlation[i];
  }
  for (size_t j = 0; j < t.api.size(); ++j) {
    if (t.api.correlation[j] == 8) {
      EXPECT_EQ(t.api.domain[j], static_cast<int8_t>(schemas::ApiDomain::kDriver));
      EXPECT_EQ(t.str(t.api.name[j]), "cuLaunchKernelEx");
    }
  }
  ASSERT_EQ(t.external_correlations.size(), 1u);
  EXPECT_EQ(t.external_correlations[0].correlation, 8);
  EXPECT_EQ(t.external_correlations[0].external_id, 99);
  // Streams and placeholder devices were created on first sight.
  EXPECT_EQ(t.streams.size(), 2u);
  EXPECT_EQ(t.devices.size(), 2u);
  for (const auto& d : t.devices) EXPECT_EQ(d.name, "unknown");
  ASSERT_EQ(t.syncs.size(), 1u);
  ASSERT_TRUE(t.syncs[0].stream.has_value());
  for (const auto& s : t.streams) {
    if (s.id == *t.syncs[0].stream) {
      EXPECT_EQ(s.native_id, 30);
      EXPECT_EQ(s.context, 6);
    }
  }
}

TEST_F(ParserTest, DeviceRecordAfterItsKernelsFillsTheDeviceRow) {
  ActivityBuffer a, b;
  a.Add(Kernel(1, kOrigin + 10, kOrigin + 20, "k", 3, 9, 40), CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
  Parse(a);
  CUpti_ActivityDevice5 dev;
  std::memset(&dev, 0, sizeof(dev));
  dev.id = 3;
  dev.name = "NVIDIA A100-SXM4-80GB";
  dev.numMultiprocessors = 108;
  b.Add(dev, CUPTI_ACTIVITY_KIND_DEVICE);
  Parse(b);
  const schemas::Trace t = Finish();
  ASSERT_EQ(t.devices.size(), 1u);
  EXPECT_EQ(t.devices[0].name, "NVIDIA A100-SXM4-80GB");
  EXPECT_EQ(t.devices[0].ordinal, 3);
  EXPECT_DOUBLE_EQ(t.devices[0].peak_bf16_flops.value_or(0), 312e12);
  ASSERT_EQ(t.streams.size(), 1u);
  EXPECT_EQ(t.streams[0].device, t.devices[0].id);
}

TEST_F(ParserTest, UnknownGpuHasNoPeaks) {
  ActivityBuffer b;
  CUpti_ActivityDevice5 dev;
  std::memset(&dev, 0, sizeof(dev));
  dev.name = "NVIDIA H100 PCIe";
  b.Add(dev, CUPTI_ACTIVITY_KIND_DEVICE);
  Parse(b);
  const schemas::Trace t = Finish();
  ASSERT_EQ(t.devices.size(), 1u);
  EXPECT_FALSE(t.devices[0].peak_bf16_flops.has_value());
  EXPECT_FALSE(t.devices[0].peak_fp32_flops.has_value());
}

TEST_F(ParserTest, NcclOpsJoinTheirKernelInEitherOrder) {
  correlator_->OnHostEvent(NcclCommEvent{0xabc, "ep", 1, 4, 1});
  // Op before its external-correlation record (the usual order: host events are immediate).
  NcclOpEvent op1;
  op1.comm_id = 0xabc;
  op1.op = "AllToAll";
  op1.seq = 5;
  op1.count = 1024;
  op1.datatype = "bf16";
  op1.bytes = 2048;
  op1.start_ns = static_cast<int64_t>(kOrigin) + 10;
  op1.end_ns = static_cast<int64_t>(kOrigin) + 30;
  op1.external_id = 77;
  correlator_->OnHostEvent(NcclOpEvent(op1));
  NcclOpEvent op2 = op1;  // same group, second op
  op2.seq = 6;
  correlator_->OnHostEvent(NcclOpEvent(op2));
  ActivityBuffer b;
  CUpti_ActivityExternalCorrelation x;
  std::memset(&x, 0, sizeof(x));
  x.externalKind = CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM2;
  x.externalId = 77;
  x.correlationId = 500;
  b.Add(x, CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION);
  x.externalId = 78;  // record before its op
  x.correlationId = 501;
  b.Add(x, CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION);
  Parse(b);
  NcclOpEvent op3 = op1;
  op3.seq = 7;
  op3.external_id = 78;
  correlator_->OnHostEvent(NcclOpEvent(op3));
  NcclOpEvent op4 = op1;  // never gets a record: written without kernel after the timeout
  op4.seq = 8;
  op4.external_id = 79;
  correlator_->OnHostEvent(NcclOpEvent(op4));
  correlator_->Tick(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  const schemas::Trace t = Finish();
  ASSERT_EQ(t.communicators.size(), 1u);
  EXPECT_EQ(t.communicators[0].comm_id, 0xabc);
  EXPECT_EQ(t.communicators[0].nranks, 4);
  ASSERT_EQ(t.comms.size(), 4u);
  for (const auto& c : t.comms) {
    EXPECT_EQ(c.communicator, t.communicators[0].id);
    EXPECT_EQ(t.str(c.op), "AllToAll");
    EXPECT_EQ(c.start, 10);
    EXPECT_EQ(c.dur, 20);
    EXPECT_EQ(c.bytes, 2048);
    ASSERT_TRUE(c.datatype.has_value());
    EXPECT_EQ(t.str(*c.datatype), "bf16");
    if (c.seq == 5 || c.seq == 6) {
      EXPECT_EQ(c.kernel_correlation, 500);
    }
    if (c.seq == 7) {
      EXPECT_EQ(c.kernel_correlation, 501);
    }
    if (c.seq == 8) {
      EXPECT_FALSE(c.kernel_correlation.has_value());
    }
  }
}

TEST_F(ParserTest, HostEventsBecomeNvtxRoutingAndNames) {
  NvtxRangeEvent r;
  r.tid = 77;
  r.domain = "moeprof";
  r.text = "layer 3";
  r.category = 2;
  r.color = 0xff00ff;
  r.payload_kind = static_cast<int>(schemas::PayloadKind::kInt);
  r.payload = 42;
  r.start_ns = static_cast<int64_t>(kOrigin) + 100;
  r.end_ns = static_cast<int64_t>(kOrigin) + 400;
  r.depth = 1;
  correlator_->OnHostEvent(r);
  NvtxMarkEvent m;
  m.tid = 77;
  m.text = "mark";
  m.time_ns = static_cast<int64_t>(kOrigin) + 500;
  correlator_->OnHostEvent(m);
  RoutingEvent re;
  re.step = 1, re.layer = 2, re.microbatch = 0, re.rank = 3, re.first_expert = 8;
  re.tokens = {10, 0, 5};
  re.time_ns = static_cast<int64_t>(kOrigin) + 600;
  correlator_->OnHostEvent(re);
  correlator_->OnHostEvent(ThreadNameEvent{77, "trainer"});
  correlator_->OnHostEvent(StreamNameEvent{0, 13, true, "ep_comm"});
  ActivityBuffer b;
  b.Add(Kernel(1, kOrigin + 10, kOrigin + 20, "k"), CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
  Parse(b);
  correlator_->OnHostEvent(DropEvent{"nvtx", "bad routing mark", 2});
  const schemas::Trace t = Finish();
  ASSERT_EQ(t.nvtx.size(), 2u);
  for (const auto& n : t.nvtx) {
    if (n.kind == schemas::NvtxKind::kPushPop) {
      EXPECT_EQ(t.str(n.domain), "moeprof");
      EXPECT_EQ(t.str(n.text), "layer 3");
      EXPECT_EQ(n.start, 100);
      EXPECT_EQ(n.dur, 300);
      EXPECT_EQ(n.depth, 1);
      EXPECT_EQ(n.category, 2);
      EXPECT_EQ(n.color, 0xff00ff);
      EXPECT_EQ(n.payload_kind, schemas::PayloadKind::kInt);
      EXPECT_DOUBLE_EQ(n.payload.value_or(0), 42);
    } else {
      EXPECT_EQ(n.kind, schemas::NvtxKind::kMark);
      EXPECT_EQ(n.domain, 0);
      EXPECT_EQ(n.start, 500);
      EXPECT_EQ(n.dur, 0);
      EXPECT_FALSE(n.payload.has_value());
    }
  }
  ASSERT_EQ(t.routing.size(), 3u);
  for (const auto& rr : t.routing) {
    EXPECT_EQ(rr.step, 1);
    EXPECT_EQ(rr.layer, 2);
    EXPECT_EQ(rr.rank, 3);
    EXPECT_EQ(rr.time, 600);
    if (rr.expert == 8) {
      EXPECT_EQ(rr.tokens, 10);
    }
    if (rr.expert == 9) {
      EXPECT_EQ(rr.tokens, 0);
    }
    if (rr.expert == 10) {
      EXPECT_EQ(rr.tokens, 5);
    }
  }
  ASSERT_EQ(t.threads.size(), 1u);
  EXPECT_EQ(t.threads[0].name, "trainer");
  ASSERT_EQ(t.streams.size(), 1u);
  EXPECT_EQ(t.streams[0].name, "ep_comm");
  EXPECT_EQ(testing::DropCount(t, "nvtx", "bad routing mark"), 2);
}

}  // namespace
}  // namespace moeprof::collector

// Round trip: rows of every table written through TraceWriter come back equal through LoadAll and
// the streaming readers, including awkward strings, unset optionals and int64 extremes.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <tuple>

#include "moeprof/schemas/migrations.h"
#include "moeprof/schemas/trace_reader.h"
#include "moeprof/schemas/trace_writer.h"
#include "test_util.h"

namespace moeprof::schemas {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

auto Tie(const ClockSyncRow& r) { return std::tie(r.id, r.label, r.trace_ns, r.realtime_ns, r.monotonic_ns); }
auto Tie(const ProcessRow& r) { return std::tie(r.id, r.pid, r.host, r.rank, r.local_rank, r.world_size, r.name); }
auto Tie(const ThreadRow& r) { return std::tie(r.id, r.process, r.tid, r.name); }
auto Tie(const DeviceRow& r) {
  return std::tie(r.id, r.process, r.ordinal, r.name, r.uuid, r.sm_count, r.cc_major, r.cc_minor,
                  r.memory_bytes, r.memory_bandwidth_bps, r.l2_bytes, r.clock_khz,
                  r.peak_bf16_flops, r.peak_fp32_flops);
}
auto Tie(const StreamRow& r) { return std::tie(r.id, r.device, r.context, r.native_id, r.priority, r.name, r.role); }
auto Tie(const MemcpyRow& r) {
  return std::tie(r.stream, r.start, r.dur, r.correlation, r.graph_node, r.bytes, r.copy_kind,
                  r.src_kind, r.dst_kind, r.src_device, r.dst_device, r.graph, r.flags);
}
auto Tie(const MemsetRow& r) {
  return std::tie(r.stream, r.start, r.dur, r.correlation, r.graph_node, r.bytes, r.value,
                  r.mem_kind, r.graph, r.flags);
}
auto Tie(const SyncRow& r) { return std::tie(r.id, r.type, r.stream, r.event, r.start, r.dur, r.correlation); }
auto Tie(const CudaEventRow& r) { return std::tie(r.id, r.correlation, r.stream, r.event, r.sync_id, r.device_time); }
auto Tie(const ExternalCorrelationRow& r) { return std::tie(r.correlation, r.kind, r.external_id); }
auto Tie(const GraphLaunchRow& r) { return std::tie(r.correlation, r.graph, r.stream, r.start, r.dur); }
auto Tie(const NvtxRow& r) {
  return std::tie(r.id, r.thread, r.kind, r.domain, r.text, r.category, r.start, r.dur, r.depth,
                  r.color, r.payload_kind, r.payload, r.stream);
}
auto Tie(const CommunicatorRow& r) { return std::tie(r.id, r.comm_id, r.name, r.rank, r.nranks, r.nnodes, r.role); }
auto Tie(const CommRow& r) {
  return std::tie(r.id, r.communicator, r.op, r.seq, r.count, r.datatype, r.bytes, r.peer, r.root,
                  r.algorithm, r.protocol, r.start, r.dur, r.kernel_correlation, r.role);
}
auto Tie(const CommSplitRow& r) { return std::tie(r.comm, r.peer, r.in_count, r.out_count); }
auto Tie(const RoutingRow& r) { return std::tie(r.step, r.layer, r.microbatch, r.rank, r.expert, r.tokens, r.time); }
auto Tie(const StepRow& r) { return std::tie(r.id, r.number, r.start, r.dur, r.source); }
auto Tie(const OverheadRow& r) { return std::tie(r.id, r.kind, r.thread, r.device, r.start, r.dur); }
auto Tie(const DropRow& r) { return std::tie(r.source, r.reason, r.context, r.stream, r.count); }
auto Tie(const KernelRow& r) {
  return std::tie(r.stream, r.start, r.dur, r.correlation, r.graph_node, r.name, r.config, r.graph, r.flags);
}
auto Tie(const ApiRow& r) {
  return std::tie(r.correlation, r.thread, r.start, r.dur, r.domain, r.cbid, r.name, r.status);
}

template <typename Row>
void ExpectRowsEqual(const std::vector<Row>& want, const std::vector<Row>& got, const char* table) {
  ASSERT_EQ(want.size(), got.size()) << table;
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(Tie(want[i]), Tie(got[i])) << table << " row " << i;
}

const std::string kQuoted = "it's a \"quoted\" 'name'; DROP TABLE kernel; --";
const std::string kUtf8 = "ünïcødé 数据 🚀 ≠";

class RoundTripTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
};

TEST_F(RoundTripTest, EveryTableComesBackEqual) {
  const std::string path = dir.File("trace.db");
  WriterOptions wo;
  wo.origin_ns = 1'750'000'000'123'456'789;
  wo.clock = "CLOCK_MONOTONIC_RAW";
  auto w = TraceWriter::Create(path, wo);
  ASSERT_TRUE(w.ok()) << w.status().message();
  TraceWriter& tw = **w;

  const StringId s_quoted = tw.Intern(kQuoted);
  const StringId s_utf8 = tw.Intern(kUtf8);
  const StringId s_empty = tw.Intern("");
  EXPECT_EQ(s_quoted, tw.Intern(kQuoted));
  EXPECT_NE(s_quoted, 0);
  EXPECT_NE(s_empty, 0);
  EXPECT_NE(s_quoted, s_utf8);
  ASSERT_TRUE(tw.SetMeta("rank", "3").ok());
  ASSERT_TRUE(tw.SetMeta("note", kQuoted).ok());

  LaunchConfig lc1{0, 1024, 2, 1, 256, 1, 1, 2, 1, 1, 64, 4096, 65536, 0};
  LaunchConfig lc2 = lc1;
  lc2.registers = 255;
  const int64_t c1 = tw.InternLaunchConfig(lc1);
  const int64_t c2 = tw.InternLaunchConfig(lc2);
  EXPECT_NE(c1, c2);
  EXPECT_EQ(c1, tw.InternLaunchConfig(lc1));

  std::vector<ClockSyncRow> clocks = {{1, "start", wo.origin_ns, 1'750'000'000'000'000'000, 42},
                                      {2, kUtf8, kMax, kMin, 0}};
  std::vector<ProcessRow> processes = {{1, 4242, "node-01", 3, 1, 16, kQuoted},
                                       {2, 7, "", std::nullopt, std::nullopt, std::nullopt, std::nullopt}};
  std::vector<ThreadRow> threads = {{1, 1, 4243, kUtf8}, {2, 1, 4244, std::nullopt}};
  DeviceRow dev1{1, 1, 0, "NVIDIA H100 80GB HBM3", "GPU-1234", 132, 9, 0, 85'899'345'920,
                 3'350'000'000'000, 52'428'800, 1'980'000, 989.4e12, 66.9e12};
  DeviceRow dev2;
  dev2.id = 2;
  dev2.process = 2;
  dev2.name = "";
  std::vector<DeviceRow> devices = {dev1, dev2};
  std::vector<StreamRow> streams = {{1, 1, 77, 7, -1, "compute", "compute"},
                                    {2, 1, 77, 13, std::nullopt, std::nullopt, std::nullopt},
                                    {3, 2, 78, 14, 0, kUtf8, "ep_comm"}};
  std::vector<CommunicatorRow> comms_ = {{1, kMax, "ep-group", 3, 8, 1, "ep"},
                                         {2, -5, std::nullopt, 0, 1, std::nullopt, std::nullopt}};
  CommRow comm1{1, 1, s_quoted, 17, 1 << 20, s_utf8, 4 << 20, 2, std::nullopt, s_empty, s_utf8,
                -500, 1234, 99, "ep"};
  CommRow comm2;
  comm2.id = 2;
  comm2.op = s_utf8;
  comm2.start = 5;
  comm2.dur = 6;
  std::vector<CommRow> comms = {comm1, comm2};
  std::vector<StepRow> steps = {{1, 0, -1000, 5000, "nvtx"}, {2, 1, 4000, 0, kUtf8}};

  for (auto& r : processes) EXPECT_EQ(tw.AddProcess(r), r.id);
  for (auto& r : threads) EXPECT_EQ(tw.AddThread(r), r.id);
  for (auto& r : devices) EXPECT_EQ(tw.AddDevice(r), r.id);
  for (auto& r : streams) EXPECT_EQ(tw.AddStream(r), r.id);
  for (auto& r : comms_) EXPECT_EQ(tw.AddCommunicator(r), r.id);
  for (auto& r : comms) EXPECT_EQ(tw.AddComm(r), r.id);
  for (auto& r : steps) EXPECT_EQ(tw.AddStep(r), r.id);
  // An id of 0 asks the writer for the next one.
  StepRow auto_step{0, 2, 9000, 10, "inferred"};
  auto_step.id = tw.AddStep(auto_step);
  EXPECT_EQ(auto_step.id, 3);
  steps.push_back(auto_step);
  for (auto& r : clocks) tw.AddClockSync(r);

  std::vector<ApiRow> apis = {{1, 1, -2000, 300, ApiDomain::kRuntime, 211, s_quoted, 0},
                              {kMax, 2, kMin, kMax, ApiDomain::kDriver, 0, s_utf8, -1},
                              {5, 1, 0, 0, ApiDomain::kOther, 7, s_empty, 700}};
  std::vector<KernelRow> kernels = {{1, 100, 50, 1, 0, s_quoted, c1, 0, 0},
                                    {1, -300, 20, 2, 0, s_utf8, c2, 0, kFlagDeviceLaunched},
                                    {2, kMin, kMax, kMax, 7, s_empty, c1, 99, kFlagGraph},
                                    {1, 100, 50, 3, 0, s_quoted, c1, 0, 0}};  // same start, next id
  std::vector<MemcpyRow> memcpys = {{1, 10, 5, 1, 0, 1 << 30, 1, 1, 3, 0, std::nullopt, 0, kFlagAsync},
                                    {2, -10, 5, 2, 3, 0, 8, 3, 3, 0, 1, 4, kFlagGraph}};
  std::vector<MemsetRow> memsets = {{1, 20, 5, 4, 0, 4096, 0, 3, 0, kFlagAsync},
                                    {3, kMax, 0, 5, 0, 1, 255, 3, 0, 0}};
  std::vector<SyncRow> syncs = {{1, 3, 1, std::nullopt, 10, 20, 1}, {2, 1, std::nullopt, 0xdead, -5, 0, 2}};
  std::vector<CudaEventRow> events = {{1, 3, 1, 12, 4, 1000}, {2, 4, std::nullopt, 13, 5, std::nullopt}};
  std::vector<ExternalCorrelationRow> ext = {{1, 1, kMax}, {1, 2, 5}, {2, 1, 0}};
  std::vector<GraphLaunchRow> graphs = {{9, 3, 1, 100, 200}, {10, 3, std::nullopt, -1, 0}};
  std::vector<NvtxRow> nvtx = {
      {1, 1, NvtxKind::kPushPop, s_utf8, s_quoted, 0, -100, 1000, 0, 0xff00ff, PayloadKind::kNone,
       std::nullopt, std::nullopt},
      {2, 2, NvtxKind::kMark, 0, s_empty, 3, 5, 0, 2, std::nullopt, PayloadKind::kDouble, 0.25, 1},
      {3, 1, NvtxKind::kStartEnd, s_quoted, s_utf8, 0, 7, 8, 1, std::nullopt, PayloadKind::kInt,
       -42.0, std::nullopt}};
  std::vector<CommSplitRow> splits = {{1, 0, 10, 20}, {1, 7, 0, kMax}};
  std::vector<RoutingRow> routing = {{0, 0, 0, 0, 0, 100, 55}, {0, 0, 0, 0, 1, 0, std::nullopt},
                                     {1, 3, 2, 7, 63, kMax, -1}};
  std::vector<OverheadRow> overheads = {{1, 2, 1, std::nullopt, 0, 10}, {2, 1, std::nullopt, 1, -3, 4}};

  for (auto& r : apis) tw.AddApi(r);
  for (auto& r : kernels) tw.AddKernel(r);
  for (auto& r : memcpys) tw.AddMemcpy(r);
  for (auto& r : memsets) tw.AddMemset(r);
  for (auto& r : syncs) tw.AddSync(r);
  for (auto& r : events) tw.AddCudaEvent(r);
  for (auto& r : ext) tw.AddExternalCorrelation(r);
  for (auto& r : graphs) tw.AddGraphLaunch(r);
  for (auto& r : nvtx) tw.AddNvtx(r);
  for (auto& r : splits) tw.AddCommSplit(r);
  for (auto& r : routing) tw.AddRouting(r);
  for (auto& r : overheads) tw.AddOverhead(r);
  tw.AddDrop({0, "cupti", "buffer full", 77, 1, 3});
  tw.AddDrop({0, "cupti", "buffer full", 77, 1, 4});
  tw.AddDrop({0, "nvtx", kQuoted, std::nullopt, std::nullopt, 1});
  ASSERT_TRUE(tw.Commit().ok()) << tw.error().message();
  // Accumulates across commits too; a duplicate key is counted, never silently lost.
  tw.AddDrop({0, "cupti", "buffer full", 77, 1, 10});
  tw.AddKernel(kernels[0]);
  // Names can arrive after the stream / thread row was written.
  StreamRow renamed = streams[1];
  renamed.name = "pp_comm rank 3";
  renamed.role = "pp_comm";
  tw.UpdateStream(renamed);
  streams[1].name = renamed.name;
  streams[1].role = renamed.role;
  tw.UpdateThreadName(2, "dataloader");
  threads[1].name = "dataloader";
  ASSERT_TRUE(tw.Close().ok()) << tw.error().message();
  EXPECT_TRUE(tw.Close().ok());  // idempotent

  auto r = TraceReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)->format_version(), CurrentFormatVersion());
  auto t = (*r)->LoadAll();
  ASSERT_TRUE(t.ok()) << t.status().message();

  EXPECT_EQ(t->origin_ns, wo.origin_ns);
  EXPECT_EQ(t->meta.at("schema"), "moeprof-trace");
  EXPECT_EQ(t->meta.at("clock"), "CLOCK_MONOTONIC_RAW");
  EXPECT_EQ(t->meta.at("tool"), "moeprof");
  EXPECT_FALSE(t->meta.at("tool_version").empty());
  EXPECT_EQ(t->meta.at("format_version"), std::to_string(CurrentFormatVersion()));
  EXPECT_EQ(t->meta.at("rank"), "3");
  EXPECT_EQ(t->meta.at("note"), kQuoted);
  EXPECT_EQ(t->str(s_quoted), kQuoted);
  EXPECT_EQ(t->str(s_utf8), kUtf8);
  EXPECT_EQ(t->str(s_empty), "");
  EXPECT_EQ(t->str(0), "");
  EXPECT_EQ(t->str(12345), "");

  ASSERT_EQ(t->launch_configs.size(), 2u);
  EXPECT_EQ(t->launch_configs[0].id, c1);
  EXPECT_TRUE(t->launch_configs[0] == lc1);
  EXPECT_TRUE(t->launch_configs[1] == lc2);

  ExpectRowsEqual(clocks, t->clock_syncs, "clock_sync");
  ExpectRowsEqual(processes, t->processes, "process");
  ExpectRowsEqual(threads, t->threads, "thread");
  ExpectRowsEqual(devices, t->devices, "device");
  ExpectRowsEqual(streams, t->streams, "stream");
  ExpectRowsEqual(comms_, t->communicators, "communicator");
  ExpectRowsEqual(comms, t->comms, "comm");
  ExpectRowsEqual(steps, t->steps, "step");
  ExpectRowsEqual(syncs, t->syncs, "sync");
  ExpectRowsEqual(events, t->cuda_events, "cuda_event");
  ExpectRowsEqual(ext, t->external_correlations, "external_correlation");
  ExpectRowsEqual(graphs, t->graph_launches, "graph_launch");
  ExpectRowsEqual(nvtx, t->nvtx, "nvtx");
  ExpectRowsEqual(splits, t->comm_splits, "comm_split");
  ExpectRowsEqual(routing, t->routing, "routing");
  ExpectRowsEqual(overheads, t->overheads, "overhead");

  // GPU activity comes back in (stream, start, correlation, graph_node) order.
  auto key = [](const auto& a) { return std::tie(a.stream, a.start, a.correlation, a.graph_node); };
  auto by_key = [&](const auto& a, const auto& b) { return key(a) < key(b); };
  std::sort(kernels.begin(), kernels.end(), by_key);
  std::sort(memcpys.begin(), memcpys.end(), by_key);
  std::sort(memsets.begin(), memsets.end(), by_key);
  ExpectRowsEqual(memcpys, t->memcpys, "memcpy");
  ExpectRowsEqual(memsets, t->memsets, "memset");

  const KernelColumns& kc = t->kernels;
  ASSERT_EQ(kc.size(), kernels.size());
  for (size_t i = 0; i < kernels.size(); ++i) {
    const KernelRow got{kc.stream[i], kc.start[i], kc.dur[i], kc.correlation[i], kc.graph_node[i],
                        kc.name[i],   kc.config[i], kc.graph[i], kc.flags[i]};
    EXPECT_EQ(Tie(kernels[i]), Tie(got)) << "kernel row " << i;
  }
  std::sort(apis.begin(), apis.end(),
            [](const ApiRow& a, const ApiRow& b) { return a.correlation < b.correlation; });
  const ApiColumns& ac = t->api;
  ASSERT_EQ(ac.size(), apis.size());
  for (size_t i = 0; i < apis.size(); ++i) {
    const ApiRow got{ac.correlation[i], ac.thread[i], ac.start[i], ac.dur[i],
                     static_cast<ApiDomain>(ac.domain[i]), ac.cbid[i], ac.name[i], ac.status[i]};
    EXPECT_EQ(Tie(apis[i]), Tie(got)) << "api row " << i;
  }

  std::vector<DropRow> drops = t->drops;
  std::sort(drops.begin(), drops.end(),
            [](const DropRow& a, const DropRow& b) { return Tie(a) < Tie(b); });
  std::vector<DropRow> want_drops = {{0, "cupti", "buffer full", 77, 1, 17},
                                     {0, "nvtx", kQuoted, std::nullopt, std::nullopt, 1},
                                     {0, "writer", "duplicate key", std::nullopt, 1, 1}};
  ExpectRowsEqual(want_drops, drops, "drops");

  // Streaming gives the same rows in the same order, and stops when asked.
  std::vector<KernelRow> streamed;
  ASSERT_TRUE((*r)->ForEachKernel([&](const KernelRow& k) {
                     streamed.push_back(k);
                     return true;
                   }).ok());
  ExpectRowsEqual(kernels, streamed, "ForEachKernel");
  std::vector<ApiRow> streamed_api;
  ASSERT_TRUE((*r)->ForEachApi([&](const ApiRow& a) {
                     streamed_api.push_back(a);
                     return streamed_api.size() < 2;
                   }).ok());
  ASSERT_EQ(streamed_api.size(), 2u);
  EXPECT_EQ(Tie(streamed_api[0]), Tie(apis[0]));
  EXPECT_EQ(Tie(streamed_api[1]), Tie(apis[1]));

  auto counts = (*r)->RowCounts();
  ASSERT_TRUE(counts.ok()) << counts.status().message();
  EXPECT_EQ(counts->at("kernel"), 4);
  EXPECT_EQ(counts->at("api"), 3);
  EXPECT_EQ(counts->at("string"), 3);
  EXPECT_EQ(counts->at("launch_config"), 2);
  EXPECT_EQ(counts->at("drops"), 3);
  EXPECT_EQ(counts->at("routing"), 3);
  EXPECT_EQ(counts->count("sqlite_schema"), 0u);
}

TEST_F(RoundTripTest, ManyRowsAcrossBatchesStayOrderedAndComplete) {
  const std::string path = dir.File("many.db");
  WriterOptions wo;
  wo.max_buffered_rows = 1000;  // forces many commits
  auto w = TraceWriter::Create(path, wo);
  ASSERT_TRUE(w.ok()) << w.status().message();
  const StringId name = (*w)->Intern("gemm");
  const int n = 20'000;
  for (int i = 0; i < n; ++i) {
    // Streams interleave and arrive slightly out of order within a stream.
    const int64_t q = i / 8;
    const int64_t start = q * 1000 - (q % 2) * 1500;
    (*w)->AddKernel({i % 8 + 1, start, 10, i, 0, name, 1, 0, 0});
  }
  EXPECT_GT((*w)->commits(), 10);
  EXPECT_EQ((*w)->rows_written(), n);
  ASSERT_TRUE((*w)->Close().ok());
  auto r = TraceReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto t = (*r)->LoadAll();
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->kernels.size(), static_cast<size_t>(n));
  for (size_t i = 1; i < t->kernels.size(); ++i) {
    const auto& k = t->kernels;
    ASSERT_LE(std::tie(k.stream[i - 1], k.start[i - 1]), std::tie(k.stream[i], k.start[i]));
  }
  EXPECT_TRUE(t->drops.empty());
}

}  // namespace
}  // namespace moeprof::schemas

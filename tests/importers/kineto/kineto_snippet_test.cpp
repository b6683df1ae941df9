// Hand-written Kineto snippets: every mapped category lands in the right table with the right
// values; times are exact; flows link calls without args.correlation; bad records are skipped
// and counted (stats and drops); 2021-era category names and a bare top-level array import.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "kineto_test_util.h"

namespace moeprof::analyzer::kineto_test {
namespace {

using schemas::Trace;

const char* kCurrent = R"js({
  "schemaVersion": 1,
  "deviceProperties": [
    {"id": 0, "name": "NVIDIA H100 80GB HBM3", "totalGlobalMem": 85031714816,
     "computeMajor": 9, "computeMinor": 0, "numSms": 132},
    {"id": 1, "name": "NVIDIA H100 80GB HBM3", "totalGlobalMem": 85031714816,
     "computeMajor": 9, "computeMinor": 0, "numSms": 132}
  ],
  "distributedInfo": {"backend": "nccl", "rank": 1, "world_size": 4, "nccl_version": "2.21.5",
    "pg_config": [{"pg_name": "0", "pg_desc": "default_pg", "pg_size": 4, "ranks": [0, 1, 2, 3]}]},
  "cuda_runtime_version": 12040,
  "traceEvents": [
  {"ph": "X", "cat": "user_annotation", "name": "ProfilerStep#7", "pid": 100, "tid": 101,
   "ts": 1000.000, "dur": 500.5, "args": {"External id": 1}},
  {"ph": "X", "cat": "cpu_op", "name": "aten::mm", "pid": 100, "tid": 101,
   "ts": 1001.001, "dur": 10, "args": {"External id": 2}},
  {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 100, "tid": 101,
   "ts": 1002.5, "dur": 3.25, "args": {"External id": 2, "cbid": 211, "correlation": 42}},
  {"ph": "X", "cat": "kernel", "name": "gemm_kernel", "pid": 0, "tid": 7,
   "ts": 1010.123, "dur": 20.002, "args": {"External id": 2, "device": 0, "context": 1, "stream": 7,
   "correlation": 42, "registers per thread": 128, "shared memory": 49152,
   "grid": [132, 2, 1], "block": [256, 1, 1], "graph id": 0, "graph node id": 0}},
  {"ph": "X", "cat": "cuda_runtime", "name": "cudaMemcpyAsync", "pid": 100, "tid": 101,
   "ts": 1020, "dur": 30, "args": {"cbid": 41, "correlation": 43}},
  {"ph": "X", "cat": "gpu_memcpy", "name": "Memcpy DtoH (Device -> Pageable)", "pid": 0, "tid": 7,
   "ts": 1031, "dur": 4, "args": {"device": 0, "context": 1, "stream": 7, "correlation": 43,
   "bytes": 4096, "memory bandwidth (GB/s)": 1.0}},
  {"ph": "X", "cat": "gpu_memset", "name": "Memset (Device)", "pid": 0, "tid": 7,
   "ts": 1040, "dur": 1, "args": {"device": 0, "context": 1, "stream": 7, "correlation": 44,
   "bytes": 8}},
  {"ph": "X", "cat": "cuda_driver", "name": "cuLaunchKernelEx", "pid": 100, "tid": 102,
   "ts": 1050, "dur": 2, "args": {"cbid": 652, "correlation": 45}},
  {"ph": "X", "cat": "kernel", "name": "ncclDevKernel_AllToAll_RING_LL(ncclDevKernelArgsStorage<4096ul>)",
   "pid": 0, "tid": 20, "ts": 1060, "dur": 100, "args": {"device": 0, "context": 1, "stream": 20,
   "correlation": 45, "grid": [4, 1, 1], "block": [512, 1, 1],
   "Collective name": "all_to_all", "In msg nelems": 1000, "Out msg nelems": 1200, "Group size": 4,
   "dtype": "BFloat16", "In split size": "[100, 200, 300, 400]", "Out split size": "[250, 250, 350, 350]",
   "Process Group Name": "0", "Process Group Description": "default_pg",
   "Process Group Ranks": "[0, 1, 2, 3]", "Seq": 17}},
  {"ph": "X", "cat": "kernel", "name": "ncclKernel_SendRecv_RING_SIMPLE_Sum_int8_t(ncclWorkElem)",
   "pid": 0, "tid": 21, "ts": 1200, "dur": 50, "args": {"device": 0, "stream": 21, "correlation": 46}},
  {"ph": "X", "cat": "cuda_runtime", "name": "cudaStreamSynchronize", "pid": 100, "tid": 101,
   "ts": 1300, "dur": 40, "args": {"cbid": 131, "correlation": 47}},
  {"ph": "X", "cat": "cuda_sync", "name": "Stream Sync", "pid": 0, "tid": 7, "ts": 1301, "dur": 38,
   "args": {"cuda_sync_kind": "Stream Sync", "stream": 7, "correlation": 47, "device": 0}},
  {"ph": "X", "cat": "cuda_sync", "name": "Context Sync", "pid": 0, "tid": -1, "ts": 1350, "dur": 2,
   "args": {"cuda_sync_kind": "Context Sync", "stream": 4294967295, "correlation": 48, "device": 0}},
  {"ph": "X", "cat": "cuda_sync", "name": "Stream Wait Event", "pid": 0, "tid": 20, "ts": 1360, "dur": 1,
   "args": {"cuda_sync_kind": "Stream Wait Event", "stream": 20, "correlation": 49, "device": 0,
   "wait_on_cuda_event_id": 7777}},
  {"ph": "X", "cat": "cuda_sync", "name": "Event Sync", "pid": 0, "tid": -1, "ts": 1370, "dur": 1,
   "args": {"cuda_sync_kind": "Event Sync", "correlation": 50, "device": 0}},
  {"ph": "X", "cat": "gpu_user_annotation", "name": "ProfilerStep#7", "pid": 0, "tid": 7,
   "ts": 1010, "dur": 400, "args": {"External id": 1}},
  {"ph": "X", "cat": "python_function", "name": "train.py(10): step", "pid": 100, "tid": 101,
   "ts": 1000, "dur": 400},
  {"ph": "X", "cat": "overhead", "name": "Activity Buffer Request", "pid": -1, "tid": 0,
   "ts": 1005, "dur": 2},
  {"ph": "s", "id": 42, "pid": 100, "tid": 101, "ts": 1002.5, "cat": "ac2g", "name": "ac2g"},
  {"ph": "f", "id": 42, "pid": 0, "tid": 7, "ts": 1010.123, "cat": "ac2g", "name": "ac2g", "bp": "e"},
  {"name": "process_name", "ph": "M", "ts": 999, "pid": 100, "tid": 0, "args": {"name": "python3"}},
  {"name": "thread_name", "ph": "M", "ts": 999, "pid": 100, "tid": 101, "args": {"name": "main"}},
  {"ph": "X", "cat": "Trace", "ts": 999, "dur": 600, "pid": "Spans", "tid": "PyTorch Profiler",
   "name": "PyTorch Profiler (0)", "args": {"Op count": 0}}
  ],
  "traceName": "rank1.pt.trace.json",
  "displayTimeUnit": "ms",
  "baseTimeNanoseconds": 1700000000000000000
})js";

std::string Str(const Trace& t, int64_t id) { return t.str(id); }

TEST(KinetoSnippet, MapsEveryCategory) {
  const Imported r = ImportText(kCurrent, "current");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  const Trace& t = r.trace;
  // Origin: base + the earliest imported event (the user annotation at 1000 µs); the "Trace"
  // span and metadata at 999 µs are not imported.
  EXPECT_EQ(r.origin_ns, 1700000000000000000 + 1000000);
  EXPECT_EQ(t.origin_ns, r.origin_ns);
  EXPECT_EQ(t.meta.at("source"), "kineto");
  EXPECT_EQ(t.meta.at("source_format"), "kineto");
  EXPECT_EQ(t.meta.at("backend"), "import");
  EXPECT_EQ(t.meta.at("kineto_schema_version"), "1");
  EXPECT_EQ(t.meta.at("kineto_base_time_ns"), "1700000000000000000");
  EXPECT_EQ(t.meta.at("rank"), "1");
  EXPECT_EQ(t.meta.at("world_size"), "4");
  EXPECT_EQ(t.meta.at("cuda_version"), "12040");
  EXPECT_NE(t.meta.at("source_path").find("current.json"), std::string::npos);

  ASSERT_EQ(t.processes.size(), 1u);
  EXPECT_EQ(t.processes[0].pid, 100);
  EXPECT_EQ(t.processes[0].rank, 1);
  EXPECT_EQ(t.processes[0].world_size, 4);
  EXPECT_EQ(t.processes[0].name, "python3");
  EXPECT_EQ(r.key.pid, 100);
  EXPECT_EQ(r.key.rank, 1);

  // Only the device the events use, with its properties and GPUS.md peaks.
  ASSERT_EQ(t.devices.size(), 1u);
  EXPECT_EQ(t.devices[0].ordinal, 0);
  EXPECT_EQ(t.devices[0].name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(t.devices[0].sm_count, 132);
  EXPECT_EQ(t.devices[0].cc_major, 9);
  EXPECT_EQ(t.devices[0].memory_bytes, 85031714816);
  EXPECT_DOUBLE_EQ(t.devices[0].peak_bf16_flops.value_or(0), 989e12);
  EXPECT_EQ(t.devices[0].memory_bandwidth_bps, 3350000000000);

  // Streams 7, 20, 21 on device 0.
  std::map<int64_t, int64_t> stream_by_native;
  for (const auto& s : t.streams) stream_by_native[s.native_id] = s.id;
  EXPECT_EQ(stream_by_native.size(), 3u);
  ASSERT_TRUE(stream_by_native.count(7));

  // Kernels: times exact relative to the origin.
  ASSERT_EQ(t.kernels.size(), 3u);
  size_t gemm = t.kernels.size();
  for (size_t i = 0; i < t.kernels.size(); ++i) {
    if (Str(t, t.kernels.name[i]) == "gemm_kernel") gemm = i;
  }
  ASSERT_LT(gemm, t.kernels.size());
  EXPECT_EQ(t.kernels.start[gemm], 10123);  // 1010.123 µs − 1000 µs
  EXPECT_EQ(t.kernels.dur[gemm], 20002);
  EXPECT_EQ(t.kernels.correlation[gemm], 42);
  EXPECT_EQ(t.kernels.stream[gemm], stream_by_native[7]);
  const auto& lc = t.launch_configs.at(static_cast<size_t>(t.kernels.config[gemm]) - 1);
  EXPECT_EQ(lc.grid_x, 132);
  EXPECT_EQ(lc.grid_y, 2);
  EXPECT_EQ(lc.block_x, 256);
  EXPECT_EQ(lc.registers, 128);
  EXPECT_EQ(lc.static_smem, 49152);

  // API calls: runtime and driver, thread rows per (pid, tid), named thread.
  ASSERT_EQ(t.api.size(), 4u);
  std::map<int64_t, size_t> api_by_corr;
  for (size_t i = 0; i < t.api.size(); ++i) api_by_corr[t.api.correlation[i]] = i;
  ASSERT_TRUE(api_by_corr.count(42) && api_by_corr.count(45));
  EXPECT_EQ(Str(t, t.api.name[api_by_corr[42]]), "cudaLaunchKernel");
  EXPECT_EQ(t.api.start[api_by_corr[42]], 2500);
  EXPECT_EQ(t.api.dur[api_by_corr[42]], 3250);
  EXPECT_EQ(t.api.cbid[api_by_corr[42]], 211);
  EXPECT_EQ(t.api.domain[api_by_corr[42]], static_cast<int8_t>(schemas::ApiDomain::kRuntime));
  EXPECT_EQ(t.api.domain[api_by_corr[45]], static_cast<int8_t>(schemas::ApiDomain::kDriver));
  EXPECT_EQ(t.threads.size(), 2u);
  bool named = false;
  for (const auto& th : t.threads) named |= th.tid == 101 && th.name == "main";
  EXPECT_TRUE(named);
  ASSERT_FALSE(t.external_correlations.empty());
  EXPECT_EQ(t.external_correlations[0].kind, 3);

  // Copies.
  ASSERT_EQ(t.memcpys.size(), 1u);
  EXPECT_EQ(t.memcpys[0].copy_kind, 2);  // DtoH
  EXPECT_EQ(t.memcpys[0].src_kind, 3);   // device
  EXPECT_EQ(t.memcpys[0].dst_kind, 1);   // pageable
  EXPECT_EQ(t.memcpys[0].bytes, 4096);
  EXPECT_EQ(t.memcpys[0].flags & schemas::kFlagAsync, schemas::kFlagAsync);
  ASSERT_EQ(t.memsets.size(), 1u);
  EXPECT_EQ(t.memsets[0].bytes, 8);
  EXPECT_EQ(t.memsets[0].mem_kind, 3);

  // Syncs: types, stream only when there is one, event id for waits.
  ASSERT_EQ(t.syncs.size(), 4u);
  std::map<int64_t, schemas::SyncRow> sync_by_corr;
  for (const auto& y : t.syncs) sync_by_corr[y.correlation] = y;
  EXPECT_EQ(sync_by_corr[47].type, 3);
  EXPECT_EQ(sync_by_corr[47].stream, stream_by_native[7]);
  EXPECT_EQ(sync_by_corr[47].start, 301000);
  EXPECT_EQ(sync_by_corr[48].type, 4);
  EXPECT_FALSE(sync_by_corr[48].stream.has_value());
  EXPECT_EQ(sync_by_corr[49].type, 2);
  EXPECT_EQ(sync_by_corr[49].event, 7777);
  EXPECT_EQ(sync_by_corr[50].type, 1);

  // Comm: normalised op, counts, bytes, communicator, seq, splits (sent/received per peer).
  ASSERT_EQ(t.comms.size(), 2u);
  const schemas::CommRow* a2a = nullptr;
  const schemas::CommRow* sendrecv = nullptr;
  for (const auto& c : t.comms) {
    if (Str(t, c.op) == "AllToAll") a2a = &c;
    if (Str(t, c.op) == "SendRecv") sendrecv = &c;
  }
  ASSERT_NE(a2a, nullptr);
  ASSERT_NE(sendrecv, nullptr);
  EXPECT_EQ(a2a->kernel_correlation, 45);
  EXPECT_EQ(a2a->count, 1000);
  EXPECT_EQ(a2a->bytes, 2000);
  EXPECT_EQ(a2a->seq, 17);
  EXPECT_EQ(Str(t, a2a->datatype.value_or(0)), "bf16");
  EXPECT_EQ(Str(t, a2a->algorithm.value_or(0)), "Ring");
  EXPECT_EQ(Str(t, a2a->protocol.value_or(0)), "LL");
  EXPECT_EQ(a2a->start, 60000);
  EXPECT_EQ(a2a->dur, 100000);
  ASSERT_TRUE(a2a->communicator.has_value());
  ASSERT_EQ(t.communicators.size(), 1u);
  EXPECT_EQ(t.communicators[0].nranks, 4);
  EXPECT_EQ(t.communicators[0].rank, 1);
  EXPECT_EQ(t.communicators[0].comm_id, 0);
  EXPECT_EQ(sendrecv->kernel_correlation, 46);
  EXPECT_EQ(Str(t, sendrecv->protocol.value_or(0)), "Simple");
  ASSERT_EQ(t.comm_splits.size(), 4u);
  for (const auto& s : t.comm_splits) {
    if (s.peer == 2) {
      EXPECT_EQ(s.out_count, 300);  // sent to rank 2 ("In split size")
      EXPECT_EQ(s.in_count, 350);   // received from rank 2 ("Out split size")
    }
  }

  // NVTX: annotation, op (own domain, nested), GPU annotation with stream.
  ASSERT_EQ(t.nvtx.size(), 3u);
  const schemas::NvtxRow* step_range = nullptr;
  const schemas::NvtxRow* op = nullptr;
  const schemas::NvtxRow* gpu = nullptr;
  for (const auto& n : t.nvtx) {
    if (n.stream) gpu = &n;
    else if (Str(t, n.text) == "aten::mm") op = &n;
    else step_range = &n;
  }
  ASSERT_TRUE(step_range && op && gpu);
  EXPECT_EQ(step_range->depth, 0);
  EXPECT_EQ(step_range->domain, 0);
  EXPECT_EQ(step_range->dur, 500500);
  EXPECT_EQ(op->depth, 1);
  EXPECT_EQ(Str(t, op->domain), "pytorch.cpu_op");
  EXPECT_EQ(op->start, 1001);
  EXPECT_EQ(gpu->stream, stream_by_native[7]);
  EXPECT_EQ(gpu->thread, step_range->thread);

  // Steps.
  ASSERT_EQ(t.steps.size(), 1u);
  EXPECT_EQ(t.steps[0].number, 7);
  EXPECT_EQ(t.steps[0].start, 0);
  EXPECT_EQ(t.steps[0].dur, 500500);
  EXPECT_EQ(t.steps[0].source, "profiler_step");

  EXPECT_EQ(t.overheads.size(), 1u);
  EXPECT_TRUE(t.drops.empty());
  EXPECT_TRUE(r.stats.skipped.empty());
  EXPECT_GT(r.stats.records_read, 20);
  EXPECT_GT(r.stats.records_written, 20);
}

TEST(KinetoSnippet, GzipIsDetectedFromBytesNotName) {
  const std::string path = TempPath("gz_named_plain.json");  // a .json name holding gzip
  WriteFile(path, Gzip(kCurrent));
  const Imported r = ImportFile(path, "gz.sqlite");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.trace.kernels.size(), 3u);
}

TEST(KinetoSnippet, FlowsLinkCallsWithoutCorrelationArgs) {
  const Imported r = ImportText(R"js({"traceEvents": [
    {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 5, "tid": 6,
     "ts": 10, "dur": 2, "args": {}},
    {"ph": "X", "cat": "kernel", "name": "k", "pid": 0, "tid": 7, "ts": 20, "dur": 1,
     "args": {"stream": 7}},
    {"ph": "s", "id": 9001, "pid": 5, "tid": 6, "ts": 10, "cat": "ac2g", "name": "ac2g"},
    {"ph": "f", "id": 9001, "pid": 0, "tid": 7, "ts": 20, "cat": "ac2g", "name": "ac2g", "bp": "e"}
  ]})js", "flows");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.trace.kernels.size(), 1u);
  ASSERT_EQ(r.trace.api.size(), 1u);
  EXPECT_EQ(r.trace.kernels.correlation[0], 9001);
  EXPECT_EQ(r.trace.api.correlation[0], 9001);
}

TEST(KinetoSnippet, Era2021ArrayWithCapitalisedCategories) {
  const Imported r = ImportText(R"js([
  {"ph": "X", "cat": "Operator", "name": "ProfilerStep#5", "pid": 68753, "tid": "3340707648",
   "ts": 1606911006433250, "dur": 1000, "args": {"External id": 1}},
  {"ph": "X", "cat": "Operator", "name": "aten::add", "pid": 68753, "tid": "3340707648",
   "ts": 1606911006433260, "dur": 10, "args": {"External id": 2}},
  {"ph": "X", "cat": "Runtime", "name": "cudaLaunchKernel", "pid": 68753, "tid": "3340707648",
   "ts": 1606911006433262, "dur": 5, "args": {"cbid": 211, "correlation": 59629, "external id": 2}},
  {"ph": "X", "cat": "Kernel", "name": "add_kernel", "pid": 0, "tid": "stream 7",
   "ts": 1606911006433418, "dur": 4, "args": {"queued": 0, "device": 0, "context": 1,
   "stream": 7, "correlation": 59629, "external id": 0, "registers per thread": 20,
   "shared memory": 0, "warps per SM": 25.6, "grid": [1024, 1, 1], "block": [64, 1, 1]}},
  {"ph": "X", "cat": "Memcpy", "name": "Memcpy HtoD (Pageable -> Device)", "pid": 0,
   "tid": "stream 7", "ts": 1606911006433500, "dur": 3, "args": {"device": 0, "stream": 7,
   "correlation": 59630, "bytes": 100}},
  {"ph": "X", "cat": "Memset", "name": "Memset (Device)", "pid": 0, "tid": "stream 7",
   "ts": 1606911006433600, "dur": 1, "args": {"device": 0, "stream": 7, "correlation": 59631,
   "bytes": 16}},
  {"ph": "f", "id": 59629, "pid": 0, "tid": "stream 7", "ts": 1606911006433418, "cat": "async",
   "name": "launch", "bp": "e"},
  {"name": "process_name", "ph": "M", "ts": 1606911006433120, "pid": 68753, "tid": 0,
   "args": {"name": "python"}},
  {"ph": "X", "cat": "Trace", "ts": 1606911006433120, "dur": 1086638, "pid": "Traces",
   "tid": "PyTorch Profiler", "name": "PyTorch Profiler (0)", "args": {"Op count": 0}}
])js", "era2021");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  const Trace& t = r.trace;
  EXPECT_EQ(r.origin_ns, 1606911006433250000);
  ASSERT_EQ(t.kernels.size(), 1u);
  EXPECT_EQ(t.kernels.start[0], 168000);
  EXPECT_EQ(t.kernels.correlation[0], 59629);
  ASSERT_EQ(t.api.size(), 1u);
  EXPECT_EQ(t.memcpys.size(), 1u);
  EXPECT_EQ(t.memcpys[0].copy_kind, 1);
  EXPECT_EQ(t.memsets.size(), 1u);
  ASSERT_EQ(t.threads.size(), 1u);
  EXPECT_EQ(t.threads[0].tid, 3340707648);
  ASSERT_EQ(t.streams.size(), 1u);
  EXPECT_EQ(t.streams[0].native_id, 7);
  ASSERT_EQ(t.steps.size(), 1u);
  EXPECT_EQ(t.steps[0].number, 5);
  EXPECT_EQ(t.nvtx.size(), 2u);
}

TEST(KinetoSnippet, BadRecordsAreSkippedCountedAndRecordedAsDrops) {
  const Imported r = ImportText(R"js({"traceEvents": [
    {"ph": "X", "cat": "kernel", "name": "good", "pid": 0, "tid": 7, "ts": 10, "dur": 1,
     "args": {"stream": 7, "correlation": 1}},
    {"ph": "X", "cat": "kernel", "name": "no_ts", "pid": 0, "tid": 7, "dur": 1,
     "args": {"stream": 7, "correlation": 2}},
    {"ph": "X", "cat": "kernel", "name": "neg_dur", "pid": 0, "tid": 7, "ts": 12, "dur": -1,
     "args": {"stream": 7, "correlation": 3}},
    {"ph": "X", "cat": "kernel", "name": "str_ts", "pid": 0, "tid": 7, "ts": "13", "dur": 1,
     "args": {"stream": 7, "correlation": 4}},
    {"ph": "X", "cat": "kernel", "name": "obj_corr", "pid": 0, "tid": 7, "ts": 14, "dur": 1,
     "args": {"stream": 7, "correlation": {"x": 1}}},
    {"ph": "X", "cat": "cuda_runtime", "name": "cudaFree", "pid": 1, "tid": 1, "ts": 1e30,
     "dur": 1, "args": {"correlation": 5}},
    42,
    {"ph": "X", "cat": "cuda_runtime", "name": "cudaMalloc", "pid": 1, "tid": 1, "ts": 15,
     "dur": 1, "args": {"correlation": 6}}
  ]})js", "bad_records");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.trace.kernels.size(), 1u);
  EXPECT_EQ(r.trace.api.size(), 1u);
  EXPECT_EQ(r.stats.skipped.at("kernel: missing ts"), 1);
  EXPECT_EQ(r.stats.skipped.at("kernel: negative dur"), 1);
  EXPECT_EQ(r.stats.skipped.at("kernel: wrong type for ts"), 1);
  EXPECT_EQ(r.stats.skipped.at("kernel: wrong type for args.correlation"), 1);
  EXPECT_EQ(r.stats.skipped.at("cuda_runtime: ts out of range"), 1);
  EXPECT_EQ(r.stats.skipped.at("event is not an object"), 1);
  int64_t dropped = 0;
  for (const auto& d : r.trace.drops) {
    EXPECT_EQ(d.source, "import");
    EXPECT_EQ(d.reason.rfind("kineto: ", 0), 0u) << d.reason;
    dropped += d.count;
  }
  EXPECT_EQ(dropped, 6);
}

TEST(KinetoSnippet, EmptyTraceEventsImportsAnEmptyTrace) {
  const Imported r = ImportText(R"js({"schemaVersion": 1, "traceEvents": []})js", "empty_events");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.trace.kernels.size(), 0u);
  EXPECT_EQ(r.trace.meta.at("source"), "kineto");
}

TEST(KinetoSnippet, KeysInAnyOrderAndEscapedKeys) {
  // args before cat, escaped key spelling of "ts".
  const Imported r = ImportText(R"js({"traceEvents": [
    {"args": {"stream": 3, "correlation": 8}, "dur": 2.5, "\u0074s": 7.25, "tid": 3, "pid": 1,
     "name": "k\"quoted\"", "cat": "kernel", "ph": "X"}
  ]})js", "key_order");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.trace.kernels.size(), 1u);
  EXPECT_EQ(r.trace.kernels.dur[0], 2500);
  EXPECT_EQ(r.origin_ns, 7250);
  EXPECT_EQ(r.trace.str(r.trace.kernels.name[0]), "k\"quoted\"");
}

}  // namespace
}  // namespace moeprof::analyzer::kineto_test

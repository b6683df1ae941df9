// Plain row structs of trace format v1, one per table, mirroring schemas/FORMAT.md. Times are int64
// nanoseconds relative to the trace's origin (meta 'origin_ns'); durations, not end times.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace moeprof::schemas {

using StringId = int64_t;  // id into the `string` table; 0 is never assigned and means "none"

// Values of api.domain.
enum class ApiDomain : int32_t { kRuntime = 0, kDriver = 1, kInternalLaunch = 2, kOther = 3 };
// Values of nvtx.kind.
enum class NvtxKind : int32_t { kPushPop = 0, kStartEnd = 1, kMark = 2 };
// Values of nvtx.payload_kind.
enum class PayloadKind : int32_t { kNone = 0, kInt = 1, kUnsigned = 2, kDouble = 3 };
// Bits of kernel.flags / memcpy.flags / memset.flags.
enum ActivityFlags : int64_t {
  kFlagDeviceLaunched = 1 << 0,  // kernel launched from the device (CDP)
  kFlagAsync = 1 << 1,           // memcpy/memset issued by an *Async call
  kFlagGraph = 1 << 2,           // executed as part of a CUDA graph
};

struct ClockSyncRow {
  int64_t id = 0;
  std::string label;  // "start", "end", or a periodic sample
  int64_t trace_ns = 0;      // absolute timestamp on the trace clock (meta 'clock')
  int64_t realtime_ns = 0;   // CLOCK_REALTIME read at the same moment
  int64_t monotonic_ns = 0;  // CLOCK_MONOTONIC read at the same moment
};

struct ProcessRow {
  int64_t id = 0;
  int64_t pid = 0;
  std::string host;
  std::optional<int64_t> rank, local_rank, world_size;
  std::optional<std::string> name;
};

struct ThreadRow {
  int64_t id = 0;
  int64_t process = 0;
  int64_t tid = 0;
  std::optional<std::string> name;
};

struct DeviceRow {
  int64_t id = 0;
  int64_t process = 0;
  int64_t ordinal = 0;
  std::string name;
  std::optional<std::string> uuid;
  std::optional<int64_t> sm_count, cc_major, cc_minor, memory_bytes, memory_bandwidth_bps, l2_bytes,
      clock_khz;
  std::optional<double> peak_bf16_flops, peak_fp32_flops;
};

struct StreamRow {
  int64_t id = 0;
  int64_t device = 0;
  int64_t context = 0;
  int64_t native_id = 0;  // CUPTI streamId / Kineto tid / nsys streamId
  std::optional<int64_t> priority;
  std::optional<std::string> name;
  std::optional<std::string> role;  // compute, ep_comm, pp_comm, dp_comm, ...
};

struct LaunchConfig {
  int64_t id = 0;
  int64_t grid_x = 0, grid_y = 0, grid_z = 0;
  int64_t block_x = 0, block_y = 0, block_z = 0;
  int64_t cluster_x = 0, cluster_y = 0, cluster_z = 0;
  int64_t registers = 0, static_smem = 0, dynamic_smem = 0, local_mem = 0;
  bool operator==(const LaunchConfig& o) const;  // compares everything but id
};

struct ApiRow {
  int64_t correlation = 0;  // unique per trace
  int64_t thread = 0;
  int64_t start = 0, dur = 0;
  ApiDomain domain = ApiDomain::kRuntime;
  int64_t cbid = 0;
  StringId name = 0;
  int64_t status = 0;  // return code of the call
};

struct KernelRow {
  int64_t stream = 0;
  int64_t start = 0, dur = 0;
  int64_t correlation = 0;
  int64_t graph_node = 0;  // 0 when not a graph node
  StringId name = 0;
  int64_t config = 0;  // launch_config id
  int64_t graph = 0;   // 0 when not launched from a graph
  int64_t flags = 0;
};

struct MemcpyRow {
  int64_t stream = 0;
  int64_t start = 0, dur = 0;
  int64_t correlation = 0;
  int64_t graph_node = 0;
  int64_t bytes = 0;
  int64_t copy_kind = 0;  // CUpti_ActivityMemcpyKind: 1 HtoD, 2 DtoH, 8 DtoD, 10 PtoP, ...
  int64_t src_kind = 0;   // CUpti_ActivityMemoryKind: 1 pageable, 2 pinned, 3 device, ...
  int64_t dst_kind = 0;
  std::optional<int64_t> src_device, dst_device;
  int64_t graph = 0;
  int64_t flags = 0;
};

struct MemsetRow {
  int64_t stream = 0;
  int64_t start = 0, dur = 0;
  int64_t correlation = 0;
  int64_t graph_node = 0;
  int64_t bytes = 0;
  int64_t value = 0;
  int64_t mem_kind = 0;
  int64_t graph = 0;
  int64_t flags = 0;
};

struct SyncRow {
  int64_t id = 0;
  int64_t type = 0;  // CUpti_ActivitySynchronizationType: 1 event sync, 2 stream wait event,
                     // 3 stream sync, 4 context sync
  std::optional<int64_t> stream;
  std::optional<int64_t> event;
  int64_t start = 0, dur = 0;
  int64_t correlation = 0;
};

struct CudaEventRow {
  int64_t id = 0;
  int64_t correlation = 0;
  std::optional<int64_t> stream;
  int64_t event = 0;
  int64_t sync_id = 0;
  std::optional<int64_t> device_time;
};

struct ExternalCorrelationRow {
  int64_t correlation = 0;
  int64_t kind = 0;  // CUpti_ExternalCorrelationKind
  int64_t external_id = 0;
};

struct GraphLaunchRow {
  int64_t correlation = 0;
  int64_t graph = 0;
  std::optional<int64_t> stream;
  int64_t start = 0, dur = 0;
};

struct NvtxRow {
  int64_t id = 0;
  int64_t thread = 0;
  NvtxKind kind = NvtxKind::kPushPop;
  StringId domain = 0;  // 0: the default domain
  StringId text = 0;
  int64_t category = 0;
  int64_t start = 0, dur = 0;  // dur 0 for marks
  int64_t depth = 0;           // nesting depth on its thread (push/pop), 0 = outermost
  std::optional<int64_t> color;
  PayloadKind payload_kind = PayloadKind::kNone;
  std::optional<double> payload;
  std::optional<int64_t> stream;  // set for GPU-side annotations (imported)
};

struct CommunicatorRow {
  int64_t id = 0;
  int64_t comm_id = 0;  // NCCL commId hash
  std::optional<std::string> name;
  int64_t rank = 0, nranks = 0;
  std::optional<int64_t> nnodes;
  std::optional<std::string> role;  // ep, pp, dp, tp
};

struct CommRow {
  int64_t id = 0;
  std::optional<int64_t> communicator;
  StringId op = 0;  // AllReduce, AllGather, ReduceScatter, AllToAll, Send, Recv, SendRecv, ...
  std::optional<int64_t> seq, count;
  std::optional<StringId> datatype;
  std::optional<int64_t> bytes, peer, root;
  std::optional<StringId> algorithm, protocol;
  int64_t start = 0, dur = 0;
  std::optional<int64_t> kernel_correlation;
  std::optional<std::string> role;
};

struct CommSplitRow {
  int64_t comm = 0;
  int64_t peer = 0;
  int64_t in_count = 0, out_count = 0;
};

struct RoutingRow {
  int64_t step = 0, layer = 0, microbatch = 0, rank = 0, expert = 0;
  int64_t tokens = 0;
  std::optional<int64_t> time;  // when the mark was emitted
};

struct StepRow {
  int64_t id = 0;
  int64_t number = 0;
  int64_t start = 0, dur = 0;
  std::string source;  // nvtx, profiler_step, inferred
};

struct OverheadRow {
  int64_t id = 0;
  int64_t kind = 0;  // CUpti_ActivityOverheadKind
  std::optional<int64_t> thread, device;
  int64_t start = 0, dur = 0;
};

struct DropRow {
  int64_t id = 0;
  std::string source;  // cupti, nvtx, nccl, import, writer
  std::string reason;
  std::optional<int64_t> context, stream;
  int64_t count = 0;
};

}  // namespace moeprof::schemas

// The decoded form of one Kineto file, between the JSON walk (kineto_walk.cpp) and the mapping
// onto trace rows (kineto_emit.cpp). Compact per-event structs: memory grows with what will be
// written, not with the JSON (operator arguments, stacks and python frames are never kept).
// Times are absolute ns on the file's clock (ts text converted exactly), before the origin shift.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace moeprof::analyzer::kineto {

// Interned text local to the import (names repeat: kernels, API calls, operators).
class StringTable {
 public:
  int32_t Intern(std::string_view s) {
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    values_.emplace_back(s);
    const auto id = static_cast<int32_t>(values_.size() - 1);
    ids_.emplace(values_.back(), id);
    return id;
  }
  const std::string& at(int32_t id) const { return values_[static_cast<size_t>(id)]; }
  size_t size() const { return values_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Keys view into values_ (a deque-like stable store is not needed: values_ strings own heap
  // buffers, but short-string optimisation moves them on reallocation, so keys are copies).
  std::unordered_map<std::string, int32_t, Hash, std::equal_to<>> ids_;
  std::vector<std::string> values_;
};

// NCCL collective arguments PyTorch attaches to NCCL kernels (and record_param_comms ops).
struct CommArgs {
  std::string collective;  // "Collective name": allreduce, _allgather_base, all_to_all, ...
  std::optional<int64_t> in_nelems, out_nelems, group_size, seq;
  std::string dtype;                    // c10 scalar type name: Float, BFloat16, ...
  std::string pg_name, pg_desc;         // "Process Group Name" / "Process Group Description"
  std::vector<int64_t> pg_ranks;        // "Process Group Ranks"
  std::vector<int64_t> in_split, out_split;  // "In split size" / "Out split size"
  bool present = false;                 // any of the above seen
};

struct KernelEv {
  int64_t ts = 0, dur = 0;
  int64_t device = 0, stream = 0, context = 0;
  int64_t correlation = 0;  // 0 = none (linked through flows when possible)
  int64_t external_id = 0;
  int64_t graph = 0, graph_node = 0;
  int32_t name = 0;
  int32_t grid[3] = {0, 0, 0}, block[3] = {0, 0, 0};
  int32_t registers = 0;
  int64_t shared_mem = 0;
  int32_t comm = -1;  // index into Model::comm_args, -1 when the kernel carried no NCCL args
};

struct CopyEv {  // gpu_memcpy / gpu_memset
  int64_t ts = 0, dur = 0;
  int64_t device = 0, stream = 0, context = 0;
  int64_t correlation = 0;
  int64_t bytes = 0;
  int32_t name = 0;
  bool is_memset = false;
};

struct ApiEv {  // cuda_runtime / cuda_driver
  int64_t ts = 0, dur = 0;
  int64_t pid = 0, tid = 0;
  int64_t correlation = 0;
  int64_t external_id = 0;
  int64_t cbid = 0;
  int32_t name = 0;
  bool driver = false;
};

enum class RangeKind : uint8_t { kUserAnnotation, kCpuOp, kGpuAnnotation };

struct RangeEv {  // user_annotation, cpu_op, gpu_user_annotation
  int64_t ts = 0, dur = 0;
  int64_t pid = 0, tid = 0;  // CPU: process/thread; GPU: device/stream
  int64_t external_id = 0;
  int32_t name = 0;
  RangeKind kind = RangeKind::kUserAnnotation;
};

struct SyncEv {  // cuda_sync
  int64_t ts = 0, dur = 0;
  int64_t device = -1;
  std::optional<int64_t> stream;
  std::optional<int64_t> event;
  int64_t type = 0;
  int64_t correlation = 0;
};

struct FlowEv {  // ac2g / async_cpu_to_gpu / async: links a launch to its GPU activity
  int64_t id = 0;
  int64_t pid = 0, tid = 0, ts = 0;
  bool start = false;  // 's' (launch side) or 'f' (GPU side)
};

struct OverheadEv {
  int64_t ts = 0, dur = 0;
  int64_t kind = 0;
};

struct DeviceProps {
  int64_t id = 0;
  std::string name;
  std::optional<int64_t> sm_count, cc_major, cc_minor, memory_bytes;
};

struct PgConfig {  // distributedInfo.pg_config[]
  std::string name, desc;
  std::optional<int64_t> size;
  std::vector<int64_t> ranks;
};

struct Model {
  StringTable strings;
  std::vector<KernelEv> kernels;
  std::vector<CopyEv> copies;
  std::vector<ApiEv> apis;
  std::vector<RangeEv> ranges;
  std::vector<SyncEv> syncs;
  std::vector<FlowEv> flows;
  std::vector<OverheadEv> overheads;
  std::vector<CommArgs> comm_args;

  // Top-level facts.
  std::vector<DeviceProps> devices;
  std::optional<int64_t> rank, world_size;
  std::string dist_backend, nccl_version;
  std::vector<PgConfig> pg_configs;
  std::optional<int64_t> base_time_ns;
  std::string schema_version, trace_name, host;
  std::string cuda_runtime_version, cuda_driver_version, cupti_version;
  std::map<int64_t, std::string> process_names;                      // pid -> name
  std::map<std::pair<int64_t, int64_t>, std::string> thread_names;  // (pid, tid) -> name
  std::map<int64_t, std::string> process_labels;                     // pid -> "CPU", "GPU 0"...

  // Bookkeeping.
  int64_t events_read = 0;
  int64_t ignored = 0;  // events of categories not imported (python_function, cuda_event, ...)
  std::map<std::string, int64_t> skipped;  // bad records by reason
  std::map<int64_t, int64_t> cpu_pid_events;  // pid -> CPU-side events (to pick the process)
};

}  // namespace moeprof::analyzer::kineto

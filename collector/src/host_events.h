// Host-side events produced by the NVTX and NCCL hooks, carried to the writer thread through the
// same queue as CUPTI activity buffers. Producers run on the program's threads: they must be
// cheap, never block on the writer, never throw.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace moeprof::collector {

struct NvtxRangeEvent {  // a closed push/pop or start/end range
  uint64_t tid = 0;
  bool push_pop = true;  // false: start/end range
  std::string domain;    // "" = default domain
  std::string text;
  uint32_t category = 0;
  std::optional<uint32_t> color;
  int payload_kind = 0;  // schemas::PayloadKind
  double payload = 0;
  int64_t start_ns = 0, end_ns = 0;  // absolute, on the CUPTI clock
  int depth = 0;
};

struct NvtxMarkEvent {
  uint64_t tid = 0;
  std::string domain, text;
  uint32_t category = 0;
  std::optional<uint32_t> color;
  int payload_kind = 0;
  double payload = 0;
  int64_t time_ns = 0;
};

// The routing mark (domain "moeprof"): tokens per expert of one layer/microbatch/step on one rank.
struct RoutingEvent {
  int64_t step = 0, layer = 0, microbatch = 0, rank = 0;
  int64_t first_expert = 0;           // global id of tokens[0]
  std::vector<int64_t> tokens;        // tokens routed to experts first_expert, first_expert+1, ...
  int64_t time_ns = 0;
};

struct ThreadNameEvent { uint64_t tid = 0; std::string name; };
struct StreamNameEvent { uint64_t stream_handle = 0; uint32_t cupti_stream_id = 0; bool id_known = false; std::string name; };

struct NcclCommEvent {  // one communicator seen by the NCCL profiler plugin's init
  uint64_t comm_id = 0;
  std::string name;
  int rank = 0, nranks = 0, nnodes = 0;
};

struct NcclOpEvent {  // one collective or p2p operation
  uint64_t comm_id = 0;
  std::string op;            // AllReduce, AllGather, ReduceScatter, Send, Recv, ...
  std::optional<uint64_t> seq;
  std::optional<uint64_t> count;
  std::string datatype;
  std::optional<uint64_t> bytes;
  std::optional<int> peer, root;
  std::string algorithm, protocol;
  int64_t start_ns = 0, end_ns = 0;  // host-side: enqueue start/stop on the CUPTI clock
  uint64_t external_id = 0;          // pushed as CUSTOM2 external correlation around its kernel launch
};

struct DropEvent { std::string source, reason; int64_t count = 0; };

using HostEvent = std::variant<NvtxRangeEvent, NvtxMarkEvent, RoutingEvent, ThreadNameEvent,
                               StreamNameEvent, NcclCommEvent, NcclOpEvent, DropEvent>;

// Implemented by the collector runtime. Safe to call from any thread at any time; a no-op
// when the collector is not active. Never blocks for long, never throws.
void PostHostEvent(HostEvent&& event) noexcept;
// Current time on the trace clock (cuptiGetTimestamp), ns.
int64_t TraceClockNs() noexcept;
// True while collecting.
bool CollectorActive() noexcept;
// Pushes/pops an external correlation id of the given CUPTI kind on the calling thread (NCCL
// attribution). No-ops when inactive.
void PushExternalCorrelation(uint32_t kind, uint64_t id) noexcept;
void PopExternalCorrelation(uint32_t kind) noexcept;

}  // namespace moeprof::collector

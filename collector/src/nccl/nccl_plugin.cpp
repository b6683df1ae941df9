// NCCL profiler plugin "moeprof" (v5 with a v4 fallback).
//
// How an operation finds its kernel (NCCL 2.28, src/plugin/profiler.cc and src/enqueue.cc):
//   ncclGroupStart/any collective call -> GroupApi event (outermost group only)
//     CollApi / P2pApi events, parentObj = the GroupApi handle
//     KernelLaunch event around cuLaunchKernel(Ex), parentObj = the GroupApi handle, same thread
//     Coll / P2p events (started after the launch, from hostStreamPlanTask), parentObj = the
//       CollApi / P2pApi handle
// So the group is the unit that ties them together: each GroupApi event gets a fresh id G; its
// CollApi/P2pApi children inherit G; a KernelLaunch under it pushes G as a CUSTOM2 external
// correlation id (CUPTI then emits an EXTERNAL_CORRELATION record linking G to the launch's
// correlationId); Coll/P2p events carry G as NcclOpEvent::external_id. The runtime joins
// external_id -> correlationId -> kernel. All ops of one group share the kernels of that group,
// which is what NCCL does (a group's ops are fused into the same kernel plans).
//
// Handles: API and KernelLaunch events need no state beyond G, so their handles are tagged
// integers ((G << 3) | kind << 1 | 1), never dereferenced. That matters because NCCL hands a
// CollApi handle to the Coll event as parentObj after the CollApi event was already stopped
// (and, for graph-captured plans, at every replay long after): a tagged integer cannot dangle.
// Coll/P2p events need their start time and fields until stop: they use slots of a fixed pool
// (claimed with a CAS, no allocation on the hot path, bounded memory; a full pool drops the op
// and counts it).
//
// Everything is noexcept; only init may report failure to NCCL, and it never does: if the
// collector is inactive, init succeeds with an empty activation mask so NCCL runs unprofiled.
#include "nccl_plugin.h"

#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../host_events.h"
#include "nccl_abi.h"

namespace moeprof::collector {
namespace {

namespace abi = nccl_abi;

constexpr size_t kPoolSize = 4096;  // concurrent in-flight Coll/P2p events across all comms

// ---- tagged handles ----
enum class TagKind : uintptr_t { kApi = 0, kLaunchPushed = 1, kLaunchNotPushed = 2 };
void* MakeTag(uint64_t id, TagKind kind) {
  return reinterpret_cast<void*>(static_cast<uintptr_t>((id << 3) | (static_cast<uintptr_t>(kind) << 1) | 1u));
}
bool IsTag(const void* h) { return (reinterpret_cast<uintptr_t>(h) & 1u) != 0; }
uint64_t TagId(const void* h) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(h) >> 3); }
TagKind TagKindOf(const void* h) {
  return static_cast<TagKind>((reinterpret_cast<uintptr_t>(h) >> 1) & 3u);
}

std::atomic<uint64_t> g_next_group_id{1};
uint64_t NewGroupId() { return g_next_group_id.fetch_add(1, std::memory_order_relaxed); }

// Group id carried by a parent handle; 0 when the parent is absent or not an API tag.
uint64_t GroupOf(const void* parent) {
  return parent != nullptr && IsTag(parent) && TagKindOf(parent) == TagKind::kApi ? TagId(parent) : 0;
}

// ---- per-communicator context ----
struct CommContext {
  uint64_t comm_id = 0;
  std::string name;
  int rank = 0, nranks = 0, nnodes = 0;
};

struct Registry {
  std::mutex mu;
  std::vector<CommContext*> live;  // for re-posting communicators when collection (re)starts
};
Registry& Comms() {
  static auto* r = new Registry;  // never destroyed: NCCL may finalize during exit
  return *r;
}

std::atomic<bool> g_saw_init{false};
std::atomic<int> g_last_active{-1};
std::atomic<uint64_t> g_comms{0}, g_posted{0}, g_dropped{0}, g_launches{0}, g_in_flight{0};

NcclCommEvent CommEventOf(const CommContext& c) {
  NcclCommEvent e;
  e.comm_id = c.comm_id;
  e.name = c.name;
  e.rank = c.rank;
  e.nranks = c.nranks;
  e.nnodes = c.nnodes;
  return e;
}

// Collector state, re-posting the live communicators when collection (re)starts so every trace
// file written has them.
bool Active() noexcept {
  const bool active = CollectorActive();
  if (static_cast<int>(active) != g_last_active.load(std::memory_order_relaxed)) {
    const int prev = g_last_active.exchange(static_cast<int>(active), std::memory_order_acq_rel);
    if (active && prev == 0) {  // -1 (first look) is covered by init's own post
      try {
        std::vector<NcclCommEvent> events;
        {
          std::lock_guard<std::mutex> lock(Comms().mu);
          for (const CommContext* c : Comms().live) events.push_back(CommEventOf(*c));
        }
        for (auto& e : events) PostHostEvent(std::move(e));
      } catch (...) {
      }
    }
  }
  return active;
}

// ---- Coll/P2p slot pool ----
template <size_t N>
void CopyName(char (&dst)[N], const char* src) {
  if (src == nullptr) {
    dst[0] = '\0';
    return;
  }
  size_t i = 0;
  for (; i + 1 < N && src[i] != '\0'; ++i) dst[i] = src[i];
  dst[i] = '\0';
}

struct alignas(64) OpSlot {
  std::atomic<bool> busy{false};
  bool is_p2p = false;
  bool has_seq = false;
  int peer = -1, root = -1;
  uint64_t comm_id = 0, group = 0, seq = 0, count = 0;
  int64_t start_ns = 0;
  char func[32] = {}, datatype[24] = {}, algo[24] = {}, proto[16] = {};
};
std::array<OpSlot, kPoolSize>& Pool() {
  static auto* p = new std::array<OpSlot, kPoolSize>;
  return *p;
}
std::atomic<uint64_t> g_cursor{0};

OpSlot* ClaimSlot() {
  auto& pool = Pool();
  const uint64_t start = g_cursor.fetch_add(1, std::memory_order_relaxed);
  for (size_t i = 0; i < kPoolSize; ++i) {
    OpSlot& s = pool[(start + i) % kPoolSize];
    bool expected = false;
    if (!s.busy.load(std::memory_order_relaxed) &&
        s.busy.compare_exchange_strong(expected, true, std::memory_order_acquire))
      return &s;
  }
  return nullptr;
}

OpSlot* SlotOf(void* handle) {
  auto& pool = Pool();
  const auto p = reinterpret_cast<uintptr_t>(handle);
  const auto begin = reinterpret_cast<uintptr_t>(pool.data());
  if (p < begin || p >= begin + sizeof(OpSlot) * kPoolSize || (p - begin) % sizeof(OpSlot) != 0)
    return nullptr;
  return reinterpret_cast<OpSlot*>(handle);
}

// NCCL's datatype names (ncclDatatypeToString) -> element size in bytes; 0 when unknown.
uint64_t DatatypeSize(std::string_view name) {
  if (name == "ncclInt8" || name == "ncclUint8" || name == "ncclFloat8e4m3" ||
      name == "ncclFloat8e5m2")
    return 1;
  if (name == "ncclFloat16" || name == "ncclBfloat16") return 2;
  if (name == "ncclInt32" || name == "ncclUint32" || name == "ncclFloat32") return 4;
  if (name == "ncclInt64" || name == "ncclUint64" || name == "ncclFloat64") return 8;
  return 0;
}

// root only means something for rooted collectives; NCCL passes 0 for the others.
bool IsRooted(std::string_view func) {
  return func == "Broadcast" || func == "Reduce" || func == "Gather" || func == "Scatter";
}

// ---- the plugin operations, shared by v4 and v5 ----
abi::Result Init(void** context, uint64_t comm_id, int* mask, const char* name, int nnodes,
                 int nranks, int rank, abi::DebugLogger log, bool v5) noexcept {
  try {
    g_saw_init.store(true, std::memory_order_relaxed);
    if (mask != nullptr) *mask = 0;
    if (context == nullptr) return abi::kSuccess;
    *context = nullptr;
    auto* c = new (std::nothrow) CommContext;
    if (c == nullptr) return abi::kSuccess;  // no profiling for this comm, NCCL unharmed
    c->comm_id = comm_id;
    c->name = name != nullptr ? name : "";
    c->rank = rank;
    c->nranks = nranks;
    c->nnodes = nnodes;
    {
      std::lock_guard<std::mutex> lock(Comms().mu);
      Comms().live.push_back(c);
    }
    *context = c;
    g_comms.fetch_add(1, std::memory_order_relaxed);
    const bool active = Active();
    if (active) {
      PostHostEvent(CommEventOf(*c));
      // v5: the API events are needed to tie ops to kernel launches (see the top of this file).
      if (mask != nullptr)
        *mask = static_cast<int>(v5 ? (abi::kColl | abi::kP2p | abi::kGroupApi | abi::kCollApi |
                                       abi::kP2pApi | abi::kKernelLaunch)
                                    : (abi::kColl | abi::kP2p));
    }
    if (log != nullptr)
      log(abi::kLogInfo, abi::kLogInit, __FILE__, __LINE__,
          "moeprof profiler plugin v%d: comm %lx rank %d/%d, %s", v5 ? 5 : 4,
          static_cast<unsigned long>(comm_id), rank, nranks,
          active ? "recording" : "collector inactive, not recording");
    return abi::kSuccess;
  } catch (...) {
    if (mask != nullptr) *mask = 0;
    return abi::kSuccess;
  }
}

// Fields common to the v4 and v5 Coll/P2p descriptors.
struct OpFields {
  bool is_p2p = false;
  uint64_t group = 0;
  const char* func = nullptr;
  const char* datatype = nullptr;
  const char* algo = nullptr;
  const char* proto = nullptr;
  uint64_t count = 0, seq = 0;
  bool has_seq = false;
  int peer = -1, root = -1;
};

void StartOp(const CommContext* comm, void** handle, const OpFields& f) {
  if (!Active()) return;
  OpSlot* s = ClaimSlot();
  if (s == nullptr) {
    g_dropped.fetch_add(1, std::memory_order_relaxed);
    PostHostEvent(DropEvent{"nccl", "operation pool full", 1});
    return;
  }
  s->start_ns = TraceClockNs();
  s->is_p2p = f.is_p2p;
  s->comm_id = comm != nullptr ? comm->comm_id : 0;
  s->group = f.group;
  s->count = f.count;
  s->seq = f.seq;
  s->has_seq = f.has_seq;
  s->peer = f.peer;
  s->root = f.root;
  CopyName(s->func, f.func);
  CopyName(s->datatype, f.datatype);
  CopyName(s->algo, f.algo);
  CopyName(s->proto, f.proto);
  g_in_flight.fetch_add(1, std::memory_order_relaxed);
  *handle = s;
}

abi::Result StopEvent(void* handle) noexcept {
  try {
    if (handle == nullptr) return abi::kSuccess;
    if (IsTag(handle)) {
      if (TagKindOf(handle) == TagKind::kLaunchPushed) PopExternalCorrelation(kNcclExternalCorrelationKind);
      return abi::kSuccess;
    }
    OpSlot* s = SlotOf(handle);
    if (s == nullptr || !s->busy.load(std::memory_order_acquire)) return abi::kSuccess;
    const int64_t end_ns = TraceClockNs();
    NcclOpEvent e;
    e.comm_id = s->comm_id;
    e.op = s->func;
    if (s->has_seq) e.seq = s->seq;
    e.count = s->count;
    e.datatype = s->datatype;
    if (const uint64_t size = DatatypeSize(e.datatype); size != 0) e.bytes = s->count * size;
    if (s->is_p2p) {
      e.peer = s->peer;
    } else if (IsRooted(e.op)) {
      e.root = s->root;
    }
    e.algorithm = s->algo;
    e.protocol = s->proto;
    e.start_ns = s->start_ns;
    e.end_ns = end_ns;
    e.external_id = s->group;
    s->busy.store(false, std::memory_order_release);
    g_in_flight.fetch_sub(1, std::memory_order_relaxed);
    if (Active()) {
      PostHostEvent(std::move(e));
      g_posted.fetch_add(1, std::memory_order_relaxed);
    }
    return abi::kSuccess;
  } catch (...) {
    return abi::kSuccess;
  }
}

abi::Result RecordEventState(void*, abi::EventState, void*) noexcept {
  return abi::kSuccess;  // no state transitions of the enabled events are recorded
}

abi::Result Finalize(void* context) noexcept {
  try {
    auto* c = static_cast<CommContext*>(context);
    if (c == nullptr) return abi::kSuccess;
    {
      std::lock_guard<std::mutex> lock(Comms().mu);
      auto& live = Comms().live;
      for (size_t i = 0; i < live.size(); ++i) {
        if (live[i] == c) {
          live[i] = live.back();
          live.pop_back();
          delete c;
          break;
        }
      }
    }
    return abi::kSuccess;
  } catch (...) {
    return abi::kSuccess;
  }
}

// ---- v5 ----
abi::Result InitV5(void** context, uint64_t comm_id, int* mask, const char* name, int nnodes,
                   int nranks, int rank, abi::DebugLogger log) {
  return Init(context, comm_id, mask, name, nnodes, nranks, rank, log, /*v5=*/true);
}

abi::Result StartEventV5(void* context, void** handle, abi::EventDescrV5* d) {
  try {
    if (handle == nullptr) return abi::kSuccess;
    *handle = nullptr;
    if (d == nullptr) return abi::kSuccess;
    const auto* comm = static_cast<const CommContext*>(context);
    switch (d->type) {
      case abi::kGroupApi:
        *handle = MakeTag(NewGroupId(), TagKind::kApi);
        return abi::kSuccess;
      case abi::kCollApi:
      case abi::kP2pApi: {
        // Outside a GroupApi event (mask without it, or a future NCCL) each call is its own group.
        const uint64_t g = GroupOf(d->parentObj);
        *handle = MakeTag(g != 0 ? g : NewGroupId(), TagKind::kApi);
        return abi::kSuccess;
      }
      case abi::kKernelLaunch: {
        uint64_t g = GroupOf(d->parentObj);
        if (g == 0) g = NewGroupId();
        if (Active()) {
          PushExternalCorrelation(kNcclExternalCorrelationKind, g);
          g_launches.fetch_add(1, std::memory_order_relaxed);
          *handle = MakeTag(g, TagKind::kLaunchPushed);
        } else {
          *handle = MakeTag(g, TagKind::kLaunchNotPushed);
        }
        return abi::kSuccess;
      }
      case abi::kColl: {
        OpFields f;
        f.group = GroupOf(d->parentObj);
        f.func = d->coll.func;
        f.datatype = d->coll.datatype;
        f.algo = d->coll.algo;
        f.proto = d->coll.proto;
        f.count = d->coll.count;
        f.seq = d->coll.seqNumber;
        f.has_seq = true;
        f.root = d->coll.root;
        StartOp(comm, handle, f);
        return abi::kSuccess;
      }
      case abi::kP2p: {
        OpFields f;
        f.is_p2p = true;
        f.group = GroupOf(d->parentObj);
        f.func = d->p2p.func;
        f.datatype = d->p2p.datatype;
        f.count = d->p2p.count;
        f.peer = d->p2p.peer;
        StartOp(comm, handle, f);
        return abi::kSuccess;
      }
      default:  // event types we did not ask for: no handle, NCCL skips their stop
        return abi::kSuccess;
    }
  } catch (...) {
    if (handle != nullptr) *handle = nullptr;
    return abi::kSuccess;
  }
}

abi::Result StopEventV5(void* handle) { return StopEvent(handle); }
abi::Result RecordEventStateV5(void* h, abi::EventState s, abi::EventStateArgsV5* a) {
  return RecordEventState(h, s, a);
}
abi::Result FinalizeV5(void* context) { return Finalize(context); }

// ---- v4: no API or kernel-launch events, so no kernel attribution through the plugin ----
abi::Result InitV4(void** context, int* mask, const char* name, uint64_t comm_hash, int nnodes,
                   int nranks, int rank, abi::DebugLogger log) {
  return Init(context, comm_hash, mask, name, nnodes, nranks, rank, log, /*v5=*/false);
}

abi::Result StartEventV4(void* context, void** handle, abi::EventDescrV4* d) {
  try {
    if (handle == nullptr) return abi::kSuccess;
    *handle = nullptr;
    if (d == nullptr) return abi::kSuccess;
    const auto* comm = static_cast<const CommContext*>(context);
    OpFields f;
    if (d->type == abi::kColl) {
      f.func = d->coll.func;
      f.datatype = d->coll.datatype;
      f.algo = d->coll.algo;
      f.proto = d->coll.proto;
      f.count = d->coll.count;
      f.seq = d->coll.seqNumber;
      f.has_seq = true;
      f.root = d->coll.root;
    } else if (d->type == abi::kP2p) {
      f.is_p2p = true;
      f.func = d->p2p.func;
      f.datatype = d->p2p.datatype;
      f.count = d->p2p.count;
      f.peer = d->p2p.peer;
    } else {
      return abi::kSuccess;
    }
    StartOp(comm, handle, f);
    return abi::kSuccess;
  } catch (...) {
    if (handle != nullptr) *handle = nullptr;
    return abi::kSuccess;
  }
}

abi::Result StopEventV4(void* handle) { return StopEvent(handle); }
abi::Result RecordEventStateV4(void* h, abi::EventState s, abi::EventStateArgsV4* a) {
  return RecordEventState(h, s, a);
}
abi::Result FinalizeV4(void* context) { return Finalize(context); }

}  // namespace

bool NcclPluginSawInit() noexcept { return g_saw_init.load(std::memory_order_relaxed); }

NcclPluginStats NcclStats() noexcept {
  NcclPluginStats s;
  s.communicators = g_comms.load(std::memory_order_relaxed);
  s.ops_posted = g_posted.load(std::memory_order_relaxed);
  s.ops_dropped = g_dropped.load(std::memory_order_relaxed);
  s.kernel_launches = g_launches.load(std::memory_order_relaxed);
  s.in_flight = g_in_flight.load(std::memory_order_relaxed);
  return s;
}

}  // namespace moeprof::collector

// The symbols NCCL looks up (dlsym) in the library named by NCCL_PROFILER_PLUGIN.
extern "C" {
__attribute__((visibility("default"))) moeprof::collector::nccl_abi::ProfilerV5 ncclProfiler_v5 = {
    "moeprof",
    &moeprof::collector::InitV5,
    &moeprof::collector::StartEventV5,
    &moeprof::collector::StopEventV5,
    &moeprof::collector::RecordEventStateV5,
    &moeprof::collector::FinalizeV5,
};
__attribute__((visibility("default"))) moeprof::collector::nccl_abi::ProfilerV4 ncclProfiler_v4 = {
    "moeprof",
    &moeprof::collector::InitV4,
    &moeprof::collector::StartEventV4,
    &moeprof::collector::StopEventV4,
    &moeprof::collector::RecordEventStateV4,
    &moeprof::collector::FinalizeV4,
};
}

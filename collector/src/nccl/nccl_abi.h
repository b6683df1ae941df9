// NCCL profiler-plugin ABI, versions 5 and 4, as NCCL 2.28.9 (tag v2.28.9-1) loads them: the
// layout of ext-profiler/example/nccl/profiler_v5.h / profiler_v4.h and the event-type bits of
// src/include/plugin/nccl_profiler.h, written out here (we do not ship NCCL's headers) with
// static_asserts on the sizes and offsets the plugin relies on. NCCL's C enums (ncclResult_t,
// ncclProfilerEventState_t, ncclDebugLogLevel) are int-sized and passed as int.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace moeprof::collector::nccl_abi {

using Result = int;  // ncclResult_t
inline constexpr Result kSuccess = 0;        // ncclSuccess
inline constexpr Result kInternalError = 3;  // ncclInternalError

using EventState = int;  // ncclProfilerEventState_t
// ncclDebugLogger_t; level is ncclDebugLogLevel (NCCL_LOG_INFO = 3), flags e.g. NCCL_INIT = 1.
using DebugLogger = void (*)(int level, unsigned long flags, const char* file, int line,
                             const char* fmt, ...);
inline constexpr int kLogInfo = 3;
inline constexpr unsigned long kLogInit = 1;

// Event-type bits (descriptor `type`, and the activation mask set by init).
enum EventType : uint64_t {
  kGroup = 1u << 0,
  kColl = 1u << 1,
  kP2p = 1u << 2,
  kProxyOp = 1u << 3,
  kProxyStep = 1u << 4,
  kProxyCtrl = 1u << 5,
  kKernelCh = 1u << 6,
  kNetPlugin = 1u << 7,
  kGroupApi = 1u << 8,  // v5 and later
  kCollApi = 1u << 9,
  kP2pApi = 1u << 10,
  kKernelLaunch = 1u << 11,
};

// ---- descriptor members shared by v4 and v5 ----
struct ProxyOpDescr {
  pid_t pid;
  uint8_t channelId;
  int peer;
  int nSteps;
  int chunkSize;
  int isSend;
};
struct ProxyStepDescr {
  int step;
};
struct KernelChDescr {
  uint8_t channelId;
  uint64_t pTimer;  // GPU globaltimer
};
struct NetPluginDescr {
  int64_t id;
  void* data;
};

// ---- v5 ----
struct GroupApiDescrV5 {
  bool graphCaptured;  // an int in some revisions of the example header: same offsets either way
  int groupDepth;
};
struct CollApiDescrV5 {
  const char* func;
  size_t count;
  const char* datatype;
  int root;
  void* stream;
  bool graphCaptured;
};
struct P2pApiDescrV5 {
  const char* func;
  size_t count;
  const char* datatype;
  void* stream;
  bool graphCaptured;
};
struct KernelLaunchDescrV5 {
  void* stream;
};
struct CollDescrV5 {
  uint64_t seqNumber;
  const char* func;
  const void* sendBuff;
  void* recvBuff;
  size_t count;
  int root;
  const char* datatype;
  uint8_t nChannels;
  uint8_t nWarps;
  const char* algo;
  const char* proto;
  void* parentGroup;
};
struct P2pDescrV5 {
  const char* func;
  void* buff;
  const char* datatype;
  size_t count;
  int peer;
  uint8_t nChannels;
  void* parentGroup;
};

struct EventDescrV5 {
  uint64_t type;    // one EventType bit
  void* parentObj;  // the handle we returned for the parent event (or null)
  int rank;
  union {
    GroupApiDescrV5 groupApi;
    CollApiDescrV5 collApi;
    P2pApiDescrV5 p2pApi;
    KernelLaunchDescrV5 kernelLaunch;
    CollDescrV5 coll;
    P2pDescrV5 p2p;
    ProxyOpDescr proxyOp;
    ProxyStepDescr proxyStep;
    KernelChDescr kernelCh;
    NetPluginDescr netPlugin;
  };
};

union EventStateArgsV5 {
  struct {
    size_t transSize;
  } proxyStep;
  struct {
    int appendedProxyOps;
  } proxyCtrl;
  struct {
    void* data;
  } netPlugin;
  struct {
    uint64_t pTimer;
  } kernelCh;
};

struct ProfilerV5 {
  const char* name;
  Result (*init)(void** context, uint64_t commId, int* eActivationMask, const char* commName,
                 int nNodes, int nranks, int rank, DebugLogger logfn);
  Result (*startEvent)(void* context, void** eHandle, EventDescrV5* eDescr);
  Result (*stopEvent)(void* eHandle);
  Result (*recordEventState)(void* eHandle, EventState eState, EventStateArgsV5* eStateArgs);
  Result (*finalize)(void* context);
};

// ---- v4 ----
struct CollDescrV4 {
  uint64_t seqNumber;
  const char* func;
  const void* sendBuff;
  void* recvBuff;
  size_t count;
  int root;
  const char* datatype;
  uint8_t nChannels;
  uint8_t nWarps;
  const char* algo;
  const char* proto;
};
struct P2pDescrV4 {
  const char* func;
  void* buff;
  const char* datatype;
  size_t count;
  int peer;
  uint8_t nChannels;
};

struct EventDescrV4 {
  uint8_t type;  // one EventType bit (only the first eight exist in v4)
  void* parentObj;
  int rank;
  union {
    CollDescrV4 coll;
    P2pDescrV4 p2p;
    ProxyOpDescr proxyOp;
    ProxyStepDescr proxyStep;
    KernelChDescr kernelCh;
    NetPluginDescr netPlugin;
  };
};

using EventStateArgsV4 = EventStateArgsV5;  // identical union in both versions

struct ProfilerV4 {
  const char* name;
  // Note the order: commName before commHash, unlike v5's init.
  Result (*init)(void** context, int* eActivationMask, const char* commName, uint64_t commHash,
                 int nNodes, int nranks, int rank, DebugLogger logfn);
  Result (*startEvent)(void* context, void** eHandle, EventDescrV4* eDescr);
  Result (*stopEvent)(void* eHandle);
  Result (*recordEventState)(void* eHandle, EventState eState, EventStateArgsV4* eStateArgs);
  Result (*finalize)(void* context);
};

// ---- layout checks (LP64: x86-64 and aarch64 Linux, the platforms NCCL supports) ----
static_assert(sizeof(void*) == 8 && sizeof(size_t) == 8 && sizeof(int) == 4);
static_assert(offsetof(EventDescrV5, parentObj) == 8);
static_assert(offsetof(EventDescrV5, rank) == 16);
static_assert(offsetof(EventDescrV5, coll) == 24);
static_assert(offsetof(CollDescrV5, func) == 8);
static_assert(offsetof(CollDescrV5, count) == 32);
static_assert(offsetof(CollDescrV5, root) == 40);
static_assert(offsetof(CollDescrV5, datatype) == 48);
static_assert(offsetof(CollDescrV5, nChannels) == 56);
static_assert(offsetof(CollDescrV5, nWarps) == 57);
static_assert(offsetof(CollDescrV5, algo) == 64);
static_assert(offsetof(CollDescrV5, proto) == 72);
static_assert(offsetof(CollDescrV5, parentGroup) == 80);
static_assert(sizeof(CollDescrV5) == 88);
static_assert(offsetof(P2pDescrV5, count) == 24);
static_assert(offsetof(P2pDescrV5, peer) == 32);
static_assert(offsetof(P2pDescrV5, nChannels) == 36);
static_assert(sizeof(P2pDescrV5) == 48);
static_assert(offsetof(CollApiDescrV5, root) == 24 && offsetof(CollApiDescrV5, stream) == 32);
static_assert(offsetof(GroupApiDescrV5, groupDepth) == 4);
static_assert(offsetof(KernelChDescr, pTimer) == 8);
static_assert(sizeof(EventDescrV5) == 112);
static_assert(sizeof(EventStateArgsV5) == 8);
static_assert(sizeof(ProfilerV5) == 48 && offsetof(ProfilerV5, finalize) == 40);

static_assert(offsetof(EventDescrV4, parentObj) == 8);
static_assert(offsetof(EventDescrV4, rank) == 16);
static_assert(offsetof(EventDescrV4, coll) == 24);
static_assert(offsetof(CollDescrV4, algo) == 64 && offsetof(CollDescrV4, proto) == 72);
static_assert(sizeof(CollDescrV4) == 80);
static_assert(sizeof(P2pDescrV4) == 40);
static_assert(sizeof(EventDescrV4) == 104);
static_assert(sizeof(ProfilerV4) == 48);

}  // namespace moeprof::collector::nccl_abi

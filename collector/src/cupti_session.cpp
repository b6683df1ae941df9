// CuptiSession implementation. Order at start follows CUPTI's rules: subscriber first (it is what
// detects another client), thread-id type and buffer attributes before callbacks and kinds, the
// kinds last. Every CUPTI entry point is wrapped in try/catch: nothing may unwind into libcupti.
#include "cupti_session.h"

#include <chrono>
#include <cstdio>
#include <cstring>

namespace moeprof::collector {
namespace {

std::atomic<CuptiSession*> g_session{nullptr};

void CUPTIAPI BufferRequestedTrampoline(uint8_t** buffer, size_t* size, size_t* max_records) {
  try {
    CuptiSession* s = g_session.load();
    if (s != nullptr) {
      s->OnBufferRequested(buffer, size, max_records);
      return;
    }
  } catch (...) {
  }
  *buffer = nullptr;
  *size = 0;
  *max_records = 0;
}

void CUPTIAPI BufferCompletedTrampoline(CUcontext, uint32_t, uint8_t* buffer, size_t size,
                                        size_t valid) {
  try {
    CuptiSession* s = g_session.load();
    if (s != nullptr) s->OnBufferCompleted(buffer, size, valid);
  } catch (...) {
  }
}

void CUPTIAPI CallbackTrampoline(void* userdata, CUpti_CallbackDomain domain, CUpti_CallbackId cbid,
                                 const void* data) {
  try {
    auto* s = static_cast<CuptiSession*>(userdata);
    if (s != nullptr) s->OnCallback(domain, cbid, data);
  } catch (...) {
  }
}

// Runtime calls made so often, and so cheap, that recording them costs more than they tell
// (kineto mutes the same family). None of them waits on the device.
const CUpti_CallbackId kMutedRuntimeCbids[] = {
    CUPTI_RUNTIME_TRACE_CBID_cudaGetDevice_v3020,
    CUPTI_RUNTIME_TRACE_CBID_cudaGetDeviceCount_v3020,
    CUPTI_RUNTIME_TRACE_CBID_cudaGetLastError_v3020,
    CUPTI_RUNTIME_TRACE_CBID_cudaPeekAtLastError_v3020,
    CUPTI_RUNTIME_TRACE_CBID_cudaStreamIsCapturing_v10000,
    CUPTI_RUNTIME_TRACE_CBID_cudaStreamIsCapturing_ptsz_v10000,
    CUPTI_RUNTIME_TRACE_CBID_cudaStreamGetCaptureInfo_v10010,
    CUPTI_RUNTIME_TRACE_CBID_cudaStreamGetCaptureInfo_ptsz_v10010,
    CUPTI_RUNTIME_TRACE_CBID_cudaStreamGetCaptureInfo_v2_v11030,
    CUPTI_RUNTIME_TRACE_CBID_cudaStreamGetCaptureInfo_v2_ptsz_v11030,
    CUPTI_RUNTIME_TRACE_CBID_cudaStreamGetCaptureInfo_v12030,
    CUPTI_RUNTIME_TRACE_CBID_cudaStreamGetCaptureInfo_ptsz_v12030,
    CUPTI_RUNTIME_TRACE_CBID_cudaThreadExchangeStreamCaptureMode_v10010,
    CUPTI_RUNTIME_TRACE_CBID_cudaDeviceGetAttribute_v5000,
    CUPTI_RUNTIME_TRACE_CBID_cudaFuncGetAttributes_v3020,
    CUPTI_RUNTIME_TRACE_CBID_cudaDriverGetVersion_v3020,
    CUPTI_RUNTIME_TRACE_CBID_cudaRuntimeGetVersion_v3020,
    CUPTI_RUNTIME_TRACE_CBID_cudaGetDeviceProperties_v3020,
    CUPTI_RUNTIME_TRACE_CBID_cudaGetDeviceProperties_v12000,
    CUPTI_RUNTIME_TRACE_CBID_cudaPointerGetAttributes_v4000,
    CUPTI_RUNTIME_TRACE_CBID_cudaOccupancyMaxActiveBlocksPerMultiprocessor_v6000,
    CUPTI_RUNTIME_TRACE_CBID_cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags_v7000,
    CUPTI_RUNTIME_TRACE_CBID_cudaOccupancyAvailableDynamicSMemPerBlock_v10200,
};

// Driver calls recorded without enabling the whole DRIVER kind: kernel and graph launches made
// directly through the driver (Triton, NCCL, cuBLASLt internals).
const CUpti_CallbackId kDriverLaunchCbids[] = {
    CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel,   CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel_ptsz,
    CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx, CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx_ptsz,
    CUPTI_DRIVER_TRACE_CBID_cuGraphLaunch,    CUPTI_DRIVER_TRACE_CBID_cuGraphLaunch_ptsz,
};

// Errors that mean "there is no usable driver/GPU behind CUPTI".
bool IsNoDriver(CUptiResult r) {
  return r == CUPTI_ERROR_UNKNOWN || r == CUPTI_ERROR_NOT_INITIALIZED ||
         r == CUPTI_ERROR_INVALID_DEVICE;
}

const char* KindName(CUpti_ActivityKind k) {
  switch (k) {
    case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL: return "kernel";
    case CUPTI_ACTIVITY_KIND_MEMCPY: return "memcpy";
    case CUPTI_ACTIVITY_KIND_MEMCPY2: return "memcpy (peer)";
    case CUPTI_ACTIVITY_KIND_MEMSET: return "memset";
    case CUPTI_ACTIVITY_KIND_SYNCHRONIZATION: return "sync";
    case CUPTI_ACTIVITY_KIND_CUDA_EVENT: return "event";
    case CUPTI_ACTIVITY_KIND_RUNTIME: return "runtime";
    case CUPTI_ACTIVITY_KIND_INTERNAL_LAUNCH_API: return "driver (internal launches)";
    case CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION: return "external";
    case CUPTI_ACTIVITY_KIND_DEVICE: return "device";
    case CUPTI_ACTIVITY_KIND_CONTEXT: return "context";
    case CUPTI_ACTIVITY_KIND_STREAM: return "stream";
    case CUPTI_ACTIVITY_KIND_OVERHEAD: return "overhead";
    case CUPTI_ACTIVITY_KIND_GRAPH_TRACE: return "graph";
    default: return "?";
  }
}

}  // namespace

SessionConfig ConfigFromKinds(const std::vector<std::string>& kinds, bool graph_trace,
                              std::string* unknown) {
  SessionConfig c;
  if (!kinds.empty()) {
    c = SessionConfig{false, false, false, false, false, false, false, false, false, false, false,
                      false, false, c.flush_period_ms};
    for (const std::string& k : kinds) {
      if (k == "kernel") c.kernel = true;
      else if (k == "memcpy") c.memcpy = true;
      else if (k == "memset") c.memset = true;
      else if (k == "sync") c.sync = true;
      else if (k == "event") c.event = true;
      else if (k == "runtime") c.runtime = true;
      else if (k == "driver") c.driver = true;
      else if (k == "external") c.external = true;
      else if (k == "device") c.device = true;
      else if (k == "context") c.context = true;
      else if (k == "stream") c.stream = true;
      else if (k == "overhead") c.overhead = true;
      else if (k == "graph") c.graph = true;
      else if (unknown != nullptr) *unknown += (unknown->empty() ? "" : ",") + k;
    }
  }
  if (graph_trace) c.graph = true;
  return c;
}

CuptiSession::CuptiSession(CuptiApi& api, BufferPool& pool, WorkQueue& queue)
    : api_(api), pool_(pool), queue_(queue) {}

CuptiSession::~CuptiSession() {
  CuptiSession* self = this;
  g_session.compare_exchange_strong(self, nullptr);
  if (flush_thread_.joinable() && !forked_child_.load()) StopFlushThread();
}

SessionStartResult CuptiSession::Start(const SessionConfig& config) {
  std::lock_guard<std::mutex> lock(control_mu_);
  SessionStartResult result;
  if (running_.load()) {
    result.outcome = SessionStart::kFailed;
    result.message = "moeprof: collector already running";
    return result;
  }
  auto fail = [&](SessionStart outcome, std::string message) {
    if (subscriber_ != nullptr) {
      DisableKindsLocked();
      api_.Unsubscribe(subscriber_);
      subscriber_ = nullptr;
    }
    result.outcome = outcome;
    result.message = std::move(message);
    return result;
  };

  char old_name[256] = {0};
  CUpti_SubscriberParams params;
  std::memset(&params, 0, sizeof(params));
  params.structSize = CUpti_SubscriberParams_STRUCT_SIZE;
  params.subscriberName = "moeprof";
  params.oldSubscriberName = old_name;
  params.oldSubscriberSize = sizeof(old_name);
  CUptiResult r = api_.Subscribe(&subscriber_, &CallbackTrampoline, this, &params);
  if (r == CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED) {
    subscriber_ = nullptr;
    old_name[sizeof(old_name) - 1] = '\0';
    const std::string other = old_name[0] != '\0' ? old_name : "an unnamed client (nsys, ncu, torch.profiler?)";
    return fail(SessionStart::kOtherSubscriber,
                "moeprof: another CUPTI client is already attached (" + other +
                    "); nothing recorded");
  }
  if (r != CUPTI_SUCCESS) {
    subscriber_ = nullptr;
    if (IsNoDriver(r)) return fail(SessionStart::kNoDriver, "moeprof: no CUDA driver found; nothing recorded");
    return fail(SessionStart::kFailed, std::string("moeprof: cuptiSubscribe_v2 failed (") +
                                           CuptiErrorText(r) + "); nothing recorded");
  }

  g_session.store(this);
  // gettid, so API rows and NVTX rows (hooks use gettid) name the same thread; the default,
  // pthread_self, does not even fit the records' 32-bit threadId.
  api_.SetThreadIdType(CUPTI_ACTIVITY_THREAD_ID_TYPE_SYSTEM);
  uint8_t zeroed = 1;  // our buffers come zeroed: CUPTI need not zero them on the app thread
  size_t zeroed_size = sizeof(zeroed);
  api_.SetAttribute(CUPTI_ACTIVITY_ATTR_ZEROED_OUT_ACTIVITY_BUFFER, &zeroed_size, &zeroed);

  api_.EnableDomain(1, subscriber_, CUPTI_CB_DOMAIN_RESOURCE);
  api_.EnableCallback(1, subscriber_, CUPTI_CB_DOMAIN_RUNTIME_API,
                      CUPTI_RUNTIME_TRACE_CBID_cudaDeviceReset_v3020);

  r = api_.RegisterCallbacks(&BufferRequestedTrampoline, &BufferCompletedTrampoline);
  if (r != CUPTI_SUCCESS) {
    if (IsNoDriver(r)) return fail(SessionStart::kNoDriver, "moeprof: no CUDA driver found; nothing recorded");
    return fail(SessionStart::kFailed, std::string("moeprof: cuptiActivityRegisterCallbacks failed (") +
                                           CuptiErrorText(r) + "); nothing recorded");
  }

  std::vector<CUpti_ActivityKind> wanted;
  // Context/device/stream first so their records tend to precede the activity that uses them.
  if (config.device) wanted.push_back(CUPTI_ACTIVITY_KIND_DEVICE);
  if (config.context) wanted.push_back(CUPTI_ACTIVITY_KIND_CONTEXT);
  if (config.stream) wanted.push_back(CUPTI_ACTIVITY_KIND_STREAM);
  if (config.external) wanted.push_back(CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION);
  if (config.runtime) wanted.push_back(CUPTI_ACTIVITY_KIND_RUNTIME);
  if (config.driver) wanted.push_back(CUPTI_ACTIVITY_KIND_INTERNAL_LAUNCH_API);
  if (config.kernel) wanted.push_back(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);  // never KERNEL
  if (config.memcpy) {
    wanted.push_back(CUPTI_ACTIVITY_KIND_MEMCPY);
    wanted.push_back(CUPTI_ACTIVITY_KIND_MEMCPY2);
  }
  if (config.memset) wanted.push_back(CUPTI_ACTIVITY_KIND_MEMSET);
  if (config.sync) wanted.push_back(CUPTI_ACTIVITY_KIND_SYNCHRONIZATION);
  if (config.event) wanted.push_back(CUPTI_ACTIVITY_KIND_CUDA_EVENT);
  if (config.overhead) wanted.push_back(CUPTI_ACTIVITY_KIND_OVERHEAD);
  if (config.graph) wanted.push_back(CUPTI_ACTIVITY_KIND_GRAPH_TRACE);

  for (CUpti_ActivityKind k : wanted) {
    r = api_.Enable(k);
    if (r == CUPTI_SUCCESS) {
      enabled_.push_back(k);
    } else if (enabled_.empty() && IsNoDriver(r)) {
      return fail(SessionStart::kNoDriver, "moeprof: no CUDA driver found; nothing recorded");
    } else {
      result.warnings.push_back(std::string("moeprof: cannot record ") + KindName(k) + " (" +
                                CuptiErrorText(r) + "); continuing without it");
    }
  }
  if (config.driver) {
    int ok = 0;
    for (CUpti_CallbackId cbid : kDriverLaunchCbids) ok += api_.EnableDriverApi(cbid, 1) == CUPTI_SUCCESS;
    driver_cbids_enabled_ = ok > 0;
    if (ok == 0) result.warnings.push_back("moeprof: cannot record driver launch calls; continuing without them");
  }
  if (enabled_.empty() && !driver_cbids_enabled_) {
    return fail(SessionStart::kFailed, "moeprof: no activity kind could be enabled; nothing recorded");
  }
  if (config.runtime) {
    for (CUpti_CallbackId cbid : kMutedRuntimeCbids) api_.EnableRuntimeApi(cbid, 0);
  }
  if (config.sync) api_.EnableAllSyncRecords(0);  // no records for queries that found work pending

  activity_on_.store(true);
  running_.store(true);
  {
    std::lock_guard<std::mutex> fl(flush_mu_);
    flush_stop_ = false;
  }
  const int period = config.flush_period_ms > 0 ? config.flush_period_ms : 500;
  flush_thread_ = std::thread([this, period] { FlushLoop(period); });
  return result;
}

void CuptiSession::FlushLoop(int period_ms) {
  std::unique_lock<std::mutex> lock(flush_mu_);
  while (!flush_stop_) {
    flush_cv_.wait_for(lock, std::chrono::milliseconds(period_ms), [&] { return flush_stop_; });
    if (flush_stop_) break;
    lock.unlock();
    // Completed buffers only, no synchronization: the forced flush is for the end.
    if (activity_on_.load() && !forked_child_.load()) api_.FlushAll(0);
    lock.lock();
  }
}

void CuptiSession::StopFlushThread() {
  {
    std::lock_guard<std::mutex> fl(flush_mu_);
    flush_stop_ = true;
  }
  flush_cv_.notify_all();
  if (flush_thread_.joinable()) flush_thread_.join();
}

void CuptiSession::DisableKindsLocked() {
  for (auto it = enabled_.rbegin(); it != enabled_.rend(); ++it) api_.Disable(*it);
  enabled_.clear();
  if (driver_cbids_enabled_) {
    for (CUpti_CallbackId cbid : kDriverLaunchCbids) api_.EnableDriverApi(cbid, 0);
    driver_cbids_enabled_ = false;
  }
  activity_on_.store(false);
}

void CuptiSession::DisableActivity() {
  if (forked_child_.load()) return;
  std::lock_guard<std::mutex> lock(control_mu_);
  if (!running_.load()) return;
  DisableKindsLocked();
}

std::vector<schemas::DropRow> CuptiSession::CollectDrops(CUcontext only) {
  std::vector<std::pair<CUcontext, ContextInfo>> contexts;
  {
    std::lock_guard<std::mutex> lock(objects_mu_);
    for (auto& [ctx, info] : contexts_) {
      if (only == nullptr || ctx == only) contexts.emplace_back(ctx, info);
    }
  }
  std::vector<schemas::DropRow> drops;
  auto query = [&](CUcontext ctx, std::optional<uint32_t> ctx_id, uint32_t stream, bool has_stream) {
    size_t n = 0;
    if (api_.GetNumDroppedRecords(ctx, stream, &n) == CUPTI_SUCCESS && n > 0) {
      schemas::DropRow d;
      d.source = "cupti";
      d.reason = "activity buffer unavailable";
      if (ctx_id) d.context = *ctx_id;
      if (has_stream) d.stream = stream;
      d.count = static_cast<int64_t>(n);
      drops.push_back(d);
    }
  };
  for (auto& [ctx, info] : contexts) {
    query(ctx, info.id, 0, false);
    for (uint32_t s : info.streams) query(ctx, info.id, s, true);
  }
  if (only == nullptr) query(nullptr, std::nullopt, 0, false);  // the device-independent queue
  return drops;
}

std::vector<schemas::DropRow> CuptiSession::Stop() {
  if (forked_child_.load()) return {};
  std::lock_guard<std::mutex> lock(control_mu_);
  if (!running_.load()) return {};
  StopFlushThread();
  DisableKindsLocked();
  // Forced: also hands back buffers with incomplete records; the buffer-completed callback runs
  // before this returns, so every buffer is in the queue afterwards.
  api_.FlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
  std::vector<schemas::DropRow> drops = CollectDrops(nullptr);
  {
    std::lock_guard<std::mutex> ol(objects_mu_);
    drops.insert(drops.end(), early_drops_.begin(), early_drops_.end());
    early_drops_.clear();
  }
  if (subscriber_ != nullptr) {
    api_.EnableDomain(0, subscriber_, CUPTI_CB_DOMAIN_RESOURCE);
    api_.Unsubscribe(subscriber_);
    subscriber_ = nullptr;
  }
  running_.store(false);
  return drops;
}

std::optional<uint32_t> CuptiSession::StreamIdForHandle(uint64_t handle) const {
  std::lock_guard<std::mutex> lock(objects_mu_);
  auto it = stream_handles_.find(handle);
  if (it == stream_handles_.end()) return std::nullopt;
  return it->second;
}

void CuptiSession::OnBufferRequested(uint8_t** buffer, size_t* size, size_t* max_records) {
  *max_records = 0;  // as many as fit
  uint8_t* b = (forked_child_.load() || !running_.load()) ? nullptr : pool_.Acquire();
  *buffer = b;
  *size = b != nullptr ? pool_.buffer_bytes() : 0;
}

void CuptiSession::OnBufferCompleted(uint8_t* buffer, size_t /*size*/, size_t valid) {
  if (buffer == nullptr) return;
  if (forked_child_.load()) return;  // the parent's queue is not ours to touch
  buffers_completed_.fetch_add(1);
  queue_.PushBuffer({buffer, valid});
}

void CuptiSession::OnCallback(CUpti_CallbackDomain domain, CUpti_CallbackId cbid, const void* data) {
  if (forked_child_.load() || data == nullptr) return;
  if (domain == CUPTI_CB_DOMAIN_RESOURCE) {
    const auto* res = static_cast<const CUpti_ResourceData*>(data);
    if (cbid == CUPTI_CBID_RESOURCE_CONTEXT_CREATED) {
      uint32_t id = 0;
      if (api_.GetContextId(res->context, &id) != CUPTI_SUCCESS) return;
      std::lock_guard<std::mutex> lock(objects_mu_);
      contexts_[res->context].id = id;
    } else if (cbid == CUPTI_CBID_RESOURCE_STREAM_CREATED) {
      uint32_t id = 0;
      if (api_.GetStreamId(res->context, res->resourceHandle.stream, &id) != CUPTI_SUCCESS) return;
      std::lock_guard<std::mutex> lock(objects_mu_);
      stream_handles_[reinterpret_cast<uint64_t>(res->resourceHandle.stream)] = id;
      contexts_[res->context].streams.push_back(id);
    } else if (cbid == CUPTI_CBID_RESOURCE_CONTEXT_DESTROY_STARTING) {
      // Records and dropped counts of this context must be read while it still exists.
      if (activity_on_.load()) api_.FlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
      std::vector<schemas::DropRow> drops = CollectDrops(res->context);
      std::lock_guard<std::mutex> lock(objects_mu_);
      early_drops_.insert(early_drops_.end(), drops.begin(), drops.end());
      contexts_.erase(res->context);
    }
  } else if (domain == CUPTI_CB_DOMAIN_RUNTIME_API &&
             cbid == CUPTI_RUNTIME_TRACE_CBID_cudaDeviceReset_v3020) {
    const auto* cb = static_cast<const CUpti_CallbackData*>(data);
    if (cb->callbackSite == CUPTI_API_ENTER && activity_on_.load()) {
      api_.FlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
    }
  }
}

}  // namespace moeprof::collector

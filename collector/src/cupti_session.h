// CuptiSession: everything that talks to CUPTI at run time — subscriber, attributes, enabled
// kinds, buffer callbacks, resource callbacks (contexts/streams for dropped-record counts and
// stream-handle lookup, cudaDeviceReset flush), the periodic flush thread, and the stop sequence
// (disable -> forced flush -> dropped counts). Buffer callbacks only touch the BufferPool and the
// WorkQueue; no CUPTI call is ever made while one of our locks is held.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "buffer_pool.h"
#include "cupti_api.h"
#include "moeprof/schemas/rows.h"
#include "work_queue.h"

namespace moeprof::collector {

struct SessionConfig {
  bool kernel = true, memcpy = true, memset = true, sync = true, event = true, runtime = true,
       driver = true, external = true, device = true, context = true, stream = true,
       overhead = true, graph = false;
  int flush_period_ms = 500;
};

// Kind names (Options.kinds) -> config; unknown names are reported in *unknown.
SessionConfig ConfigFromKinds(const std::vector<std::string>& kinds, bool graph_trace,
                              std::string* unknown);

enum class SessionStart { kOk, kNoDriver, kOtherSubscriber, kFailed };

struct SessionStartResult {
  SessionStart outcome = SessionStart::kOk;
  std::string message;                // the one line to print when not kOk
  std::vector<std::string> warnings;  // kinds that could not be enabled (collection goes on)
};

class CuptiSession {
 public:
  CuptiSession(CuptiApi& api, BufferPool& pool, WorkQueue& queue);
  ~CuptiSession();

  SessionStartResult Start(const SessionConfig& config);
  // Disables kinds, forces a flush (buffers land in the queue before this returns), reads
  // dropped-record counts, unsubscribes. Returns the drops to write. Idempotent.
  std::vector<schemas::DropRow> Stop();
  // Disables activity collection without the final bookkeeping (writer failed).
  void DisableActivity();
  bool running() const { return running_.load(); }

  // CUPTI stream id of a CUstream handle seen in STREAM_CREATED.
  std::optional<uint32_t> StreamIdForHandle(uint64_t handle) const;
  int64_t buffers_completed() const { return buffers_completed_.load(); }

  // After fork() in the child: never call CUPTI or touch shared state again.
  void MarkForkedChild() { forked_child_.store(true); }

  // Entry points CUPTI calls (public for the static trampolines).
  void OnBufferRequested(uint8_t** buffer, size_t* size, size_t* max_records);
  void OnBufferCompleted(uint8_t* buffer, size_t size, size_t valid);
  void OnCallback(CUpti_CallbackDomain domain, CUpti_CallbackId cbid, const void* data);

 private:
  void FlushLoop(int period_ms);
  void StopFlushThread();
  std::vector<schemas::DropRow> CollectDrops(CUcontext only);
  void DisableKindsLocked();

  CuptiApi& api_;
  BufferPool& pool_;
  WorkQueue& queue_;
  std::mutex control_mu_;  // Start/Stop/Disable; CUPTI callbacks never take it
  CUpti_SubscriberHandle subscriber_ = nullptr;
  std::vector<CUpti_ActivityKind> enabled_;
  bool driver_cbids_enabled_ = false;
  std::atomic<bool> running_{false};
  std::atomic<bool> activity_on_{false};
  std::atomic<bool> forked_child_{false};
  std::atomic<int64_t> buffers_completed_{0};

  std::thread flush_thread_;
  std::mutex flush_mu_;
  std::condition_variable flush_cv_;
  bool flush_stop_ = false;

  // Filled from resource callbacks (after the CUPTI query, under this small lock only).
  mutable std::mutex objects_mu_;
  struct ContextInfo {
    uint32_t id = 0;
    std::vector<uint32_t> streams;
  };
  std::unordered_map<CUcontext, ContextInfo> contexts_;
  std::unordered_map<uint64_t, uint32_t> stream_handles_;
  std::vector<schemas::DropRow> early_drops_;  // from contexts destroyed mid-run
};

}  // namespace moeprof::collector

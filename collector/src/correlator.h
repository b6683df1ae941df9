// Correlator: turns CUPTI's process-local identities into trace rows and keeps whatever state
// joins need across buffers. CUPTI delivers per-thread buffers in no particular order, so nothing
// here assumes order: streams and devices are created on first sight (a kernel may arrive before
// its DEVICE/CONTEXT/STREAM record), API and GPU rows are stored as they come and joined by
// correlationId when read, sync rows whose context is not yet placed on a device wait until it is,
// and NCCL operations wait for the CUSTOM2 external-correlation record naming their kernel
// launch (or the other way round). No CUPTI types here: the parser translates.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "host_events.h"
#include "moeprof/schemas/rows.h"
#include "moeprof/schemas/trace_writer.h"

namespace moeprof::collector {

// What a DEVICE record tells us, already in trace units.
struct DeviceInfo {
  uint32_t ordinal = 0;
  std::string name;
  std::optional<std::string> uuid;
  std::optional<int64_t> sm_count, cc_major, cc_minor, memory_bytes, memory_bandwidth_bps,
      l2_bytes, clock_khz;
};

// Datasheet peaks (GPUS.md) for known device names; both null when unknown.
void FillKnownPeaks(schemas::DeviceRow& row);

// CUPTI's external-correlation kind used by the NCCL plugin (CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM2).
inline constexpr int64_t kNcclExternalKind = 5;

struct CorrelatorOptions {
  int64_t origin_ns = 0;       // absolute trace-clock time rows are relative to
  int64_t process_id = 0;      // process row id
  // An NCCL op (or an external-correlation record) waits this long for its partner before it is
  // written without a kernel correlation.
  std::chrono::milliseconds pending_timeout{2000};
};

class Correlator {
 public:
  Correlator(schemas::TraceWriter& writer, const CorrelatorOptions& options);

  schemas::TraceWriter& writer() { return writer_; }
  int64_t Rel(uint64_t absolute_ns) const { return static_cast<int64_t>(absolute_ns) - origin_; }

  // Trace stream id for a CUPTI (device, context, stream), created on first sight.
  int64_t Stream(uint32_t device, uint32_t context, uint32_t stream);
  // Same, for records that name only the context; nullopt while the context's device is unknown.
  std::optional<int64_t> StreamInContext(uint32_t context, uint32_t stream);
  // Trace thread id for an OS thread id (gettid), created on first sight.
  int64_t Thread(uint64_t tid);
  // Interned kernel/API name. Cached by pointer (CUPTI hands the same pointer for the same
  // function) but verified by content, since freed names can be reused.
  schemas::StringId Name(const char* text);

  void OnDevice(const DeviceInfo& info);
  void OnContext(uint32_t context, uint32_t device, uint32_t null_stream);
  void OnStreamRecord(uint32_t context, uint32_t stream, int64_t priority);
  void OnExternalCorrelation(const schemas::ExternalCorrelationRow& row);
  // A sync row whose stream lives in a context not yet placed on a device.
  void DeferSync(const schemas::SyncRow& row, uint32_t context, uint32_t stream);

  void OnHostEvent(HostEvent&& event);
  // Resolves handles of named streams (StreamNameEvent without id) through the session.
  void SetStreamHandleResolver(std::function<std::optional<uint32_t>(uint64_t)> resolver);

  // Periodic work on the writer thread: retries deferred rows, writes timed-out NCCL ops.
  void Tick(std::chrono::steady_clock::time_point now);
  // End of trace: everything pending is written (unresolved fields null), placeholder devices.
  void Finish();

  bool nccl_plugin_seen() const { return nccl_plugin_seen_; }
  int64_t streams() const { return static_cast<int64_t>(streams_.size()); }

 private:
  struct PendingOp {
    NcclOpEvent op;
    std::chrono::steady_clock::time_point since;
  };
  struct PendingExt {
    int64_t correlation;
    std::chrono::steady_clock::time_point since;
  };
  struct DeferredSync {
    schemas::SyncRow row;
    uint32_t context, stream;
  };
  static uint64_t Key(uint32_t context, uint32_t stream) {
    return (static_cast<uint64_t>(context) << 32) | stream;
  }
  int64_t CreateStream(uint32_t device, uint32_t context, uint32_t stream);
  void NoteContextDevice(uint32_t context, uint32_t device);
  void NameStream(uint32_t stream_id, const std::string& name);
  void WriteComm(const NcclOpEvent& op, std::optional<int64_t> kernel_correlation);
  void RetryDeferred();

  schemas::TraceWriter& writer_;
  int64_t origin_;
  int64_t process_;
  std::chrono::milliseconds pending_timeout_;

  std::unordered_map<uint64_t, int64_t> streams_;           // Key(ctx, stream) -> stream row id
  std::unordered_map<int64_t, schemas::StreamRow> stream_rows_;  // id -> row (for UpdateStream)
  uint64_t last_stream_key_ = ~0ull;
  int64_t last_stream_id_ = 0;
  std::unordered_map<uint32_t, uint32_t> context_device_;   // CUPTI context id -> device ordinal
  std::unordered_map<uint32_t, uint32_t> null_streams_;     // context -> its NULL stream id
  std::unordered_map<uint64_t, int64_t> stream_priority_;   // Key -> priority seen before the stream
  std::unordered_map<uint32_t, std::string> stream_names_;  // CUPTI stream id -> NVTX name
  std::unordered_map<uint32_t, bool> devices_written_;      // ordinal -> DEVICE row written
  std::unordered_map<uint64_t, int64_t> threads_;
  struct NameEntry {
    schemas::StringId id;
    std::string text;
  };
  std::unordered_map<const char*, NameEntry> names_;
  std::vector<DeferredSync> deferred_syncs_;

  // NCCL attribution.
  bool nccl_plugin_seen_ = false;
  std::unordered_map<uint64_t, int64_t> communicators_;      // NCCL commId -> communicator row id
  // The NCCL plugin uses one external id per NCCL group: several ops may share it, and a group
  // may launch several kernels (several EXTERNAL_CORRELATION records with the same id; the first
  // is kept). Ops wait pending_timeout for their record; records are kept longer
  // (ext_keep_) for ops that finish after them.
  std::unordered_map<uint64_t, std::vector<PendingOp>> pending_ops_;  // external id -> ops
  std::unordered_map<uint64_t, PendingExt> known_ext_;  // external id -> first launch correlation
  std::chrono::milliseconds ext_keep_{30000};
  std::function<std::optional<uint32_t>(uint64_t)> resolve_stream_handle_;
  std::vector<StreamNameEvent> unresolved_stream_names_;
};

}  // namespace moeprof::collector

// Correlator: GPU-record side (streams, devices, threads, names, deferred syncs).
#include "correlator.h"

#include <cstring>
#include <iterator>

namespace moeprof::collector {

Correlator::Correlator(schemas::TraceWriter& writer, const CorrelatorOptions& options)
    : writer_(writer),
      origin_(options.origin_ns),
      process_(options.process_id),
      pending_timeout_(options.pending_timeout) {}

int64_t Correlator::Stream(uint32_t device, uint32_t context, uint32_t stream) {
  const uint64_t key = Key(context, stream);
  if (key == last_stream_key_) return last_stream_id_;  // kernels come in runs per stream
  auto it = streams_.find(key);
  int64_t id;
  if (it != streams_.end()) {
    id = it->second;
  } else {
    id = CreateStream(device, context, stream);
    NoteContextDevice(context, device);  // may retry deferred syncs, which may use this stream
  }
  last_stream_key_ = key;
  last_stream_id_ = id;
  return id;
}

std::optional<int64_t> Correlator::StreamInContext(uint32_t context, uint32_t stream) {
  auto it = streams_.find(Key(context, stream));
  if (it != streams_.end()) return it->second;
  auto dev = context_device_.find(context);
  if (dev == context_device_.end()) return std::nullopt;
  return CreateStream(dev->second, context, stream);
}

void Correlator::NoteContextDevice(uint32_t context, uint32_t device) {
  auto [it, inserted] = context_device_.emplace(context, device);
  if (inserted && !deferred_syncs_.empty()) RetryDeferred();
}

int64_t Correlator::CreateStream(uint32_t device, uint32_t context, uint32_t stream) {
  const uint64_t key = Key(context, stream);
  if (auto it = streams_.find(key); it != streams_.end()) return it->second;
  schemas::StreamRow row;
  row.device = static_cast<int64_t>(device) + 1;  // device row ids are ordinal + 1 (see OnDevice)
  row.context = context;
  row.native_id = stream;
  if (auto p = stream_priority_.find(key); p != stream_priority_.end()) {
    row.priority = p->second;
    stream_priority_.erase(p);
  }
  if (auto n = stream_names_.find(stream); n != stream_names_.end()) {
    row.name = n->second;
  } else if (auto ns = null_streams_.find(context); ns != null_streams_.end() && ns->second == stream) {
    row.name = "default";
  }
  row.id = writer_.AddStream(row);
  streams_.emplace(key, row.id);
  stream_rows_.emplace(row.id, row);
  if (!devices_written_.count(device)) devices_written_.emplace(device, false);
  return row.id;
}

int64_t Correlator::Thread(uint64_t tid) {
  auto it = threads_.find(tid);
  if (it != threads_.end()) return it->second;
  schemas::ThreadRow row;
  row.process = process_;
  row.tid = static_cast<int64_t>(tid);
  const int64_t id = writer_.AddThread(row);
  threads_.emplace(tid, id);
  return id;
}

schemas::StringId Correlator::Name(const char* text) {
  if (text == nullptr) return writer_.Intern("<unknown>");
  auto it = names_.find(text);
  if (it != names_.end() && std::strcmp(it->second.text.c_str(), text) == 0) return it->second.id;
  NameEntry e{writer_.Intern(text), text};
  const schemas::StringId id = e.id;
  names_.insert_or_assign(text, std::move(e));
  return id;
}

void Correlator::OnDevice(const DeviceInfo& info) {
  auto it = devices_written_.find(info.ordinal);
  if (it != devices_written_.end() && it->second) return;  // DEVICE records can repeat
  schemas::DeviceRow row;
  row.id = static_cast<int64_t>(info.ordinal) + 1;
  row.process = process_;
  row.ordinal = info.ordinal;
  row.name = info.name.empty() ? "unknown" : info.name;
  row.uuid = info.uuid;
  row.sm_count = info.sm_count;
  row.cc_major = info.cc_major;
  row.cc_minor = info.cc_minor;
  row.memory_bytes = info.memory_bytes;
  row.memory_bandwidth_bps = info.memory_bandwidth_bps;
  row.l2_bytes = info.l2_bytes;
  row.clock_khz = info.clock_khz;
  FillKnownPeaks(row);
  writer_.AddDevice(row);
  devices_written_[info.ordinal] = true;
}

void Correlator::OnContext(uint32_t context, uint32_t device, uint32_t null_stream) {
  null_streams_[context] = null_stream;
  // A stream created before this record keeps its row; name it now if nothing else did.
  if (auto it = streams_.find(Key(context, null_stream)); it != streams_.end()) {
    schemas::StreamRow& row = stream_rows_[it->second];
    if (!row.name) {
      row.name = "default";
      writer_.UpdateStream(row);
    }
  }
  NoteContextDevice(context, device);
}

void Correlator::OnStreamRecord(uint32_t context, uint32_t stream, int64_t priority) {
  const uint64_t key = Key(context, stream);
  if (streams_.count(key)) return;  // priority can no longer be stored (UpdateStream: name/role)
  auto dev = context_device_.find(context);
  if (dev == context_device_.end()) {
    stream_priority_[key] = priority;
    return;
  }
  stream_priority_[key] = priority;
  CreateStream(dev->second, context, stream);
}

void Correlator::DeferSync(const schemas::SyncRow& row, uint32_t context, uint32_t stream) {
  deferred_syncs_.push_back({row, context, stream});
}

void Correlator::RetryDeferred() {
  std::vector<DeferredSync> still;
  for (DeferredSync& d : deferred_syncs_) {
    if (auto s = StreamInContext(d.context, d.stream)) {
      d.row.stream = *s;
      writer_.AddSync(d.row);
    } else {
      still.push_back(d);
    }
  }
  deferred_syncs_.swap(still);
}

void Correlator::Tick(std::chrono::steady_clock::time_point now) {
  if (!deferred_syncs_.empty()) RetryDeferred();
  for (auto it = pending_ops_.begin(); it != pending_ops_.end();) {
    std::vector<PendingOp>& ops = it->second;
    size_t kept = 0;
    for (PendingOp& p : ops) {
      if (now - p.since >= pending_timeout_) {
        WriteComm(p.op, std::nullopt);
      } else {
        // Never self-move-assign: libstdc++ leaves the moved-to strings empty (seen on an H100:
        // NCCL ops lost their name and datatype).
        if (&ops[kept] != &p) ops[kept] = std::move(p);
        ++kept;
      }
    }
    ops.resize(kept);
    it = ops.empty() ? pending_ops_.erase(it) : std::next(it);
  }
  for (auto it = known_ext_.begin(); it != known_ext_.end();) {
    it = (now - it->second.since >= ext_keep_) ? known_ext_.erase(it) : std::next(it);
  }
  if (!unresolved_stream_names_.empty() && resolve_stream_handle_) {
    std::vector<StreamNameEvent> still;
    for (StreamNameEvent& e : unresolved_stream_names_) {
      if (auto id = resolve_stream_handle_(e.stream_handle)) {
        NameStream(*id, e.name);
      } else {
        still.push_back(std::move(e));
      }
    }
    unresolved_stream_names_.swap(still);
  }
}

void Correlator::Finish() {
  RetryDeferred();
  for (DeferredSync& d : deferred_syncs_) writer_.AddSync(d.row);  // stream stays null
  deferred_syncs_.clear();
  for (auto& [id, ops] : pending_ops_) {
    for (PendingOp& p : ops) WriteComm(p.op, std::nullopt);
  }
  pending_ops_.clear();
  known_ext_.clear();
  // Streams referenced devices whose DEVICE record never came (kind disabled, or lost).
  for (auto& [ordinal, written] : devices_written_) {
    if (written) continue;
    schemas::DeviceRow row;
    row.id = static_cast<int64_t>(ordinal) + 1;
    row.process = process_;
    row.ordinal = ordinal;
    row.name = "unknown";
    writer_.AddDevice(row);
    written = true;
  }
}

}  // namespace moeprof::collector

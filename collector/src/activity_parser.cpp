// ActivityParser: the switch over CUPTI record kinds. Times become ns relative to the trace
// origin; durations are stored; CUPTI ids become trace ids through the Correlator.
#include "activity_parser.h"

#include <cupti.h>

#include <cstdio>
#include <string>

namespace moeprof::collector {
namespace {

constexpr int64_t kDeviceLaunched = schemas::kFlagDeviceLaunched;
constexpr int64_t kAsync = schemas::kFlagAsync;
constexpr int64_t kGraph = schemas::kFlagGraph;

std::string UuidText(const CUuuid& u) {
  static const char* kHex = "0123456789abcdef";
  std::string s = "GPU-";
  for (int i = 0; i < 16; ++i) {
    const auto b = static_cast<unsigned char>(u.bytes[i]);
    s += kHex[b >> 4];
    s += kHex[b & 15];
    if (i == 3 || i == 5 || i == 7 || i == 9) s += '-';
  }
  return s;
}

int64_t Dur(uint64_t start, uint64_t end) { return end > start ? static_cast<int64_t>(end - start) : 0; }

}  // namespace

void ParseStats::Add(const ParseStats& o) {
  buffers += o.buffers;
  records += o.records;
  no_timing += o.no_timing;
  unknown_kind += o.unknown_kind;
  ignored += o.ignored;
  truncated_bytes += o.truncated_bytes;
  misaligned_buffers += o.misaligned_buffers;
}

size_t RecordSize(uint32_t kind) {
  switch (kind) {
    case CUPTI_ACTIVITY_KIND_KERNEL:
    case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL: return sizeof(CUpti_ActivityKernel10);
    case CUPTI_ACTIVITY_KIND_MEMCPY: return sizeof(CUpti_ActivityMemcpy6);
    case CUPTI_ACTIVITY_KIND_MEMCPY2: return sizeof(CUpti_ActivityMemcpyPtoP4);
    case CUPTI_ACTIVITY_KIND_MEMSET: return sizeof(CUpti_ActivityMemset4);
    case CUPTI_ACTIVITY_KIND_RUNTIME:
    case CUPTI_ACTIVITY_KIND_DRIVER:
    case CUPTI_ACTIVITY_KIND_INTERNAL_LAUNCH_API: return sizeof(CUpti_ActivityAPI);
    case CUPTI_ACTIVITY_KIND_SYNCHRONIZATION: return sizeof(CUpti_ActivitySynchronization2);
    case CUPTI_ACTIVITY_KIND_CUDA_EVENT: return sizeof(CUpti_ActivityCudaEvent2);
    case CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION: return sizeof(CUpti_ActivityExternalCorrelation);
    case CUPTI_ACTIVITY_KIND_GRAPH_TRACE: return sizeof(CUpti_ActivityGraphTrace2);
    case CUPTI_ACTIVITY_KIND_DEVICE: return sizeof(CUpti_ActivityDevice5);
    case CUPTI_ACTIVITY_KIND_CONTEXT: return sizeof(CUpti_ActivityContext3);
    case CUPTI_ACTIVITY_KIND_STREAM: return sizeof(CUpti_ActivityStream);
    case CUPTI_ACTIVITY_KIND_OVERHEAD: return sizeof(CUpti_ActivityOverhead3);
    case CUPTI_ACTIVITY_KIND_MARKER: return sizeof(CUpti_ActivityMarker2);
    case CUPTI_ACTIVITY_KIND_MARKER_DATA: return sizeof(CUpti_ActivityMarkerData2);
    case CUPTI_ACTIVITY_KIND_NAME: return sizeof(CUpti_ActivityName);
    default: return 0;
  }
}

schemas::StringId ActivityParser::ApiName(int domain, uint32_t cbid) {
  const uint64_t key = (static_cast<uint64_t>(domain) << 32) | cbid;
  auto it = api_names_.find(key);
  if (it != api_names_.end()) return it->second;
  const char* name = nullptr;
  std::string text;
  if (domain == 0) {
    text = "internal_launch";  // INTERNAL_LAUNCH_API: "the cbid field is not used"
  } else if (cuptiGetCallbackName(static_cast<CUpti_CallbackDomain>(domain), cbid, &name) ==
                 CUPTI_SUCCESS &&
             name != nullptr) {
    text = name;
  } else {
    text = (domain == CUPTI_CB_DOMAIN_RUNTIME_API ? "runtime_cbid_" : "driver_cbid_") +
           std::to_string(cbid);
  }
  const schemas::StringId id = c_.writer().Intern(text);
  api_names_.emplace(key, id);
  return id;
}

ParseStats ActivityParser::Parse(const uint8_t* buffer, size_t valid_bytes) {
  ParseStats st;
  st.buffers = 1;
  schemas::TraceWriter& w = c_.writer();
  auto drop = [&](const char* reason, int64_t count) {
    if (count <= 0) return;
    schemas::DropRow d;
    d.source = "cupti";
    d.reason = reason;
    d.count = count;
    w.AddDrop(d);
  };
  if (buffer == nullptr || valid_bytes == 0) return st;
  if (reinterpret_cast<uintptr_t>(buffer) % 8 != 0) {
    st.misaligned_buffers = 1;
    drop("misaligned buffer", 1);
    totals_.Add(st);
    return st;
  }

  uint8_t* const base = const_cast<uint8_t*>(buffer);
  CUpti_Activity* rec = nullptr;
  CUpti_Activity* last = nullptr;
  CUptiResult res;
  while ((res = cuptiActivityGetNextRecord(base, valid_bytes, &rec)) == CUPTI_SUCCESS) {
    last = rec;
    switch (rec->kind) {
      case CUPTI_ACTIVITY_KIND_KERNEL:
      case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL: {
        const auto* k = reinterpret_cast<const CUpti_ActivityKernel10*>(rec);
        if (k->start == 0 && k->end == 0) {
          ++st.no_timing;
          break;
        }
        schemas::LaunchConfig cfg;
        cfg.grid_x = k->gridX, cfg.grid_y = k->gridY, cfg.grid_z = k->gridZ;
        cfg.block_x = k->blockX, cfg.block_y = k->blockY, cfg.block_z = k->blockZ;
        cfg.cluster_x = k->clusterX, cfg.cluster_y = k->clusterY, cfg.cluster_z = k->clusterZ;
        cfg.registers = k->registersPerThread;
        cfg.static_smem = k->staticSharedMemory;
        cfg.dynamic_smem = k->dynamicSharedMemory;
        cfg.local_mem = k->localMemoryPerThread;
        schemas::KernelRow row;
        row.stream = c_.Stream(k->deviceId, k->contextId, k->streamId);
        row.start = c_.Rel(k->start);
        row.dur = Dur(k->start, k->end);
        row.correlation = k->correlationId;
        row.graph_node = static_cast<int64_t>(k->graphNodeId);
        row.name = c_.Name(k->name);
        row.config = w.InternLaunchConfig(cfg);
        row.graph = k->graphId;
        row.flags = (k->isDeviceLaunched ? kDeviceLaunched : int64_t{0}) |
                    (k->graphId != 0 ? kGraph : int64_t{0});
        w.AddKernel(row);
        ++st.records;
        break;
      }
      case CUPTI_ACTIVITY_KIND_MEMCPY: {
        const auto* m = reinterpret_cast<const CUpti_ActivityMemcpy6*>(rec);
        if (m->start == 0 && m->end == 0) {
          ++st.no_timing;
          break;
        }
        schemas::MemcpyRow row;
        row.stream = c_.Stream(m->deviceId, m->contextId, m->streamId);
        row.start = c_.Rel(m->start);
        row.dur = Dur(m->start, m->end);
        row.correlation = m->correlationId;
        row.graph_node = static_cast<int64_t>(m->graphNodeId);
        row.bytes = static_cast<int64_t>(m->bytes);
        row.copy_kind = m->copyKind;
        row.src_kind = m->srcKind;
        row.dst_kind = m->dstKind;
        row.graph = m->graphId;
        row.flags = ((m->flags & CUPTI_ACTIVITY_FLAG_MEMCPY_ASYNC) ? kAsync : int64_t{0}) |
                    (m->graphId != 0 ? kGraph : int64_t{0}) |
                    (m->isDeviceLaunched ? kDeviceLaunched : int64_t{0});
        w.AddMemcpy(row);
        ++st.records;
        break;
      }
      case CUPTI_ACTIVITY_KIND_MEMCPY2: {
        const auto* m = reinterpret_cast<const CUpti_ActivityMemcpyPtoP4*>(rec);
        if (m->start == 0 && m->end == 0) {
          ++st.no_timing;
          break;
        }
        schemas::MemcpyRow row;
        row.stream = c_.Stream(m->deviceId, m->contextId, m->streamId);
        row.start = c_.Rel(m->start);
        row.dur = Dur(m->start, m->end);
        row.correlation = m->correlationId;
        row.graph_node = static_cast<int64_t>(m->graphNodeId);
        row.bytes = static_cast<int64_t>(m->bytes);
        row.copy_kind = m->copyKind;
        row.src_kind = m->srcKind;
        row.dst_kind = m->dstKind;
        row.src_device = m->srcDeviceId;
        row.dst_device = m->dstDeviceId;
        row.graph = m->graphId;
        row.flags = ((m->flags & CUPTI_ACTIVITY_FLAG_MEMCPY_ASYNC) ? kAsync : int64_t{0}) |
                    (m->graphId != 0 ? kGraph : int64_t{0});
        w.AddMemcpy(row);
        ++st.records;
        break;
      }
      case CUPTI_ACTIVITY_KIND_MEMSET: {
        const auto* m = reinterpret_cast<const CUpti_ActivityMemset4*>(rec);
        if (m->start == 0 && m->end == 0) {
          ++st.no_timing;
          break;
        }
        schemas::MemsetRow row;
        row.stream = c_.Stream(m->deviceId, m->contextId, m->streamId);
        row.start = c_.Rel(m->start);
        row.dur = Dur(m->start, m->end);
        row.correlation = m->correlationId;
        row.graph_node = static_cast<int64_t>(m->graphNodeId);
        row.bytes = static_cast<int64_t>(m->bytes);
        row.value = m->value;
        row.mem_kind = m->memoryKind;
        row.graph = m->graphId;
        row.flags = ((m->flags & CUPTI_ACTIVITY_FLAG_MEMSET_ASYNC) ? kAsync : int64_t{0}) |
                    (m->graphId != 0 ? kGraph : int64_t{0}) |
                    (m->isDeviceLaunched ? kDeviceLaunched : int64_t{0});
        w.AddMemset(row);
        ++st.records;
        break;
      }
      case CUPTI_ACTIVITY_KIND_RUNTIME:
      case CUPTI_ACTIVITY_KIND_DRIVER:
      case CUPTI_ACTIVITY_KIND_INTERNAL_LAUNCH_API: {
        const auto* a = reinterpret_cast<const CUpti_ActivityAPI*>(rec);
        schemas::ApiRow row;
        row.correlation = a->correlationId;
        row.thread = c_.Thread(a->threadId);
        row.start = c_.Rel(a->start);
        row.dur = Dur(a->start, a->end);
        if (rec->kind == CUPTI_ACTIVITY_KIND_RUNTIME) {
          row.domain = schemas::ApiDomain::kRuntime;
          row.name = ApiName(CUPTI_CB_DOMAIN_RUNTIME_API, a->cbid);
        } else if (rec->kind == CUPTI_ACTIVITY_KIND_DRIVER) {
          row.domain = schemas::ApiDomain::kDriver;
          row.name = ApiName(CUPTI_CB_DOMAIN_DRIVER_API, a->cbid);
        } else {
          row.domain = schemas::ApiDomain::kInternalLaunch;
          row.name = ApiName(0, 0);
        }
        row.cbid = a->cbid;
        row.status = a->returnValue;
        w.AddApi(row);
        ++st.records;
        break;
      }
      case CUPTI_ACTIVITY_KIND_SYNCHRONIZATION: {
        const auto* s = reinterpret_cast<const CUpti_ActivitySynchronization2*>(rec);
        schemas::SyncRow row;
        row.type = s->type;
        if (s->cudaEventId != CUPTI_SYNCHRONIZATION_INVALID_VALUE) row.event = s->cudaEventId;
        row.start = c_.Rel(s->start);
        row.dur = Dur(s->start, s->end);
        row.correlation = s->correlationId;
        if (s->streamId != CUPTI_SYNCHRONIZATION_INVALID_VALUE) {
          if (auto stream = c_.StreamInContext(s->contextId, s->streamId)) {
            row.stream = *stream;
          } else {
            c_.DeferSync(row, s->contextId, s->streamId);
            ++st.records;
            break;
          }
        }
        w.AddSync(row);
        ++st.records;
        break;
      }
      case CUPTI_ACTIVITY_KIND_CUDA_EVENT: {
        const auto* e = reinterpret_cast<const CUpti_ActivityCudaEvent2*>(rec);
        schemas::CudaEventRow row;
        row.correlation = e->correlationId;
        row.stream = c_.Stream(e->deviceId, e->contextId, e->streamId);
        row.event = e->eventId;
        row.sync_id = static_cast<int64_t>(e->cudaEventSyncId);
        if (e->deviceTimestamp != 0) row.device_time = c_.Rel(e->deviceTimestamp);
        w.AddCudaEvent(row);
        ++st.records;
        break;
      }
      case CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION: {
        const auto* x = reinterpret_cast<const CUpti_ActivityExternalCorrelation*>(rec);
        schemas::ExternalCorrelationRow row;
        row.correlation = x->correlationId;
        row.kind = x->externalKind;
        row.external_id = static_cast<int64_t>(x->externalId);
        c_.OnExternalCorrelation(row);
        ++st.records;
        break;
      }
      case CUPTI_ACTIVITY_KIND_GRAPH_TRACE: {
        const auto* g = reinterpret_cast<const CUpti_ActivityGraphTrace2*>(rec);
        if (g->start == 0 && g->end == 0) {
          ++st.no_timing;
          break;
        }
        schemas::GraphLaunchRow row;
        row.correlation = g->correlationId;
        row.graph = g->graphId;
        row.stream = c_.Stream(g->deviceId, g->contextId, g->streamId);
        row.start = c_.Rel(g->start);
        row.dur = Dur(g->start, g->end);
        w.AddGraphLaunch(row);
        ++st.records;
        break;
      }
      case CUPTI_ACTIVITY_KIND_DEVICE: {
        const auto* d = reinterpret_cast<const CUpti_ActivityDevice5*>(rec);
        DeviceInfo info;
        info.ordinal = d->id;
        info.name = d->name != nullptr ? d->name : "";
        info.uuid = UuidText(d->uuid);
        info.sm_count = d->numMultiprocessors;
        info.cc_major = d->computeCapabilityMajor;
        info.cc_minor = d->computeCapabilityMinor;
        info.memory_bytes = static_cast<int64_t>(d->globalMemorySize);
        // CUPTI reports kBytes/s (derived from memory clock x bus width).
        info.memory_bandwidth_bps = static_cast<int64_t>(d->globalMemoryBandwidth) * 1000;
        info.l2_bytes = d->l2CacheSize;
        info.clock_khz = d->coreClockRate;
        c_.OnDevice(info);
        ++st.records;
        break;
      }
      case CUPTI_ACTIVITY_KIND_CONTEXT: {
        const auto* x = reinterpret_cast<const CUpti_ActivityContext3*>(rec);
        c_.OnContext(x->contextId, x->deviceId, x->nullStreamId);
        ++st.records;
        break;
      }
      case CUPTI_ACTIVITY_KIND_STREAM: {
        const auto* s = reinterpret_cast<const CUpti_ActivityStream*>(rec);
        c_.OnStreamRecord(s->contextId, s->streamId, static_cast<int32_t>(s->priority));
        ++st.records;
        break;
      }
      case CUPTI_ACTIVITY_KIND_OVERHEAD: {
        const auto* o = reinterpret_cast<const CUpti_ActivityOverhead3*>(rec);
        schemas::OverheadRow row;
        row.kind = o->overheadKind;
        if (o->objectKind == CUPTI_ACTIVITY_OBJECT_THREAD || o->objectKind == CUPTI_ACTIVITY_OBJECT_PROCESS) {
          if (o->objectKind == CUPTI_ACTIVITY_OBJECT_THREAD) row.thread = c_.Thread(o->objectId.pt.threadId);
        } else if (o->objectKind == CUPTI_ACTIVITY_OBJECT_DEVICE ||
                   o->objectKind == CUPTI_ACTIVITY_OBJECT_CONTEXT ||
                   o->objectKind == CUPTI_ACTIVITY_OBJECT_STREAM) {
          row.device = static_cast<int64_t>(o->objectId.dcs.deviceId) + 1;
        }
        row.start = c_.Rel(o->start);
        row.dur = Dur(o->start, o->end);
        w.AddOverhead(row);
        ++st.records;
        break;
      }
      case CUPTI_ACTIVITY_KIND_MARKER:
      case CUPTI_ACTIVITY_KIND_MARKER_DATA:
      case CUPTI_ACTIVITY_KIND_NAME:
        ++st.ignored;  // NVTX comes from our own hooks, not CUPTI's NVTX kinds
        break;
      default:
        // A kind CUPTI knows but we never enabled: its size is known to CUPTI, so iteration
        // continues; it is counted, not stored.
        ++st.unknown_kind;
        break;
    }
  }

  // Where did iteration stop? At the end (MAX_LIMIT_REACHED), or at a record CUPTI cannot size
  // (INVALID_KIND: kind 0 / unknown), after which nothing in this buffer can be read.
  size_t consumed = 0;
  if (last != nullptr) {
    const size_t size = RecordSize(last->kind);
    consumed = static_cast<size_t>(reinterpret_cast<uint8_t*>(last) - base) + size;
    if (size == 0) consumed = valid_bytes;  // unknown size: cannot judge the tail
  }
  drop("unknown record kind", st.unknown_kind);  // parsable kinds we never enabled
  if (res == CUPTI_ERROR_INVALID_KIND) {
    ++st.unknown_kind;
    drop("unknown record kind (rest of buffer unreadable)", 1);
  } else if (res == CUPTI_ERROR_MAX_LIMIT_REACHED) {
    if (consumed < valid_bytes) st.truncated_bytes = static_cast<int64_t>(valid_bytes - consumed);
  } else {
    drop("activity iterator error", 1);
  }
  drop("no timing", st.no_timing);
  if (st.truncated_bytes > 0) drop("truncated record", 1);
  totals_.Add(st);
  return st;
}

}  // namespace moeprof::collector

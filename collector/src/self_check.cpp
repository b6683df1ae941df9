// Version and record-stride checks against the libcupti actually loaded.
#include "self_check.h"

#include <cstdlib>
#include <cstring>
#include <vector>

#include "activity_parser.h"

namespace moeprof::collector {

std::string CheckCuptiVersion(CuptiApi& api) {
  uint32_t version = 0;
  CUptiResult r = api.GetVersion(&version);
  if (r != CUPTI_SUCCESS) return std::string("cuptiGetVersion failed: ") + CuptiErrorText(r);
  if (version != CUPTI_API_VERSION) {
    return "CUPTI API version " + std::to_string(version) + " at run time, but moeprof was built for " +
           std::to_string(CUPTI_API_VERSION) + "; record layouts may differ";
  }
  return "";
}

std::string CheckRecordStrides() {
  static const CUpti_ActivityKind kKinds[] = {
      CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL, CUPTI_ACTIVITY_KIND_MEMCPY,
      CUPTI_ACTIVITY_KIND_MEMCPY2,           CUPTI_ACTIVITY_KIND_MEMSET,
      CUPTI_ACTIVITY_KIND_RUNTIME,           CUPTI_ACTIVITY_KIND_DRIVER,
      CUPTI_ACTIVITY_KIND_INTERNAL_LAUNCH_API, CUPTI_ACTIVITY_KIND_SYNCHRONIZATION,
      CUPTI_ACTIVITY_KIND_CUDA_EVENT,        CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION,
      CUPTI_ACTIVITY_KIND_GRAPH_TRACE,       CUPTI_ACTIVITY_KIND_DEVICE,
      CUPTI_ACTIVITY_KIND_CONTEXT,           CUPTI_ACTIVITY_KIND_STREAM,
      CUPTI_ACTIVITY_KIND_OVERHEAD,
  };
  size_t total = 0;
  for (CUpti_ActivityKind k : kKinds) total += RecordSize(k);
  // 8-aligned storage; each record is zero but for its kind.
  std::vector<uint64_t> storage(total / 8 + 1, 0);
  auto* buf = reinterpret_cast<uint8_t*>(storage.data());
  size_t off = 0;
  for (CUpti_ActivityKind k : kKinds) {
    const uint32_t kind = k;
    std::memcpy(buf + off, &kind, sizeof(kind));
    off += RecordSize(k);
  }
  CUpti_Activity* rec = nullptr;
  off = 0;
  for (CUpti_ActivityKind k : kKinds) {
    CUptiResult r = cuptiActivityGetNextRecord(buf, total, &rec);
    if (r != CUPTI_SUCCESS) {
      return "record stride check: iterator failed at kind " + std::to_string(k) + ": " +
             CuptiErrorText(r);
    }
    const size_t at = static_cast<size_t>(reinterpret_cast<uint8_t*>(rec) - buf);
    if (at != off || rec->kind != k) {
      return "record stride check: kind " + std::to_string(k) + " expected at byte " +
             std::to_string(off) + ", libcupti put it at " + std::to_string(at) +
             " (record struct sizes differ from this build)";
    }
    off += RecordSize(k);
  }
  CUptiResult r = cuptiActivityGetNextRecord(buf, total, &rec);
  if (r != CUPTI_ERROR_MAX_LIMIT_REACHED) {
    return "record stride check: last record is larger in this libcupti than in this build";
  }
  return "";
}

}  // namespace moeprof::collector

// A CUPTI stand-in that accepts every call and records nothing, for the driver-less test mode
// (MOEPROF_TEST_NO_CUPTI=1): it lets CI run the whole runtime — NVTX capture, routing marks,
// the writer thread, the trace file — on machines with no GPU. Never used unless that variable
// is set; documented in docs/COLLECTOR.md as test-only.
#include <cupti.h>
#include <time.h>

#include <cstdlib>
#include <cstring>

#include "cupti_api.h"

namespace moeprof::collector {
namespace {

class NullCuptiApi final : public CuptiApi {
 public:
  CUptiResult GetVersion(uint32_t* version) override {
    *version = CUPTI_API_VERSION;
    return CUPTI_SUCCESS;
  }
  CUptiResult GetTimestamp(uint64_t* timestamp) override {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);  // the clock CUPTI's timestamps are on under Linux
    *timestamp = static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
    return CUPTI_SUCCESS;
  }
  CUptiResult Subscribe(CUpti_SubscriberHandle* handle, CUpti_CallbackFunc, void*, CUpti_SubscriberParams*) override {
    *handle = nullptr;
    return CUPTI_SUCCESS;
  }
  CUptiResult Unsubscribe(CUpti_SubscriberHandle) override { return CUPTI_SUCCESS; }
  CUptiResult EnableCallback(uint32_t, CUpti_SubscriberHandle, CUpti_CallbackDomain, CUpti_CallbackId) override {
    return CUPTI_SUCCESS;
  }
  CUptiResult EnableDomain(uint32_t, CUpti_SubscriberHandle, CUpti_CallbackDomain) override { return CUPTI_SUCCESS; }
  CUptiResult RegisterCallbacks(CUpti_BuffersCallbackRequestFunc, CUpti_BuffersCallbackCompleteFunc) override {
    return CUPTI_SUCCESS;
  }
  CUptiResult SetAttribute(CUpti_ActivityAttribute, size_t*, void*) override { return CUPTI_SUCCESS; }
  CUptiResult SetThreadIdType(CUpti_ActivityThreadIdType) override { return CUPTI_SUCCESS; }
  CUptiResult Enable(CUpti_ActivityKind) override { return CUPTI_SUCCESS; }
  CUptiResult Disable(CUpti_ActivityKind) override { return CUPTI_SUCCESS; }
  CUptiResult EnableRuntimeApi(CUpti_CallbackId, uint8_t) override { return CUPTI_SUCCESS; }
  CUptiResult EnableDriverApi(CUpti_CallbackId, uint8_t) override { return CUPTI_SUCCESS; }
  CUptiResult EnableAllSyncRecords(uint8_t) override { return CUPTI_SUCCESS; }
  CUptiResult FlushAll(uint32_t) override { return CUPTI_SUCCESS; }
  CUptiResult GetNumDroppedRecords(CUcontext, uint32_t, size_t* dropped) override {
    *dropped = 0;
    return CUPTI_SUCCESS;
  }
  CUptiResult GetStreamId(CUcontext, CUstream, uint32_t* id) override {
    *id = 0;
    return CUPTI_SUCCESS;
  }
  CUptiResult GetContextId(CUcontext, uint32_t* id) override {
    *id = 0;
    return CUPTI_SUCCESS;
  }
  CUptiResult PushExternalCorrelationId(CUpti_ExternalCorrelationKind, uint64_t) override { return CUPTI_SUCCESS; }
  CUptiResult PopExternalCorrelationId(CUpti_ExternalCorrelationKind, uint64_t* last) override {
    if (last != nullptr) *last = 0;
    return CUPTI_SUCCESS;
  }
};

}  // namespace

CuptiApi& NullCupti() {
  static CuptiApi* api = new NullCuptiApi();
  return *api;
}

bool TestModeWithoutCupti() {
  const char* v = std::getenv("MOEPROF_TEST_NO_CUPTI");
  return v != nullptr && std::strcmp(v, "1") == 0;
}

}  // namespace moeprof::collector

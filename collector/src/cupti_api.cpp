// CuptiApi backed by libcupti: one-line forwards, no state.
#include "cupti_api.h"

namespace moeprof::collector {
namespace {

class RealCuptiApi final : public CuptiApi {
 public:
  CUptiResult GetVersion(uint32_t* v) override { return cuptiGetVersion(v); }
  CUptiResult GetTimestamp(uint64_t* t) override { return cuptiGetTimestamp(t); }
  CUptiResult Subscribe(CUpti_SubscriberHandle* h, CUpti_CallbackFunc cb, void* ud,
                        CUpti_SubscriberParams* p) override {
    return cuptiSubscribe_v2(h, cb, ud, p);
  }
  CUptiResult Unsubscribe(CUpti_SubscriberHandle h) override { return cuptiUnsubscribe(h); }
  CUptiResult EnableCallback(uint32_t e, CUpti_SubscriberHandle h, CUpti_CallbackDomain d,
                             CUpti_CallbackId c) override {
    return cuptiEnableCallback(e, h, d, c);
  }
  CUptiResult EnableDomain(uint32_t e, CUpti_SubscriberHandle h, CUpti_CallbackDomain d) override {
    return cuptiEnableDomain(e, h, d);
  }
  CUptiResult RegisterCallbacks(CUpti_BuffersCallbackRequestFunc r,
                                CUpti_BuffersCallbackCompleteFunc c) override {
    return cuptiActivityRegisterCallbacks(r, c);
  }
  CUptiResult SetAttribute(CUpti_ActivityAttribute a, size_t* s, void* v) override {
    return cuptiActivitySetAttribute(a, s, v);
  }
  CUptiResult SetThreadIdType(CUpti_ActivityThreadIdType t) override {
    return cuptiSetThreadIdType(t);
  }
  CUptiResult Enable(CUpti_ActivityKind k) override { return cuptiActivityEnable(k); }
  CUptiResult Disable(CUpti_ActivityKind k) override { return cuptiActivityDisable(k); }
  CUptiResult EnableRuntimeApi(CUpti_CallbackId c, uint8_t e) override {
    return cuptiActivityEnableRuntimeApi(c, e);
  }
  CUptiResult EnableDriverApi(CUpti_CallbackId c, uint8_t e) override {
    return cuptiActivityEnableDriverApi(c, e);
  }
  CUptiResult EnableAllSyncRecords(uint8_t e) override {
    return cuptiActivityEnableAllSyncRecords(e);
  }
  CUptiResult FlushAll(uint32_t f) override { return cuptiActivityFlushAll(f); }
  CUptiResult GetNumDroppedRecords(CUcontext c, uint32_t s, size_t* d) override {
    return cuptiActivityGetNumDroppedRecords(c, s, d);
  }
  CUptiResult GetStreamId(CUcontext c, CUstream s, uint32_t* id) override {
    return cuptiGetStreamId(c, s, id);
  }
  CUptiResult GetContextId(CUcontext c, uint32_t* id) override { return cuptiGetContextId(c, id); }
  CUptiResult PushExternalCorrelationId(CUpti_ExternalCorrelationKind k, uint64_t id) override {
    return cuptiActivityPushExternalCorrelationId(k, id);
  }
  CUptiResult PopExternalCorrelationId(CUpti_ExternalCorrelationKind k, uint64_t* last) override {
    return cuptiActivityPopExternalCorrelationId(k, last);
  }
};

}  // namespace

CuptiApi& RealCupti() {
  // Leaked on purpose: CUPTI callbacks may run during static destruction at exit.
  static CuptiApi* api = new RealCuptiApi();
  return *api;
}

const char* CuptiErrorText(CUptiResult result) {
  const char* text = nullptr;
  if (cuptiGetResultString(result, &text) != CUPTI_SUCCESS || text == nullptr) return "unknown error";
  return text;
}

}  // namespace moeprof::collector

// The seam between the collector and libcupti: every CUPTI call the session makes goes through
// CuptiApi, so tests can drive the session (subscribe failures, enable failures, no driver)
// without a GPU. The parser calls cuptiActivityGetNextRecord/cuptiGetCallbackName directly:
// both work without a driver, and the tests want the real iterator.
#pragma once

#include <cupti.h>

#include <cstddef>
#include <cstdint>

namespace moeprof::collector {

class CuptiApi {
 public:
  virtual ~CuptiApi() = default;
  virtual CUptiResult GetVersion(uint32_t* version) = 0;
  virtual CUptiResult GetTimestamp(uint64_t* timestamp) = 0;
  virtual CUptiResult Subscribe(CUpti_SubscriberHandle* handle, CUpti_CallbackFunc callback,
                                void* userdata, CUpti_SubscriberParams* params) = 0;
  virtual CUptiResult Unsubscribe(CUpti_SubscriberHandle handle) = 0;
  virtual CUptiResult EnableCallback(uint32_t enable, CUpti_SubscriberHandle handle,
                                     CUpti_CallbackDomain domain, CUpti_CallbackId cbid) = 0;
  virtual CUptiResult EnableDomain(uint32_t enable, CUpti_SubscriberHandle handle,
                                   CUpti_CallbackDomain domain) = 0;
  virtual CUptiResult RegisterCallbacks(CUpti_BuffersCallbackRequestFunc requested,
                                        CUpti_BuffersCallbackCompleteFunc completed) = 0;
  virtual CUptiResult SetAttribute(CUpti_ActivityAttribute attr, size_t* size, void* value) = 0;
  virtual CUptiResult SetThreadIdType(CUpti_ActivityThreadIdType type) = 0;
  virtual CUptiResult Enable(CUpti_ActivityKind kind) = 0;
  virtual CUptiResult Disable(CUpti_ActivityKind kind) = 0;
  virtual CUptiResult EnableRuntimeApi(CUpti_CallbackId cbid, uint8_t enable) = 0;
  virtual CUptiResult EnableDriverApi(CUpti_CallbackId cbid, uint8_t enable) = 0;
  virtual CUptiResult EnableAllSyncRecords(uint8_t enable) = 0;
  virtual CUptiResult FlushAll(uint32_t flag) = 0;
  virtual CUptiResult GetNumDroppedRecords(CUcontext context, uint32_t stream, size_t* dropped) = 0;
  virtual CUptiResult GetStreamId(CUcontext context, CUstream stream, uint32_t* id) = 0;
  virtual CUptiResult GetContextId(CUcontext context, uint32_t* id) = 0;
  virtual CUptiResult PushExternalCorrelationId(CUpti_ExternalCorrelationKind kind, uint64_t id) = 0;
  virtual CUptiResult PopExternalCorrelationId(CUpti_ExternalCorrelationKind kind,
                                               uint64_t* last) = 0;
};

// The process-wide implementation that calls libcupti.
CuptiApi& RealCupti();

// Test-only: a CuptiApi that accepts everything and records nothing, used by the runtime when
// MOEPROF_TEST_NO_CUPTI=1 so CI can run NVTX capture end to end without a GPU.
CuptiApi& NullCupti();
bool TestModeWithoutCupti();

// "CUPTI_ERROR_UNKNOWN (999)" style text for messages; never null.
const char* CuptiErrorText(CUptiResult result);

}  // namespace moeprof::collector

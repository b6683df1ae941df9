// A scripted CuptiApi for tests: chosen results for subscribe/enable, a log of calls, and the
// buffer callbacks CUPTI would have been given, so a test can play CUPTI's part without a GPU.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "cupti_api.h"

namespace moeprof::collector::testing {

class FakeCupti : public CuptiApi {
 public:
  CUptiResult subscribe_result = CUPTI_SUCCESS;
  std::string other_subscriber;  // written to oldSubscriberName on MULTIPLE_SUBSCRIBERS
  std::map<int, CUptiResult> enable_result;  // per kind; default success
  CUptiResult enable_default = CUPTI_SUCCESS;
  std::map<std::pair<void*, uint32_t>, size_t> dropped;  // (context, stream) -> count
  uint64_t now = 1'000'000;

  std::vector<std::string> log;
  std::vector<int> enabled_kinds, disabled_kinds, driver_cbids_on, runtime_cbids_off;
  std::vector<uint32_t> flushes;
  CUpti_BuffersCallbackRequestFunc requested = nullptr;
  CUpti_BuffersCallbackCompleteFunc completed = nullptr;
  CUpti_CallbackFunc callback = nullptr;
  void* callback_userdata = nullptr;
  std::vector<std::pair<uint32_t, uint64_t>> ext_stack;
  // Buffers CUPTI "holds"; a forced flush completes them with these valid sizes.
  std::vector<std::pair<uint8_t*, size_t>> held;

  CUptiResult GetVersion(uint32_t* v) override {
    *v = CUPTI_API_VERSION;
    return CUPTI_SUCCESS;
  }
  CUptiResult GetTimestamp(uint64_t* t) override {
    *t = now++;
    return CUPTI_SUCCESS;
  }
  CUptiResult Subscribe(CUpti_SubscriberHandle* h, CUpti_CallbackFunc cb, void* ud,
                        CUpti_SubscriberParams* p) override {
    log.push_back("subscribe:" + std::string(p && p->subscriberName ? p->subscriberName : ""));
    if (subscribe_result == CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED && p && p->oldSubscriberName) {
      std::snprintf(p->oldSubscriberName, p->oldSubscriberSize, "%s", other_subscriber.c_str());
    }
    if (subscribe_result != CUPTI_SUCCESS) return subscribe_result;
    *h = reinterpret_cast<CUpti_SubscriberHandle>(0x1234);
    callback = cb;
    callback_userdata = ud;
    return CUPTI_SUCCESS;
  }
  CUptiResult Unsubscribe(CUpti_SubscriberHandle) override {
    log.push_back("unsubscribe");
    return CUPTI_SUCCESS;
  }
  CUptiResult EnableCallback(uint32_t, CUpti_SubscriberHandle, CUpti_CallbackDomain, CUpti_CallbackId) override {
    return CUPTI_SUCCESS;
  }
  CUptiResult EnableDomain(uint32_t, CUpti_SubscriberHandle, CUpti_CallbackDomain) override {
    return CUPTI_SUCCESS;
  }
  CUptiResult RegisterCallbacks(CUpti_BuffersCallbackRequestFunc r, CUpti_BuffersCallbackCompleteFunc c) override {
    log.push_back("register");
    requested = r;
    completed = c;
    return CUPTI_SUCCESS;
  }
  CUptiResult SetAttribute(CUpti_ActivityAttribute a, size_t*, void*) override {
    log.push_back("attr:" + std::to_string(a));
    return CUPTI_SUCCESS;
  }
  CUptiResult SetThreadIdType(CUpti_ActivityThreadIdType t) override {
    log.push_back("tid:" + std::to_string(t));
    return CUPTI_SUCCESS;
  }
  CUptiResult Enable(CUpti_ActivityKind k) override {
    auto it = enable_result.find(k);
    const CUptiResult r = it != enable_result.end() ? it->second : enable_default;
    if (r == CUPTI_SUCCESS) enabled_kinds.push_back(k);
    log.push_back("enable:" + std::to_string(k));
    return r;
  }
  CUptiResult Disable(CUpti_ActivityKind k) override {
    disabled_kinds.push_back(k);
    log.push_back("disable:" + std::to_string(k));
    return CUPTI_SUCCESS;
  }
  CUptiResult EnableRuntimeApi(CUpti_CallbackId c, uint8_t e) override {
    if (!e) runtime_cbids_off.push_back(static_cast<int>(c));
    return CUPTI_SUCCESS;
  }
  CUptiResult EnableDriverApi(CUpti_CallbackId c, uint8_t e) override {
    if (e) driver_cbids_on.push_back(static_cast<int>(c));
    return CUPTI_SUCCESS;
  }
  CUptiResult EnableAllSyncRecords(uint8_t) override { return CUPTI_SUCCESS; }
  CUptiResult FlushAll(uint32_t flag) override {
    std::vector<std::pair<uint8_t*, size_t>> done;
    {
      std::lock_guard<std::mutex> lock(mu);
      flushes.push_back(flag);
      if (flag & CUPTI_ACTIVITY_FLAG_FLUSH_FORCED) done.swap(held);
    }
    if (flag & CUPTI_ACTIVITY_FLAG_FLUSH_FORCED) log.push_back("flush:forced");
    for (auto& [b, valid] : done) completed(nullptr, 0, b, 0, valid);
    return CUPTI_SUCCESS;
  }
  CUptiResult GetNumDroppedRecords(CUcontext c, uint32_t s, size_t* d) override {
    auto it = dropped.find({static_cast<void*>(c), s});
    *d = it != dropped.end() ? it->second : 0;
    if (it != dropped.end()) it->second = 0;
    return CUPTI_SUCCESS;
  }
  CUptiResult GetStreamId(CUcontext, CUstream s, uint32_t* id) override {
    *id = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(s) & 0xffff);
    return CUPTI_SUCCESS;
  }
  CUptiResult GetContextId(CUcontext c, uint32_t* id) override {
    *id = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(c) & 0xff);
    return CUPTI_SUCCESS;
  }
  CUptiResult PushExternalCorrelationId(CUpti_ExternalCorrelationKind k, uint64_t id) override {
    ext_stack.emplace_back(k, id);
    return CUPTI_SUCCESS;
  }
  CUptiResult PopExternalCorrelationId(CUpti_ExternalCorrelationKind, uint64_t* last) override {
    if (ext_stack.empty()) return CUPTI_ERROR_QUEUE_EMPTY;
    *last = ext_stack.back().second;
    ext_stack.pop_back();
    return CUPTI_SUCCESS;
  }

  // Plays CUPTI asking for a buffer and filling it.
  uint8_t* RequestBuffer(size_t* size) {
    uint8_t* b = nullptr;
    size_t max_records = 7;
    requested(&b, size, &max_records);
    return b;
  }
  void Hold(uint8_t* b, size_t valid) {
    std::lock_guard<std::mutex> lock(mu);
    held.emplace_back(b, valid);
  }
  std::mutex mu;
};

}  // namespace moeprof::collector::testing

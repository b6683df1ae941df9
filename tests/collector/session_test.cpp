// CuptiSession against a scripted CUPTI: start order, kinds, muted runtime calls, driver launch
// cbids, other-subscriber and no-driver outcomes, buffer callbacks and the memory cap, stop
// sequence (disable -> forced flush -> dropped counts).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "cupti_session.h"
#include "fake_cupti.h"

namespace moeprof::collector {
namespace {

using testing::FakeCupti;

bool Has(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }
size_t IndexOf(const std::vector<std::string>& v, const std::string& x) {
  return static_cast<size_t>(std::find(v.begin(), v.end(), x) - v.begin());
}

class SessionTest : public ::testing::Test {
 protected:
  FakeCupti cupti_;
  BufferPool pool_{1 << 20, 3 << 20};
  WorkQueue queue_;
};

TEST_F(SessionTest, DefaultKindsAndOrder) {
  CuptiSession s(cupti_, pool_, queue_);
  SessionConfig cfg;
  cfg.flush_period_ms = 10;
  SessionStartResult r = s.Start(cfg);
  ASSERT_EQ(r.outcome, SessionStart::kOk) << r.message;
  EXPECT_TRUE(r.warnings.empty());
  for (int k : {CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL, CUPTI_ACTIVITY_KIND_MEMCPY, CUPTI_ACTIVITY_KIND_MEMCPY2,
                CUPTI_ACTIVITY_KIND_MEMSET, CUPTI_ACTIVITY_KIND_SYNCHRONIZATION, CUPTI_ACTIVITY_KIND_CUDA_EVENT,
                CUPTI_ACTIVITY_KIND_RUNTIME, CUPTI_ACTIVITY_KIND_INTERNAL_LAUNCH_API,
                CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION, CUPTI_ACTIVITY_KIND_DEVICE, CUPTI_ACTIVITY_KIND_CONTEXT,
                CUPTI_ACTIVITY_KIND_STREAM, CUPTI_ACTIVITY_KIND_OVERHEAD}) {
    EXPECT_TRUE(Has(cupti_.enabled_kinds, k)) << k;
  }
  EXPECT_FALSE(Has(cupti_.enabled_kinds, CUPTI_ACTIVITY_KIND_KERNEL));  // never the serializing kind
  EXPECT_FALSE(Has(cupti_.enabled_kinds, CUPTI_ACTIVITY_KIND_DRIVER));  // only the launch cbids
  EXPECT_FALSE(Has(cupti_.enabled_kinds, CUPTI_ACTIVITY_KIND_GRAPH_TRACE));
  EXPECT_EQ(cupti_.driver_cbids_on.size(), 6u);
  EXPECT_TRUE(Has(cupti_.driver_cbids_on, CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx));
  EXPECT_TRUE(Has(cupti_.driver_cbids_on, CUPTI_DRIVER_TRACE_CBID_cuGraphLaunch_ptsz));
  EXPECT_TRUE(Has(cupti_.runtime_cbids_off, CUPTI_RUNTIME_TRACE_CBID_cudaGetDevice_v3020));
  EXPECT_TRUE(Has(cupti_.runtime_cbids_off, CUPTI_RUNTIME_TRACE_CBID_cudaGetLastError_v3020));
  EXPECT_FALSE(Has(cupti_.runtime_cbids_off, CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000));
  // Subscriber first, then thread-id type and attributes, callbacks, and kinds last.
  const auto& log = cupti_.log;
  EXPECT_EQ(log.front(), "subscribe:moeprof");
  EXPECT_LT(IndexOf(log, "tid:1"), IndexOf(log, "register"));
  EXPECT_LT(IndexOf(log, "attr:" + std::to_string(CUPTI_ACTIVITY_ATTR_ZEROED_OUT_ACTIVITY_BUFFER)),
            IndexOf(log, "register"));
  EXPECT_LT(IndexOf(log, "register"), IndexOf(log, "enable:" + std::to_string(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL)));

  // Periodic flushes happen with flag 0.
  for (int i = 0; i < 100 && cupti_.flushes.empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  {
    std::lock_guard<std::mutex> lock(cupti_.mu);
    ASSERT_FALSE(cupti_.flushes.empty());
    EXPECT_EQ(cupti_.flushes.front(), 0u);
  }

  s.Stop();
  // Stop: every enabled kind disabled, then a forced flush, then unsubscribe.
  EXPECT_EQ(cupti_.disabled_kinds.size(), cupti_.enabled_kinds.size());
  EXPECT_LT(IndexOf(log, "disable:" + std::to_string(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL)),
            IndexOf(log, "flush:forced"));
  EXPECT_LT(IndexOf(log, "flush:forced"), IndexOf(log, "unsubscribe"));
  EXPECT_FALSE(s.running());
}

TEST_F(SessionTest, SelectedKindsAndGraphTrace) {
  CuptiSession s(cupti_, pool_, queue_);
  std::string unknown;
  SessionConfig cfg = ConfigFromKinds({"kernel", "runtime", "bogus"}, /*graph_trace=*/true, &unknown);
  EXPECT_EQ(unknown, "bogus");
  ASSERT_EQ(s.Start(cfg).outcome, SessionStart::kOk);
  EXPECT_EQ(cupti_.enabled_kinds.size(), 3u);
  EXPECT_TRUE(Has(cupti_.enabled_kinds, CUPTI_ACTIVITY_KIND_GRAPH_TRACE));
  EXPECT_TRUE(cupti_.driver_cbids_on.empty());
  s.Stop();
}

TEST_F(SessionTest, OtherSubscriberIsNamed) {
  cupti_.subscribe_result = CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED;
  cupti_.other_subscriber = "Nsight Systems";
  CuptiSession s(cupti_, pool_, queue_);
  SessionStartResult r = s.Start(SessionConfig{});
  EXPECT_EQ(r.outcome, SessionStart::kOtherSubscriber);
  EXPECT_EQ(r.message, "moeprof: another CUPTI client is already attached (Nsight Systems); nothing recorded");
  EXPECT_TRUE(cupti_.enabled_kinds.empty());
  EXPECT_FALSE(s.running());
  EXPECT_TRUE(s.Stop().empty());
}

TEST_F(SessionTest, SubscribeUnknownErrorMeansNoDriver) {
  cupti_.subscribe_result = CUPTI_ERROR_UNKNOWN;
  CuptiSession s(cupti_, pool_, queue_);
  SessionStartResult r = s.Start(SessionConfig{});
  EXPECT_EQ(r.outcome, SessionStart::kNoDriver);
  EXPECT_EQ(r.message, "moeprof: no CUDA driver found; nothing recorded");
}

TEST_F(SessionTest, EnableFailingWithUnknownMeansNoDriverAndRollsBack) {
  cupti_.enable_default = CUPTI_ERROR_UNKNOWN;
  CuptiSession s(cupti_, pool_, queue_);
  SessionStartResult r = s.Start(SessionConfig{});
  EXPECT_EQ(r.outcome, SessionStart::kNoDriver);
  EXPECT_NE(IndexOf(cupti_.log, "unsubscribe"), cupti_.log.size());
  EXPECT_FALSE(s.running());
}

TEST_F(SessionTest, OneKindFailingIsAWarning) {
  cupti_.enable_result[CUPTI_ACTIVITY_KIND_OVERHEAD] = CUPTI_ERROR_NOT_SUPPORTED;
  CuptiSession s(cupti_, pool_, queue_);
  SessionStartResult r = s.Start(SessionConfig{});
  ASSERT_EQ(r.outcome, SessionStart::kOk);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("overhead"), std::string::npos);
  s.Stop();
}

TEST_F(SessionTest, BuffersFlowToTheQueueAndTheCapRefuses) {
  CuptiSession s(cupti_, pool_, queue_);
  ASSERT_EQ(s.Start(SessionConfig{}).outcome, SessionStart::kOk);
  size_t size = 0;
  uint8_t* b1 = cupti_.RequestBuffer(&size);
  ASSERT_NE(b1, nullptr);
  EXPECT_EQ(size, 1u << 20);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b1) % 8, 0u);
  EXPECT_EQ(b1[0], 0);
  uint8_t* b2 = cupti_.RequestBuffer(&size);
  uint8_t* b3 = cupti_.RequestBuffer(&size);
  ASSERT_NE(b2, nullptr);
  ASSERT_NE(b3, nullptr);
  EXPECT_EQ(cupti_.RequestBuffer(&size), nullptr);  // 3 MB cap
  EXPECT_EQ(size, 0u);
  EXPECT_EQ(pool_.refused(), 1);
  cupti_.completed(nullptr, 0, b1, 1 << 20, 128);
  cupti_.Hold(b2, 64);
  cupti_.Hold(b3, 0);
  // Dropped-record counts are read per context/stream seen in resource callbacks.
  CUpti_ResourceData res{};
  res.context = reinterpret_cast<CUcontext>(0x51);
  cupti_.callback(cupti_.callback_userdata, CUPTI_CB_DOMAIN_RESOURCE, CUPTI_CBID_RESOURCE_CONTEXT_CREATED, &res);
  res.resourceHandle.stream = reinterpret_cast<CUstream>(0x20007);
  cupti_.callback(cupti_.callback_userdata, CUPTI_CB_DOMAIN_RESOURCE, CUPTI_CBID_RESOURCE_STREAM_CREATED, &res);
  EXPECT_EQ(s.StreamIdForHandle(0x20007), 7u);
  cupti_.dropped[{reinterpret_cast<void*>(0x51), 7}] = 12;
  cupti_.dropped[{nullptr, 0}] = 3;

  std::vector<schemas::DropRow> drops = s.Stop();  // forced flush completes b2, b3
  std::vector<CompletedBuffer> bufs;
  std::vector<HostEvent> events;
  queue_.WaitAndTake(std::chrono::milliseconds(0), bufs, events);
  ASSERT_EQ(bufs.size(), 3u);
  EXPECT_EQ(bufs[0].data, b1);
  EXPECT_EQ(bufs[0].valid_bytes, 128u);
  EXPECT_EQ(bufs[1].valid_bytes, 64u);
  ASSERT_EQ(drops.size(), 2u);
  int64_t total = 0;
  for (const auto& d : drops) {
    EXPECT_EQ(d.source, "cupti");
    total += d.count;
    if (d.count == 12) {
      EXPECT_EQ(d.context, 0x51);
      EXPECT_EQ(d.stream, 7);
    }
  }
  EXPECT_EQ(total, 15);
  for (auto& b : bufs) pool_.Release(b.data);
  // After stop, requests are refused (CUPTI keeps no buffer of ours).
  EXPECT_EQ(cupti_.RequestBuffer(&size), nullptr);
}

TEST(BufferPool, ReleasedBuffersComeBackZeroed) {
  BufferPool pool(64 * 1024, 64 * 1024);
  uint8_t* b = pool.Acquire();
  ASSERT_NE(b, nullptr);
  std::memset(b, 0xcd, pool.buffer_bytes());
  pool.Release(b);
  uint8_t* again = pool.Acquire();
  EXPECT_EQ(again, b);
  for (size_t i = 0; i < pool.buffer_bytes(); i += 4093) EXPECT_EQ(again[i], 0);
  EXPECT_EQ(pool.Acquire(), nullptr);
}

}  // namespace
}  // namespace moeprof::collector

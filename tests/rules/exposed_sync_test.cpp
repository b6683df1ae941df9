// exposed_sync on hand-built traces: exact exposed time (idle during the call + capped post-return
// idle), thresholds at 1 % / 5 % of step, structural vs accidental sites, aggregation over steps,
// and which calls are candidates at all.
#include "rule_test_util.h"

namespace moeprof::rules_test {
namespace {

const ClassMap kClasses = {{"gemm_kernel", Cls(KernelClass::kGemm)}};

// One 1 ms step; a kernel [0, 100) us, a sync call [50, 300) us, the next kernel launched right
// after the sync and starting at `next_start`.
struct SyncScenario {
  TraceBuilder b;
  int64_t stream;
  explicit SyncScenario(int64_t next_start, const std::string& api = "cudaStreamSynchronize") {
    stream = b.Stream("compute");
    b.StepRow(0, 0, US(1000));
    b.K(stream, "gemm_kernel", US(0), US(100));
    b.Api(api, US(50), US(250));
    b.Kernel(stream, "gemm_kernel", next_start, US(100), US(301), US(2));
  }
};

TEST(ExposedSync, IdleDuringCallPlusLaunchLatency) {
  SyncScenario s(US(310));
  analyzer::Run run = MakeRun({&s.b}, kClasses);
  auto fs = RunOne(run, "exposed_sync");
  ASSERT_EQ(fs.size(), 1u);
  const Finding& f = fs[0];
  // Device idle [100, 300) during the call, then [300, 310) until the next kernel.
  EXPECT_EQ(f.cost_ns, US(210));
  EXPECT_EQ(f.saving_ns, US(210));
  EXPECT_DOUBLE_EQ(f.cost_pct, 21.0);
  EXPECT_EQ(f.severity, Severity::kHigh);
  EXPECT_EQ(f.rule, "exposed_sync");
  EXPECT_NE(f.location.find("cudaStreamSynchronize"), std::string::npos);
  EXPECT_EQ(f.steps, std::vector<int64_t>{0});
  EXPECT_EQ(f.ranks, std::vector<int>{0});
  ASSERT_EQ(f.evidence.size(), 1u);
  EXPECT_EQ(f.evidence[0], (Interval{US(100), US(310)}));
  ASSERT_FALSE(f.events.empty());
  EXPECT_EQ(f.events[0].table, "api");
  EXPECT_EQ(f.metrics.at("structural"), 0.0);
  EXPECT_FALSE(f.fix.empty());
  EXPECT_FALSE(f.saving_method.empty());
}

TEST(ExposedSync, PostReturnIdleIsCappedAtOneLaunchLatency) {
  SyncScenario s(US(400));  // 100 us after the return: only 20 us (the default cap) are charged
  analyzer::Run run = MakeRun({&s.b}, kClasses);
  auto fs = RunOne(run, "exposed_sync");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, US(220));
  RuleOptions o;
  o.thresholds["exposed_sync.launch_latency_cap_us"] = 50;
  fs = RunOne(run, "exposed_sync", o);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, US(250));
}

TEST(ExposedSync, DeviceBusyOnAnotherStreamIsNotExposed) {
  SyncScenario s(US(310));
  const int64_t side = s.b.Stream("compute");
  s.b.K(side, "gemm_kernel", US(250), US(150));  // busy [250, 400): covers the return at 300
  analyzer::Run run = MakeRun({&s.b}, kClasses);
  auto fs = RunOne(run, "exposed_sync");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, US(150));  // only [100, 250)
}

// A 1 ms step where the sync's exposure is exactly `exposed_us` (all of it after the return).
Run ThresholdRun(TraceBuilder& b, double exposed_us) {
  const int64_t st = b.Stream("compute");
  b.StepRow(0, 0, US(1000));
  b.K(st, "gemm_kernel", US(0), US(500));
  b.Api("cudaDeviceSynchronize", US(10), US(490));  // returns at 500, when the device drains
  b.Kernel(st, "gemm_kernel", US(500) + US(exposed_us), US(100), US(500), US(2));
  return MakeRun({&b}, kClasses);
}

TEST(ExposedSync, WarnIsStrictlyAboveOnePercent) {
  TraceBuilder at;
  auto fs = RunOne(ThresholdRun(at, 10), "exposed_sync");  // exactly 1 %
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, US(10));
  EXPECT_EQ(fs[0].severity, Severity::kInfo);
  TraceBuilder above;
  fs = RunOne(ThresholdRun(above, 11), "exposed_sync");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, US(11));
  EXPECT_EQ(fs[0].severity, Severity::kWarn);
}

TEST(ExposedSync, HighIsStrictlyAboveFivePercent) {
  TraceBuilder at;  // cap raised so that 50 us after the return count
  RuleOptions o;
  o.thresholds["exposed_sync.launch_latency_cap_us"] = 100;
  auto fs = RunOne(ThresholdRun(at, 50), "exposed_sync", o);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].severity, Severity::kWarn);
  TraceBuilder above;
  fs = RunOne(ThresholdRun(above, 51), "exposed_sync", o);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].severity, Severity::kHigh);
}

TEST(ExposedSync, FullyHiddenSyncIsNotReported) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  b.StepRow(0, 0, US(1000));
  b.K(st, "gemm_kernel", US(0), US(500));
  b.Api("cudaStreamSynchronize", US(10), US(480));
  b.Kernel(st, "gemm_kernel", US(500), US(100), US(20), US(2));  // queued before: no gap
  auto fs = RunOne(MakeRun({&b}, kClasses), "exposed_sync");
  EXPECT_TRUE(fs.empty());
}

TEST(ExposedSync, BelowMinimumShareIsNotReported) {
  TraceBuilder b;
  auto fs = RunOne(ThresholdRun(b, 0.5), "exposed_sync");  // 0.05 % < min_pct 0.1
  EXPECT_TRUE(fs.empty());
}

TEST(ExposedSync, StructuralAndAccidentalSitesAreSeparate) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  b.StepRow(3, 0, US(1000));
  b.Range("step 3", 0, US(1000), 0);
  b.Range("layer 1", US(0), US(400), 1);
  b.Range("router", US(40), US(300), 2);
  b.K(st, "gemm_kernel", US(0), US(100));
  b.Api("cudaMemcpy", US(50), US(200));  // [50, 250): idle [100, 250)
  b.Kernel(st, "gemm_kernel", US(255), US(100), US(251));
  b.Range("log_metrics", US(600), US(800), 1);
  b.Api("cudaStreamSynchronize", US(610), US(100));  // idle [610, 710) + [710, 715)
  b.Kernel(st, "gemm_kernel", US(715), US(10), US(711));
  auto fs = RunOne(MakeRun({&b}, kClasses), "exposed_sync");
  ASSERT_EQ(fs.size(), 2u);
  // Worst first: the router sync (150 + 5) before the logging sync (105).
  EXPECT_EQ(fs[0].cost_ns, US(155));
  EXPECT_EQ(fs[0].metrics.at("structural"), 1.0);
  EXPECT_EQ(fs[0].location, "cudaMemcpy @ step #/layer #/router");
  EXPECT_NE(fs[0].title.find("Structural"), std::string::npos);
  EXPECT_EQ(fs[1].cost_ns, US(105));
  EXPECT_EQ(fs[1].metrics.at("structural"), 0.0);
  EXPECT_EQ(fs[1].location, "cudaStreamSynchronize @ step #/log_metrics");
  EXPECT_NE(fs[0].fix, fs[1].fix);
}

TEST(ExposedSync, OneSiteAcrossStepsAndLayers) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  for (int step = 0; step < 2; ++step) {
    const int64_t base = US(1000) * step;
    b.StepRow(step, base, base + US(1000));
    b.Range("step " + std::to_string(step), base, base + US(1000), 0);
    b.Range("layer " + std::to_string(step + 4), base, base + US(500), 1);
    b.K(st, "gemm_kernel", base, US(100));
    b.Api("cudaStreamSynchronize", base + US(50), US(100));  // idle [100, 150)
    b.Kernel(st, "gemm_kernel", base + US(160), US(10), base + US(151));  // + [150, 160)
  }
  auto fs = RunOne(MakeRun({&b}, kClasses), "exposed_sync");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, US(120));
  EXPECT_DOUBLE_EQ(fs[0].cost_pct, 6.0);
  EXPECT_EQ(fs[0].steps, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(fs[0].metrics.at("calls_per_step"), 1.0);
  EXPECT_EQ(fs[0].location, "cudaStreamSynchronize @ step #/layer #");
}

TEST(ExposedSync, SyncRecordWithoutApiRowIsACandidate) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  b.StepRow(0, 0, US(1000));
  b.K(st, "gemm_kernel", US(0), US(100));
  b.Sync(3, US(50), US(150), 0, st);  // stream sync [50, 200): idle [100, 200) + cap
  b.Kernel(st, "gemm_kernel", US(205), US(10), US(201));
  auto fs = RunOne(MakeRun({&b}, kClasses), "exposed_sync");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, US(105));
  EXPECT_EQ(fs[0].location, "cudaStreamSynchronize @ (no NVTX range)");
  EXPECT_EQ(fs[0].events.at(0).table, "sync");
}

TEST(ExposedSync, SyncRecordAndItsApiCallAreOneCandidate) {
  SyncScenario s(US(310));
  s.b.Sync(3, US(50), US(250), /*corr=*/2, s.stream);  // correlation 2 = the sync API call
  auto fs = RunOne(MakeRun({&s.b}, kClasses), "exposed_sync");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, US(210));
  EXPECT_EQ(fs[0].metrics.at("calls"), 1.0);
}

TEST(ExposedSync, StreamWaitEventIsNotAHostSync) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  b.StepRow(0, 0, US(1000));
  b.K(st, "gemm_kernel", US(0), US(100));
  b.Sync(2, US(50), US(150), 0, st);
  b.Kernel(st, "gemm_kernel", US(205), US(10), US(201));
  EXPECT_TRUE(RunOne(MakeRun({&b}, kClasses), "exposed_sync").empty());
}

TEST(ExposedSync, AsyncCopyIntoPageableMemoryIsACandidatePinnedIsNot) {
  for (int64_t dst_kind : {1, 2}) {  // 1 pageable, 2 pinned
    TraceBuilder b;
    const int64_t st = b.Stream("compute");
    b.StepRow(0, 0, US(1000));
    b.K(st, "gemm_kernel", US(0), US(100));
    const int64_t corr = b.Api("cudaMemcpyAsync", US(50), US(160));
    b.Memcpy(st, US(100), US(10), corr, /*DtoH*/ 2, dst_kind);
    b.Kernel(st, "gemm_kernel", US(215), US(10), US(211));
    auto fs = RunOne(MakeRun({&b}, kClasses), "exposed_sync");
    if (dst_kind == 1) {
      ASSERT_EQ(fs.size(), 1u);
      EXPECT_EQ(fs[0].cost_ns, US(105));  // idle [110, 210) + [210, 215)
    } else {
      EXPECT_TRUE(fs.empty());
    }
  }
}

TEST(ExposedSync, NsysVersionSuffixesAreOneSite) {
  SyncScenario s(US(310), "cudaStreamSynchronize_v3020");
  auto fs = RunOne(MakeRun({&s.b}, kClasses), "exposed_sync");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].location.rfind("cudaStreamSynchronize @", 0), 0u);
}

TEST(ExposedSync, CallsOutsideStepsAreIgnored) {
  SyncScenario s(US(310));
  s.b.raw().steps.clear();
  s.b.StepRow(0, US(500), US(1500));
  s.b.K(s.stream, "gemm_kernel", US(600), US(10));
  EXPECT_TRUE(RunOne(MakeRun({&s.b}, kClasses), "exposed_sync").empty());
}

}  // namespace
}  // namespace moeprof::rules_test

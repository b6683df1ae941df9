// launch_bound on hand-built traces: device idle inside a run of short just-in-time kernels, the
// saving after a graph launch, and each condition's bar (count, median, idle share, queue, gap).
#include "rule_test_util.h"

namespace moeprof::rules_test {
namespace {

const ClassMap kClasses = {{"tiny", Cls(KernelClass::kElementwise)},
                           {"gemm", Cls(KernelClass::kGemm)}};

struct Params {
  int n = 25;
  double dur_us = 4;
  double gap_us = 6;
  double launch_lead_us = 1;  // launch call returns this long before the kernel starts
};

// n kernels from t = 100 us on one stream of a 1 ms step.
TraceBuilder Stretch(const Params& p) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  b.StepRow(0, 0, US(1000));
  b.Range("optimizer", US(50), US(999), 0);
  double t = 100;
  for (int i = 0; i < p.n; ++i) {
    b.Kernel(st, "tiny", US(t), US(p.dur_us), US(t - p.launch_lead_us - 2), US(2));
    t += p.dur_us + p.gap_us;
  }
  return b;
}

TEST(LaunchBound, CostIsDeviceIdleInsideTheStretch) {
  TraceBuilder b = Stretch({});
  auto fs = RunOne(MakeRun({&b}, kClasses), "launch_bound");
  ASSERT_EQ(fs.size(), 1u);
  const Finding& f = fs[0];
  EXPECT_EQ(f.cost_ns, 24 * US(6));
  EXPECT_DOUBLE_EQ(f.cost_pct, 14.4);
  EXPECT_EQ(f.severity, Severity::kHigh);
  EXPECT_EQ(f.saving_ns, 24 * US(6) - US(10) - 24 * US(0.5));
  EXPECT_EQ(f.location, "optimizer");
  EXPECT_EQ(f.metrics.at("kernels"), 25.0);
  EXPECT_EQ(f.evidence.size(), 20u);  // bounded
  EXPECT_EQ(f.evidence[0], (Interval{US(104), US(110)}));
}

TEST(LaunchBound, MinimumKernelCount) {
  Params p;
  p.n = 19;
  TraceBuilder few = Stretch(p);
  EXPECT_TRUE(RunOne(MakeRun({&few}, kClasses), "launch_bound").empty());
  p.n = 20;
  TraceBuilder enough = Stretch(p);
  auto fs = RunOne(MakeRun({&enough}, kClasses), "launch_bound");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, 19 * US(6));
}

TEST(LaunchBound, MedianDurationBarIsStrict) {
  Params p;
  p.dur_us = 10;
  p.gap_us = 10;
  TraceBuilder at = Stretch(p);
  EXPECT_TRUE(RunOne(MakeRun({&at}, kClasses), "launch_bound").empty());
  p.dur_us = 9.9;
  TraceBuilder below = Stretch(p);
  EXPECT_EQ(RunOne(MakeRun({&below}, kClasses), "launch_bound").size(), 1u);
}

TEST(LaunchBound, IdleShareBarIsStrict) {
  // Idle share of the stretch = 24 g / (25 d + 24 g): d = 7 us, g = 3.125 us give exactly
  // 75 / 250 = 30 %, with every time a whole number of ns.
  Params p;
  p.dur_us = 7;
  p.gap_us = 3.125;
  TraceBuilder at = Stretch(p);
  EXPECT_TRUE(RunOne(MakeRun({&at}, kClasses), "launch_bound").empty());
  p.gap_us = 3.2;
  TraceBuilder above = Stretch(p);
  EXPECT_EQ(RunOne(MakeRun({&above}, kClasses), "launch_bound").size(), 1u);
}

TEST(LaunchBound, QueuedKernelsAreNotLaunchBound) {
  Params p;
  p.launch_lead_us = 50;  // launched long before: the GPU was not waiting for the host
  TraceBuilder b = Stretch(p);
  EXPECT_TRUE(RunOne(MakeRun({&b}, kClasses), "launch_bound").empty());
  p.launch_lead_us = 10;  // the bar itself still counts as just in time
  TraceBuilder edge = Stretch(p);
  EXPECT_EQ(RunOne(MakeRun({&edge}, kClasses), "launch_bound").size(), 1u);
}

TEST(LaunchBound, LongGapsAreHostStallsNotLaunchLatency) {
  Params p;
  p.gap_us = 51;
  TraceBuilder b = Stretch(p);
  EXPECT_TRUE(RunOne(MakeRun({&b}, kClasses), "launch_bound").empty());
}

TEST(LaunchBound, OtherStreamKeepingTheGpuBusyIsNotIdle) {
  TraceBuilder b = Stretch({});
  const int64_t side = b.Stream("compute");
  b.K(side, "gemm", US(90), US(400));
  EXPECT_TRUE(RunOne(MakeRun({&b}, kClasses), "launch_bound").empty());
}

TEST(LaunchBound, GraphKernelsAreNotCandidates) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  b.StepRow(0, 0, US(1000));
  const int64_t corr = b.Api("cudaGraphLaunch", US(95), US(3));
  for (int i = 0; i < 25; ++i) {
    b.KernelAt(st, "tiny", US(100 + 10 * i), US(4), corr, 1, schemas::kFlagGraph, 7);
  }
  EXPECT_TRUE(RunOne(MakeRun({&b}, kClasses), "launch_bound").empty());
}

TEST(LaunchBound, WarnBand) {
  Params p;
  p.gap_us = 2.5;  // idle 24 x 2.5 = 60 us = 6 % of step; idle share 60/160 > 30 %
  TraceBuilder b = Stretch(p);
  auto fs = RunOne(MakeRun({&b}, kClasses), "launch_bound");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, US(60));
  EXPECT_EQ(fs[0].severity, Severity::kWarn);
}

}  // namespace
}  // namespace moeprof::rules_test

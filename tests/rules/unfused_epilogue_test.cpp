// unfused_epilogue on hand-built traces: chain cost (kernels + gaps), saving (minus half the
// shortest epilogue kernel), the gap bound, the two flag bars, what breaks a chain, aggregation.
#include "rule_test_util.h"

namespace moeprof::rules_test {
namespace {

const ClassMap kClasses = {
    {"gemm", Cls(KernelClass::kGemm)},
    {"grouped_gemm", Cls(KernelClass::kGroupedGemm)},
    {"bias_add", Cls(KernelClass::kElementwise)},
    {"swiglu", Cls(KernelClass::kElementwise)},
    {"to_bf16", Cls(KernelClass::kCast)},
    {"rmsnorm", Cls(KernelClass::kNorm)},
};

TEST(UnfusedEpilogue, ChainCostIsKernelsPlusGaps) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  b.StepRow(0, 0, US(1000));
  b.K(st, "gemm", US(0), US(100));
  b.K(st, "bias_add", US(102), US(20));
  b.K(st, "swiglu", US(124), US(10));
  auto fs = RunOne(MakeRun({&b}, kClasses), "unfused_epilogue");
  ASSERT_EQ(fs.size(), 1u);
  const Finding& f = fs[0];
  EXPECT_EQ(f.cost_ns, US(34));               // [100, 134)
  EXPECT_EQ(f.saving_ns, US(34) - US(10) / 2);  // minus half the shortest epilogue kernel
  EXPECT_DOUBLE_EQ(f.cost_pct, 3.4);
  EXPECT_EQ(f.severity, Severity::kWarn);
  EXPECT_EQ(f.location, "gemm -> bias_add -> swiglu");
  EXPECT_DOUBLE_EQ(f.metrics.at("gemm_pct"), 34.0);
  EXPECT_EQ(f.metrics.at("epilogue_kernels"), 2.0);
  ASSERT_EQ(f.evidence.size(), 1u);
  EXPECT_EQ(f.evidence[0], (Interval{US(100), US(134)}));
  EXPECT_EQ(f.events.size(), 3u);
}

TEST(UnfusedEpilogue, HighAtFivePercentOfStep) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  b.StepRow(0, 0, US(1000));
  b.K(st, "grouped_gemm", US(0), US(100));
  b.K(st, "swiglu", US(101), US(49));  // cost 50 = 5 %
  auto fs = RunOne(MakeRun({&b}, kClasses), "unfused_epilogue");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, US(50));
  EXPECT_EQ(fs[0].severity, Severity::kHigh);
}

TEST(UnfusedEpilogue, GapBoundIsInclusive) {
  for (double gap : {5.0, 5.001}) {
    TraceBuilder b;
    const int64_t st = b.Stream("compute");
    b.StepRow(0, 0, US(1000));
    b.K(st, "gemm", US(0), US(100));
    b.K(st, "bias_add", US(100) + US(gap), US(30));
    auto fs = RunOne(MakeRun({&b}, kClasses), "unfused_epilogue");
    if (gap == 5.0) {
      ASSERT_EQ(fs.size(), 1u);
      EXPECT_EQ(fs[0].cost_ns, US(35));
    } else {
      EXPECT_TRUE(fs.empty());
    }
  }
}

// A 2 ms step, so the step share stays below 2 % (and above 0.5 %): only the GEMM-time bar
// decides whether the chain is flagged.
std::vector<Finding> GemmRatio(double epilogue_us, double step_us = 2000) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  b.StepRow(0, 0, US(step_us));
  b.K(st, "gemm", US(0), US(100));
  b.K(st, "bias_add", US(100), US(epilogue_us));
  return RunOne(MakeRun({&b}, kClasses), "unfused_epilogue");
}

TEST(UnfusedEpilogue, GemmRatioBarAtTwentyPercent) {
  EXPECT_TRUE(GemmRatio(19.9).empty());
  auto fs = GemmRatio(20);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].severity, Severity::kWarn);
  EXPECT_DOUBLE_EQ(fs[0].metrics.at("gemm_pct"), 20.0);
}

TEST(UnfusedEpilogue, TinyShareOfStepIsOnlyInfoOrNothing) {
  auto fs = GemmRatio(40, 10000);  // 40 % of the GEMM but 0.4 % of the step
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].severity, Severity::kInfo);
  EXPECT_TRUE(GemmRatio(40, 50000).empty());  // 0.08 % < min_pct
}

TEST(UnfusedEpilogue, ChainLengthIsBounded) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  b.StepRow(0, 0, US(1000));
  b.K(st, "gemm", US(0), US(100));
  for (int i = 0; i < 10; ++i) b.K(st, "bias_add", US(100 + 10 * i), US(10));
  auto fs = RunOne(MakeRun({&b}, kClasses), "unfused_epilogue");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, US(60));  // the first max_chain_kernels = 6
  EXPECT_EQ(fs[0].metrics.at("epilogue_kernels"), 6.0);
}

TEST(UnfusedEpilogue, StepShareBarAtTwoPercent) {
  // A long GEMM (ratio far below 20 %): only the step share decides.
  for (double epi : {19.9, 20.0}) {
    TraceBuilder b;
    const int64_t st = b.Stream("compute");
    b.StepRow(0, 0, US(1000));
    b.K(st, "gemm", US(0), US(500));
    b.K(st, "bias_add", US(500), US(epi));
    auto fs = RunOne(MakeRun({&b}, kClasses), "unfused_epilogue");
    if (epi < 20) {
      EXPECT_TRUE(fs.empty());
    } else {
      ASSERT_EQ(fs.size(), 1u);
      EXPECT_DOUBLE_EQ(fs[0].cost_pct, 2.0);
    }
  }
}

TEST(UnfusedEpilogue, OtherClassEndsTheChainOtherStreamsDoNot) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  const int64_t side = b.Stream("compute");
  b.StepRow(0, 0, US(1000));
  b.K(st, "gemm", US(0), US(100));
  b.K(side, "rmsnorm", US(100), US(10));  // another stream: irrelevant
  b.K(st, "bias_add", US(101), US(30));
  b.K(st, "rmsnorm", US(131), US(10));    // ends the chain
  b.K(st, "to_bf16", US(141), US(30));    // not part of it
  auto fs = RunOne(MakeRun({&b}, kClasses), "unfused_epilogue");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, US(31));
  EXPECT_EQ(fs[0].location, "gemm -> bias_add");
}

TEST(UnfusedEpilogue, NoEpilogueNoFinding) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  b.StepRow(0, 0, US(1000));
  b.K(st, "gemm", US(0), US(100));
  b.K(st, "rmsnorm", US(100), US(50));
  b.K(st, "gemm", US(150), US(100));
  EXPECT_TRUE(RunOne(MakeRun({&b}, kClasses), "unfused_epilogue").empty());
}

TEST(UnfusedEpilogue, AggregatedBySignatureAcrossStepsAndRanks) {
  TraceBuilder r0(0), r1(1);
  for (TraceBuilder* b : {&r0, &r1}) {
    const int64_t st = b->Stream("compute");
    for (int s = 0; s < 2; ++s) {
      const int64_t base = US(1000) * s;
      b->StepRow(s, base, base + US(1000));
      b->K(st, "gemm", base + US(10), US(100));
      b->K(st, "to_bf16", base + US(112), US(20));  // chain cost 22
      b->K(st, "gemm", base + US(200), US(100));
      b->K(st, "bias_add", base + US(300), US(40));  // another signature: cost 40
    }
  }
  auto fs = RunOne(MakeRun({&r0, &r1}, kClasses), "unfused_epilogue");
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].location, "gemm -> bias_add");  // worst first
  EXPECT_EQ(fs[0].cost_ns, 4 * US(40));
  EXPECT_EQ(fs[0].metrics.at("chains"), 4.0);
  EXPECT_DOUBLE_EQ(fs[0].cost_pct, 4.0);
  EXPECT_EQ(fs[0].ranks, (std::vector<int>{0, 1}));
  EXPECT_EQ(fs[0].steps, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(fs[1].location, "gemm -> to_bf16");
  EXPECT_EQ(fs[1].cost_ns, 4 * US(22));
  EXPECT_EQ(fs[1].saving_ns, 4 * (US(22) - US(10)));
}

}  // namespace
}  // namespace moeprof::rules_test

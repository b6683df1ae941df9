// precision on hand-built traces: cast share as a union, its bars; FP64 kernels in the hot path
// and the saving from the slowdown factor; repeated casts within one layer range.
#include "rule_test_util.h"

namespace moeprof::rules_test {
namespace {

const ClassMap kClasses = {
    {"gemm", Cls(KernelClass::kGemm)},
    {"cast_a", Cls(KernelClass::kCast)},
    {"cast_b", Cls(KernelClass::kCast)},
    {"router_gemm_fp64", Cls(KernelClass::kGemm, CommOp::kNone, /*fp64=*/true)},
};

const Finding* Find(const std::vector<Finding>& fs, const std::string& location) {
  for (const Finding& f : fs) {
    if (f.location == location) return &f;
  }
  return nullptr;
}

TEST(Precision, CastShareIsAUnionAcrossStreams) {
  TraceBuilder b;
  const int64_t s1 = b.Stream("compute");
  const int64_t s2 = b.Stream("compute");
  b.StepRow(0, 0, US(1000));
  b.K(s1, "cast_a", US(0), US(30));
  b.K(s2, "cast_b", US(20), US(30));  // overlaps: union [0, 50)
  b.K(s1, "gemm", US(100), US(500));
  auto fs = RunOne(MakeRun({&b}, kClasses), "precision");
  const Finding* f = Find(fs, "cast/quantize kernels");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->cost_ns, US(50));
  EXPECT_DOUBLE_EQ(f->cost_pct, 5.0);
  EXPECT_EQ(f->severity, Severity::kWarn);  // >= 5 %
  EXPECT_EQ(Find(fs, "repeated casts"), nullptr);  // two different kernels
}

TEST(Precision, CastShareBars) {
  for (double us : {49.0, 150.0}) {
    TraceBuilder b;
    const int64_t s1 = b.Stream("compute");
    b.StepRow(0, 0, US(1000));
    b.K(s1, "cast_a", US(0), US(us));
    auto fs = RunOne(MakeRun({&b}, kClasses), "precision");
    ASSERT_EQ(fs.size(), 1u);
    EXPECT_EQ(fs[0].severity, us < 50 ? Severity::kInfo : Severity::kHigh);  // 4.9 % vs 15 %
  }
  TraceBuilder tiny;
  const int64_t s = tiny.Stream("compute");
  tiny.StepRow(0, 0, US(1000));
  tiny.K(s, "cast_a", US(0), US(4.9));  // 0.49 % < min_pct
  EXPECT_TRUE(RunOne(MakeRun({&tiny}, kClasses), "precision").empty());
}

TEST(Precision, Fp64KernelInTheHotPath) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  for (int s = 0; s < 2; ++s) {
    const int64_t base = US(1000) * s;
    b.StepRow(s, base, base + US(1000));
    b.K(st, "router_gemm_fp64", base + US(100), US(100));
  }
  auto fs = RunOne(MakeRun({&b}, kClasses), "precision");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].location, "router_gemm_fp64");
  EXPECT_EQ(fs[0].cost_ns, US(200));
  EXPECT_EQ(fs[0].saving_ns, US(160));  // 1 - 1/5
  EXPECT_DOUBLE_EQ(fs[0].cost_pct, 10.0);
  EXPECT_EQ(fs[0].severity, Severity::kHigh);
}

TEST(Precision, Fp64OutsideTheHotPathIsNotReported) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  for (int s = 0; s < 3; ++s) b.StepRow(s, US(1000) * s, US(1000) * (s + 1));
  b.K(st, "router_gemm_fp64", US(100), US(100));  // one step of three
  EXPECT_TRUE(RunOne(MakeRun({&b}, kClasses), "precision").empty());
}

TEST(Precision, RepeatedCastInOneLayerRange) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  b.StepRow(0, 0, US(1000));
  // Layer 3 casts the same weight in forward and again in backward; layer 4 casts once.
  b.Range("layer 3", US(0), US(100), 0);
  b.Kernel(st, "cast_a", US(10), US(20), US(5));
  b.Range("layer 4", US(100), US(200), 0);
  b.Kernel(st, "cast_a", US(110), US(20), US(105));
  b.Range("layer 3", US(300), US(400), 0);
  b.Kernel(st, "cast_a", US(310), US(20), US(305));
  // A different launch configuration is a different tensor shape: not a repeat.
  b.Kernel(st, "cast_a", US(350), US(20), US(345), US(2), b.Config(64));
  auto fs = RunOne(MakeRun({&b}, kClasses), "precision");
  const Finding* rep = Find(fs, "repeated casts");
  ASSERT_NE(rep, nullptr);
  EXPECT_EQ(rep->cost_ns, US(20));
  EXPECT_EQ(rep->saving_ns, US(20));
  EXPECT_EQ(rep->metrics.at("kernels"), 1.0);
  EXPECT_EQ(rep->severity, Severity::kWarn);  // 2 % of step
  const Finding* share = Find(fs, "cast/quantize kernels");
  ASSERT_NE(share, nullptr);
  EXPECT_EQ(share->cost_ns, US(80));
}

TEST(Precision, SameCastInAnotherStepIsNotARepeat) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  for (int s = 0; s < 2; ++s) {
    const int64_t base = US(1000) * s;
    b.StepRow(s, base, base + US(1000));
    b.Range("layer 3", base, base + US(100), 0);
    b.Kernel(st, "cast_a", base + US(10), US(20), base + US(5));
  }
  auto fs = RunOne(MakeRun({&b}, kClasses), "precision");
  EXPECT_EQ(Find(fs, "repeated casts"), nullptr);
}

}  // namespace
}  // namespace moeprof::rules_test

// expert_imbalance on hand-built traces: load ratios from routing rows (contiguous placement, the
// "more than half the steps" rule, the 1.25 / 1.5 bars), cost from expert compute in NVTX ranges
// (max − mean per step, layer, microbatch, phase), combine wait, timeline-only traces.
#include "rule_test_util.h"

namespace moeprof::rules_test {
namespace {

const ClassMap kClasses = {{"expert_gemm", Cls(KernelClass::kGroupedGemm)},
                           {"a2a", Cls(KernelClass::kComm, CommOp::kAllToAll)}};

// Two EP ranks, four experts, layer 0, `steps` steps of 1 ms; tokens[s] = per-expert totals in
// step s, reported half by each rank.
std::vector<TraceBuilder> RoutingOnly(const std::vector<std::vector<int64_t>>& tokens) {
  std::vector<TraceBuilder> out;
  for (int r = 0; r < 2; ++r) {
    TraceBuilder b(r);
    b.Communicator("ep", r, 2);
    const int64_t st = b.Stream("compute");
    for (size_t s = 0; s < tokens.size(); ++s) {
      const int64_t base = US(1000) * static_cast<int64_t>(s);
      b.StepRow(static_cast<int64_t>(s), base, base + US(1000));
      b.K(st, "expert_gemm", base + US(10), US(10));
      std::vector<int64_t> half;
      for (int64_t n : tokens[s]) half.push_back(r == 0 ? n / 2 : n - n / 2);
      b.Routing(static_cast<int64_t>(s), 0, 0, r, half);
    }
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<Finding> Run2(std::vector<TraceBuilder>& bs, const RuleOptions& o = {}) {
  return RunOne(MakeRun({&bs[0], &bs[1]}, kClasses), "expert_imbalance", o);
}

TEST(ExpertImbalance, RankLoadRatioFromRouting) {
  auto bs = RoutingOnly({{30, 30, 10, 10}, {30, 30, 10, 10}});  // rank loads 60 / 20: 1.5
  auto fs = Run2(bs);
  ASSERT_EQ(fs.size(), 1u);
  const Finding& f = fs[0];
  EXPECT_EQ(f.severity, Severity::kWarn);  // > 1.25, not > 1.5
  EXPECT_EQ(f.ranks, std::vector<int>{0});
  EXPECT_EQ(f.location, "layer 0, hot rank 0");
  EXPECT_DOUBLE_EQ(f.metrics.at("rank_ratio_mean"), 1.5);
  EXPECT_DOUBLE_EQ(f.metrics.at("load_factor_mean"), 1.5);
  EXPECT_DOUBLE_EQ(f.metrics.at("cv_mean"), 0.5);
  EXPECT_EQ(f.metrics.at("ep_size"), 2.0);
  EXPECT_EQ(f.cost_ns, 0);  // no expert ranges on the timeline
  EXPECT_EQ(f.steps, (std::vector<int64_t>{0, 1}));
}

TEST(ExpertImbalance, HighAboveOnePointFive) {
  auto bs = RoutingOnly({{31, 30, 10, 9}});  // 61 / 40 = 1.525
  auto fs = Run2(bs);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].severity, Severity::kHigh);
}

TEST(ExpertImbalance, WarnBarIsStrict) {
  auto at = RoutingOnly({{25, 25, 15, 15}});  // 50 / 40 = 1.25 exactly
  EXPECT_TRUE(Run2(at).empty());
  auto above = RoutingOnly({{26, 25, 15, 14}});  // 51 / 40
  auto fs = Run2(above);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].severity, Severity::kWarn);
}

TEST(ExpertImbalance, MoreThanHalfTheSteps) {
  const std::vector<int64_t> skew = {30, 30, 10, 10}, even = {20, 20, 20, 20};
  auto half = RoutingOnly({skew, skew, even, even});
  EXPECT_TRUE(Run2(half).empty());
  auto most = RoutingOnly({skew, skew, skew, even});
  auto fs = Run2(most);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].metrics.at("steps_over_warn"), 3.0);
}

TEST(ExpertImbalance, PlacementFollowsEpSize) {
  // Hot experts 0 and 2 sit on different ranks with 2 ranks (0,1 | 2,3): balanced ranks.
  auto bs = RoutingOnly({{30, 10, 30, 10}});
  EXPECT_TRUE(Run2(bs).empty());
  // With one expert per rank, the hot experts' ranks carry 1.5x the mean.
  RuleOptions o;
  o.thresholds["expert_imbalance.ep_size"] = 4;
  auto fs = Run2(bs, o);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_DOUBLE_EQ(fs[0].metrics.at("rank_ratio_mean"), 1.5);
}

// Expert compute on the timeline: per rank, forward experts of `fwd_us` and backward of `bwd_us`,
// and a combine kernel of `combine_us`, in layer 0 of one 1 ms step.
TraceBuilder Timeline(int rank, double fwd_us, double bwd_us, double combine_us, bool routing) {
  TraceBuilder b(rank);
  b.Communicator("ep", rank, 2);
  const int64_t st = b.Stream("compute");
  const int64_t ep = b.Stream("ep_comm");
  b.StepRow(0, 0, US(1000));
  b.Range("step 0", 0, US(1000), 0);
  b.Range("forward", 0, US(500), 1);
  b.Range("layer 0", US(0), US(400), 2);
  b.Range("experts", US(100), US(110), 3);
  b.Kernel(st, "expert_gemm", US(120), US(fwd_us), US(101));
  b.Range("combine", US(120), US(130), 3);
  b.Kernel(ep, "a2a", US(450), US(combine_us), US(121));
  b.Range("backward", US(500), US(1000), 1);
  b.Range("layer 0", US(500), US(900), 2);
  b.Range("experts", US(510), US(520), 3);
  b.Kernel(st, "expert_gemm", US(600), US(bwd_us), US(511));
  if (routing) b.Routing(0, 0, 0, rank, {15, 15, 5, 5});
  return b;
}

TEST(ExpertImbalance, CostIsMaxMinusMeanExpertTime) {
  TraceBuilder r0 = Timeline(0, 300, 200, 50, true);
  TraceBuilder r1 = Timeline(1, 100, 200, 250, true);
  auto fs = RunOne(MakeRun({&r0, &r1}, kClasses), "expert_imbalance");
  ASSERT_EQ(fs.size(), 1u);
  const Finding& f = fs[0];
  EXPECT_EQ(f.cost_ns, US(100));  // forward: 300 - 200; backward: 0
  EXPECT_EQ(f.saving_ns, US(100));
  EXPECT_DOUBLE_EQ(f.cost_pct, 10.0);
  EXPECT_EQ(f.severity, Severity::kWarn);
  EXPECT_DOUBLE_EQ(f.metrics.at("combine_wait_ns"), US(200));
  EXPECT_DOUBLE_EQ(f.metrics.at("slowest_vs_median"), 500.0 / 400.0);
  ASSERT_FALSE(f.evidence.empty());
  EXPECT_EQ(f.evidence[0], (Interval{US(120), US(420)}));  // the slow rank's expert compute
}

TEST(ExpertImbalance, TimelineOnlyUsesExpertTimeRatio) {
  TraceBuilder r0 = Timeline(0, 300, 300, 50, false);
  TraceBuilder r1 = Timeline(1, 100, 100, 50, false);
  auto fs = RunOne(MakeRun({&r0, &r1}, kClasses), "expert_imbalance");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, US(200));
  EXPECT_DOUBLE_EQ(fs[0].metrics.at("rank_ratio_mean"), 1.5);  // 600 / 400
  EXPECT_EQ(fs[0].ranks, std::vector<int>{0});
  EXPECT_EQ(fs[0].severity, Severity::kWarn);
}

TEST(ExpertImbalance, BalancedTimelineAndRoutingGiveNothing) {
  TraceBuilder r0 = Timeline(0, 200, 200, 50, false);
  TraceBuilder r1 = Timeline(1, 200, 200, 50, false);
  r0.Routing(0, 0, 0, 0, {10, 10, 10, 10});
  r1.Routing(0, 0, 0, 1, {10, 10, 10, 10});
  EXPECT_TRUE(RunOne(MakeRun({&r0, &r1}, kClasses), "expert_imbalance").empty());
}

}  // namespace
}  // namespace moeprof::rules_test

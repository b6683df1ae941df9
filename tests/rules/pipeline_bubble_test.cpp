// pipeline_bubble on hand-built traces: idle per stage against the schedule's theory (p from the pp
// communicator, m from NVTX microbatch ranges), the excess bars, stage imbalance vs the median.
#include "rule_test_util.h"

namespace moeprof::rules_test {
namespace {

const ClassMap kClasses = {{"gemm", Cls(KernelClass::kGemm)},
                           {"sendrecv", Cls(KernelClass::kComm, CommOp::kSendRecv)}};

// One stage: a 1 ms step with m microbatch ranges and compute kernels at the given intervals (us).
TraceBuilder Stage(int rank, int p, int m, const std::vector<std::pair<double, double>>& compute) {
  TraceBuilder b(rank);
  b.Communicator("pp", rank, p);
  const int64_t st = b.Stream("compute");
  const int64_t pp = b.Stream("pp_comm");
  b.StepRow(0, 0, US(1000));
  b.Range("step 0", 0, US(1000), 0);
  for (int i = 0; i < m; ++i) {
    b.Range("microbatch " + std::to_string(i), US(10 * i), US(10 * i + 5), 1);
    b.Range("microbatch " + std::to_string(i) + " backward", US(500 + 10 * i), US(505 + 10 * i), 1);
  }
  for (const auto& [start, end] : compute) b.K(st, "gemm", US(start), US(end - start));
  b.K(pp, "sendrecv", US(0), US(1000));  // waiting in p2p is not compute
  return b;
}

TEST(PipelineBubble, IdleAgainstScheduleTheory) {
  TraceBuilder s0 = Stage(0, 2, 4, {{0, 300}, {300, 600}});
  TraceBuilder s1 = Stage(1, 2, 4, {{200, 800}});
  auto fs = RunOne(MakeRun({&s0, &s1}, kClasses), "pipeline_bubble");
  ASSERT_EQ(fs.size(), 2u);
  for (const Finding& f : fs) {
    EXPECT_EQ(f.cost_ns, US(400));  // 1000 - 600 of compute
    EXPECT_DOUBLE_EQ(f.cost_pct, 40.0);
    EXPECT_DOUBLE_EQ(f.metrics.at("theory_pct"), 20.0);  // (p-1)/(m+p-1) = 1/5
    EXPECT_EQ(f.metrics.at("excess_ns"), US(200));
    EXPECT_EQ(f.metrics.at("m"), 4.0);
    EXPECT_EQ(f.metrics.at("p"), 2.0);
    EXPECT_EQ(f.severity, Severity::kHigh);  // excess 20 % > 15 %
    // excess + what doubling m cuts from the schedule's bubble: 200 - 1000/9 us.
    EXPECT_EQ(f.saving_ns, US(200) + (US(200) - 111111));
  }
  EXPECT_EQ(fs[0].ranks.size(), 1u);
  std::set<int> ranks = {fs[0].ranks[0], fs[1].ranks[0]};
  EXPECT_EQ(ranks, (std::set<int>{0, 1}));
  // Evidence: the idle intervals of the stage.
  const Finding& r1 = fs[0].ranks[0] == 1 ? fs[0] : fs[1];
  EXPECT_EQ(r1.evidence, (std::vector<Interval>{{0, US(200)}, {US(800), US(1000)}}));
  EXPECT_NE(r1.location.find("stage 1"), std::string::npos);
}

TEST(PipelineBubble, ScheduleOnlyBubbleIsInfo) {
  TraceBuilder s0 = Stage(0, 2, 4, {{0, 800}});
  TraceBuilder s1 = Stage(1, 2, 4, {{200, 1000}});
  auto fs = RunOne(MakeRun({&s0, &s1}, kClasses), "pipeline_bubble");
  ASSERT_EQ(fs.size(), 2u);
  for (const Finding& f : fs) {
    EXPECT_EQ(f.severity, Severity::kInfo);
    EXPECT_EQ(f.cost_ns, US(200));
    EXPECT_EQ(f.metrics.at("excess_ns"), 0.0);
  }
}

TEST(PipelineBubble, ExcessWarnBarIsStrict) {
  for (double extra : {50.0, 50.001}) {  // 5 % of the step beyond the schedule's 20 %
    TraceBuilder s0 = Stage(0, 2, 4, {{0, 750 - extra + 50}});
    TraceBuilder s1 = Stage(1, 2, 4, {{250 + extra - 50, 1000}});
    auto fs = RunOne(MakeRun({&s0, &s1}, kClasses), "pipeline_bubble");
    ASSERT_EQ(fs.size(), 2u);
    for (const Finding& f : fs) {
      EXPECT_EQ(f.cost_ns, US(200) + US(extra));
      EXPECT_EQ(f.severity, extra > 50 ? Severity::kWarn : Severity::kInfo);
    }
  }
}

TEST(PipelineBubble, StageImbalanceNamesTheSlowStage) {
  TraceBuilder s0 = Stage(0, 3, 8, {{0, 500}});
  TraceBuilder s1 = Stage(1, 3, 8, {{100, 600}});
  TraceBuilder s2 = Stage(2, 3, 8, {{200, 760}});  // 560: 12 % above the median 500
  auto fs = RunOne(MakeRun({&s0, &s1, &s2}, kClasses), "pipeline_bubble");
  const Finding* imbalance = nullptr;
  for (const Finding& f : fs) {
    if (f.title.find("imbalance:") != std::string::npos) imbalance = &f;
  }
  ASSERT_NE(imbalance, nullptr);
  EXPECT_EQ(imbalance->ranks, std::vector<int>{2});
  EXPECT_EQ(imbalance->cost_ns, US(60));
  EXPECT_EQ(imbalance->saving_ns, US(60));
  EXPECT_EQ(imbalance->severity, Severity::kWarn);
  EXPECT_NEAR(imbalance->metrics.at("excess_compute_pct"), 12.0, 1e-9);
  // The other stages' bubbles name it.
  for (const Finding& f : fs) {
    if (&f != imbalance && f.ranks != std::vector<int>{2}) {
      EXPECT_NE(f.title.find("rank 2"), std::string::npos) << f.title;
    }
  }
}

TEST(PipelineBubble, WithinTenPercentIsNotImbalance) {
  TraceBuilder s0 = Stage(0, 3, 8, {{0, 500}});
  TraceBuilder s1 = Stage(1, 3, 8, {{100, 600}});
  TraceBuilder s2 = Stage(2, 3, 8, {{200, 750}});  // exactly 10 % above: not more than
  auto fs = RunOne(MakeRun({&s0, &s1, &s2}, kClasses), "pipeline_bubble");
  for (const Finding& f : fs) EXPECT_EQ(f.title.find("imbalance:"), std::string::npos) << f.title;
}

TEST(PipelineBubble, NoPipelineNoFinding) {
  TraceBuilder b;
  const int64_t st = b.Stream("compute");
  b.StepRow(0, 0, US(1000));
  b.K(st, "gemm", US(0), US(300));
  EXPECT_TRUE(RunOne(MakeRun({&b}, kClasses), "pipeline_bubble").empty());
}

}  // namespace
}  // namespace moeprof::rules_test

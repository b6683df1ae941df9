// a2a_overlap on hand-built traces: C, C∩K, exposed; the share and overlap bars; which kernels are
// expert-parallel communication (collective, stream role, comm row role, NVTX parent).
#include "rule_test_util.h"

namespace moeprof::rules_test {
namespace {

const ClassMap kClasses = {
    {"gemm", Cls(KernelClass::kGemm)},
    {"a2a", Cls(KernelClass::kComm, CommOp::kAllToAll)},
    {"sendrecv", Cls(KernelClass::kComm, CommOp::kSendRecv)},
    {"allreduce", Cls(KernelClass::kComm, CommOp::kAllReduce)},
};

// 1 ms step; all-to-all [100, 100 + a2a_us) on the ep stream; compute [100 - before, 100 + overlap).
Run Scenario(TraceBuilder& b, double a2a_us, double overlap_us) {
  const int64_t compute = b.Stream("compute");
  const int64_t ep = b.Stream("ep_comm");
  b.StepRow(0, 0, US(1000));
  b.K(ep, "a2a", US(100), US(a2a_us));
  b.K(compute, "gemm", US(50), US(50) + US(overlap_us));
  return MakeRun({&b}, kClasses);
}

TEST(A2aOverlap, ExposedIsCMinusOverlap) {
  TraceBuilder b;
  auto fs = RunOne(Scenario(b, 200, 50), "a2a_overlap");
  ASSERT_EQ(fs.size(), 1u);
  const Finding& f = fs[0];
  EXPECT_EQ(f.cost_ns, US(150));
  EXPECT_EQ(f.saving_ns, US(150));
  EXPECT_DOUBLE_EQ(f.cost_pct, 15.0);
  EXPECT_DOUBLE_EQ(f.metrics.at("overlap_pct"), 25.0);
  EXPECT_DOUBLE_EQ(f.metrics.at("share_pct"), 20.0);
  EXPECT_EQ(f.severity, Severity::kHigh);  // exposed 15 % > 10 %
  ASSERT_EQ(f.evidence.size(), 1u);
  EXPECT_EQ(f.evidence[0], (Interval{US(150), US(300)}));
  EXPECT_EQ(f.ranks, std::vector<int>{0});
}

TEST(A2aOverlap, WarnWhenExposedIsModerate) {
  TraceBuilder b;
  auto fs = RunOne(Scenario(b, 120, 30), "a2a_overlap");  // share 12 %, overlap 25 %, exposed 9 %
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, US(90));
  EXPECT_EQ(fs[0].severity, Severity::kWarn);
}

TEST(A2aOverlap, OverlapBarIsStrict) {
  TraceBuilder at;
  auto fs = RunOne(Scenario(at, 200, 60), "a2a_overlap");  // overlap exactly 30 %
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].severity, Severity::kInfo);
  EXPECT_EQ(fs[0].cost_ns, US(140));
  TraceBuilder below;
  fs = RunOne(Scenario(below, 200, 59.9), "a2a_overlap");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_GE(fs[0].severity, Severity::kWarn);
}

TEST(A2aOverlap, ShareBarIsStrict) {
  TraceBuilder at;
  auto fs = RunOne(Scenario(at, 100, 0), "a2a_overlap");  // share exactly 10 %
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].severity, Severity::kInfo);
  TraceBuilder above;
  fs = RunOne(Scenario(above, 100.1, 0), "a2a_overlap");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_GE(fs[0].severity, Severity::kWarn);
}

TEST(A2aOverlap, FullyOverlappedIsNotReported) {
  TraceBuilder b;
  EXPECT_TRUE(RunOne(Scenario(b, 200, 200), "a2a_overlap").empty());
}

TEST(A2aOverlap, CommOnTheComputeStreamIsExposedAndRoleDecides) {
  TraceBuilder b;
  const int64_t compute = b.Stream("compute");
  const int64_t pp = b.Stream("pp_comm");
  b.StepRow(0, 0, US(1000));
  // All-to-all on the compute stream (serial), a SendRecv marked ep by its comm row, a SendRecv on
  // the pp stream (not EP) and an all-reduce (not EP), with compute overlapping only the last two.
  b.K(compute, "a2a", US(0), US(100));
  const int64_t corr = b.K(compute, "sendrecv", US(100), US(50));
  b.CommRow(corr, "SendRecv", "ep");
  b.K(pp, "sendrecv", US(200), US(100));
  b.K(compute, "gemm", US(200), US(300));
  b.K(pp, "allreduce", US(400), US(100));
  auto fs = RunOne(MakeRun({&b}, kClasses), "a2a_overlap");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, US(150));
  EXPECT_DOUBLE_EQ(fs[0].metrics.at("a2a_ns"), US(150));
  EXPECT_DOUBLE_EQ(fs[0].metrics.at("overlap_pct"), 0.0);
}

TEST(A2aOverlap, SendRecvInsideDispatchRangeIsEp) {
  TraceBuilder b;
  const int64_t compute = b.Stream("compute");
  b.StepRow(0, 0, US(1000));
  b.Range("layer 0", 0, US(1000), 0);
  b.Range("moe_dispatch", US(90), US(110), 1);
  b.Kernel(compute, "sendrecv", US(100), US(150), US(95), US(2));
  b.K(compute, "sendrecv", US(400), US(150));  // outside: not EP
  auto fs = RunOne(MakeRun({&b}, kClasses), "a2a_overlap");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, US(150));
}

TEST(A2aOverlap, CopiesOnEpStreamCount) {
  // One GPU, virtual ranks: the exchange is device-to-device copies on the ep_comm stream.
  TraceBuilder b;
  const int64_t compute = b.Stream("compute");
  const int64_t ep = b.Stream("", "rank0/ep_comm");  // role from the name
  b.StepRow(0, 0, US(1000));
  const int64_t corr = b.Api("cudaMemcpyAsync", US(95), US(3));
  b.Memcpy(ep, US(100), US(200), corr, /*DtoD*/ 8, 3);
  b.K(ep, "gemm", US(400), US(10));  // a kernel there too: the model then infers a role itself
  b.K(compute, "gemm", US(250), US(100));
  auto fs = RunOne(MakeRun({&b}, kClasses), "a2a_overlap");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].cost_ns, US(160));  // the copy's 150 exposed + the kernel on the ep stream
  EXPECT_DOUBLE_EQ(fs[0].metrics.at("a2a_ns"), US(210));
  bool memcpy_event = false;
  for (const EventRef& e : fs[0].events) memcpy_event = memcpy_event || e.table == "memcpy";
  EXPECT_TRUE(memcpy_event);
}

TEST(A2aOverlap, FlaggedAndUnflaggedRanksAreSeparateFindings) {
  TraceBuilder r0(0), r1(1);
  Scenario(r0, 200, 0);   // flagged: exposed 200
  Scenario(r1, 50, 0);    // share 5 %: info, exposed 50
  auto fs = RunOne(MakeRun({&r0, &r1}, kClasses), "a2a_overlap");
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].ranks, std::vector<int>{0});
  EXPECT_EQ(fs[0].cost_ns, US(200));
  EXPECT_EQ(fs[1].ranks, std::vector<int>{1});
  EXPECT_EQ(fs[1].severity, Severity::kInfo);
  EXPECT_EQ(fs[1].cost_ns, US(50));
}

}  // namespace
}  // namespace moeprof::rules_test

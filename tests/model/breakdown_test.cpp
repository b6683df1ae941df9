// Breakdowns on a hand-built trace whose figures are worked out by hand (comments give the
// arithmetic), in both definitions (HTA's regex and the classifier), whole trace and a window,
// plus HTA's event selection (launches before the last ProfilerStep).
#include "moeprof/analyzer/breakdown.h"

#include <gtest/gtest.h>

#include "model_test_util.h"

namespace moeprof::analyzer {
namespace {

using testing::TraceBuilder;

// Stream 1: gemm [0,100) launched at [-10,-5); gemm [150,250) launched at [120,130) (after the
// first ended: host wait); memcpy [260,280) issued at [200,205).
// Stream 2: NCCL all-reduce [50,200) launched at [40,45); DeepEP dispatch [300,400) launched at
// [150,160).
RankTrace Sample() {
  TraceBuilder b;
  b.Stream(1, "compute");
  b.Stream(2, "comm");
  b.Kernel(1, 0, 100, "volta_sgemm_128x32_nt", -10, 5);
  b.Kernel(1, 150, 100, "volta_sgemm_128x32_nt", 120, 10);
  b.Memcpy(1, 260, 20, 200, 5);
  b.Kernel(2, 50, 150, "ncclDevKernel_AllReduce_Sum_f32_RING_LL", 40, 5);
  b.Kernel(2, 300, 100, "void deep_ep::intranode::dispatch<8>(int*)", 150, 10);
  Expected<RankTrace> rt = BuildRankTrace(b.Take(), 0, Classifier::Builtin(), {});
  EXPECT_TRUE(rt.ok());
  return std::move(*rt);
}

TEST(Breakdown, WholeTraceClassifierDefinition) {
  const RankTrace rt = Sample();
  BreakdownOptions opt;
  opt.kernel_wait_ns = 60;
  opt.launch_delay_outlier_ns = 100;
  opt.runtime_outlier_ns = 7;
  const Breakdown b = ComputeBreakdown(rt, opt);
  EXPECT_EQ(b.definition, CommDefinition::kClassifier);
  EXPECT_EQ(b.events, 5);
  // Union of everything: [0,250) ∪ [260,280) ∪ [300,400) = 370 of a 400 ns span.
  EXPECT_EQ(b.temporal.span, (Interval{0, 400}));
  EXPECT_EQ(b.temporal.idle_ns, 30);
  EXPECT_EQ(b.temporal.compute_ns, 200);      // the two GEMMs
  EXPECT_EQ(b.temporal.non_compute_ns, 170);  // 400 − 30 − 200
  EXPECT_DOUBLE_EQ(b.temporal.idle_pct, 7.5);
  // Classifier comm: NCCL ∪ DeepEP = 150 + 100; overlapping the GEMMs: [50,100) ∪ [150,200).
  EXPECT_EQ(b.overlap.comm_ns, 250);
  EXPECT_EQ(b.overlap.overlap_ns, 100);
  EXPECT_DOUBLE_EQ(b.overlap.pct, 40.0);
  // HTA's comm is only the NCCL kernel (150 ns); the same 100 ns overlap it.
  EXPECT_EQ(b.overlap_hta.comm_ns, 150);
  EXPECT_NEAR(b.overlap_hta.pct, 66.667, 0.001);
  // Idle per stream: stream 1 gaps 50 (host wait: launched at 120 > 100) and 10 (kernel wait);
  // stream 2 gap 100 (launched at 150 < 200, ≥ 60 ns threshold: other).
  ASSERT_EQ(b.idle.streams.size(), 2u);
  EXPECT_EQ(b.idle.streams[0].host_wait_ns, 50);
  EXPECT_EQ(b.idle.streams[0].kernel_wait_ns, 10);
  EXPECT_EQ(b.idle.streams[0].name, "compute");
  EXPECT_EQ(b.idle.streams[1].other_ns, 100);
  EXPECT_EQ(b.idle.host_wait_ns, 50);
  EXPECT_EQ(b.idle.kernel_wait_ns, 10);
  EXPECT_EQ(b.idle.other_ns, 100);
  // Classes.
  const auto& gemm = b.by_class[static_cast<size_t>(KernelClass::kGemm)];
  EXPECT_EQ(gemm.union_ns, 200);
  EXPECT_EQ(gemm.count, 2);
  EXPECT_EQ(b.by_class[static_cast<size_t>(KernelClass::kComm)].sum_ns, 250);
  EXPECT_EQ(b.by_class[static_cast<size_t>(KernelClass::kMemcpy)].union_ns, 20);
  // Launch delays: 5, 20, 5, 140 (kernels only).
  EXPECT_EQ(b.launch.count, 4);
  EXPECT_EQ(b.launch.max_ns, 140);
  EXPECT_EQ(b.launch.mean_ns, 42);
  EXPECT_EQ(b.launch.p50_ns, 5);
  EXPECT_EQ(b.launch.delay_outliers, 1);
  EXPECT_EQ(b.launch.runtime_outliers, 2);  // the 10 ns launch calls
  ASSERT_FALSE(b.launch.worst.empty());
  EXPECT_EQ(b.launch.worst[0].delay_ns, 140);
  EXPECT_EQ(rt.trace.str(rt.trace.kernels.name[b.launch.worst[0].kernel]), "void deep_ep::intranode::dispatch<8>(int*)");
}

TEST(Breakdown, HtaDefinitionCountsDeepEpAsCompute) {
  BreakdownOptions opt;
  opt.hta_compatible = true;
  const Breakdown b = ComputeBreakdown(Sample(), opt);
  EXPECT_EQ(b.definition, CommDefinition::kHta);
  EXPECT_EQ(b.temporal.compute_ns, 300);  // GEMMs + DeepEP dispatch
  EXPECT_EQ(b.temporal.non_compute_ns, 70);
  EXPECT_EQ(b.overlap.definition, CommDefinition::kHta);
  EXPECT_EQ(b.overlap.comm_ns, 150);
}

TEST(Breakdown, WindowClipsAndSpansTheWindow) {
  const RankTrace rt = Sample();
  const Breakdown b = ComputeBreakdown(rt, Step{0, 100, 300, "nvtx"});
  // Inside [100,300): gemm [150,250), NCCL [100,200), memcpy [260,280).
  EXPECT_EQ(b.events, 3);
  EXPECT_EQ(b.temporal.span_ns, 200);
  EXPECT_EQ(b.temporal.idle_ns, 30);
  EXPECT_EQ(b.temporal.compute_ns, 100);
  EXPECT_EQ(b.overlap.comm_ns, 100);
  EXPECT_EQ(b.overlap.overlap_ns, 50);
}

TEST(Breakdown, HtaSelectionDropsTheLastProfilerStep) {
  TraceBuilder b;
  b.Kernel(1, 100, 50, "volta_sgemm_128x32_nt", 10, 5);
  b.Kernel(1, 1100, 50, "volta_sgemm_128x32_nt", 1010, 5);  // launched in the last step
  b.Kernel(1, 1200, 50, "volta_sgemm_128x32_nt");           // no launch record
  b.Nvtx("ProfilerStep#1", 0, 1000);
  b.Nvtx("ProfilerStep#2", 1000, 1000);
  Expected<RankTrace> rt = BuildRankTrace(b.Take(), 0, Classifier::Builtin(), {});
  ASSERT_TRUE(rt.ok());
  BreakdownOptions opt;
  opt.hta_compatible = true;
  EXPECT_EQ(ComputeBreakdown(*rt, opt).events, 1);
  EXPECT_EQ(ComputeBreakdown(*rt).events, 3);
}

TEST(Breakdown, EmptyTrace) {
  TraceBuilder b;
  Expected<RankTrace> rt = BuildRankTrace(b.Take(), 0, Classifier::Builtin(), {});
  const Breakdown br = ComputeBreakdown(*rt);
  EXPECT_EQ(br.events, 0);
  EXPECT_EQ(br.temporal.span_ns, 0);
  EXPECT_EQ(br.overlap.pct, 0);
}

TEST(Breakdown, HtaCommRegex) {
  EXPECT_TRUE(IsHtaCommKernelName("ncclKernel_AllReduce_RING_LL_Sum_float(ncclWorkElem)"));
  EXPECT_TRUE(IsHtaCommKernelName("ncclDevKernel_SendRecv(x)"));
  EXPECT_TRUE(IsHtaCommKernelName("void foo::ncclKernel_bar()"));
  EXPECT_FALSE(IsHtaCommKernelName("void (anonymous namespace)::multimem_all_reduce_kernel<c10::BFloat16, 16>()"));
  EXPECT_FALSE(IsHtaCommKernelName("void deep_ep::intranode::combine<8>()"));
}

}  // namespace
}  // namespace moeprof::analyzer

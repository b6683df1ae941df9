// Run model: BuildRankTrace (sorting, stream ranges and roles, classes per name, rank), FindSteps
// (step table, NVTX names and nesting, inference from repetition, whole-trace fallback, filters),
// AlignClocks, and LoadRun over files written with TraceWriter.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "model_test_util.h"
#include "moeprof/analyzer/model.h"
#include "moeprof/schemas/trace_writer.h"

namespace moeprof::analyzer {
namespace {

using testing::TraceBuilder;

TEST(RankTrace, SortsKernelsBuildsStreamsAndClasses) {
  TraceBuilder b;
  b.Stream(1, "rank0/compute", "");
  b.Stream(2, "", "");
  b.Stream(3, "idle", "ep_comm");
  b.Kernel(2, 500, 400, "ncclDevKernel_SendRecv(ncclDevKernelArgsStorage<4096ul>)");
  b.Kernel(1, 300, 100, "volta_sgemm_128x32_nt");
  b.Kernel(1, 100, 100, "volta_sgemm_128x32_nt");
  b.Kernel(2, 100, 50, "void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<float> >(int)");
  schemas::Trace t = b.Take(/*sort=*/false);
  t.meta["rank"] = "5";
  Expected<RankTrace> rt = BuildRankTrace(std::move(t), 0, Classifier::Builtin(), {});
  ASSERT_TRUE(rt.ok()) << rt.status().message();
  EXPECT_EQ(rt->rank, 5);
  const auto& k = rt->trace.kernels;
  ASSERT_EQ(k.size(), 4u);
  EXPECT_EQ(k.stream[0], 1);
  EXPECT_EQ(k.start[0], 100);
  EXPECT_EQ(k.start[1], 300);
  EXPECT_EQ(k.stream[2], 2);
  EXPECT_EQ(k.start[2], 100);
  ASSERT_EQ(rt->streams.size(), 3u);
  EXPECT_EQ(rt->streams[0].kernel_begin, 0u);
  EXPECT_EQ(rt->streams[0].kernel_end, 2u);
  EXPECT_EQ(rt->streams[0].name, "rank0/compute");
  EXPECT_EQ(rt->streams[0].role, "compute");
  EXPECT_EQ(rt->streams[1].role, "comm");  // 400 of 450 ns in NCCL
  EXPECT_EQ(rt->streams[2].role, "ep_comm");  // from the table, even without kernels
  EXPECT_EQ(rt->streams[2].kernel_begin, rt->streams[2].kernel_end);
  EXPECT_EQ(rt->KernelClassOf(0).cls, KernelClass::kGemm);
  EXPECT_EQ(rt->KernelClassOf(3).cls, KernelClass::kComm);
  EXPECT_EQ(rt->KernelClassOf(3).comm, CommOp::kSendRecv);
}

TEST(RankTrace, RankFallsBackToProcessThenIndex) {
  TraceBuilder b;
  b.Kernel(1, 0, 10, "k");
  schemas::Trace t = b.Take();
  schemas::ProcessRow p;
  p.rank = 7;
  t.processes.push_back(p);
  EXPECT_EQ(BuildRankTrace(std::move(t), 2, Classifier::Builtin(), {})->rank, 7);
  TraceBuilder c;
  c.Kernel(1, 0, 10, "k");
  EXPECT_EQ(BuildRankTrace(c.Take(), 2, Classifier::Builtin(), {})->rank, 2);
}

TEST(Steps, NvtxNamesOutermostAndNumbered) {
  TraceBuilder b;
  b.Kernel(1, 0, 10, "k");
  b.Nvtx("ProfilerStep#12", 1000, 500);
  b.Nvtx("ProfilerStep#13", 1500, 500);
  b.Nvtx("forward", 1100, 100, 1);
  const std::vector<Step> s = FindSteps(b.Take());
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].number, 12);
  EXPECT_EQ(s[0].start, 1000);
  EXPECT_EQ(s[0].end, 1500);
  EXPECT_EQ(s[0].source, "profiler_step");
  EXPECT_EQ(s[1].number, 13);

  TraceBuilder c;
  c.Nvtx("train_step", 0, 100);
  c.Nvtx("step", 10, 50, 1);  // nested: not a second step
  c.Nvtx("train_step", 200, 100);
  c.Nvtx("stepper", 400, 100);  // not a step name
  c.Nvtx("Step 7", 600, 100);
  const std::vector<Step> t = FindSteps(c.Take());
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].number, 0);  // not all numbered: counted in time order
  EXPECT_EQ(t[2].number, 2);
  EXPECT_EQ(t[2].start, 600);
  EXPECT_EQ(t[0].source, "nvtx");
}

TEST(Steps, StepTableWins) {
  TraceBuilder b;
  b.Nvtx("step 1", 0, 100);
  schemas::Trace t = b.Take();
  t.steps.push_back({1, 4, 50, 25, "profiler_step"});
  const std::vector<Step> s = FindSteps(t);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].number, 4);
  EXPECT_EQ(s[0].end, 75);
}

// A repetitive trace: 5 steps of the same 40-kernel sequence with a 200 µs host gap between
// steps, preceded by a few warm-up kernels; the steps must come out at the gaps.
TEST(Steps, InferredFromRepetition) {
  TraceBuilder b;
  int64_t t = 0;
  for (int i = 0; i < 3; ++i) { b.Kernel(1, t, 1000, "warmup" + std::to_string(i)); t += 1500; }
  std::vector<int64_t> step_starts;
  for (int step = 0; step < 5; ++step) {
    t += 200'000;
    step_starts.push_back(t);
    for (int layer = 0; layer < 4; ++layer) {
      for (int j = 0; j < 9; ++j) { b.Kernel(1, t, 2000, "layer_kernel_" + std::to_string(j)); t += 2500; }
    }
    for (int j = 0; j < 4; ++j) { b.Kernel(1, t, 1000, "tail_" + std::to_string(j)); t += 1200; }
    b.Kernel(2, t - 5000, 3000, "ncclDevKernel_AllReduce_Sum_f32_RING_LL");  // another stream
  }
  const std::vector<Step> s = FindSteps(b.Take());
  ASSERT_EQ(s.size(), 5u);
  for (size_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(s[i].start, step_starts[i]) << i;
    EXPECT_EQ(s[i].source, "inferred");
    EXPECT_EQ(s[i].number, static_cast<int64_t>(i));
  }
  EXPECT_EQ(s[3].end, step_starts[4]);
}

TEST(Steps, WholeTraceFallbackAndEmpty) {
  TraceBuilder b;
  b.Kernel(1, 100, 50, "a");
  b.Kernel(1, 300, 50, "b");
  b.Memcpy(2, 500, 100);
  const std::vector<Step> s = FindSteps(b.Take());
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].start, 100);
  EXPECT_EQ(s[0].end, 600);
  EXPECT_EQ(s[0].source, "whole_trace");
  TraceBuilder empty;
  EXPECT_TRUE(FindSteps(empty.Take()).empty());
}

TEST(Steps, FilterByNumber) {
  TraceBuilder b;
  b.Kernel(1, 0, 10, "k");
  for (int i = 0; i < 6; ++i) b.Nvtx("step " + std::to_string(i), i * 100, 100);
  LoadOptions opt;
  opt.first_step = 2;
  opt.last_step = 3;
  Expected<RankTrace> rt = BuildRankTrace(b.Take(), 0, Classifier::Builtin(), opt);
  ASSERT_EQ(rt->steps.size(), 2u);
  EXPECT_EQ(rt->steps[0].number, 2);
  EXPECT_EQ(rt->steps[1].number, 3);
}

TEST(Clocks, AlignByPairsElseOrigins) {
  auto make = [](int64_t origin, std::vector<schemas::ClockSyncRow> pairs, const char* clock) {
    RankTrace r;
    r.trace.origin_ns = origin;
    r.trace.clock_syncs = std::move(pairs);
    r.trace.meta["clock"] = clock;
    return r;
  };
  // Rank 0: trace clock 1000 ↔ realtime 1'000'000 at its origin. Rank 1: its origin 5000 on its
  // own clock is realtime 1'000'000 + 300.
  std::vector<RankTrace> ranks;
  ranks.push_back(make(1000, {{1, "start", 1000, 1'000'000, 0}}, "CUPTI"));
  ranks.push_back(make(5000, {{1, "start", 4000, 999'300, 0}, {2, "end", 90'000, 1'085'300, 0}}, "CUPTI"));
  AlignClocks(ranks);
  EXPECT_EQ(ranks[0].offset_ns, 0);
  EXPECT_EQ(ranks[1].offset_ns, 300);
  // Without pairs on a non-realtime clock: origin difference.
  std::vector<RankTrace> bare;
  bare.push_back(make(1000, {}, "CUPTI"));
  bare.push_back(make(1500, {}, "CUPTI"));
  AlignClocks(bare);
  EXPECT_EQ(bare[1].offset_ns, 500);
}

std::string TempDir() {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("moeprof-model-test-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(dir);
  return dir;
}

void WriteRank(const std::string& path, int rank, int64_t origin, int64_t realtime_at_origin) {
  schemas::WriterOptions o;
  o.overwrite = true;
  o.origin_ns = origin;
  o.clock = "CUPTI";
  auto w = schemas::TraceWriter::Create(path, o);
  ASSERT_TRUE(w.ok()) << w.status().message();
  ASSERT_TRUE((*w)->SetMeta("rank", std::to_string(rank)).ok());
  (*w)->AddClockSync({0, "start", origin, realtime_at_origin, 0});
  schemas::StreamRow s;
  s.native_id = 7;
  const int64_t stream = (*w)->AddStream(s);
  for (int i = 0; i < 10; ++i) {
    schemas::KernelRow k;
    k.stream = stream;
    k.start = i * 1000;
    k.dur = 500;
    k.correlation = i + 1;
    k.name = (*w)->Intern(i % 2 ? "volta_sgemm_128x32_nt" : "ncclDevKernel_AllGather_RING_LL");
    (*w)->AddKernel(k);
  }
  ASSERT_TRUE((*w)->Close().ok());
}

TEST(LoadRun, DirectoryOfRanksSortedAndAligned) {
  const std::string dir = TempDir() + "/run";
  std::filesystem::create_directories(dir);
  WriteRank(dir + "/a.sqlite", 1, 50'000, 2'000'000'700);
  WriteRank(dir + "/b.sqlite", 0, 10'000, 2'000'000'000);
  Expected<analyzer::Run> run = LoadRun({dir}, {});
  ASSERT_TRUE(run.ok()) << run.status().message();
  ASSERT_EQ(run->ranks.size(), 2u);
  EXPECT_EQ(run->ranks[0].rank, 0);
  EXPECT_EQ(run->ranks[1].rank, 1);
  EXPECT_EQ(run->ranks[0].offset_ns, 0);
  EXPECT_EQ(run->ranks[1].offset_ns, 700);
  EXPECT_EQ(run->ranks[1].trace.kernels.size(), 10u);
  EXPECT_EQ(run->ranks[0].streams.size(), 1u);
  EXPECT_EQ(run->ranks[0].steps.size(), 1u);  // whole trace: too short to infer
  std::filesystem::remove_all(dir);
}

TEST(LoadRun, ErrorsNameTheFile) {
  Expected<analyzer::Run> run = LoadRun({"/nonexistent/x.sqlite"}, {});
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("/nonexistent/x.sqlite"), std::string::npos);
  const std::string bad = TempDir() + "/bad.toml";
  { std::ofstream(bad) << "[[kernel]]\npattern = \"(\"\nclass = \"gemm\"\n"; }
  const std::string dir = TempDir() + "/run2";
  std::filesystem::create_directories(dir);
  WriteRank(dir + "/a.sqlite", 0, 0, 0);
  LoadOptions opt;
  opt.rules_file = bad;
  run = LoadRun({dir}, opt);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("bad.toml"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace moeprof::analyzer

// The runtime end to end with a scripted CUPTI: buffers and host events in, a complete trace out
// (meta, process, clock pairs, rows); output naming; and the failure behaviours that need a
// whole process: unwritable output, disk full mid-run, SIGKILL mid-run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "activity_buffer.h"
#include "fake_cupti.h"
#include "process_info.h"
#include "runtime.h"
#include "subprocess.h"
#include "test_util.h"

namespace moeprof::collector {
namespace {

using testing::ActivityBuffer;
using testing::Api;
using testing::FakeCupti;
using testing::Kernel;

DriverProbe FakeDriverPresent() {
  DriverProbe p;
  p.present = true;
  p.version = 13000;
  return p;
}

// A realistic buffer: kernels and their launch calls, correlation ids from `first`.
void FillKernels(ActivityBuffer& b, uint32_t first, int n, uint64_t t0) {
  for (int i = 0; i < n; ++i) {
    const uint32_t corr = first + static_cast<uint32_t>(i);
    const uint64_t t = t0 + static_cast<uint64_t>(i) * 1000;
    b.Add(Api(corr, t, t + 300, CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000), CUPTI_ACTIVITY_KIND_RUNTIME);
    b.Add(Kernel(corr, t + 500, t + 900, "moe_expert_gemm"), CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
  }
}

TEST(Runtime, EndToEndWithScriptedCupti) {
  FakeCupti cupti;
  Runtime rt(RuntimeHooks{&cupti, &FakeDriverPresent});
  const std::string dir = testing::TempDir("rt");
  Options o;
  o.output = dir + "/trace.sqlite";
  o.flush_period_ms = 20;
  o.quiet = true;
  ASSERT_TRUE(rt.Start(o).ok());
  EXPECT_TRUE(rt.active());
  EXPECT_EQ(rt.trace_path(), dir + "/trace.sqlite");
  ActivityBuffer b;
  FillKernels(b, 1, 50, cupti.now + 10);
  ASSERT_TRUE(rt.InjectBufferForTest(b.data(), b.size()));
  NvtxRangeEvent r;
  r.tid = 5;
  r.text = "step";
  r.start_ns = static_cast<int64_t>(cupti.now);
  r.end_ns = r.start_ns + 10;
  rt.Post(HostEvent(r));
  rt.PushExternal(5, 42);
  ASSERT_EQ(cupti.ext_stack.size(), 1u);
  EXPECT_EQ(cupti.ext_stack[0].second, 42u);
  rt.PopExternal(5);
  EXPECT_TRUE(cupti.ext_stack.empty());
  // A buffer CUPTI still holds at stop arrives through the forced flush.
  size_t size = 0;
  uint8_t* held = cupti.RequestBuffer(&size);
  ASSERT_NE(held, nullptr);
  ActivityBuffer late;
  FillKernels(late, 1000, 5, cupti.now + 100000);
  std::memcpy(held, late.data(), late.size());
  cupti.Hold(held, late.size());
  cupti.dropped[{nullptr, 0}] = 4;

  ASSERT_TRUE(rt.Stop().ok());
  EXPECT_FALSE(rt.active());
  EXPECT_TRUE(rt.Stop().ok());  // twice is fine
  const schemas::Trace t = testing::LoadTrace(dir + "/trace.sqlite");
  EXPECT_EQ(t.kernels.size(), 55u);
  EXPECT_EQ(t.api.size(), 55u);
  EXPECT_EQ(t.nvtx.size(), 1u);
  EXPECT_EQ(t.meta.at("backend"), "cuda");
  EXPECT_EQ(t.meta.at("clock"), "CLOCK_REALTIME");
  EXPECT_EQ(t.meta.at("nccl_attribution"), "kernel-name");
  EXPECT_EQ(t.meta.at("cupti_version"), std::to_string(CUPTI_API_VERSION));
  EXPECT_EQ(t.meta.at("driver_version"), "13000");
  ASSERT_EQ(t.processes.size(), 1u);
  EXPECT_EQ(t.processes[0].pid, getpid());
  ASSERT_EQ(t.clock_syncs.size(), 2u);
  EXPECT_EQ(t.clock_syncs[0].label, "start");
  EXPECT_EQ(t.clock_syncs[1].label, "end");
  EXPECT_GT(t.clock_syncs[1].trace_ns, t.clock_syncs[0].trace_ns);
  EXPECT_GT(t.clock_syncs[0].realtime_ns, 0);
  EXPECT_GT(t.clock_syncs[0].monotonic_ns, 0);
  EXPECT_EQ(testing::DropCount(t, "cupti", "activity buffer unavailable"), 4);
  // Kernels are relative to origin and after their launch.
  for (size_t i = 0; i < t.kernels.size(); ++i) EXPECT_GT(t.kernels.start[i], 0);
}

TEST(Runtime, PluginSeenMetaAndHostEventsIgnoredWhenIdle) {
  FakeCupti cupti;
  Runtime rt(RuntimeHooks{&cupti, &FakeDriverPresent});
  rt.Post(HostEvent(NvtxMarkEvent{}));  // inactive: no-op
  rt.PushExternal(5, 1);
  EXPECT_TRUE(cupti.ext_stack.empty());
  const std::string dir = testing::TempDir("rt2");
  Options o;
  o.output = dir;
  o.quiet = true;
  ASSERT_TRUE(rt.Start(o).ok());
  rt.Post(HostEvent(NcclCommEvent{1, "world", 0, 2, 1}));
  const std::string path = rt.trace_path();
  ASSERT_TRUE(rt.Stop().ok());
  EXPECT_EQ(std::filesystem::path(path).parent_path(), std::filesystem::path(dir));
  const schemas::Trace t = testing::LoadTrace(path);
  EXPECT_EQ(t.meta.at("nccl_attribution"), "plugin");
  EXPECT_EQ(t.communicators.size(), 1u);
}

TEST(Runtime, OtherSubscriberLeavesNoFile) {
  FakeCupti cupti;
  cupti.subscribe_result = CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED;
  cupti.other_subscriber = "torch.profiler";
  Runtime rt(RuntimeHooks{&cupti, &FakeDriverPresent});
  const std::string dir = testing::TempDir("rt3");
  Options o;
  o.output = dir;
  ::testing::internal::CaptureStderr();
  const Status st = rt.Start(o);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(err, "moeprof: another CUPTI client is already attached (torch.profiler); nothing recorded\n");
  EXPECT_FALSE(rt.active());
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

TEST(ProcessInfo, FileNameFromRankEnvironment) {
  ProcessInfo p;
  p.host = "node7";
  p.pid = 123;
  EXPECT_EQ(TraceFileName(p), "moeprof_node7_123.sqlite");
  p.rank = 5;
  p.local_rank = 1;
  EXPECT_EQ(TraceFileName(p), "moeprof_r5_l1_node7_123.sqlite");
  testing::ChildResult r = testing::RunChild([] {
    unsetenv("RANK");
    unsetenv("LOCAL_RANK");
    unsetenv("WORLD_SIZE");
    setenv("OMPI_COMM_WORLD_RANK", "3", 1);
    setenv("SLURM_LOCALID", "2", 1);
    setenv("PMI_SIZE", "16", 1);
    ProcessInfo q = CurrentProcessInfo();
    return (q.rank == 3 && q.local_rank == 2 && q.world_size == 16) ? 0 : 1;
  });
  EXPECT_EQ(r.exit_code, 0);
}

TEST(Options, FromEnvironment) {
  testing::ChildResult r = testing::RunChild([] {
    setenv("MOEPROF_OUTPUT", "/tmp/x", 1);
    setenv("MOEPROF_KINDS", "kernel, runtime,graph", 1);
    setenv("MOEPROF_FLUSH_MS", "250", 1);
    setenv("MOEPROF_GRAPH_TRACE", "1", 1);
    setenv("MOEPROF_BUFFER_MB", "4", 1);
    setenv("MOEPROF_MAX_BUFFER_MB", "64", 1);
    setenv("MOEPROF_NVTX", "0", 1);
    setenv("MOEPROF_QUIET", "1", 1);
    Options o = OptionsFromEnvironment();
    bool ok = o.output == "/tmp/x" && o.kinds.size() == 3 && o.kinds[1] == "runtime" &&
              o.flush_period_ms == 250 && o.graph_trace && o.buffer_bytes == (4u << 20) &&
              o.max_buffer_memory == (64u << 20) && !o.nvtx && o.quiet;
    setenv("MOEPROF_FLUSH_MS", "soon", 1);
    Options bad = OptionsFromEnvironment();
    ok = ok && bad.flush_period_ms == 500;
    return ok ? 0 : 1;
  });
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::CountOccurrences(r.err, "moeprof: ignoring MOEPROF_FLUSH_MS=soon"), 1);
}

TEST(Runtime, UnwritableOutputIsOneLineAndNoCollection) {
  // A path under a regular file fails even for root (ENOTDIR).
  FakeCupti cupti;
  Runtime rt(RuntimeHooks{&cupti, &FakeDriverPresent});
  Options o;
  o.output = "/dev/null/moeprof";
  ::testing::internal::CaptureStderr();
  const Status st = rt.Start(o);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(st.code(), ErrorCode::kIo);
  EXPECT_EQ(testing::CountOccurrences(err, "\n"), 1) << err;
  EXPECT_EQ(err.rfind("moeprof: cannot create output directory /dev/null/moeprof", 0), 0u) << err;
  EXPECT_FALSE(rt.active());
  EXPECT_TRUE(cupti.enabled_kinds.empty());
  o.output = "/dev/null/x/trace.sqlite";
  ::testing::internal::CaptureStderr();
  EXPECT_FALSE(rt.Start(o).ok());
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("nothing recorded"), std::string::npos);
}

TEST(Runtime, DiskFullMidRunStopsCollectionAndKeepsTheFileReadable) {
  const std::string dir = testing::TempDir("full");
  const std::string path = dir + "/t.sqlite";
  testing::ChildResult r = testing::RunChild([&] {
    signal(SIGXFSZ, SIG_IGN);  // writes past the limit fail with EFBIG instead of killing us
    rlimit lim{};
    lim.rlim_cur = lim.rlim_max = 2 << 20;  // "disk" of 2 MB per file
    setrlimit(RLIMIT_FSIZE, &lim);
    FakeCupti cupti;
    Runtime rt(RuntimeHooks{&cupti, &FakeDriverPresent});
    Options o;
    o.output = path;
    o.flush_period_ms = 20;
    o.quiet = true;
    if (!rt.Start(o).ok()) return 10;
    ActivityBuffer b;
    uint32_t corr = 1;
    for (int i = 0; i < 400 && rt.active(); ++i) {
      b.Clear();
      FillKernels(b, corr, 500, 2'000'000 + static_cast<uint64_t>(corr) * 1000);
      corr += 500;
      rt.InjectBufferForTest(b.data(), b.size());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const bool stopped = !rt.active();
    (void)rt.Stop();
    return stopped ? 0 : 11;
  });
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::CountOccurrences(r.err, "moeprof: writing " + path + " failed"), 1) << r.err;
  EXPECT_NE(r.err.find("collection stopped"), std::string::npos);
  const schemas::Trace t = testing::LoadTrace(path);
  EXPECT_GT(t.kernels.size(), 0u);
}

TEST(Runtime, SigkillLeavesEverythingUpToTheLastCommit) {
  const std::string dir = testing::TempDir("kill");
  const std::string path = dir + "/t.sqlite";
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    close(ready[0]);
    FakeCupti cupti;
    Runtime rt(RuntimeHooks{&cupti, &FakeDriverPresent});
    Options o;
    o.output = path;
    o.flush_period_ms = 50;
    o.quiet = true;
    if (!rt.Start(o).ok()) _exit(10);
    ActivityBuffer b;
    uint32_t corr = 1;
    for (int i = 0;; ++i) {
      b.Clear();
      FillKernels(b, corr, 200, 2'000'000 + static_cast<uint64_t>(corr) * 1000);
      corr += 200;
      rt.InjectBufferForTest(b.data(), b.size());
      if (i == 20) {
        const char c = 1;
        (void)!write(ready[1], &c, 1);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  close(ready[1]);
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // several commits
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  const schemas::Trace t = testing::LoadTrace(path);
  EXPECT_GT(t.kernels.size(), 1000u);
  EXPECT_GT(t.api.size(), 1000u);
  EXPECT_EQ(t.meta.at("backend"), "cuda");
  ASSERT_GE(t.clock_syncs.size(), 1u);  // the start pair, committed at Start
}

}  // namespace
}  // namespace moeprof::collector

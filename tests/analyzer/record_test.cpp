// Tests of `moeprof record`'s launcher (analyzer::RunRecorded): the environment the child sees,
// exit codes passed through, signals forwarded, new trace files found and summarized, and clear
// errors before anything runs. A stand-in file plays the injection library: no GPU is involved.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "moeprof/analyzer/record.h"
#include "moeprof/schemas/trace_writer.h"

namespace fs = std::filesystem;
using moeprof::analyzer::RecordOptions;
using moeprof::analyzer::RunRecorded;

namespace {

class RecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("moeprof_record_test_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fake_lib_ = (dir_ / "libmoeprof_inject.so").string();
    std::ofstream(fake_lib_) << "not a real library";
  }
  void TearDown() override { fs::remove_all(dir_); }

  RecordOptions Options(std::vector<std::string> command) {
    RecordOptions o;
    o.output_dir = (dir_ / "out").string();
    o.inject_lib = fake_lib_;
    o.command = std::move(command);
    return o;
  }
  static std::string Slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  fs::path dir_;
  std::string fake_lib_;
};

TEST_F(RecordTest, ChildSeesCollectorEnvironmentAndExitCodePassesThrough) {
  const fs::path env_file = dir_ / "env.txt";
  auto o = Options({"sh", "-c", "env > " + env_file.string() + "; exit 7"});
  o.kinds = {"kernel", "runtime"};
  o.flush_ms = 250;
  o.graph_trace = true;
  auto r = RunRecorded(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->exit_code, 7);
  const std::string env = Slurp(env_file);
  const std::string lib = fs::absolute(fake_lib_).string();
  EXPECT_NE(env.find("CUDA_INJECTION64_PATH=" + lib + "\n"), std::string::npos) << env;
  EXPECT_NE(env.find("NVTX_INJECTION64_PATH=" + lib + "\n"), std::string::npos);
  EXPECT_NE(env.find("NCCL_PROFILER_PLUGIN=" + lib + "\n"), std::string::npos);
  EXPECT_NE(env.find("MOEPROF_OUTPUT=" + fs::absolute(dir_ / "out").string() + "\n"), std::string::npos);
  EXPECT_NE(env.find("MOEPROF_KINDS=kernel,runtime\n"), std::string::npos);
  EXPECT_NE(env.find("MOEPROF_FLUSH_MS=250\n"), std::string::npos);
  EXPECT_NE(env.find("MOEPROF_GRAPH_TRACE=1\n"), std::string::npos);
  EXPECT_TRUE(r->trace_files.empty());
}

TEST_F(RecordTest, ForwardsSignalSentToTheLauncher) {
  // The child reports the forwarded SIGTERM through its exit code.
  auto o = Options({"sh", "-c", "trap 'exit 42' TERM; i=0; while [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; exit 9"});
  std::thread killer([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    kill(getpid(), SIGTERM);
  });
  auto r = RunRecorded(o);
  killer.join();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->exit_code, 42);
}

TEST_F(RecordTest, KilledChildGivesShellStyleExitCode) {
  auto r = RunRecorded(Options({"sh", "-c", "kill -KILL $$"}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 128 + SIGKILL);
}

TEST_F(RecordTest, FindsAndSummarizesTracesWrittenDuringTheRun) {
  const fs::path out = dir_ / "out";
  fs::create_directories(out);
  {  // A trace that existed before the run is not reported as new.
    auto w = moeprof::schemas::TraceWriter::Create((out / "old.sqlite").string());
    ASSERT_TRUE(w.ok());
  }
  const fs::path made = dir_ / "made.sqlite";
  {
    auto w = moeprof::schemas::TraceWriter::Create(made.string());
    ASSERT_TRUE(w.ok()) << w.status().message();
    moeprof::schemas::KernelRow k;
    k.stream = 1;
    k.name = (*w)->Intern("gemm");
    for (int i = 0; i < 5; ++i) {
      k.start = 1000 * (i + 1);
      k.dur = 500;
      k.correlation = i + 1;
      (*w)->AddKernel(k);
    }
    (*w)->AddDrop({0, "cupti", "buffer full", std::nullopt, std::nullopt, 3});
    ASSERT_TRUE((*w)->Close().ok());
  }
  auto r = RunRecorded(Options({"sh", "-c", "cp " + made.string() + " \"$MOEPROF_OUTPUT/rank0.sqlite\""}));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->trace_files.size(), 1u);
  EXPECT_EQ(fs::path(r->trace_files[0]).filename(), "rank0.sqlite");
  const std::string summary = moeprof::analyzer::SummarizeRecording(*r, out.string());
  EXPECT_NE(summary.find("rank0.sqlite"), std::string::npos) << summary;
  EXPECT_NE(summary.find("kernel 5"), std::string::npos) << summary;
  EXPECT_NE(summary.find("3 record(s) dropped"), std::string::npos) << summary;
  EXPECT_EQ(summary.find("old.sqlite"), std::string::npos) << summary;
}

TEST_F(RecordTest, ErrorsBeforeRunning) {
  auto none = RunRecorded(Options({}));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no command"), std::string::npos);

  auto missing = RunRecorded(Options({(dir_ / "no-such-program").string()}));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot run the command"), std::string::npos);

  auto o = Options({"true"});
  o.inject_lib = (dir_ / "absent.so").string();
  auto nolib = RunRecorded(o);
  ASSERT_FALSE(nolib.ok());
  EXPECT_NE(nolib.status().message().find("absent.so"), std::string::npos);

  auto bad_out = Options({"true"});
  bad_out.output_dir = "/dev/null/sub";  // fails even for root: /dev/null is not a directory
  auto r = RunRecorded(bad_out);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/dev/null/sub"), std::string::npos);
}

}  // namespace

// Driver-less behaviour on this machine (no GPU, no libcuda.so.1): a linked program and the
// injection library each print exactly one line and leave the program alone; the real CUPTI's
// answer without a driver is recognised as "no driver"; and libmoeprof_inject.so exports exactly
// the entry points in inject.map and no SQLite symbol.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <set>

#include "runtime.h"
#include "subprocess.h"
#include "test_util.h"

namespace moeprof::collector {
namespace {

const char kNoDriverLine[] = "moeprof: no CUDA driver found; nothing recorded\n";

bool DriverPresent() { return ProbeCudaDriver().present; }

TEST(Degradation, LinkedProgramWithoutDriverKeepsItsExitCode) {
  if (DriverPresent()) GTEST_SKIP() << "a CUDA driver is installed here";
  const std::string dir = testing::TempDir("linked") + "/out";
  testing::ChildResult r = testing::RunProgram({MOEPROF_LINKED_START, dir});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, kNoDriverLine);
  EXPECT_FALSE(std::filesystem::exists(dir));  // nothing left behind
}

#ifdef MOEPROF_INJECT_LIB
TEST(Degradation, InjectionLibraryWithoutDriverSaysSoOnce) {
  if (DriverPresent()) GTEST_SKIP() << "a CUDA driver is installed here";
  const std::string dir = testing::TempDir("inject") + "/out";
  testing::ChildResult r = testing::RunChild([&] {
    setenv("MOEPROF_OUTPUT", dir.c_str(), 1);
    void* lib = dlopen(MOEPROF_INJECT_LIB, RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      std::fprintf(stderr, "dlopen: %s\n", dlerror());
      return 20;
    }
    auto init = reinterpret_cast<int (*)()>(dlsym(lib, "InitializeInjection"));
    if (init == nullptr) return 21;
    if (init() != 1 || init() != 1) return 22;  // the driver may call it more than once
    return 0;
  });
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, kNoDriverLine);
  EXPECT_FALSE(std::filesystem::exists(dir));
}

std::set<std::string> Symbols(const std::string& args) {
  std::set<std::string> out;
  FILE* p = popen(("nm -D " + args + " " MOEPROF_INJECT_LIB " 2>/dev/null").c_str(), "r");
  if (p == nullptr) return out;
  char line[1024];
  while (std::fgets(line, sizeof(line), p) != nullptr) {
    std::string s = line;
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    const size_t sp = s.rfind(' ');
    out.insert(sp == std::string::npos ? s : s.substr(sp + 1));
  }
  pclose(p);
  return out;
}

TEST(InjectionLibrary, ExportsExactlyItsEntryPoints) {
  const std::set<std::string> defined = Symbols("--defined-only");
  const std::set<std::string> expected = {"InitializeInjection", "InitializeInjectionNvtx2",
                                          "InitializeInjectionNvtxExtension", "InitializeInjectionNvtx",
                                          "ncclProfiler_v5", "ncclProfiler_v4"};
  EXPECT_EQ(defined, expected);
  for (const std::string& s : Symbols("")) EXPECT_EQ(s.find("sqlite3"), std::string::npos) << s;
  void* lib = dlopen(MOEPROF_INJECT_LIB, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(lib, nullptr) << dlerror();
  for (const std::string& s : expected) EXPECT_NE(dlsym(lib, s.c_str()), nullptr) << s;
  EXPECT_EQ(dlsym(lib, "sqlite3_open_v2"), nullptr);
}
#endif

DriverProbe PretendDriverPresent() {
  DriverProbe p;
  p.present = true;
  return p;
}

TEST(Degradation, RealCuptiWithoutDriverIsReportedAsNoDriver) {
  if (DriverPresent()) GTEST_SKIP() << "a CUDA driver is installed here";
  // Get past the libcuda probe to exercise what libcupti itself answers without a driver.
  testing::ChildResult r = testing::RunChild([] {
    Runtime rt(RuntimeHooks{&RealCupti(), &PretendDriverPresent});
    Options o;
    o.output = testing::TempDir("realcupti");
    const Status st = rt.Start(o);
    if (st.ok()) return 30;
    if (rt.active()) return 31;
    if (!std::filesystem::is_empty(o.output)) return 32;  // the trace file was removed
    (void)rt.Stop();
    return 0;
  });
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, kNoDriverLine);
}

TEST(Degradation, HostEventFunctionsAreSafeWhenInactive) {
  PostHostEvent(NvtxMarkEvent{});
  PushExternalCorrelation(5, 1);
  PopExternalCorrelation(5);
  EXPECT_FALSE(CollectorActive());
  EXPECT_GT(TraceClockNs(), 0);  // cuptiGetTimestamp works without a driver
  EXPECT_EQ(TracePath(), "");
  EXPECT_TRUE(Stop().ok());
}

}  // namespace
}  // namespace moeprof::collector

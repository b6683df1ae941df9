// `moeprof report` and `moeprof diff` through the real binary: exit codes (0 fine, 1 over a bar,
// 2 bad usage or unreadable input, with the file named), formats, -o, --steps.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>
#include <string>

#include "moeprof/tracegen/tracegen.h"

namespace moeprof {
namespace {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out, err;
};

Result Cli(const std::string& args) {
  const std::string err_path = (fs::temp_directory_path() / "moeprof-report-cli.err").string();
  const std::string cmd = std::string(MOEPROF_CLI) + " " + args + " 2>" + err_path;
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_path);
  std::stringstream ss;
  ss << e.rdbuf();
  r.err = ss.str();
  return r;
}

const std::string& Scenario(const std::string& name) {
  static std::map<std::string, std::string> dirs;
  auto it = dirs.find(name);
  if (it != dirs.end()) return it->second;
  // Per process: ctest runs each test in its own process, possibly in parallel.
  const std::string dir = std::string(MOEPROF_BINARY_DIR) + "/report-cli/" + std::to_string(getpid()) + "/" + name;
  const Status st = tracegen::GenerateScenario(name, dir);
  EXPECT_TRUE(st.ok()) << st.message();
  return dirs[name] = dir;
}

TEST(ReportCli, TextReportExitsZeroWithoutBars) {
  const Result r = Cli("report " + Scenario("epilogue_l"));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("unfused_epilogue"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << "no colour when stdout is a pipe";
}

TEST(ReportCli, FailOnBarExitsOne) {
  EXPECT_EQ(Cli("report " + Scenario("epilogue_l") + " --fail-on unfused_epilogue").code, 1);
  EXPECT_EQ(Cli("report " + Scenario("epilogue_l") + " --fail-on any:high").code, 1);
  EXPECT_EQ(Cli("report " + Scenario("epilogue_l") + " --fail-on launch_bound").code, 0);
}

TEST(ReportCli, FormatsAndOutputFile) {
  const std::string out = (fs::temp_directory_path() / "moeprof-report-cli.json").string();
  const Result r = Cli("report " + Scenario("epilogue_l") + " --format json -o " + out);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  std::ifstream f(out);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_NE(ss.str().find("\"schema\": \"moeprof-report/1\""), std::string::npos);
  EXPECT_NE(Cli("report " + Scenario("epilogue_l") + " --format markdown").out.find("| # | severity"),
            std::string::npos);
  EXPECT_NE(Cli("report " + Scenario("epilogue_l") + " --format junit").out.find("<testsuites"),
            std::string::npos);
}

TEST(ReportCli, StepsSelectsSteps) {
  const Result r = Cli("report " + Scenario("epilogue_l") + " --steps 2:2 --format json");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"first\": 2"), std::string::npos);
  EXPECT_NE(r.out.find("\"steps\": 1,"), std::string::npos) << r.out.substr(0, 800);
}

TEST(ReportCli, BadUsageAndUnreadableInputExitTwo) {
  const Result missing = Cli("report /nonexistent/run7");
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("/nonexistent/run7"), std::string::npos) << missing.err;
  const std::string junk = (fs::temp_directory_path() / "moeprof-not-a-trace.sqlite").string();
  std::ofstream(junk) << "hello";
  const Result bad = Cli("report " + junk);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find(junk), std::string::npos) << bad.err;
  EXPECT_EQ(Cli("report " + Scenario("epilogue_l") + " --format yaml").code, 2);
  EXPECT_EQ(Cli("report " + Scenario("epilogue_l") + " --fail-on nosuchrule").code, 2);
  EXPECT_EQ(Cli("report " + Scenario("epilogue_l") + " --steps 5:2").code, 2);
  EXPECT_EQ(Cli("report").code, 2);
}

TEST(DiffCli, RegressionGate) {
  const std::string clean = Scenario("clean_1rank"), bad = Scenario("sync_accidental_l");
  const Result same = Cli("diff " + clean + " " + clean + " --fail-on-regression 5");
  EXPECT_EQ(same.code, 0) << same.out << same.err;
  const Result worse = Cli("diff " + clean + " " + bad + " --fail-on-regression 5");
  EXPECT_EQ(worse.code, 1) << worse.out;
  EXPECT_NE(worse.out.find("REGRESSED"), std::string::npos) << worse.out;
  EXPECT_NE(worse.out.find("exposed_sync"), std::string::npos);
  const Result better = Cli("diff " + bad + " " + clean + " --fail-on-regression 5");
  EXPECT_EQ(better.code, 0) << better.out;
  const Result json = Cli("diff " + clean + " " + bad + " --format json");
  EXPECT_EQ(json.code, 0) << "no gate without --fail-on-regression";
  EXPECT_NE(json.out.find("\"schema\": \"moeprof-diff/1\""), std::string::npos);
  EXPECT_EQ(Cli("diff " + clean).code, 2);
  EXPECT_EQ(Cli("diff " + clean + " /nonexistent/x").code, 2);
}

}  // namespace
}  // namespace moeprof

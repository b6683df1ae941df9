// `moeprof classify` end to end: a trace written with TraceWriter, the real binary, its output
// (classes biggest first, 80 columns, JSON with rules) and exit codes (bad input, bad rules).
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "moeprof/schemas/trace_writer.h"

namespace {

struct Result { int code; std::string out; };

Result RunCli(const std::string& args) {
  const std::string cmd = std::string(MOEPROF_CLI) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = pclose(p);
  return {WEXITSTATUS(status), out};
}

std::string WriteTrace() {
  const std::string dir = (std::filesystem::temp_directory_path() / ("moeprof-classify-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/t.sqlite";
  moeprof::schemas::WriterOptions o;
  o.overwrite = true;
  auto w = moeprof::schemas::TraceWriter::Create(path, o);
  EXPECT_TRUE(w.ok());
  moeprof::schemas::StreamRow s;
  const int64_t stream = (*w)->AddStream(s);
  const std::string longname = "void cutlass::Kernel<cutlass_80_tensorop_s1688gemm_64x64_16x6_nt_align4_with_a_very_long_suffix_to_elide>(cutlass_80_tensorop_s1688gemm_64x64_16x6_nt_align4::Params)";
  const char* names[] = {"ncclDevKernel_AllReduce_Sum_f32_RING_LL", longname.c_str(), "my_custom_kernel"};
  const int64_t durs[] = {5000, 3000, 100};
  for (int i = 0; i < 30; ++i) {
    moeprof::schemas::KernelRow k;
    k.stream = stream;
    k.start = i * 10'000;
    k.dur = durs[i % 3];
    k.correlation = i + 1;
    k.name = (*w)->Intern(names[i % 3]);
    (*w)->AddKernel(k);
  }
  EXPECT_TRUE((*w)->Close().ok());
  return path;
}

TEST(ClassifyCli, TextJsonRulesAndErrors) {
  const std::string trace = WriteTrace();
  Result r = RunCli("classify " + trace);
  ASSERT_EQ(r.code, 0) << r.out;
  const size_t comm = r.out.find("\ncomm "), gemm = r.out.find("\ngemm "), other = r.out.find("\nother ");
  ASSERT_NE(comm, std::string::npos) << r.out;
  EXPECT_LT(comm, gemm);  // biggest class first
  EXPECT_LT(gemm, other);
  EXPECT_NE(r.out.find("[all_reduce] ncclDevKernel_AllReduce"), std::string::npos) << r.out;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    // Columns = UTF-8 code points ("µs" and "…" are multi-byte, one column each).
    size_t columns = 0;
    for (unsigned char ch : line) columns += (ch & 0xC0) != 0x80;
    EXPECT_LE(columns, 80u) << line;
  }
  EXPECT_NE(r.out.find("\u2026"), std::string::npos) << "the long name is elided";

  r = RunCli("classify --json " + trace);
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("\"class\": \"comm\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"comm\": \"all_reduce\""), std::string::npos);

  const std::string rules = std::filesystem::path(trace).parent_path() / "rules.toml";
  { std::ofstream(rules) << "[[kernel]]\npattern = \"my_custom\"\nclass = \"attention\"\n"; }
  r = RunCli("classify --rules " + rules + " " + trace);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("\nattention "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[user] my_custom_kernel"), std::string::npos) << r.out;

  { std::ofstream(rules) << "[[kernel]]\npattern = \"x\"\nclass = \"nonsense\"\n"; }
  r = RunCli("classify --rules " + rules + " " + trace);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("rules.toml: [[kernel]] #1"), std::string::npos) << r.out;

  r = RunCli("classify /nonexistent/file.sqlite");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("/nonexistent/file.sqlite"), std::string::npos);
  std::filesystem::remove_all(std::filesystem::path(trace).parent_path());
}

}  // namespace

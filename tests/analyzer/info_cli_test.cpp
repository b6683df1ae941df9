// End-to-end tests of `moeprof info`: traces written with the trace library, the real binary run
// on them, stdout/stderr/exit code checked, including the exact error messages for bad inputs.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "moeprof/schemas/migrations.h"
#include "sample_trace.h"

#ifndef MOEPROF_CLI
#error "MOEPROF_CLI (path of the moeprof binary) must be defined by the build"
#endif

namespace moeprof::testing {
namespace {

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

CliResult RunCli(const std::vector<std::string>& args) {
  const std::string dir = MakeTempDir("cli_out");
  std::string cmd = ShellQuote(MOEPROF_CLI);
  // Appends piece by piece: `" >" + std::string` trips a GCC 12 -Wrestrict false positive.
  for (const std::string& a : args) cmd.append(" ").append(ShellQuote(a));
  cmd.append(" >").append(ShellQuote(dir + "/out"));
  cmd.append(" 2>").append(ShellQuote(dir + "/err"));
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(dir + "/out");
  r.err = Slurp(dir + "/err");
  return r;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(InfoCli, SummarizesOneFile) {
  const std::string path = MakeTempDir("cli") + "/rank3.sqlite";
  ASSERT_NO_FATAL_FAILURE(WriteSampleTrace(path));
  const CliResult r = RunCli({"info", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(Contains(r.out, "trace       " + path + "\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "rank 3 of 8 (local 1) · host node07 · pid 4242")) << r.out;
  EXPECT_TRUE(Contains(r.out, "device 0    NVIDIA H100 80GB HBM3")) << r.out;
  EXPECT_TRUE(Contains(r.out, "backend     cuda\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "runtime 13.0 · CUPTI 13.0.1 · driver 580.65.06")) << r.out;
  EXPECT_TRUE(Contains(r.out, "kernel                         5")) << r.out;
  EXPECT_TRUE(Contains(r.out, "api                            5")) << r.out;
}

TEST(InfoCli, DirectoryReportsEveryRankInOrder) {
  const std::string dir = MakeTempDir("cli");
  for (int rank : {1, 0}) {
    SampleTraceSpec spec;
    spec.rank = rank;
    spec.local_rank = rank;
    spec.world_size = 2;
    spec.kernels = 1200 + rank;  // thousands separators show up in the counts
    ASSERT_NO_FATAL_FAILURE(WriteSampleTrace(dir + "/rank" + std::to_string(rank) + ".sqlite", spec));
  }
  WriteFile(dir + "/notes.txt", "not a trace, ignored");
  const CliResult r = RunCli({"info", dir});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const size_t first = r.out.find("rank 0 of 2");
  const size_t second = r.out.find("rank 1 of 2");
  ASSERT_NE(first, std::string::npos) << r.out;
  ASSERT_NE(second, std::string::npos) << r.out;
  EXPECT_LT(first, second);
  EXPECT_TRUE(Contains(r.out, "1,200")) << r.out;
  EXPECT_TRUE(Contains(r.out, "1,201")) << r.out;
  EXPECT_FALSE(Contains(r.out, "notes.txt"));
}

TEST(InfoCli, JsonFields) {
  const std::string path = MakeTempDir("cli") + "/rank3.sqlite";
  ASSERT_NO_FATAL_FAILURE(WriteSampleTrace(path));
  const CliResult r = RunCli({"info", "--json", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.front(), '{');
  EXPECT_EQ(r.out.substr(r.out.size() - 2), "}\n");
  for (const std::string& field : {
           std::string(R"("moeprof_version": ")"),
           std::string(R"("path": ")") + path + "\"",
           std::string(R"("format_version": )") + std::to_string(schemas::CurrentFormatVersion()),
           std::string(R"("backend": "cuda")"),
           std::string(R"("rank": 3,)"),
           std::string(R"("world_size": 8,)"),
           std::string(R"("name": "NVIDIA H100 80GB HBM3",)"),
           std::string(R"("sm_count": 132,)"),
           std::string(R"("memory_bytes": 85520809984,)"),
           std::string(R"("duration_ns": 249500)"),
           std::string(R"("kernel": 5,)"),
           std::string(R"("drops_total": 14,)"),
           std::string(R"("errors": [])"),
       }) {
    EXPECT_TRUE(Contains(r.out, field)) << "missing " << field << " in\n" << r.out;
  }
}

TEST(InfoCli, NewerFormatIsRefused) {
  const std::string path = MakeTempDir("cli") + "/future.sqlite";
  ASSERT_NO_FATAL_FAILURE(WriteSampleTrace(path));
  const int current = schemas::CurrentFormatVersion();
  ASSERT_NO_FATAL_FAILURE(SetUserVersion(path, current + 1));
  const CliResult r = RunCli({"info", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "moeprof: " + path + ": trace format " + std::to_string(current + 1) +
                       " is newer than this moeprof (" + std::to_string(current) +
                       "); upgrade moeprof\n");
}

TEST(InfoCli, NotSqliteIsRefused) {
  const std::string path = MakeTempDir("cli") + "/junk.sqlite";
  WriteFile(path, std::string(4096, 'x'));
  const CliResult r = RunCli({"info", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "moeprof: " + path + ": not a SQLite database\n");
}

TEST(InfoCli, MissingPathIsRefused) {
  const std::string path = MakeTempDir("cli") + "/missing.sqlite";
  const CliResult r = RunCli({"info", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "moeprof: " + path + ": no such file or directory\n");
}

TEST(InfoCli, DirectoryWithoutTracesIsRefused) {
  const std::string dir = MakeTempDir("cli");
  WriteFile(dir + "/readme.txt", "x");
  const CliResult r = RunCli({"info", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "moeprof: " + dir + ": directory contains no trace files (*.sqlite, *.db)\n");
}

TEST(InfoCli, SqliteWithoutOurTablesIsRefused) {
  const std::string path = MakeTempDir("cli") + "/other.sqlite";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE accounts(id INTEGER, owner TEXT)", nullptr, nullptr,
                         nullptr), SQLITE_OK);
  sqlite3_close(db);
  const CliResult r = RunCli({"info", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "moeprof: " + path + ": not a moeprof trace (no table meta)\n");
}

TEST(InfoCli, GoodFilesStillPrintWhenOneInputIsBad) {
  const std::string dir = MakeTempDir("cli");
  ASSERT_NO_FATAL_FAILURE(WriteSampleTrace(dir + "/rank3.sqlite"));
  const CliResult r = RunCli({"info", dir + "/missing.sqlite", dir + "/rank3.sqlite"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.out, "rank 3 of 8")) << r.out;
  EXPECT_EQ(r.err, "moeprof: " + dir + "/missing.sqlite: no such file or directory\n");
}

TEST(InfoCli, BadUsageExitsTwo) {
  const CliResult none = RunCli({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_TRUE(Contains(none.err, "moeprof: ")) << none.err;
  const CliResult unknown = RunCli({"info", "--no-such-flag", "x.sqlite"});
  EXPECT_EQ(unknown.exit_code, 2);
  const CliResult no_input = RunCli({"info"});
  EXPECT_EQ(no_input.exit_code, 2);
}

TEST(InfoCli, VersionFlag) {
  const CliResult r = RunCli({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("moeprof ", 0), 0u) << r.out;
}

}  // namespace
}  // namespace moeprof::testing

// `moeprof import` / `export` / transparent `info` through the real binary: exit codes and the one
// message that names the file and what is wrong, for every kind of bad input; skipped records
// shown by `moeprof info`.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>

#include "../nsys/import_test_util.h"

namespace moeprof {
namespace {

using namespace moeprof::importer_testing;

void ExpectBadInput(const CliResult& r, const std::string& file, const std::string& what) {
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "moeprof: " + file + ": ")) << r.err;
  EXPECT_TRUE(Contains(r.err, what)) << r.err;
  // One message, one line.
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(ImportCli, NsysImportWritesTracesAndInfoReadsThem) {
  const std::string dir = TempDir("cli_nsys");
  const std::string src = MakeNsysFile(dir);
  CliResult r = RunCli({"import", src, "-o", dir + "/run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "Nsight Systems SQLite export")) << r.out;
  EXPECT_TRUE(std::filesystem::exists(dir + "/run/moeprof_r0_imported_100.sqlite"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/run/moeprof_r1_imported_200.sqlite"));
  r = RunCli({"info", dir + "/run"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "pid 100")) << r.out;
  // Two processes cannot go into one file.
  r = RunCli({"import", src, "-o", dir + "/one.sqlite"});
  ExpectBadInput(r, dir + "/one.sqlite", "more than one process");
  EXPECT_FALSE(std::filesystem::exists(dir + "/one.sqlite"));
}

TEST(ImportCli, InfoAcceptsForeignFilesThroughTheCache) {
  const std::string dir = TempDir("cli_transparent");
  const std::string src = MakeNsysFile(dir);
  const std::string cache = dir + "/cache";
  CliResult r = RunCli({"info", src}, cache);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "pid 100")) << r.out;
  EXPECT_TRUE(Contains(r.out, "pid 200")) << r.out;
  EXPECT_TRUE(Contains(r.out, cache)) << r.out;
  // A damaged cache entry is rebuilt.
  for (const auto& e : std::filesystem::recursive_directory_iterator(cache)) {
    if (e.path().extension() == ".sqlite") WriteText(e.path().string(), "garbage");
  }
  r = RunCli({"info", src}, cache);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "pid 200")) << r.out;
}

TEST(ImportCli, SkippedRecordsShowInInfo) {
  const std::string dir = TempDir("cli_drops");
  const std::string src = MakeNsysFile(
      dir, "INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL(start,end,globalPid) VALUES (10,5," +
               std::to_string(GlobalTid(100, 0)) + ");");
  CliResult r = RunCli({"import", src, "-o", dir + "/run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "1 bad records skipped (kernel: end before start: 1)")) << r.out;
  r = RunCli({"info", dir + "/run/moeprof_r0_imported_100.sqlite"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "import: kernel: end before start")) << r.out;
}

TEST(ImportCli, BadInputsGiveOneMessageAndExit2) {
  const std::string dir = TempDir("cli_bad");
  // SQLite file of another program.
  ASSERT_TRUE(SqlExec(dir + "/app.sqlite", "CREATE TABLE t(x); INSERT INTO t VALUES (1);"));
  ExpectBadInput(RunCli({"import", dir + "/app.sqlite", "-o", dir + "/o1"}), dir + "/app.sqlite",
                 "unrecognized format");
  // Invalid JSON.
  WriteText(dir + "/bad.json", "{\"traceEvents\": [ {\"ph\": ");
  CliResult r = RunCli({"import", dir + "/bad.json", "-o", dir + "/o2"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "moeprof: " + dir + "/bad.json: ")) << r.err;
  WriteText(dir + "/junk.json", "definitely not json");
  ExpectBadInput(RunCli({"import", dir + "/junk.json", "-o", dir + "/o3"}), dir + "/junk.json",
                 "unrecognized format");
  // Truncated gzip.
  {
    std::string text = "{\"traceEvents\": [";
    for (int i = 0; i < 5000; ++i) text += "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k\", \"ts\": 1.0, \"dur\": 1.0},";
    text += "{}]}";
    gzFile f = gzopen((dir + "/full.json.gz").c_str(), "wb");
    gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
    gzclose(f);
    const std::string gz = ReadText(dir + "/full.json.gz");
    WriteText(dir + "/trunc.json.gz", gz.substr(0, gz.size() / 2));
  }
  r = RunCli({"import", dir + "/trunc.json.gz", "-o", dir + "/o4"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "moeprof: " + dir + "/trunc.json.gz: ")) << r.err;
  // Routing: wrong types everywhere, absurd sizes, deep nesting → no good line → error.
  WriteText(dir + "/router_trace_rank0.jsonl",
            "{\"step\": \"a\", \"layer\": 0, \"top_indices\": [[0]]}\n"
            "{\"step\": 0, \"layer\": 0, \"top_indices\": [[1e300]]}\n"
            "{\"step\": 0, \"layer\": 0, \"top_indices\": " + std::string(500, '[') + "\n");
  {
    CliResult made = RunCli({"import", MakeNsysFile(dir), "-o", dir + "/run"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }
  const std::string trace = dir + "/run/moeprof_r0_imported_100.sqlite";
  ExpectBadInput(RunCli({"import", "--routing", dir + "/router_trace_rank0.jsonl", "--into", trace}),
                 dir + "/router_trace_rank0.jsonl", "not a Megatron-LM routing trace: line 1: step is not an integer");
  // Attaching to something that is not a trace.
  ExpectBadInput(RunCli({"import", "--routing", dir + "/router_trace_rank0.jsonl", "--into", dir + "/app.sqlite"}),
                 dir + "/app.sqlite", "");
  // Missing file.
  ExpectBadInput(RunCli({"import", dir + "/nope.json", "-o", dir + "/o5"}), dir + "/nope.json",
                 "no such file or directory");
  // Export of something that is not a trace.
  ExpectBadInput(RunCli({"export", dir + "/junk.json", "--perfetto", dir + "/x.json"}), dir + "/junk.json", "");
  EXPECT_FALSE(std::filesystem::exists(dir + "/x.json"));
}

TEST(ImportCli, RoutingAttachesThroughCli) {
  const std::string dir = TempDir("cli_routing");
  CliResult r = RunCli({"import", MakeNsysFile(dir), "-o", dir + "/run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string trace = dir + "/run/moeprof_r1_imported_200.sqlite";
  WriteText(dir + "/r.jsonl",
            "{\"step\": 0, \"layer\": 0, \"rank\": 1, \"top_indices\": [[0, 1], [1, 2]]}\nnot json\n");
  r = RunCli({"import", "--routing", dir + "/r.jsonl", "--into", trace});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "3 routing rows attached")) << r.out;
  EXPECT_EQ(SqlInt(trace, "SELECT SUM(tokens) FROM routing"), 4);
  r = RunCli({"info", trace});
  EXPECT_TRUE(Contains(r.out, "import: routing: invalid JSON")) << r.out;
}

}  // namespace
}  // namespace moeprof

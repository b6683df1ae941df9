// Nsight Systems SQLite importer: a synthetic two-process export checked row by row, missing
// tables and columns, bad rows counted, files that are not nsys exports refused; and the real
// Perlmutter CloverLeaf export (../shared/data/traces/nsys/) whose counts must equal counts
// computed here with direct SQL on the source file.
#include <gtest/gtest.h>

#include <filesystem>

#include "import_test_util.h"
#include "moeprof/analyzer/importers.h"
#include "moeprof/schemas/trace_reader.h"

namespace moeprof::analyzer {
namespace {

using namespace moeprof::importer_testing;

struct Imported {
  Status status;
  ImportStats stats;
  std::vector<std::string> outputs;
};

Imported ImportToDir(const std::string& src, const std::string& dir) {
  Imported r;
  auto sink = FileTraceSink::ToDirectory(dir, true);
  r.status = ImportNsys(src, *sink, ImportOptions{}, r.stats);
  Status closed = sink->CloseAll(r.outputs);
  if (r.status.ok()) r.status = closed;
  return r;
}

schemas::Trace Load(const std::string& path) {
  auto reader = schemas::TraceReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  auto t = (*reader)->LoadAll();
  EXPECT_TRUE(t.ok()) << t.status().message();
  return std::move(*t);
}

TEST(NsysImport, SyntheticTwoProcessesBecomeTwoTracesWithRanks) {
  const std::string dir = TempDir("nsys_two");
  const std::string src = MakeNsysFile(dir);
  ASSERT_FALSE(src.empty());
  EXPECT_EQ(*DetectFormat(src), TraceFormat::kNsysSqlite);
  Imported r = ImportToDir(src, dir + "/out");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.outputs.size(), 2u);
  EXPECT_EQ(std::filesystem::path(r.outputs[0]).filename(), "moeprof_r0_imported_100.sqlite");
  EXPECT_EQ(std::filesystem::path(r.outputs[1]).filename(), "moeprof_r1_imported_200.sqlite");

  const schemas::Trace t = Load(r.outputs[0]);
  EXPECT_EQ(t.origin_ns, 1700000000000000000);
  EXPECT_EQ(t.meta.at("source"), "nsys");
  EXPECT_EQ(t.meta.at("rank"), "0");
  ASSERT_EQ(t.processes.size(), 1u);
  EXPECT_EQ(t.processes[0].pid, 100);
  EXPECT_EQ(t.processes[0].rank, 0);
  ASSERT_EQ(t.threads.size(), 1u);
  EXPECT_EQ(t.threads[0].tid, 101);
  EXPECT_EQ(t.threads[0].name, "main");
  ASSERT_EQ(t.devices.size(), 1u);
  EXPECT_EQ(t.devices[0].name, "NVIDIA H100");
  EXPECT_EQ(t.devices[0].sm_count, 132);

  // API: version suffixes stripped, eventClass 1 is the driver, times unchanged (origin = session).
  ASSERT_EQ(t.api.size(), 5u);
  EXPECT_EQ(t.str(t.api.name[0]), "cudaLaunchKernel");
  EXPECT_EQ(t.str(t.api.name[2]), "cudaMemcpy");
  EXPECT_EQ(t.str(t.api.name[3]), "cuMemAlloc");
  EXPECT_EQ(t.api.domain[3], static_cast<int8_t>(schemas::ApiDomain::kDriver));
  EXPECT_EQ(t.api.cbid[0], 0);
  EXPECT_EQ(t.api.start[2], 3000);
  EXPECT_EQ(t.api.dur[2], 6000);

  ASSERT_EQ(t.kernels.size(), 2u);
  EXPECT_EQ(t.str(t.kernels.name[0]), "gemm_kernel");
  EXPECT_EQ(t.kernels.start[0], 1600);
  EXPECT_EQ(t.kernels.dur[0], 900);
  const schemas::LaunchConfig& lc = t.launch_configs[static_cast<size_t>(t.kernels.config[0]) - 1];
  EXPECT_EQ(lc.grid_x, 128);
  EXPECT_EQ(lc.block_x, 256);
  EXPECT_EQ(lc.registers, 64);
  EXPECT_EQ(lc.static_smem, 1024);

  // D2H into pageable memory: nsys kinds 2 (device) → 3, 0 (pageable) → 1.
  ASSERT_EQ(t.memcpys.size(), 1u);
  EXPECT_EQ(t.memcpys[0].copy_kind, 2);
  EXPECT_EQ(t.memcpys[0].src_kind, 3);
  EXPECT_EQ(t.memcpys[0].dst_kind, 1);
  EXPECT_EQ(t.memcpys[0].bytes, 4096);
  EXPECT_EQ(t.memcpys[0].flags & schemas::kFlagAsync, 0);
  ASSERT_EQ(t.memsets.size(), 1u);
  EXPECT_EQ(t.memsets[0].mem_kind, 3);
  EXPECT_NE(t.memsets[0].flags & schemas::kFlagAsync, 0);  // issued by cudaMemsetAsync

  ASSERT_EQ(t.syncs.size(), 1u);
  EXPECT_EQ(t.syncs[0].type, 4);
  EXPECT_FALSE(t.syncs[0].stream.has_value());
  EXPECT_FALSE(t.syncs[0].event.has_value());

  // NVTX: depth from nesting, text from textId or text, mark with payload.
  ASSERT_EQ(t.nvtx.size(), 4u);
  std::map<std::string, schemas::NvtxRow> by_text;
  for (const auto& n : t.nvtx) by_text[t.str(n.text)] = n;
  EXPECT_EQ(by_text["step 1"].depth, 0);
  EXPECT_EQ(by_text["attention"].depth, 1);
  EXPECT_EQ(by_text["layer 0"].depth, 2);
  EXPECT_EQ(by_text["tick"].kind, schemas::NvtxKind::kMark);
  EXPECT_EQ(by_text["tick"].payload, 42.0);
  EXPECT_TRUE(t.drops.empty());

  const schemas::Trace t2 = Load(r.outputs[1]);
  EXPECT_EQ(t2.api.size(), 1u);
  EXPECT_EQ(t2.kernels.size(), 1u);
}

TEST(NsysImport, OneFileOutputRefusesSecondProcess) {
  const std::string dir = TempDir("nsys_onefile");
  const std::string src = MakeNsysFile(dir);
  auto sink = FileTraceSink::ToFile(dir + "/x.sqlite", true);
  ImportStats stats;
  Status st = ImportNsys(src, *sink, ImportOptions{}, stats);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("more than one process"), std::string::npos) << st.message();
  sink->RemoveAll();
  EXPECT_FALSE(std::filesystem::exists(dir + "/x.sqlite"));
}

TEST(NsysImport, MissingTablesAndColumnsAreFine) {
  const std::string dir = TempDir("nsys_min");
  const std::string src = dir + "/min.sqlite";
  ASSERT_TRUE(SqlExec(src,
                      "CREATE TABLE StringIds(id INTEGER PRIMARY KEY, value TEXT);"
                      "INSERT INTO StringIds VALUES (1,'cudaFree_v3020');"
                      "CREATE TABLE CUPTI_ACTIVITY_KIND_RUNTIME(start INTEGER, end INTEGER, globalTid INTEGER,"
                      " correlationId INTEGER, nameId INTEGER);"
                      "INSERT INTO CUPTI_ACTIVITY_KIND_RUNTIME VALUES (5000,6000,16777217,1,1);"));
  Imported r = ImportToDir(src, dir + "/out");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.outputs.size(), 1u);
  const schemas::Trace t = Load(r.outputs[0]);
  // No session start: the earliest event is the origin, on nsys's session clock.
  EXPECT_EQ(t.origin_ns, 5000);
  EXPECT_EQ(t.meta.at("nsys_clock"), "nsys-session");
  ASSERT_EQ(t.api.size(), 1u);
  EXPECT_EQ(t.api.start[0], 0);
  EXPECT_EQ(t.str(t.api.name[0]), "cudaFree");
  EXPECT_EQ(t.api.status[0], 0);
}

TEST(NsysImport, BadRowsAreSkippedAndCounted) {
  const std::string dir = TempDir("nsys_bad");
  const int64_t t100 = GlobalTid(100, 101), p100 = GlobalTid(100, 0);
  const std::string src = MakeNsysFile(
      dir, "INSERT INTO CUPTI_ACTIVITY_KIND_RUNTIME VALUES (5000,4000,0," + std::to_string(t100) +
               ",99,1,0),('x','y',0," + std::to_string(t100) + ",98,1,0);"
               "INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL(start,end,globalPid) VALUES (NULL,5," +
               std::to_string(p100) + ");"
               "INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL(start,end) VALUES (1,5);");
  Imported r = ImportToDir(src, dir + "/out");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.stats.skipped["runtime: end before start"], 1);
  EXPECT_EQ(r.stats.skipped["runtime: missing or non-integer start"], 1);
  EXPECT_EQ(r.stats.skipped["kernel: missing or non-integer start"], 1);
  EXPECT_EQ(r.stats.skipped["kernel without globalPid"], 1);
  const schemas::Trace t = Load(r.outputs[0]);
  int64_t dropped = 0;
  for (const auto& d : t.drops) {
    EXPECT_EQ(d.source, "import");
    dropped += d.count;
  }
  EXPECT_EQ(dropped, 4);
  EXPECT_EQ(t.api.size(), 5u);  // the good rows are all there
}

TEST(NsysImport, SqliteOfAnotherProgramIsRefused) {
  const std::string dir = TempDir("nsys_other");
  const std::string src = dir + "/app.db";
  ASSERT_TRUE(SqlExec(src, "CREATE TABLE users(id INTEGER, name TEXT); INSERT INTO users VALUES (1,'a');"));
  EXPECT_EQ(*DetectFormat(src), TraceFormat::kUnknown);
  Imported r = ImportToDir(src, dir + "/out");
  EXPECT_EQ(r.status.code(), ErrorCode::kNotATrace);
  EXPECT_EQ(r.status.message().rfind(src + ": ", 0), 0u) << r.status.message();
  EXPECT_NE(r.status.message().find("not an Nsight Systems export"), std::string::npos);
}

TEST(NsysImport, TruncatedFileIsAnError) {
  const std::string src_real = SharedTrace("nsys/perlmutter-cloverleaf-cuda.sqlite");
  if (src_real.empty()) GTEST_SKIP() << "../shared/data/traces absent";
  const std::string dir = TempDir("nsys_trunc");
  const std::string data = ReadText(src_real);
  const std::string src = dir + "/trunc.sqlite";
  WriteText(src, data.substr(0, data.size() / 3));
  Imported r = ImportToDir(src, dir + "/out");
  EXPECT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.message().rfind(src + ": ", 0), 0u) << r.status.message();
}

// The real export: every count equals the same count taken with SQL on the source.
TEST(NsysImport, PerlmutterCloverleafCountsMatchSource) {
  const std::string src = SharedTrace("nsys/perlmutter-cloverleaf-cuda.sqlite");
  if (src.empty()) GTEST_SKIP() << "../shared/data/traces absent (a fresh clone): real nsys trace not checked";
  const std::string dir = TempDir("nsys_real");
  Imported r = ImportToDir(src, dir);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.outputs.size(), 1u);
  const std::string out = r.outputs[0];
  EXPECT_TRUE(r.stats.skipped.empty());

  auto src_count = [&](const std::string& sql) { return SqlInt(src, sql).value_or(-1); };
  auto out_count = [&](const std::string& sql) { return SqlInt(out, sql).value_or(-2); };
  EXPECT_EQ(out_count("SELECT COUNT(*) FROM kernel"), src_count("SELECT COUNT(*) FROM CUPTI_ACTIVITY_KIND_KERNEL"));
  EXPECT_EQ(out_count("SELECT COUNT(*) FROM api"), src_count("SELECT COUNT(*) FROM CUPTI_ACTIVITY_KIND_RUNTIME"));
  EXPECT_EQ(out_count("SELECT COUNT(*) FROM sync"),
            src_count("SELECT COUNT(*) FROM CUPTI_ACTIVITY_KIND_SYNCHRONIZATION"));
  EXPECT_EQ(out_count("SELECT COUNT(*) FROM memcpy"), src_count("SELECT COUNT(*) FROM CUPTI_ACTIVITY_KIND_MEMCPY"));
  const int64_t syncs = src_count(
      "SELECT COUNT(*) FROM CUPTI_ACTIVITY_KIND_RUNTIME r JOIN StringIds s ON s.id = r.nameId "
      "WHERE s.value LIKE 'cudaDeviceSynchronize%'");
  EXPECT_EQ(syncs, 1312);
  EXPECT_EQ(out_count("SELECT COUNT(*) FROM api a JOIN string s ON s.id = a.name "
                      "WHERE s.value = 'cudaDeviceSynchronize'"),
            syncs);
  for (int kind : {1, 2, 8, 10}) {
    EXPECT_EQ(out_count("SELECT COUNT(*) FROM memcpy WHERE copy_kind = " + std::to_string(kind)),
              src_count("SELECT COUNT(*) FROM CUPTI_ACTIVITY_KIND_MEMCPY WHERE copyKind = " + std::to_string(kind)))
        << "copy kind " << kind;
  }
  // Blocking D2H copies: cudaMemcpy (not Async) whose copy is device-to-host.
  const int64_t d2h_blocking = src_count(
      "SELECT COUNT(*) FROM CUPTI_ACTIVITY_KIND_MEMCPY m JOIN CUPTI_ACTIVITY_KIND_RUNTIME r "
      "ON r.correlationId = m.correlationId JOIN StringIds s ON s.id = r.nameId "
      "WHERE m.copyKind = 2 AND s.value LIKE 'cudaMemcpy\\_v%' ESCAPE '\\'");
  EXPECT_GT(d2h_blocking, 0);
  EXPECT_EQ(out_count("SELECT COUNT(*) FROM memcpy m JOIN api a ON a.correlation = m.correlation "
                      "JOIN string s ON s.id = a.name WHERE m.copy_kind = 2 AND s.value = 'cudaMemcpy' "
                      "AND (m.flags & 2) = 0"),
            d2h_blocking);
  // Pageable vs pinned as recorded: nsys 0/1 → CUPTI 1/2.
  EXPECT_EQ(out_count("SELECT COUNT(*) FROM memcpy WHERE dst_kind = 1"),
            src_count("SELECT COUNT(*) FROM CUPTI_ACTIVITY_KIND_MEMCPY WHERE dstKind = 0"));
  // Times: exact, relative to the session start (which nsys times already are).
  EXPECT_EQ(out_count("SELECT MIN(start) FROM kernel"), src_count("SELECT MIN(start) FROM CUPTI_ACTIVITY_KIND_KERNEL"));
  EXPECT_EQ(out_count("SELECT SUM(dur) FROM kernel"),
            src_count("SELECT SUM(end - start) FROM CUPTI_ACTIVITY_KIND_KERNEL"));
  EXPECT_EQ(out_count("SELECT SUM(dur) FROM api"), src_count("SELECT SUM(end - start) FROM CUPTI_ACTIVITY_KIND_RUNTIME"));
  EXPECT_EQ(out_count("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'origin_ns'"),
            src_count("SELECT utcEpochNs FROM TARGET_INFO_SESSION_START_TIME"));
  // Every kernel links to its launch.
  EXPECT_EQ(out_count("SELECT COUNT(*) FROM kernel k JOIN api a ON a.correlation = k.correlation"),
            out_count("SELECT COUNT(*) FROM kernel"));
}

}  // namespace
}  // namespace moeprof::analyzer

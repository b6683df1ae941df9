// Shared helpers for the importer tests (nsys, routing, export): temp dirs, files, running the
// moeprof CLI, direct SQL on a SQLite file, and building small synthetic nsys exports.
#pragma once

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace moeprof::importer_testing {

inline std::string TempDir(const std::string& stem) {
  static std::atomic<int> counter{0};
  const auto dir = std::filesystem::temp_directory_path() /
                   ("moeprof_imp_" + stem + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

inline void WriteText(const std::string& path, const std::string& contents) {
  std::ofstream(path, std::ios::binary) << contents;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The shared real traces (../shared/data/traces relative to the project), or "" when absent.
inline std::string SharedTrace(const std::string& rel) {
  const std::string p = std::string(MOEPROF_SOURCE_DIR) + "/../shared/data/traces/" + rel;
  return std::filesystem::exists(p) ? p : std::string();
}

// Runs SQL and returns the first column of the first row as int64 (nullopt on none/NULL/error).
inline std::optional<int64_t> SqlInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::optional<int64_t> out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
        sqlite3_column_type(s, 0) != SQLITE_NULL) {
      out = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return out;
}

// Runs a script of SQL statements on a (new) database; returns false on error.
inline bool SqlExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  bool ok = sqlite3_open(path.c_str(), &db) == SQLITE_OK &&
            sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_close(db);
  return ok;
}

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q.append("'\\''");
    } else {
      q.push_back(c);
    }
  }
  q.push_back('\'');
  return q;
}

// Runs the moeprof binary with `args` (and MOEPROF_CACHE_DIR set to a private dir).
inline CliResult RunCli(const std::vector<std::string>& args, const std::string& cache_dir = "") {
  const std::string dir = TempDir("cli");
  std::string cmd = "MOEPROF_CACHE_DIR=";
  cmd.append(ShellQuote(cache_dir.empty() ? dir + "/cache" : cache_dir)).append(" ");
  cmd.append(ShellQuote(MOEPROF_CLI));
  for (const std::string& a : args) cmd.append(" ").append(ShellQuote(a));
  cmd.append(" >").append(ShellQuote(dir + "/out"));
  cmd.append(" 2>").append(ShellQuote(dir + "/err"));
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadText(dir + "/out");
  r.err = ReadText(dir + "/err");
  return r;
}

inline bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// globalTid/globalPid as nsys encodes them.
inline int64_t GlobalTid(int64_t pid, int64_t tid) { return (pid << 24) | tid; }

// A minimal nsys export with two processes (pids 100 and 200, MPI ranks 0 and 1): strings,
// runtime calls with version suffixes, kernels, a D2H memcpy, a memset, a sync, NVTX push/pop
// nesting and a mark, a session start time. `extra_sql` runs last (to damage or extend it).
inline std::string MakeNsysFile(const std::string& dir, const std::string& extra_sql = "") {
  const std::string path = dir + "/report.sqlite";
  std::filesystem::remove(path);
  const int64_t t100 = GlobalTid(100, 101), t200 = GlobalTid(200, 201);
  const int64_t p100 = GlobalTid(100, 0), p200 = GlobalTid(200, 0);
  std::ostringstream s;
  s << "CREATE TABLE StringIds(id INTEGER PRIMARY KEY, value TEXT NOT NULL);"
       "INSERT INTO StringIds VALUES (1,'cudaLaunchKernel_v7000'),(2,'cudaMemcpy_v3020'),"
       "(3,'gemm_kernel'),(4,'relu_kernel'),(5,'step 1'),(6,'layer 0'),(7,'main'),(8,'cuMemAlloc'),"
       "(9,'cudaMemsetAsync_v3020');"
       "CREATE TABLE META_DATA_EXPORT(name TEXT, value TEXT);"
       "INSERT INTO META_DATA_EXPORT VALUES ('EXPORT_SCHEMA_VERSION','3.13.2'),"
       "('EXPORT_PRODUCT_VERSION','2024.5.1');"
       "CREATE TABLE TARGET_INFO_SESSION_START_TIME(utcEpochNs INTEGER, utcTime TEXT, localTime TEXT);"
       "INSERT INTO TARGET_INFO_SESSION_START_TIME VALUES (1700000000000000000, '', '');"
       "CREATE TABLE TARGET_INFO_GPU(id INTEGER, name TEXT, smCount INTEGER, totalMemory INTEGER,"
       " computeMajor INTEGER, computeMinor INTEGER, uuid TEXT);"
       "INSERT INTO TARGET_INFO_GPU VALUES (0,'NVIDIA H100',132,85899345920,9,0,'GPU-0');"
       "CREATE TABLE MPI_RANKS(globalTid INTEGER, rank INTEGER);"
    << "INSERT INTO MPI_RANKS VALUES (" << t100 << ",0),(" << t200 << ",1);"
    << "CREATE TABLE ThreadNames(nameId INTEGER, priority INTEGER, globalTid INTEGER);"
    << "INSERT INTO ThreadNames VALUES (7,0," << t100 << ");"
    << "CREATE TABLE CUPTI_ACTIVITY_KIND_RUNTIME(start INTEGER, end INTEGER, eventClass INTEGER,"
       " globalTid INTEGER, correlationId INTEGER, nameId INTEGER, returnValue INTEGER);"
    << "INSERT INTO CUPTI_ACTIVITY_KIND_RUNTIME VALUES"
    << "(1000,1500,0," << t100 << ",1,1,0),(2000,2600,0," << t100 << ",2,1,0),"
    << "(3000,9000,0," << t100 << ",3,2,0),(3100,3200,1," << t100 << ",4,8,0),"
    << "(9500,9600,0," << t100 << ",5,9,0),"
    << "(1000,1400,0," << t200 << ",1,1,0);"
    << "CREATE TABLE CUPTI_ACTIVITY_KIND_KERNEL(start INTEGER, end INTEGER, deviceId INTEGER,"
       " contextId INTEGER, streamId INTEGER, correlationId INTEGER, globalPid INTEGER,"
       " demangledName INTEGER, shortName INTEGER, gridX INTEGER, gridY INTEGER, gridZ INTEGER,"
       " blockX INTEGER, blockY INTEGER, blockZ INTEGER, registersPerThread INTEGER,"
       " staticSharedMemory INTEGER, dynamicSharedMemory INTEGER);"
    << "INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL VALUES"
    << "(1600,2500,0,1,7,1,"<< p100 << ",3,3,128,1,1,256,1,1,64,1024,0),"
    << "(2700,2900,0,1,7,2," << p100 << ",4,4,64,1,1,128,1,1,32,0,0),"
    << "(1500,1800,0,1,7,1," << p200 << ",3,3,128,1,1,256,1,1,64,1024,0);"
    << "CREATE TABLE CUPTI_ACTIVITY_KIND_MEMCPY(start INTEGER, end INTEGER, deviceId INTEGER,"
       " contextId INTEGER, streamId INTEGER, correlationId INTEGER, globalPid INTEGER, bytes INTEGER,"
       " copyKind INTEGER, srcKind INTEGER, dstKind INTEGER);"
    << "INSERT INTO CUPTI_ACTIVITY_KIND_MEMCPY VALUES (3500,8800,0,1,7,3," << p100 << ",4096,2,2,0);"
    << "CREATE TABLE CUPTI_ACTIVITY_KIND_MEMSET(start INTEGER, end INTEGER, deviceId INTEGER,"
       " contextId INTEGER, streamId INTEGER, correlationId INTEGER, globalPid INTEGER, value INTEGER,"
       " bytes INTEGER, memKind INTEGER);"
    << "INSERT INTO CUPTI_ACTIVITY_KIND_MEMSET VALUES (9700,9800,0,1,7,5," << p100 << ",0,512,2);"
    << "CREATE TABLE CUPTI_ACTIVITY_KIND_SYNCHRONIZATION(start INTEGER, end INTEGER, deviceId INTEGER,"
       " contextId INTEGER, streamId INTEGER, correlationId INTEGER, globalPid INTEGER,"
       " syncType INTEGER, eventId INTEGER);"
    << "INSERT INTO CUPTI_ACTIVITY_KIND_SYNCHRONIZATION VALUES"
    << "(9000,9400,0,1,4294967295,6," << p100 << ",4,4294967295);"
    << "CREATE TABLE NVTX_EVENTS(start INTEGER, end INTEGER, eventType INTEGER, rangeId INTEGER,"
       " category INTEGER, color INTEGER, text TEXT, globalTid INTEGER, endGlobalTid INTEGER,"
       " textId INTEGER, domainId INTEGER, int64Value INTEGER);"
    << "INSERT INTO NVTX_EVENTS VALUES"
    << "(500,9900,59,NULL,NULL,NULL,NULL," << t100 << ",NULL,5,0,NULL),"
    << "(900,3000,59,NULL,NULL,NULL,'attention'," << t100 << ",NULL,NULL,0,NULL),"
    << "(950,2000,59,NULL,NULL,NULL,NULL," << t100 << ",NULL,6,0,NULL),"
    << "(4000,NULL,34,NULL,NULL,NULL,'tick'," << t100 << ",NULL,NULL,0,42);"
    << extra_sql;
  if (!SqlExec(path, s.str())) return "";
  return path;
}

}  // namespace moeprof::importer_testing

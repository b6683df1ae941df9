// Nsight Systems import benchmark (prints figures; not a test). For each nsys SQLite export given
// (default: ../shared/data/traces/nsys/*.sqlite) and for synthetic exports of N kernel launches
// (--synthetic N, repeatable; each launch = 1 runtime call + 1 kernel, plus one D2H memcpy, one
// sync and one NVTX range per 10 launches), imports it into a fresh directory in a child
// process, best of --runs (default 3), and prints wall time, records/s and the child's peak RSS.
//   bench_nsys_import [--runs N] [--synthetic N]... [FILE...]
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "moeprof/analyzer/importers.h"

namespace fs = std::filesystem;

namespace {

bool Exec(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

// Writes a synthetic export shaped like nsys's (same tables and columns that matter).
bool MakeSynthetic(const std::string& path, int64_t launches) {
  fs::remove(path);
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return false;
  bool ok = Exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;"
      "CREATE TABLE StringIds(id INTEGER PRIMARY KEY, value TEXT NOT NULL);"
      "INSERT INTO StringIds VALUES (1,'cudaLaunchKernel_v7000'),(2,'cudaMemcpy_v3020'),"
      "(3,'void gemm_kernel<128, 64>(float const*, float*)'),(4,'elementwise_kernel'),(5,'step');"
      "CREATE TABLE TARGET_INFO_SESSION_START_TIME(utcEpochNs INTEGER);"
      "INSERT INTO TARGET_INFO_SESSION_START_TIME VALUES (1700000000000000000);"
      "CREATE TABLE CUPTI_ACTIVITY_KIND_RUNTIME(start INTEGER NOT NULL, end INTEGER NOT NULL,"
      " eventClass INTEGER NOT NULL, globalTid INTEGER, correlationId INTEGER, nameId INTEGER NOT NULL,"
      " returnValue INTEGER NOT NULL, callchainId INTEGER);"
      "CREATE TABLE CUPTI_ACTIVITY_KIND_KERNEL(start INTEGER NOT NULL, end INTEGER NOT NULL,"
      " deviceId INTEGER NOT NULL, contextId INTEGER NOT NULL, greenContextId INTEGER, streamId INTEGER NOT NULL,"
      " correlationId INTEGER, globalPid INTEGER, demangledName INTEGER NOT NULL, shortName INTEGER NOT NULL,"
      " mangledName INTEGER, launchType INTEGER, cacheConfig INTEGER, registersPerThread INTEGER NOT NULL,"
      " gridX INTEGER NOT NULL, gridY INTEGER NOT NULL, gridZ INTEGER NOT NULL, blockX INTEGER NOT NULL,"
      " blockY INTEGER NOT NULL, blockZ INTEGER NOT NULL, staticSharedMemory INTEGER NOT NULL,"
      " dynamicSharedMemory INTEGER NOT NULL, localMemoryPerThread INTEGER NOT NULL,"
      " localMemoryTotal INTEGER NOT NULL, gridId INTEGER NOT NULL, sharedMemoryExecuted INTEGER,"
      " graphNodeId INTEGER, sharedMemoryLimitConfig INTEGER);"
      "CREATE TABLE CUPTI_ACTIVITY_KIND_MEMCPY(start INTEGER NOT NULL, end INTEGER NOT NULL, deviceId INTEGER,"
      " contextId INTEGER, streamId INTEGER, correlationId INTEGER, globalPid INTEGER, bytes INTEGER,"
      " copyKind INTEGER, srcKind INTEGER, dstKind INTEGER);"
      "CREATE TABLE CUPTI_ACTIVITY_KIND_SYNCHRONIZATION(start INTEGER NOT NULL, end INTEGER NOT NULL,"
      " deviceId INTEGER, contextId INTEGER, streamId INTEGER, correlationId INTEGER, globalPid INTEGER,"
      " syncType INTEGER, eventId INTEGER);"
      "CREATE TABLE NVTX_EVENTS(start INTEGER NOT NULL, end INTEGER, eventType INTEGER NOT NULL,"
      " text TEXT, globalTid INTEGER, textId INTEGER, domainId INTEGER);");
  const int64_t gtid = (4242LL << 24) | 4242, gpid = 4242LL << 24;
  sqlite3_stmt *rt = nullptr, *k = nullptr, *m = nullptr, *s = nullptr, *n = nullptr;
  ok = ok && sqlite3_prepare_v2(db, "INSERT INTO CUPTI_ACTIVITY_KIND_RUNTIME VALUES (?,?,0,?,?,?,0,NULL)", -1, &rt, nullptr) == SQLITE_OK;
  ok = ok && sqlite3_prepare_v2(db, "INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL VALUES (?,?,0,1,NULL,?,?,?,?,?,NULL,1,0,32,?,1,1,256,1,1,0,0,0,0,?,0,NULL,0)", -1, &k, nullptr) == SQLITE_OK;
  ok = ok && sqlite3_prepare_v2(db, "INSERT INTO CUPTI_ACTIVITY_KIND_MEMCPY VALUES (?,?,0,1,7,?,?,4096,2,2,0)", -1, &m, nullptr) == SQLITE_OK;
  ok = ok && sqlite3_prepare_v2(db, "INSERT INTO CUPTI_ACTIVITY_KIND_SYNCHRONIZATION VALUES (?,?,0,1,4294967295,?,?,4,4294967295)", -1, &s, nullptr) == SQLITE_OK;
  ok = ok && sqlite3_prepare_v2(db, "INSERT INTO NVTX_EVENTS VALUES (?,?,59,NULL,?,5,0)", -1, &n, nullptr) == SQLITE_OK;
  int64_t corr = 1;
  for (int64_t i = 0; ok && i < launches; ++i) {
    const int64_t t = 1000 + i * 5000;
    auto run = [&](sqlite3_stmt* st) { ok = ok && sqlite3_step(st) == SQLITE_DONE; sqlite3_reset(st); };
    sqlite3_bind_int64(rt, 1, t); sqlite3_bind_int64(rt, 2, t + 1500); sqlite3_bind_int64(rt, 3, gtid);
    sqlite3_bind_int64(rt, 4, corr); sqlite3_bind_int64(rt, 5, 1); run(rt);
    sqlite3_bind_int64(k, 1, t + 2000); sqlite3_bind_int64(k, 2, t + 4500); sqlite3_bind_int64(k, 3, 7 + i % 4);
    sqlite3_bind_int64(k, 4, corr); sqlite3_bind_int64(k, 5, gpid); sqlite3_bind_int64(k, 6, 3 + i % 2);
    sqlite3_bind_int64(k, 7, 3 + i % 2); sqlite3_bind_int64(k, 8, 64 + i % 7); sqlite3_bind_int64(k, 9, i); run(k);
    ++corr;
    if (i % 10 == 9) {
      sqlite3_bind_int64(rt, 1, t + 1600); sqlite3_bind_int64(rt, 2, t + 4900); sqlite3_bind_int64(rt, 3, gtid);
      sqlite3_bind_int64(rt, 4, corr); sqlite3_bind_int64(rt, 5, 2); run(rt);
      sqlite3_bind_int64(m, 1, t + 4600); sqlite3_bind_int64(m, 2, t + 4800); sqlite3_bind_int64(m, 3, corr);
      sqlite3_bind_int64(m, 4, gpid); run(m);
      sqlite3_bind_int64(s, 1, t + 1700); sqlite3_bind_int64(s, 2, t + 4550); sqlite3_bind_int64(s, 3, corr);
      sqlite3_bind_int64(s, 4, gpid); run(s);
      sqlite3_bind_int64(n, 1, t - 100); sqlite3_bind_int64(n, 2, t + 4990); sqlite3_bind_int64(n, 3, gtid); run(n);
      ++corr;
    }
  }
  for (sqlite3_stmt* st : {rt, k, m, s, n}) sqlite3_finalize(st);
  ok = ok && Exec(db, "COMMIT;");
  sqlite3_close(db);
  return ok;
}

struct Result {
  double seconds = 0;
  long peak_rss_kb = 0;
  int64_t records = 0;
  bool ok = false;
};

// Imports in a child (so peak RSS is the import's own); the child reports records via a pipe.
Result RunOnce(const std::string& src, const std::string& out_dir) {
  Result r;
  fs::remove_all(out_dir);
  int fds[2];
  if (pipe(fds) != 0) return r;
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    auto sink = moeprof::analyzer::FileTraceSink::ToDirectory(out_dir, true);
    moeprof::analyzer::ImportStats stats;
    moeprof::Status st = moeprof::analyzer::ImportNsys(src, *sink, moeprof::analyzer::ImportOptions{}, stats);
    std::vector<std::string> outputs;
    moeprof::Status closed = sink->CloseAll(outputs);
    if (!st.ok() || !closed.ok()) {
      std::fprintf(stderr, "%s\n", (st.ok() ? closed : st).message().c_str());
      _exit(1);
    }
    const int64_t n = stats.records_read;
    (void)!write(fds[1], &n, sizeof(n));
    _exit(0);
  }
  close(fds[1]);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.peak_rss_kb = ru.ru_maxrss;
  r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && read(fds[0], &r.records, sizeof(r.records)) == sizeof(r.records);
  close(fds[0]);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 3;
  std::vector<std::string> files;
  std::vector<int64_t> synthetic;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--synthetic") && i + 1 < argc) {
      synthetic.push_back(std::atoll(argv[++i]));
    } else {
      files.emplace_back(argv[i]);
    }
  }
  const std::string tmp = (fs::temp_directory_path() / ("bench_nsys_" + std::to_string(getpid()))).string();
  fs::create_directories(tmp);
  if (files.empty() && synthetic.empty()) {
    const fs::path shared = fs::path(MOEPROF_SOURCE_DIR) / ".." / "shared" / "data" / "traces" / "nsys";
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(shared, ec)) {
      if (e.path().extension() == ".sqlite") files.push_back(e.path().string());
    }
    synthetic = {100000, 1000000};
  }
  for (int64_t n : synthetic) {
    const std::string path = tmp + "/synthetic_" + std::to_string(n) + ".sqlite";
    if (!MakeSynthetic(path, n)) {
      std::fprintf(stderr, "cannot write %s\n", path.c_str());
      return 1;
    }
    files.push_back(path);
  }
  std::printf("%-44s %10s %12s %9s %12s %10s\n", "file", "MiB", "records", "best s", "records/s", "peak MiB");
  for (const std::string& f : files) {
    Result best;
    for (int i = 0; i < runs; ++i) {
      Result r = RunOnce(f, tmp + "/out");
      if (!r.ok) {
        std::fprintf(stderr, "%s: import failed\n", f.c_str());
        break;
      }
      if (!best.ok || r.seconds < best.seconds) best = r;
    }
    if (!best.ok) continue;
    std::error_code ec;
    const double mib = static_cast<double>(fs::file_size(f, ec)) / (1 << 20);
    std::printf("%-44s %10.1f %12lld %9.3f %12.0f %10.1f\n", fs::path(f).filename().string().c_str(), mib,
                static_cast<long long>(best.records), best.seconds, best.records / best.seconds,
                best.peak_rss_kb / 1024.0);
  }
  fs::remove_all(tmp);
  return 0;
}

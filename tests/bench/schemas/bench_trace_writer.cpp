// Benchmark: kernel rows/s and on-disk bytes per kernel row through TraceWriter, against the naive
// baseline from issue 2 (one prepared INSERT per row of plain columns, absolute times, every launch
// field its own column, rowid table + (stream, start) index), plus TraceReader load speed.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "moeprof/schemas/trace_reader.h"
#include "moeprof/schemas/trace_writer.h"

namespace {

using namespace moeprof::schemas;
namespace fs = std::filesystem;

constexpr int64_t kOrigin = 1'750'000'000'000'000'000;  // a CLOCK_REALTIME-like absolute origin

struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int64_t Uniform(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Next() % uint64_t(hi - lo + 1)); }
};

// What a realistic training trace looks like to the writer: 8 streams, each advancing 2-60 us per
// kernel, ~100 distinct kernel names, ~20 launch configurations, increasing correlation ids.
struct GenKernel {
  int64_t stream, start, dur, correlation;
  int name, config;
};

std::vector<GenKernel> Generate(int64_t n) {
  Rng rng{42};
  std::vector<GenKernel> out;
  out.reserve(static_cast<size_t>(n));
  int64_t clock[8] = {};
  for (int s = 0; s < 8; ++s) clock[s] = 1'000'000 + rng.Uniform(0, 50'000);
  for (int64_t i = 0; i < n; ++i) {
    const int s = static_cast<int>(rng.Uniform(0, 7));
    const int64_t step = rng.Uniform(2'000, 60'000);
    const int64_t dur = step - rng.Uniform(500, 1'500);
    out.push_back({s + 1, clock[s], dur, 1000 + i, static_cast<int>(rng.Uniform(0, 99)),
                   static_cast<int>(rng.Uniform(0, 19))});
    clock[s] += step;
  }
  return out;
}

LaunchConfig ConfigFor(int c) {
  LaunchConfig lc;
  lc.grid_x = 128 * (c + 1);
  lc.grid_y = 1 + c % 3;
  lc.grid_z = 1;
  lc.block_x = 128 << (c % 3);
  lc.block_y = 1;
  lc.block_z = 1;
  lc.cluster_x = c % 4 == 0 ? 2 : 1;
  lc.cluster_y = lc.cluster_z = 1;
  lc.registers = 32 + 8 * (c % 8);
  lc.static_smem = 1024 * (c % 5);
  lc.dynamic_smem = 16384 * (c % 4);
  lc.local_mem = 0;
  return lc;
}

std::string KernelName(int i) {
  return "void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<float>, "
         "at::detail::Array<char*, 1> >(int, at::native::FillFunctor<float>, variant_" +
         std::to_string(i) + ")";
}

std::string TempPath(const char* tag) {
  return (fs::temp_directory_path() / (std::string("moeprof-bench-") + tag + "-" +
                                       std::to_string(getpid()) + ".db"))
      .string();
}

int64_t WriteWithTraceWriter(const std::string& path, const std::vector<GenKernel>& rows) {
  WriterOptions opt;
  opt.overwrite = true;
  opt.origin_ns = kOrigin;
  auto w = TraceWriter::Create(path, opt);
  if (!w.ok()) {
    std::fprintf(stderr, "%s\n", w.status().message().c_str());
    return -1;
  }
  StringId names[100];
  int64_t configs[20];
  for (int i = 0; i < 100; ++i) names[i] = (*w)->Intern(KernelName(i));
  for (int i = 0; i < 20; ++i) configs[i] = (*w)->InternLaunchConfig(ConfigFor(i));
  for (int s = 1; s <= 8; ++s) {
    StreamRow sr;
    sr.id = s;
    sr.device = 1;
    sr.native_id = 7 + s;
    (*w)->AddStream(sr);
  }
  KernelRow k;
  for (const GenKernel& g : rows) {
    k.stream = g.stream;
    k.start = g.start;
    k.dur = g.dur;
    k.correlation = g.correlation;
    k.name = names[g.name];
    k.config = configs[g.config];
    (*w)->AddKernel(k);
  }
  const auto st = (*w)->Close();
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.message().c_str());
    return -1;
  }
  return static_cast<int64_t>(fs::file_size(path));
}

bool Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "baseline: %s\n", err ? err : "?");
    sqlite3_free(err);
    return false;
  }
  return true;
}

// The naive baseline, same durability settings (WAL, synchronous=NORMAL) and batch size.
int64_t WriteNaive(const std::string& path, const std::vector<GenKernel>& rows) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return -1;
  bool ok = Exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                 "CREATE TABLE kernel(id INTEGER PRIMARY KEY, stream INTEGER, start INTEGER, "
                 "end INTEGER, correlation INTEGER, name INTEGER, grid_x INTEGER, grid_y INTEGER, "
                 "grid_z INTEGER, block_x INTEGER, block_y INTEGER, block_z INTEGER, "
                 "cluster_x INTEGER, cluster_y INTEGER, cluster_z INTEGER, registers INTEGER, "
                 "static_smem INTEGER, dynamic_smem INTEGER, local_mem INTEGER, graph INTEGER, "
                 "graph_node INTEGER, flags INTEGER);"
                 "CREATE INDEX kernel_stream_start ON kernel(stream, start);");
  sqlite3_stmt* ins = nullptr;
  ok = ok && sqlite3_prepare_v2(db,
                                "INSERT INTO kernel VALUES(NULL,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                                "?,?,?,?,?)",
                                -1, &ins, nullptr) == SQLITE_OK;
  LaunchConfig cfg[20];
  for (int i = 0; i < 20; ++i) cfg[i] = ConfigFor(i);
  size_t i = 0;
  while (ok && i < rows.size()) {
    ok = Exec(db, "BEGIN");
    for (size_t end = std::min(rows.size(), i + (1u << 16)); ok && i < end; ++i) {
      const GenKernel& g = rows[i];
      const LaunchConfig& c = cfg[g.config];
      const int64_t v[] = {g.stream,    kOrigin + g.start, kOrigin + g.start + g.dur,
                           g.correlation, g.name + 1,      c.grid_x,
                           c.grid_y,    c.grid_z,          c.block_x,
                           c.block_y,   c.block_z,         c.cluster_x,
                           c.cluster_y, c.cluster_z,       c.registers,
                           c.static_smem, c.dynamic_smem,  c.local_mem,
                           0,           0,                 0};
      for (int j = 0; j < 21; ++j) sqlite3_bind_int64(ins, j + 1, v[j]);
      ok = sqlite3_step(ins) == SQLITE_DONE;
      sqlite3_reset(ins);
    }
    ok = ok && Exec(db, "COMMIT");
  }
  sqlite3_finalize(ins);
  ok = ok && Exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close(db);
  return ok ? static_cast<int64_t>(fs::file_size(path)) : -1;
}

template <typename Fn>
void RunWrite(benchmark::State& state, const char* tag, Fn write) {
  const auto rows = Generate(state.range(0));
  const std::string path = TempPath(tag);
  int64_t bytes = 0;
  for (auto _ : state) {
    bytes = write(path, rows);
    if (bytes < 0) {
      state.SkipWithError("write failed");
      break;
    }
  }
  const double n = static_cast<double>(rows.size());
  state.counters["rows/s"] =
      benchmark::Counter(n * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["B/row"] = static_cast<double>(bytes) / n;
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
}

void BM_TraceWriterKernels(benchmark::State& state) {
  RunWrite(state, "writer", WriteWithTraceWriter);
}
void BM_NaiveBaselineKernels(benchmark::State& state) { RunWrite(state, "naive", WriteNaive); }

void BM_TraceReaderLoadKernels(benchmark::State& state) {
  const std::string path = TempPath("load");
  if (WriteWithTraceWriter(path, Generate(state.range(0))) < 0) {
    state.SkipWithError("write failed");
    return;
  }
  size_t loaded = 0;
  for (auto _ : state) {
    auto r = TraceReader::Open(path);
    if (!r.ok()) {
      state.SkipWithError(r.status().message().c_str());
      break;
    }
    auto t = (*r)->LoadAll();
    if (!t.ok()) {
      state.SkipWithError(t.status().message().c_str());
      break;
    }
    loaded = t->kernels.size();
    benchmark::DoNotOptimize(t->kernels.start.data());
  }
  state.counters["rows/s"] = benchmark::Counter(
      static_cast<double>(loaded) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
  fs::remove(path);
}

BENCHMARK(BM_NaiveBaselineKernels)->Arg(2'000'000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_TraceWriterKernels)->Arg(2'000'000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_TraceReaderLoadKernels)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

// Both writers run under the same SQLite configuration: TraceWriter turns memory statistics off
// when it is the first SQLite user in a process (as in the collector), so do that for everyone.
int main(int argc, char** argv) {
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

// Writes the sample trace used by the analyzer tests (see sample_trace.h).
#include "sample_trace.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "moeprof/schemas/trace_writer.h"

namespace moeprof::testing {

void WriteSampleTrace(const std::string& path, const SampleTraceSpec& spec) {
  schemas::WriterOptions options;
  options.overwrite = true;
  options.origin_ns = 1'700'000'000'000'000'000;  // 2023-11-14 22:13:20 UTC
  auto created = schemas::TraceWriter::Create(path, options);
  ASSERT_TRUE(created.ok()) << created.status().message();
  schemas::TraceWriter& w = **created;

  ASSERT_TRUE(w.SetMeta("backend", "cuda").ok());
  ASSERT_TRUE(w.SetMeta("cuda_version", "13.0").ok());
  ASSERT_TRUE(w.SetMeta("cupti_version", "13.0.1").ok());
  ASSERT_TRUE(w.SetMeta("driver_version", "580.65.06").ok());

  schemas::ProcessRow process;
  process.pid = spec.pid;
  process.host = spec.host;
  process.rank = spec.rank;
  process.local_rank = spec.local_rank;
  process.world_size = spec.world_size;
  const int64_t process_id = w.AddProcess(process);
  schemas::ThreadRow thread;
  thread.process = process_id;
  thread.tid = spec.pid;
  const int64_t thread_id = w.AddThread(thread);

  schemas::DeviceRow device;
  device.process = process_id;
  device.ordinal = 0;
  device.name = "NVIDIA H100 80GB HBM3";
  device.sm_count = 132;
  device.cc_major = 9;
  device.cc_minor = 0;
  device.memory_bytes = 85'520'809'984;  // 79.6 GiB
  const int64_t device_id = w.AddDevice(device);
  schemas::StreamRow stream;
  stream.device = device_id;
  stream.native_id = 7;
  stream.role = "compute";
  const int64_t stream_id = w.AddStream(stream);

  schemas::LaunchConfig config;
  config.grid_x = 132;
  config.grid_y = config.grid_z = 1;
  config.block_x = 256;
  config.block_y = config.block_z = 1;
  config.cluster_x = config.cluster_y = config.cluster_z = 1;
  const int64_t config_id = w.InternLaunchConfig(config);
  const schemas::StringId launch = w.Intern("cudaLaunchKernel");
  const schemas::StringId gemm = w.Intern("sm90_xmma_gemm_bf16bf16_bf16f32");

  // API calls start at 500 ns: the earliest event of the trace.
  for (int i = 0; i < spec.kernels; ++i) {
    schemas::ApiRow api;
    api.correlation = i + 1;
    api.thread = thread_id;
    api.start = 500 + i * 2000;
    api.dur = 300;
    api.name = launch;
    w.AddApi(api);
    schemas::KernelRow k;
    k.stream = stream_id;
    k.start = 1000 + i * 2000;
    k.dur = 1500;
    k.correlation = i + 1;
    k.name = gemm;
    k.config = config_id;
    w.AddKernel(k);
  }
  // The memcpy ends last, at 250 µs.
  schemas::MemcpyRow copy;
  copy.stream = stream_id;
  copy.start = 200'000;
  copy.dur = 50'000;
  copy.correlation = 1000;
  copy.bytes = 1 << 20;
  copy.copy_kind = 2;
  copy.src_kind = 3;
  copy.dst_kind = 1;
  w.AddMemcpy(copy);
  schemas::NvtxRow range;
  range.thread = thread_id;
  range.text = w.Intern("step 0");
  range.start = 800;
  range.dur = 100'000;
  w.AddNvtx(range);

  schemas::DropRow drop;
  drop.source = "cupti";
  drop.reason = "buffer_full";
  drop.stream = 1;
  drop.count = 7;
  w.AddDrop(drop);
  drop.stream = 2;
  drop.count = 5;
  w.AddDrop(drop);
  drop.source = "nvtx";
  drop.reason = "queue_full";
  drop.stream.reset();
  drop.count = 2;
  w.AddDrop(drop);

  const Status closed = w.Close();
  ASSERT_TRUE(closed.ok()) << closed.message();
}

namespace {

std::vector<std::filesystem::path>& CreatedDirs() {
  static std::vector<std::filesystem::path> dirs;
  return dirs;
}

// Removes every directory MakeTempDir created when the test program exits, so test runs do not
// pile up traces in the temp dir.
void RemoveCreatedDirs() {
  for (const auto& dir : CreatedDirs()) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
}

}  // namespace

std::string MakeTempDir(const std::string& stem) {
  static std::atomic<int> counter{0};
  // The list is constructed before the exit handler is registered, so it is destroyed after the
  // handler has run.
  static const bool registered = (CreatedDirs(), std::atexit(RemoveCreatedDirs), true);
  (void)registered;
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) /
      ("moeprof_" + stem + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  CreatedDirs().push_back(dir);
  return dir.string();
}

void SetUserVersion(const std::string& path, int version) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const std::string sql = "PRAGMA user_version = " + std::to_string(version);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  const std::string message = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  ASSERT_TRUE(out.good()) << path;
}

}  // namespace moeprof::testing

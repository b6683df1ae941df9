// Test helper: writes a small but complete trace with known contents through TraceWriter, so
// tests can check exactly what `info` and the summary report about it.
#pragma once

#include <cstdint>
#include <string>

namespace moeprof::testing {

struct SampleTraceSpec {
  int64_t rank = 3;
  int64_t local_rank = 1;
  int64_t world_size = 8;
  int64_t pid = 4242;
  std::string host = "node07";
  int kernels = 5;  // kernel i runs on stream 1 at 1000 + i*2000 ns for 1500 ns
};

// Known figures of the sample (see sample_trace.cpp for where each comes from).
struct SampleTraceFacts {
  static constexpr int64_t kSpanStart = 500;     // the first API call
  static constexpr int64_t kMemcpyEnd = 250'000;  // the memcpy, the last event to end
  static constexpr int64_t kDropsCuptiBuffer = 7 + 5;  // two rows, different streams
  static constexpr int64_t kDropsNvtx = 2;
};

// Creates `path` (overwriting it). Aborts the test on any writer error.
void WriteSampleTrace(const std::string& path, const SampleTraceSpec& spec = {});

// A unique empty directory under the test temp dir.
std::string MakeTempDir(const std::string& stem);

// Sets PRAGMA user_version on an existing SQLite file.
void SetUserVersion(const std::string& path, int version);

// Writes `contents` to `path`.
void WriteFile(const std::string& path, const std::string& contents);

}  // namespace moeprof::testing

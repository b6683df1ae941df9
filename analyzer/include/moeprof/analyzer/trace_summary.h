// TraceSummary: what `moeprof info` reports about one trace file — format version, tool and CUDA
// versions, backend, processes (rank/world/host), devices, time span, rows per table and drops.
// Computed with SQL aggregates and the reader's metadata so it stays fast on 10 M-event traces.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "moeprof/schemas/migrations.h"
#include "moeprof/schemas/status.h"

namespace moeprof::analyzer {

struct ProcessInfo {
  int64_t pid = 0;
  std::string host;
  std::optional<int64_t> rank, local_rank, world_size;
  std::optional<std::string> name;
};

struct DeviceInfo {
  int64_t ordinal = 0;
  std::string name;
  std::optional<int64_t> sm_count, memory_bytes, cc_major, cc_minor;
};

struct DropTotal {
  std::string source;  // cupti, nvtx, nccl, import, writer
  std::string reason;
  int64_t count = 0;  // summed over contexts/streams
};

// First start to last end over kernel, memcpy, memset, api and nvtx rows, in trace nanoseconds
// (relative to meta 'origin_ns').
struct TimeSpan {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t duration_ns() const { return end_ns - start_ns; }
};

struct TraceSummary {
  std::string path;
  int format_version = 0;              // the version the data was read at (current after migration)
  std::optional<int> migrated_from;    // the file's own version when a migrated copy was read
  std::map<std::string, std::string> meta;  // every meta key/value, as stored

  // Well-known meta values (nullopt when the trace does not record them).
  std::optional<std::string> schema, tool, tool_version, cuda_version, cupti_version,
      driver_version, backend, device_model, clock;
  std::optional<int64_t> origin_ns;

  // Identity of the process that wrote the trace: the first process row, else meta keys.
  std::optional<std::string> host;
  std::optional<int64_t> pid, rank, local_rank, world_size;

  std::vector<ProcessInfo> processes;
  std::vector<DeviceInfo> devices;
  std::optional<TimeSpan> span;  // nullopt when the trace holds no timed rows
  std::map<std::string, int64_t> row_counts;
  std::vector<DropTotal> drops;  // sorted by source, reason
  int64_t drops_total = 0;
};

struct SummaryOptions {
  // Read an older-format file through a migrated temporary copy (the file stays untouched).
  bool migrate_older = true;
  // Tests only: the migration list the reader uses instead of the built-in one (see
  // schemas::ReaderOptions::migrations). Not owned.
  const std::vector<schemas::Migration>* migrations = nullptr;
};

// Errors come from the trace reader (they name the file) or from the aggregate queries.
Expected<TraceSummary> SummarizeTrace(const std::string& path, const SummaryOptions& options = {});

}  // namespace moeprof::analyzer

// TraceReader: opens a trace read-only (no extension loading), checks its format version, and
// loads tables into columnar in-memory arrays (for the analyzer's interval sweeps) or streams them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "moeprof/schemas/migrations.h"
#include "moeprof/schemas/rows.h"
#include "moeprof/schemas/status.h"

namespace moeprof::schemas {

struct ReaderOptions {
  // An older-format file is refused (kVersionTooOld) unless one of these is set.
  bool migrate_in_place = false;  // upgrade the file itself
  bool migrate_copy = false;      // upgrade a temporary copy and read that; the file is untouched
  // Tests only: migrate with this list instead of BuiltinMigrations(); its last version counts as
  // "current" for the version checks. Not owned; must outlive Open().
  const std::vector<Migration>* migrations = nullptr;
};

// Columnar GPU-activity tables, each sorted by (stream, start) as stored.
struct KernelColumns {
  std::vector<int32_t> stream;
  std::vector<int64_t> start, dur;
  std::vector<int64_t> correlation;
  std::vector<int64_t> graph_node, graph;
  std::vector<int32_t> name;    // StringId
  std::vector<int32_t> config;  // launch_config id
  std::vector<int32_t> flags;
  size_t size() const { return start.size(); }
};

struct ApiColumns {  // sorted by correlation
  std::vector<int64_t> correlation;
  std::vector<int32_t> thread;
  std::vector<int64_t> start, dur;
  std::vector<int8_t> domain;
  std::vector<int32_t> cbid;
  std::vector<int32_t> name;  // StringId
  std::vector<int32_t> status;
  size_t size() const { return start.size(); }
};

// Everything in one trace file, loaded. Small tables as row vectors, large ones columnar.
struct Trace {
  std::string path;
  int format_version = 0;
  int64_t origin_ns = 0;
  std::map<std::string, std::string> meta;
  std::vector<std::string> strings;  // index = StringId; strings[0] = ""
  std::vector<ClockSyncRow> clock_syncs;
  std::vector<ProcessRow> processes;
  std::vector<ThreadRow> threads;
  std::vector<DeviceRow> devices;
  std::vector<StreamRow> streams;
  std::vector<LaunchConfig> launch_configs;
  ApiColumns api;
  KernelColumns kernels;
  std::vector<MemcpyRow> memcpys;
  std::vector<MemsetRow> memsets;
  std::vector<SyncRow> syncs;
  std::vector<CudaEventRow> cuda_events;
  std::vector<ExternalCorrelationRow> external_correlations;
  std::vector<GraphLaunchRow> graph_launches;
  std::vector<NvtxRow> nvtx;
  std::vector<CommunicatorRow> communicators;
  std::vector<CommRow> comms;
  std::vector<CommSplitRow> comm_splits;
  std::vector<RoutingRow> routing;
  std::vector<StepRow> steps;
  std::vector<OverheadRow> overheads;
  std::vector<DropRow> drops;

  const std::string& str(StringId id) const;  // "" for unknown ids
};

class TraceReader {
 public:
  // Errors name the file: not found, not a SQLite database, truncated/corrupt, missing table,
  // "trace format N is newer than this moeprof (M); upgrade moeprof", older without migration.
  static Expected<std::unique_ptr<TraceReader>> Open(const std::string& path,
                                                     const ReaderOptions& options = {});
  ~TraceReader();
  TraceReader(const TraceReader&) = delete;
  TraceReader& operator=(const TraceReader&) = delete;

  const std::string& path() const;
  int format_version() const;
  const std::map<std::string, std::string>& meta() const;

  // Rows per table, by table name.
  Expected<std::map<std::string, int64_t>> RowCounts() const;

  Expected<Trace> LoadAll() const;

  // Streaming: calls `fn` for each row in stored order; stops early (Ok) when fn returns false.
  Status ForEachKernel(const std::function<bool(const KernelRow&)>& fn) const;
  Status ForEachApi(const std::function<bool(const ApiRow&)>& fn) const;

 private:
  TraceReader();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace moeprof::schemas

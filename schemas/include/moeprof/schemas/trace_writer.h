// TraceWriter: the one way to create and fill a trace database. Rows are buffered per table and
// written with prepared statements in batched transactions (WAL); a commit happens at least every
// `commit_interval_ms`, so a killed writer leaves a readable file holding every committed row.
// Not thread-safe: one writer thread owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "moeprof/schemas/rows.h"
#include "moeprof/schemas/status.h"

namespace moeprof::schemas {

struct WriterOptions {
  // Commit buffered rows when this much time has passed since the last commit (checked on Add*).
  int commit_interval_ms = 200;
  // Also commit when this many rows are buffered, bounding memory.
  size_t max_buffered_rows = 1 << 16;
  // Replace an existing file at the path (otherwise opening an existing file is an error).
  bool overwrite = false;
  // Absolute time (ns, on meta 'clock') that row times are relative to; stored as meta 'origin_ns'.
  int64_t origin_ns = 0;
  // Name of the clock the absolute times are on (meta 'clock'), e.g. "CLOCK_REALTIME".
  std::string clock = "CLOCK_REALTIME";
};

// Per-table totals written so far (committed or buffered).
struct WriterCounters {
  int64_t rows = 0;
  int64_t commits = 0;
};

class TraceWriter {
 public:
  static Expected<std::unique_ptr<TraceWriter>> Create(const std::string& path,
                                                       const WriterOptions& options = {});
  ~TraceWriter();  // commits and closes; use Close() to see errors
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  const std::string& path() const;

  // meta key/value; the writer itself sets schema, format_version, origin_ns, clock, tool, tool_version.
  Status SetMeta(std::string_view key, std::string_view value);

  // Interning: the same text / launch configuration always returns the same id.
  StringId Intern(std::string_view text);
  int64_t InternLaunchConfig(const LaunchConfig& config);

  // Dimension rows: when row.id == 0 the writer assigns the next id; returns the id used.
  int64_t AddProcess(const ProcessRow& row);
  int64_t AddThread(const ThreadRow& row);
  int64_t AddDevice(const DeviceRow& row);
  int64_t AddStream(const StreamRow& row);
  int64_t AddCommunicator(const CommunicatorRow& row);
  int64_t AddComm(const CommRow& row);
  int64_t AddStep(const StepRow& row);
  // Updates a stream's name/role after it was added (names can arrive later via NVTX).
  void UpdateStream(const StreamRow& row);
  void UpdateThreadName(int64_t thread_id, std::string_view name);

  // Event rows.
  void AddClockSync(const ClockSyncRow& row);
  void AddApi(const ApiRow& row);
  void AddKernel(const KernelRow& row);
  void AddMemcpy(const MemcpyRow& row);
  void AddMemset(const MemsetRow& row);
  void AddSync(const SyncRow& row);
  void AddCudaEvent(const CudaEventRow& row);
  void AddExternalCorrelation(const ExternalCorrelationRow& row);
  void AddGraphLaunch(const GraphLaunchRow& row);
  void AddNvtx(const NvtxRow& row);
  void AddCommSplit(const CommSplitRow& row);
  void AddRouting(const RoutingRow& row);
  void AddOverhead(const OverheadRow& row);
  // Drops accumulate: the same (source, reason, context, stream) adds to one row's count.
  void AddDrop(const DropRow& row);

  // Commits if the commit interval elapsed or the buffer is full. Cheap; call often.
  Status MaybeCommit();
  // Writes every buffered row and commits now.
  Status Commit();
  // Commits, checkpoints the WAL into the main file and closes. Idempotent.
  Status Close();

  // The first error any Add*/commit hit (writes stop after it), or Ok.
  const Status& error() const;
  int64_t rows_written() const;
  int64_t commits() const;

 private:
  TraceWriter();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace moeprof::schemas

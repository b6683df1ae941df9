// Nsight Systems SQLite export importer (`nsys export --type sqlite`, or `nsys stats` leftovers).
//
// How the nsys model maps onto ours:
//   - One nsys report can hold several processes. Every row carries a globalPid/globalTid
//     (pid = g / 0x1000000 % 0x1000000, tid = g % 0x1000000); each pid becomes its own trace through
//     TraceSink::WriterFor, with the rank from MPI_RANKS and the host from TARGET_INFO_SYSTEM_ENV.
//   - Times are ns since the session start. When TARGET_INFO_SESSION_START_TIME.utcEpochNs exists it
//     becomes meta origin_ns on CLOCK_REALTIME and row times stay as they are; otherwise the earliest
//     start is the origin (clock "nsys-session").
//   - CUPTI_ACTIVITY_KIND_RUNTIME → api (name from StringIds without the `_vNNNN` version suffix,
//     cbid 0 because nsys does not export it, eventClass 1 → driver domain); KERNEL → kernel with its
//     launch configuration; MEMCPY / MEMSET → memcpy / memset (copyKind is CUPTI's enum already; nsys
//     memory kinds 0 pageable, 1 pinned, 2 device, ... 7 unknown are CUPTI's kinds minus one, 7 → 0);
//     SYNCHRONIZATION → sync (syncType is CUPTI's enum; streamId/eventId 0xFFFFFFFF mean none);
//     NVTX_EVENTS 59 push/pop, 60 start/end, 34 mark → nvtx (depth computed per thread, text from
//     text or textId, domains from the eventType 75 domain-create rows, payload from *Value columns);
//     TARGET_INFO_GPU (+ TARGET_INFO_CUDA_DEVICE when present) → device; streams keyed by
//     (deviceId, contextId, streamId); ThreadNames → thread names; PROFILER_OVERHEAD → overhead.
//   - Every table may be missing (nsys creates them lazily) and columns differ between versions, so
//     each query names only the columns PRAGMA table_info reports; an absent column reads as NULL.
//   - A bad row (no start, end before start, no process, a value of the wrong type) is skipped and
//     counted in drops (source "import") and ImportStats::skipped.
// The file is opened read-only with defensive mode on; extensions are never loaded.
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "moeprof/analyzer/importers.h"

namespace moeprof::analyzer {
namespace {

constexpr int64_t kNoId32 = 0xFFFFFFFFLL;

int64_t PidOf(int64_t global_id) { return global_id / 0x1000000 % 0x1000000; }
int64_t TidOf(int64_t global_id) { return global_id % 0x1000000; }

// cudaMemcpy_v3020 → cudaMemcpy; names without a version suffix are kept.
std::string StripVersionSuffix(const std::string& name) {
  const size_t pos = name.rfind("_v");
  if (pos == std::string::npos || pos == 0 || pos + 2 >= name.size()) return name;
  for (size_t i = pos + 2; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return name;
  }
  return name.substr(0, pos);
}

// nsys ENUM_CUDA_MEM_KIND → CUpti_ActivityMemoryKind.
int64_t MemKindToCupti(std::optional<int64_t> k) {
  if (!k || *k < 0 || *k >= 7) return 0;
  return *k + 1;
}

// A statement over one row source; column access by index with NULL awareness.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) { rc_ = sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr); }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  int Step() { return rc_ = sqlite3_step(s_); }
  int rc() const { return rc_; }
  bool Null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  bool IsInt(int c) const { return sqlite3_column_type(s_, c) == SQLITE_INTEGER; }
  int64_t Int(int c) const { return sqlite3_column_int64(s_, c); }
  std::optional<int64_t> OptInt(int c) const {
    const int t = sqlite3_column_type(s_, c);
    if (t == SQLITE_INTEGER) return Int(c);
    if (t == SQLITE_FLOAT) return static_cast<int64_t>(sqlite3_column_double(s_, c));
    return std::nullopt;
  }
  std::optional<double> OptDouble(int c) const {
    const int t = sqlite3_column_type(s_, c);
    if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) return sqlite3_column_double(s_, c);
    return std::nullopt;
  }
  std::optional<std::string> OptText(int c) const {
    if (sqlite3_column_type(s_, c) != SQLITE_TEXT) return std::nullopt;
    const auto* p = sqlite3_column_text(s_, c);
    return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s_, c)));
  }

 private:
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_OK;
};

struct GpuInfo {
  int64_t id = 0;
  std::string name;
  std::optional<std::string> uuid;
  std::optional<int64_t> sm_count, cc_major, cc_minor, memory_bytes, bandwidth, l2, clock_hz;
};

struct Proc {
  int64_t pid = 0;
  schemas::TraceWriter* w = nullptr;
  int64_t process_row = 0;
  std::unordered_map<int64_t, int64_t> threads;           // tid → thread row
  std::map<int64_t, int64_t> devices;                     // CUDA device id → device row
  std::map<std::tuple<int64_t, int64_t, int64_t>, int64_t> streams;  // (dev, ctx, stream) → row
  std::unordered_set<int64_t> async_correlations;         // API calls named *Async
  std::map<std::string, int64_t> skipped;
};

class NsysImporter {
 public:
  NsysImporter(const std::string& path, TraceSink& sink, const ImportOptions& options,
               ImportStats& stats)
      : path_(path), sink_(sink), options_(options), stats_(stats) {}
  ~NsysImporter() { sqlite3_close(db_); }

  Status Run();

 private:
  Status Open();
  Status LoadSchema();
  bool Has(const std::string& table) const { return tables_.count(table) != 0; }
  // The column name when the table has it, else NULL (so one SELECT fits every nsys version).
  std::string Col(const std::string& table, const std::string& column) const;
  Status QueryError(const std::string& table, int rc) const;
  Status LoadStrings();
  Status LoadFacts();
  Status ComputeOrigin();
  Expected<Proc*> ProcFor(int64_t pid);
  int64_t ThreadFor(Proc& p, int64_t global_tid);
  int64_t DeviceFor(Proc& p, int64_t device_id);
  int64_t StreamFor(Proc& p, int64_t device_id, int64_t context_id, int64_t stream_id);
  std::string Str(std::optional<int64_t> id) const;
  void Skip(Proc* p, const std::string& reason);
  void Progress(const char* table, int64_t rows) const;

  // The loop the GPU activity tables (kernel, memcpy, memset, sync) share: selects columns 0-6 =
  // start, end, deviceId, contextId, streamId, correlationId, globalPid, then `extra`; rows
  // without a process or with a bad interval are skipped and counted as `what`; `emit` maps the
  // rest of each row (row_number counts from 1) and may stop the import with an error.
  using GpuRowFn = std::function<Status(const Stmt& s, Proc& p, int64_t row_number)>;
  Status ForEachGpuActivity(const std::string& table, const char* what, const char* progress_label,
                            std::initializer_list<const char*> extra, const GpuRowFn& emit);

  Status ImportRuntime();
  Status ImportKernels();
  Status ImportMemcpy();
  Status ImportMemset();
  Status ImportSync();
  Status ImportNvtx();
  Status ImportOverhead();
  void Finish();

  const std::string& path_;
  TraceSink& sink_;
  const ImportOptions& options_;
  ImportStats& stats_;
  sqlite3* db_ = nullptr;
  std::set<std::string> tables_;
  std::map<std::string, std::set<std::string>> columns_;
  std::unordered_map<int64_t, std::string> strings_;
  std::vector<GpuInfo> gpus_;
  std::map<std::pair<int64_t, int64_t>, int64_t> cuda_to_gpu_;  // (pid, cudaId) → gpu id
  std::map<int64_t, int64_t> ranks_;                            // pid → rank
  std::map<int64_t, std::string> process_names_;
  std::unordered_map<int64_t, int64_t> thread_names_;  // globalTid → StringIds id
  std::map<std::tuple<int64_t, int64_t, int64_t>, int64_t> stream_priority_;
  std::map<std::string, std::string> export_meta_;
  std::string host_;
  std::optional<int64_t> cuda_driver_;
  int64_t origin_ns_ = 0;
  int64_t shift_ = 0;  // subtracted from nsys times
  std::string clock_ = "CLOCK_REALTIME";
  std::map<int64_t, Proc> procs_;
  std::map<std::string, int64_t> global_skipped_;  // rows without a process
  bool show_progress_ = false;
};

Status NsysImporter::Open() {
  const int rc = sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    return Status(ErrorCode::kIo, path_ + ": cannot open: " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)));
  }
  sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  sqlite3_db_config(db_, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  // Bounded memory for sorts (NVTX ordering) and a guard against absurd blobs.
  sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, 64 * 1024 * 1024);
  return Status::Ok();
}

Status NsysImporter::QueryError(const std::string& table, int rc) const {
  const ErrorCode code = (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) ? ErrorCode::kCorrupt : ErrorCode::kIo;
  std::string what = sqlite3_errmsg(db_);
  if (rc == SQLITE_NOTADB) return Status(ErrorCode::kNotATrace, path_ + ": not a SQLite database");
  if (rc == SQLITE_CORRUPT) what = "the SQLite file is damaged or truncated (" + what + ")";
  return Status(code, path_ + ": reading " + table + ": " + what);
}

Status NsysImporter::LoadSchema() {
  {
    Stmt s(db_, "SELECT name FROM sqlite_master WHERE type='table'");
    if (!s.ok()) return QueryError("sqlite_master", s.rc());
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      if (auto name = s.OptText(0)) tables_.insert(*name);
    }
    if (rc != SQLITE_DONE) return QueryError("sqlite_master", rc);
  }
  bool nsys = Has("StringIds") || Has("META_DATA_EXPORT");
  for (const std::string& t : tables_) {
    if (t.rfind("CUPTI_ACTIVITY_KIND_", 0) == 0 || t.rfind("TARGET_INFO_", 0) == 0) nsys = true;
  }
  if (!nsys) {
    return Status(ErrorCode::kNotATrace,
                  path_ + ": SQLite file of another program: not an Nsight Systems export (no StringIds, "
                          "TARGET_INFO_* or CUPTI_ACTIVITY_KIND_* tables)");
  }
  for (const std::string& t : tables_) {
    // Only the tables we read; PRAGMA on each of nsys's ~90 enum tables would be wasted work.
    static const std::set<std::string> kRead = {
        "StringIds", "CUPTI_ACTIVITY_KIND_KERNEL", "CUPTI_ACTIVITY_KIND_RUNTIME",
        "CUPTI_ACTIVITY_KIND_SYNCHRONIZATION", "CUPTI_ACTIVITY_KIND_MEMCPY",
        "CUPTI_ACTIVITY_KIND_MEMSET", "NVTX_EVENTS", "TARGET_INFO_GPU", "TARGET_INFO_CUDA_DEVICE",
        "TARGET_INFO_SESSION_START_TIME", "ThreadNames", "MPI_RANKS", "PROFILER_OVERHEAD",
        "META_DATA_EXPORT", "TARGET_INFO_SYSTEM_ENV", "PROCESSES", "TARGET_INFO_CUDA_STREAM"};
    if (!kRead.count(t)) continue;
    std::string quoted;
    for (char c : t) quoted += (c == '"') ? std::string("\"\"") : std::string(1, c);
    Stmt s(db_, "PRAGMA table_info(\"" + quoted + "\")");
    if (!s.ok()) return QueryError(t, s.rc());
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      if (auto name = s.OptText(1)) columns_[t].insert(*name);
    }
    if (rc != SQLITE_DONE) return QueryError(t, rc);
  }
  return Status::Ok();
}

std::string NsysImporter::Col(const std::string& table, const std::string& column) const {
  auto it = columns_.find(table);
  if (it == columns_.end() || !it->second.count(column)) return "NULL";
  return "\"" + column + "\"";
}

std::string NsysImporter::Str(std::optional<int64_t> id) const {
  if (!id) return {};
  auto it = strings_.find(*id);
  return it == strings_.end() ? std::string() : it->second;
}

void NsysImporter::Skip(Proc* p, const std::string& reason) {
  ++stats_.skipped[reason];
  if (p != nullptr) {
    ++p->skipped[reason];
  } else {
    ++global_skipped_[reason];
  }
}

void NsysImporter::Progress(const char* table, int64_t rows) const {
  if (show_progress_) std::fprintf(stderr, "\rmoeprof: %s: %s: %lld rows\n", path_.c_str(), table,
                                   static_cast<long long>(rows));
}

Status NsysImporter::LoadStrings() {
  if (!Has("StringIds")) return Status::Ok();
  Stmt s(db_, "SELECT " + Col("StringIds", "id") + ", " + Col("StringIds", "value") + " FROM StringIds");
  if (!s.ok()) return QueryError("StringIds", s.rc());
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    auto id = s.OptInt(0);
    auto value = s.OptText(1);
    if (id && value) strings_[*id] = std::move(*value);
  }
  if (rc != SQLITE_DONE) return QueryError("StringIds", rc);
  return Status::Ok();
}

Status NsysImporter::LoadFacts() {
  auto each = [&](const std::string& table, const std::string& sql, auto&& fn) -> Status {
    if (!Has(table)) return Status::Ok();
    Stmt s(db_, sql);
    if (!s.ok()) return QueryError(table, s.rc());
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) fn(s);
    if (rc != SQLITE_DONE) return QueryError(table, rc);
    return Status::Ok();
  };
  const std::string g = "TARGET_INFO_GPU";
  MOEPROF_RETURN_IF_ERROR(each(g,
      "SELECT " + Col(g, "id") + "," + Col(g, "name") + "," + Col(g, "uuid") + "," + Col(g, "smCount") +
          "," + Col(g, "computeMajor") + "," + Col(g, "computeMinor") + "," + Col(g, "totalMemory") +
          "," + Col(g, "memoryBandwidth") + "," + Col(g, "l2CacheSize") + "," + Col(g, "clockRate") +
          " FROM " + g,
      [&](const Stmt& s) {
        GpuInfo gpu;
        gpu.id = s.OptInt(0).value_or(0);
        gpu.name = s.OptText(1).value_or("unknown GPU");
        gpu.uuid = s.OptText(2);
        gpu.sm_count = s.OptInt(3);
        gpu.cc_major = s.OptInt(4);
        gpu.cc_minor = s.OptInt(5);
        gpu.memory_bytes = s.OptInt(6);
        gpu.bandwidth = s.OptInt(7);
        gpu.l2 = s.OptInt(8);
        gpu.clock_hz = s.OptInt(9);
        gpus_.push_back(std::move(gpu));
      }));
  const std::string cd = "TARGET_INFO_CUDA_DEVICE";
  MOEPROF_RETURN_IF_ERROR(each(cd,
      "SELECT " + Col(cd, "pid") + "," + Col(cd, "cudaId") + "," + Col(cd, "gpuId") + " FROM " + cd,
      [&](const Stmt& s) {
        auto pid = s.OptInt(0), cuda = s.OptInt(1), gpu = s.OptInt(2);
        if (pid && cuda && gpu) cuda_to_gpu_[{*pid, *cuda}] = *gpu;
      }));
  MOEPROF_RETURN_IF_ERROR(each("MPI_RANKS",
      "SELECT " + Col("MPI_RANKS", "globalTid") + "," + Col("MPI_RANKS", "rank") + " FROM MPI_RANKS",
      [&](const Stmt& s) {
        auto tid = s.OptInt(0), rank = s.OptInt(1);
        if (tid && rank) ranks_[PidOf(*tid)] = *rank;
      }));
  MOEPROF_RETURN_IF_ERROR(each("PROCESSES",
      "SELECT " + Col("PROCESSES", "pid") + "," + Col("PROCESSES", "name") + " FROM PROCESSES",
      [&](const Stmt& s) {
        auto pid = s.OptInt(0);
        auto name = s.OptText(1);
        if (pid && name) process_names_[*pid] = *name;
      }));
  MOEPROF_RETURN_IF_ERROR(each("ThreadNames",
      "SELECT " + Col("ThreadNames", "globalTid") + "," + Col("ThreadNames", "nameId") + " FROM ThreadNames",
      [&](const Stmt& s) {
        auto tid = s.OptInt(0), name = s.OptInt(1);
        if (tid && name) thread_names_[*tid] = *name;
      }));
  const std::string cs = "TARGET_INFO_CUDA_STREAM";
  MOEPROF_RETURN_IF_ERROR(each(cs,
      "SELECT " + Col(cs, "processId") + "," + Col(cs, "contextId") + "," + Col(cs, "streamId") + "," +
          Col(cs, "priority") + " FROM " + cs,
      [&](const Stmt& s) {
        auto pid = s.OptInt(0), ctx = s.OptInt(1), stream = s.OptInt(2), prio = s.OptInt(3);
        if (pid && ctx && stream && prio) stream_priority_[{*pid, *ctx, *stream}] = *prio;
      }));
  MOEPROF_RETURN_IF_ERROR(each("META_DATA_EXPORT",
      "SELECT " + Col("META_DATA_EXPORT", "name") + "," + Col("META_DATA_EXPORT", "value") +
          " FROM META_DATA_EXPORT",
      [&](const Stmt& s) {
        auto k = s.OptText(0), v = s.OptText(1);
        if (k && v) export_meta_[*k] = *v;
      }));
  const std::string env = "TARGET_INFO_SYSTEM_ENV";
  MOEPROF_RETURN_IF_ERROR(each(env,
      "SELECT " + Col(env, "name") + "," + Col(env, "value") + " FROM " + env +
          " WHERE " + Col(env, "name") + " IN ('Hostname','CudaDriverVersion')",
      [&](const Stmt& s) {
        auto k = s.OptText(0), v = s.OptText(1);
        if (!k || !v) return;
        if (*k == "Hostname") host_ = *v;
        if (*k == "CudaDriverVersion") {
          try {
            cuda_driver_ = std::stoll(*v);
          } catch (...) {
          }
        }
      }));
  return Status::Ok();
}

Status NsysImporter::ComputeOrigin() {
  if (Has("TARGET_INFO_SESSION_START_TIME")) {
    Stmt s(db_, "SELECT " + Col("TARGET_INFO_SESSION_START_TIME", "utcEpochNs") +
                    " FROM TARGET_INFO_SESSION_START_TIME LIMIT 1");
    if (!s.ok()) return QueryError("TARGET_INFO_SESSION_START_TIME", s.rc());
    const int rc = s.Step();
    if (rc == SQLITE_ROW && s.IsInt(0) && s.Int(0) > 0) {
      origin_ns_ = s.Int(0);
      return Status::Ok();
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return QueryError("TARGET_INFO_SESSION_START_TIME", rc);
  }
  // No session start: the earliest event is the origin, on nsys's own session clock.
  std::optional<int64_t> earliest;
  for (const char* t : {"CUPTI_ACTIVITY_KIND_RUNTIME", "CUPTI_ACTIVITY_KIND_KERNEL",
                        "CUPTI_ACTIVITY_KIND_MEMCPY", "CUPTI_ACTIVITY_KIND_MEMSET",
                        "CUPTI_ACTIVITY_KIND_SYNCHRONIZATION", "NVTX_EVENTS"}) {
    if (!Has(t) || Col(t, "start") == "NULL") continue;
    Stmt s(db_, std::string("SELECT MIN(start) FROM ") + t + " WHERE typeof(start)='integer'");
    if (!s.ok()) return QueryError(t, s.rc());
    const int rc = s.Step();
    if (rc == SQLITE_ROW && s.IsInt(0)) earliest = earliest ? std::min(*earliest, s.Int(0)) : s.Int(0);
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE) return QueryError(t, rc);
  }
  shift_ = earliest.value_or(0);
  origin_ns_ = shift_;
  clock_ = "nsys-session";
  return Status::Ok();
}

Expected<Proc*> NsysImporter::ProcFor(int64_t pid) {
  auto it = procs_.find(pid);
  if (it != procs_.end()) return &it->second;
  TraceSink::ProcessKey key;
  key.pid = pid;
  auto r = ranks_.find(pid);
  if (r != ranks_.end()) key.rank = r->second;
  key.host = host_;
  Expected<schemas::TraceWriter*> w = sink_.WriterFor(key, origin_ns_);
  if (!w) return w.status();
  Proc& p = procs_[pid];
  p.pid = pid;
  p.w = *w;
  schemas::ProcessRow row;
  row.pid = pid;
  row.host = host_;
  row.rank = key.rank;
  auto n = process_names_.find(pid);
  if (n != process_names_.end()) row.name = n->second;
  p.process_row = p.w->AddProcess(row);
  return &p;
}

int64_t NsysImporter::ThreadFor(Proc& p, int64_t global_tid) {
  const int64_t tid = TidOf(global_tid);
  auto it = p.threads.find(tid);
  if (it != p.threads.end()) return it->second;
  schemas::ThreadRow row;
  row.process = p.process_row;
  row.tid = tid;
  auto n = thread_names_.find(global_tid);
  if (n != thread_names_.end()) {
    std::string name = Str(n->second);
    if (!name.empty()) row.name = name;
  }
  const int64_t id = p.w->AddThread(row);
  p.threads[tid] = id;
  return id;
}

int64_t NsysImporter::DeviceFor(Proc& p, int64_t device_id) {
  auto it = p.devices.find(device_id);
  if (it != p.devices.end()) return it->second;
  schemas::DeviceRow row;
  row.process = p.process_row;
  row.ordinal = device_id;
  row.name = "unknown GPU";
  int64_t gpu_id = device_id;
  auto m = cuda_to_gpu_.find({p.pid, device_id});
  if (m != cuda_to_gpu_.end()) gpu_id = m->second;
  for (const GpuInfo& g : gpus_) {
    if (g.id != gpu_id) continue;
    row.name = g.name;
    row.uuid = g.uuid;
    row.sm_count = g.sm_count;
    row.cc_major = g.cc_major;
    row.cc_minor = g.cc_minor;
    row.memory_bytes = g.memory_bytes;
    row.memory_bandwidth_bps = g.bandwidth;
    row.l2_bytes = g.l2;
    if (g.clock_hz) row.clock_khz = *g.clock_hz / 1000;
    break;
  }
  const int64_t id = p.w->AddDevice(row);
  p.devices[device_id] = id;
  return id;
}

int64_t NsysImporter::StreamFor(Proc& p, int64_t device_id, int64_t context_id, int64_t stream_id) {
  const auto key = std::make_tuple(device_id, context_id, stream_id);
  auto it = p.streams.find(key);
  if (it != p.streams.end()) return it->second;
  schemas::StreamRow row;
  row.device = DeviceFor(p, device_id);
  row.context = context_id;
  row.native_id = stream_id;
  auto prio = stream_priority_.find({p.pid, context_id, stream_id});
  if (prio != stream_priority_.end()) row.priority = prio->second;
  const int64_t id = p.w->AddStream(row);
  p.streams[key] = id;
  return id;
}

// Common checks for a timed row: start present and integral, end ≥ start. Returns the reason to
// skip, or nullptr when the row is good.
const char* CheckInterval(const Stmt& s, int start_col, int end_col, bool end_optional) {
  if (!s.IsInt(start_col)) return "missing or non-integer start";
  if (s.Null(end_col)) return end_optional ? nullptr : "missing end";
  if (!s.IsInt(end_col)) return "non-integer end";
  if (s.Int(end_col) < s.Int(start_col)) return "end before start";
  return nullptr;
}

Status NsysImporter::ImportRuntime() {
  const std::string t = "CUPTI_ACTIVITY_KIND_RUNTIME";
  if (!Has(t)) return Status::Ok();
  Stmt s(db_, "SELECT " + Col(t, "start") + "," + Col(t, "end") + "," + Col(t, "globalTid") + "," +
                  Col(t, "correlationId") + "," + Col(t, "nameId") + "," + Col(t, "returnValue") + "," +
                  Col(t, "eventClass") + " FROM " + t);
  if (!s.ok()) return QueryError(t, s.rc());
  std::map<schemas::TraceWriter*, std::unordered_map<int64_t, schemas::StringId>> interned;
  int64_t n = 0;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    ++n;
    ++stats_.records_read;
    auto gtid = s.OptInt(2);
    if (!gtid) {
      Skip(nullptr, "runtime call without globalTid");
      continue;
    }
    Expected<Proc*> pe = ProcFor(PidOf(*gtid));
    if (!pe) return pe.status();
    Proc& p = **pe;
    if (const char* bad = CheckInterval(s, 0, 1, false)) {
      Skip(&p, std::string("runtime: ") + bad);
      continue;
    }
    schemas::ApiRow row;
    row.start = s.Int(0) - shift_;
    row.dur = s.Int(1) - s.Int(0);
    row.thread = ThreadFor(p, *gtid);
    row.correlation = s.OptInt(3).value_or(0);
    row.status = s.OptInt(5).value_or(0);
    const int64_t name_id = s.OptInt(4).value_or(-1);
    const std::string name = StripVersionSuffix(Str(name_id));
    auto& cache = interned[p.w];
    auto c = cache.find(name_id);
    row.name = c != cache.end() ? c->second : (cache[name_id] = p.w->Intern(name));
    const auto event_class = s.OptInt(6);
    if (event_class) {
      row.domain = *event_class == 1 ? schemas::ApiDomain::kDriver : schemas::ApiDomain::kRuntime;
    } else {
      row.domain = (name.rfind("cu", 0) == 0 && name.rfind("cuda", 0) != 0) ? schemas::ApiDomain::kDriver
                                                                            : schemas::ApiDomain::kRuntime;
    }
    row.cbid = 0;  // nsys does not export CUPTI callback ids
    if (name.find("Async") != std::string::npos) p.async_correlations.insert(row.correlation);
    p.w->AddApi(row);
    ++stats_.records_written;
    if ((n & 0xFFFF) == 0) MOEPROF_RETURN_IF_ERROR(p.w->MaybeCommit());
  }
  if (rc != SQLITE_DONE) return QueryError(t, rc);
  Progress("runtime", n);
  return Status::Ok();
}

Status NsysImporter::ForEachGpuActivity(const std::string& table, const char* what,
                                        const char* progress_label,
                                        std::initializer_list<const char*> extra, const GpuRowFn& emit) {
  if (!Has(table)) return Status::Ok();
  std::string sql = "SELECT ";
  for (const char* c : {"start", "end", "deviceId", "contextId", "streamId", "correlationId", "globalPid"}) {
    sql += Col(table, c) + ",";
  }
  for (const char* c : extra) sql += Col(table, c) + ",";
  sql.pop_back();
  Stmt s(db_, sql + " FROM " + table);
  if (!s.ok()) return QueryError(table, s.rc());
  int64_t n = 0;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    ++n;
    ++stats_.records_read;
    auto gpid = s.OptInt(6);
    if (!gpid) {
      Skip(nullptr, std::string(what) + " without globalPid");
      continue;
    }
    Expected<Proc*> pe = ProcFor(PidOf(*gpid));
    if (!pe) return pe.status();
    Proc& p = **pe;
    if (const char* bad = CheckInterval(s, 0, 1, false)) {
      Skip(&p, std::string(what) + ": " + bad);
      continue;
    }
    MOEPROF_RETURN_IF_ERROR(emit(s, p, n));
  }
  if (rc != SQLITE_DONE) return QueryError(table, rc);
  Progress(progress_label, n);
  return Status::Ok();
}

Status NsysImporter::ImportKernels() {
  std::map<schemas::TraceWriter*, std::unordered_map<int64_t, schemas::StringId>> interned;
  return ForEachGpuActivity(
      "CUPTI_ACTIVITY_KIND_KERNEL", "kernel", "kernels",
      {"demangledName", "shortName", "mangledName", "gridX", "gridY", "gridZ", "blockX", "blockY",
       "blockZ", "registersPerThread", "staticSharedMemory", "dynamicSharedMemory",
       "localMemoryPerThread", "graphNodeId", "graphId", "clusterX", "clusterY", "clusterZ"},
      [&](const Stmt& s, Proc& p, int64_t n) -> Status {
        schemas::KernelRow row;
        row.start = s.Int(0) - shift_;
        row.dur = s.Int(1) - s.Int(0);
        row.stream = StreamFor(p, s.OptInt(2).value_or(0), s.OptInt(3).value_or(0), s.OptInt(4).value_or(0));
        row.correlation = s.OptInt(5).value_or(0);
        std::optional<int64_t> name_id;
        for (int c : {7, 8, 9}) {
          if (auto id = s.OptInt(c); id && strings_.count(*id)) {
            name_id = id;
            break;
          }
        }
        auto& cache = interned[p.w];
        const int64_t key = name_id.value_or(-1);
        auto it = cache.find(key);
        if (it != cache.end()) {
          row.name = it->second;
        } else {
          row.name = cache[key] = p.w->Intern(name_id ? Str(name_id) : std::string("<unnamed kernel>"));
        }
        schemas::LaunchConfig lc;
        lc.grid_x = s.OptInt(10).value_or(0);
        lc.grid_y = s.OptInt(11).value_or(0);
        lc.grid_z = s.OptInt(12).value_or(0);
        lc.block_x = s.OptInt(13).value_or(0);
        lc.block_y = s.OptInt(14).value_or(0);
        lc.block_z = s.OptInt(15).value_or(0);
        lc.registers = s.OptInt(16).value_or(0);
        lc.static_smem = s.OptInt(17).value_or(0);
        lc.dynamic_smem = s.OptInt(18).value_or(0);
        lc.local_mem = s.OptInt(19).value_or(0);
        lc.cluster_x = std::max<int64_t>(1, s.OptInt(22).value_or(1));
        lc.cluster_y = std::max<int64_t>(1, s.OptInt(23).value_or(1));
        lc.cluster_z = std::max<int64_t>(1, s.OptInt(24).value_or(1));
        row.config = p.w->InternLaunchConfig(lc);
        row.graph_node = s.OptInt(20).value_or(0);
        row.graph = s.OptInt(21).value_or(0);
        if (row.graph_node != 0 || row.graph != 0) row.flags |= schemas::kFlagGraph;
        p.w->AddKernel(row);
        ++stats_.records_written;
        if ((n & 0xFFFF) == 0) return p.w->MaybeCommit();
        return Status::Ok();
      });
}


Status NsysImporter::ImportMemcpy() {
  return ForEachGpuActivity(
      "CUPTI_ACTIVITY_KIND_MEMCPY", "memcpy", "memcpy",
      {"bytes", "copyKind", "srcKind", "dstKind", "srcDeviceId", "dstDeviceId", "graphNodeId"},
      [&](const Stmt& s, Proc& p, int64_t) -> Status {
        const int64_t bytes = s.OptInt(7).value_or(0);
        if (bytes < 0) {
          Skip(&p, "memcpy: negative size");
          return Status::Ok();
        }
        schemas::MemcpyRow row;
        row.start = s.Int(0) - shift_;
        row.dur = s.Int(1) - s.Int(0);
        row.stream = StreamFor(p, s.OptInt(2).value_or(0), s.OptInt(3).value_or(0), s.OptInt(4).value_or(0));
        row.correlation = s.OptInt(5).value_or(0);
        row.bytes = bytes;
        row.copy_kind = s.OptInt(8).value_or(0);
        row.src_kind = MemKindToCupti(s.OptInt(9));
        row.dst_kind = MemKindToCupti(s.OptInt(10));
        row.src_device = s.OptInt(11);
        row.dst_device = s.OptInt(12);
        row.graph_node = s.OptInt(13).value_or(0);
        if (row.graph_node != 0) row.flags |= schemas::kFlagGraph;
        if (p.async_correlations.count(row.correlation)) row.flags |= schemas::kFlagAsync;
        p.w->AddMemcpy(row);
        ++stats_.records_written;
        return Status::Ok();
      });
}


Status NsysImporter::ImportMemset() {
  return ForEachGpuActivity(
      "CUPTI_ACTIVITY_KIND_MEMSET", "memset", "memset", {"bytes", "value", "memKind", "graphNodeId"},
      [&](const Stmt& s, Proc& p, int64_t) -> Status {
        const int64_t bytes = s.OptInt(7).value_or(0);
        if (bytes < 0) {
          Skip(&p, "memset: negative size");
          return Status::Ok();
        }
        schemas::MemsetRow row;
        row.start = s.Int(0) - shift_;
        row.dur = s.Int(1) - s.Int(0);
        row.stream = StreamFor(p, s.OptInt(2).value_or(0), s.OptInt(3).value_or(0), s.OptInt(4).value_or(0));
        row.correlation = s.OptInt(5).value_or(0);
        row.bytes = bytes;
        row.value = s.OptInt(8).value_or(0);
        row.mem_kind = MemKindToCupti(s.OptInt(9));
        row.graph_node = s.OptInt(10).value_or(0);
        if (row.graph_node != 0) row.flags |= schemas::kFlagGraph;
        if (p.async_correlations.count(row.correlation)) row.flags |= schemas::kFlagAsync;
        p.w->AddMemset(row);
        ++stats_.records_written;
        return Status::Ok();
      });
}


Status NsysImporter::ImportSync() {
  return ForEachGpuActivity(
      "CUPTI_ACTIVITY_KIND_SYNCHRONIZATION", "sync", "sync", {"syncType", "eventId"},
      [&](const Stmt& s, Proc& p, int64_t) -> Status {
        schemas::SyncRow row;
        row.start = s.Int(0) - shift_;
        row.dur = s.Int(1) - s.Int(0);
        row.correlation = s.OptInt(5).value_or(0);
        row.type = s.OptInt(7).value_or(0);
        const auto stream = s.OptInt(4);
        if (stream && *stream != kNoId32 && *stream >= 0) {
          row.stream = StreamFor(p, s.OptInt(2).value_or(0), s.OptInt(3).value_or(0), *stream);
        }
        const auto event = s.OptInt(8);
        if (event && *event != kNoId32) row.event = *event;
        p.w->AddSync(row);
        ++stats_.records_written;
        return Status::Ok();
      });
}


Status NsysImporter::ImportNvtx() {
  const std::string t = "NVTX_EVENTS";
  if (!Has(t)) return Status::Ok();
  // Domain names come from the domain-create rows (eventType 75).
  std::unordered_map<int64_t, std::string> domains;
  {
    Stmt s(db_, "SELECT " + Col(t, "domainId") + "," + Col(t, "text") + "," + Col(t, "textId") + " FROM " +
                    t + " WHERE " + Col(t, "eventType") + " = 75");
    if (!s.ok()) return QueryError(t, s.rc());
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      auto id = s.OptInt(0);
      if (!id) continue;
      auto text = s.OptText(1);
      domains[*id] = text ? *text : Str(s.OptInt(2));
    }
    if (rc != SQLITE_DONE) return QueryError(t, rc);
  }
  std::string sql = "SELECT ";
  for (const char* c : {"start", "end", "eventType", "text", "textId", "globalTid", "domainId", "category",
                        "color", "int64Value", "uint64Value", "doubleValue", "int32Value", "uint32Value",
                        "floatValue"}) {
    sql += Col(t, c) + ",";
  }
  sql.pop_back();
  sql += " FROM " + t + " WHERE " + Col(t, "eventType") + " IN (34, 59, 60)";
  if (Col(t, "globalTid") != "NULL" && Col(t, "start") != "NULL") {
    sql += " ORDER BY globalTid, start";
    if (Col(t, "end") != "NULL") sql += ", \"end\" DESC";
  }
  Stmt s(db_, sql);
  if (!s.ok()) return QueryError(t, s.rc());
  std::map<schemas::TraceWriter*, std::unordered_map<int64_t, schemas::StringId>> interned_domains;
  int64_t current_tid = -1;
  std::vector<int64_t> open_ends;  // push/pop ranges still open on the current thread
  int64_t n = 0;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    ++n;
    ++stats_.records_read;
    auto gtid = s.OptInt(5);
    if (!gtid) {
      Skip(nullptr, "nvtx event without globalTid");
      continue;
    }
    Expected<Proc*> pe = ProcFor(PidOf(*gtid));
    if (!pe) return pe.status();
    Proc& p = **pe;
    const int64_t type = s.OptInt(2).value_or(0);
    const bool mark = type == 34;
    if (const char* bad = CheckInterval(s, 0, 1, mark)) {
      Skip(&p, std::string("nvtx: ") + bad);
      continue;
    }
    if (*gtid != current_tid) {
      current_tid = *gtid;
      open_ends.clear();
    }
    schemas::NvtxRow row;
    row.thread = ThreadFor(p, *gtid);
    row.start = s.Int(0) - shift_;
    row.dur = mark || s.Null(1) ? 0 : s.Int(1) - s.Int(0);
    row.kind = mark ? schemas::NvtxKind::kMark
                    : (type == 59 ? schemas::NvtxKind::kPushPop : schemas::NvtxKind::kStartEnd);
    if (row.kind == schemas::NvtxKind::kPushPop) {
      const int64_t start = s.Int(0);
      while (!open_ends.empty() && open_ends.back() <= start) open_ends.pop_back();
      row.depth = static_cast<int64_t>(open_ends.size());
      open_ends.push_back(s.Int(1));
    }
    auto text = s.OptText(3);
    row.text = p.w->Intern(text ? *text : Str(s.OptInt(4)));
    if (auto dom = s.OptInt(6); dom && *dom != 0) {
      auto& cache = interned_domains[p.w];
      auto it = cache.find(*dom);
      if (it != cache.end()) {
        row.domain = it->second;
      } else {
        auto name = domains.find(*dom);
        row.domain = cache[*dom] =
            p.w->Intern(name != domains.end() ? name->second : "domain " + std::to_string(*dom));
      }
    }
    row.category = s.OptInt(7).value_or(0);
    row.color = s.OptInt(8);
    if (auto v = s.OptInt(9)) {
      row.payload_kind = schemas::PayloadKind::kInt, row.payload = static_cast<double>(*v);
    } else if (auto u = s.OptInt(10)) {
      row.payload_kind = schemas::PayloadKind::kUnsigned, row.payload = static_cast<double>(*u);
    } else if (auto d = s.OptDouble(11)) {
      row.payload_kind = schemas::PayloadKind::kDouble, row.payload = *d;
    } else if (auto i32 = s.OptInt(12)) {
      row.payload_kind = schemas::PayloadKind::kInt, row.payload = static_cast<double>(*i32);
    } else if (auto u32 = s.OptInt(13)) {
      row.payload_kind = schemas::PayloadKind::kUnsigned, row.payload = static_cast<double>(*u32);
    } else if (auto f = s.OptDouble(14)) {
      row.payload_kind = schemas::PayloadKind::kDouble, row.payload = *f;
    }
    p.w->AddNvtx(row);
    ++stats_.records_written;
  }
  if (rc != SQLITE_DONE) return QueryError(t, rc);
  Progress("nvtx", n);
  return Status::Ok();
}

Status NsysImporter::ImportOverhead() {
  const std::string t = "PROFILER_OVERHEAD";
  if (!Has(t)) return Status::Ok();
  Stmt s(db_, "SELECT " + Col(t, "start") + "," + Col(t, "end") + "," + Col(t, "globalTid") + " FROM " + t);
  if (!s.ok()) return QueryError(t, s.rc());
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    ++stats_.records_read;
    auto gtid = s.OptInt(2);
    if (!gtid) {
      Skip(nullptr, "overhead without globalTid");
      continue;
    }
    Expected<Proc*> pe = ProcFor(PidOf(*gtid));
    if (!pe) return pe.status();
    Proc& p = **pe;
    if (const char* bad = CheckInterval(s, 0, 1, false)) {
      Skip(&p, std::string("overhead: ") + bad);
      continue;
    }
    schemas::OverheadRow row;
    row.kind = 0;  // nsys does not say which CUPTI overhead kind
    row.thread = ThreadFor(p, *gtid);
    row.start = s.Int(0) - shift_;
    row.dur = s.Int(1) - s.Int(0);
    p.w->AddOverhead(row);
    ++stats_.records_written;
  }
  if (rc != SQLITE_DONE) return QueryError(t, rc);
  return Status::Ok();
}

void NsysImporter::Finish() {
  bool first = true;
  for (auto& entry : procs_) {
    Proc& p = entry.second;
    auto meta = [&](const char* k, const std::string& v) {
      if (!v.empty()) (void)p.w->SetMeta(k, v);
    };
    meta("source", "nsys");
    meta("source_path", path_);
    meta("host", host_);
    if (auto r = ranks_.find(p.pid); r != ranks_.end()) meta("rank", std::to_string(r->second));
    if (!ranks_.empty()) meta("world_size", std::to_string(ranks_.size()));
    if (cuda_driver_) meta("cuda_driver_version", std::to_string(*cuda_driver_));
    auto em = [&](const char* key) {
      auto it = export_meta_.find(key);
      return it == export_meta_.end() ? std::string() : it->second;
    };
    meta("nsys_version", em("EXPORT_PRODUCT_VERSION"));
    meta("nsys_export_schema", em("EXPORT_SCHEMA_VERSION"));
    meta("nsys_clock", clock_);
    for (const auto& [reason, count] : p.skipped) {
      schemas::DropRow d;
      d.source = "import";
      d.reason = reason;
      d.count = count;
      p.w->AddDrop(d);
    }
    // Rows that named no process are charged to the first trace, so they are never silent.
    if (first) {
      for (const auto& [reason, count] : global_skipped_) {
        schemas::DropRow d;
        d.source = "import";
        d.reason = reason;
        d.count = count;
        p.w->AddDrop(d);
      }
    }
    first = false;
  }
}

Status NsysImporter::Run() {
  show_progress_ = options_.progress && isatty(2);
  MOEPROF_RETURN_IF_ERROR(Open());
  MOEPROF_RETURN_IF_ERROR(LoadSchema());
  MOEPROF_RETURN_IF_ERROR(LoadStrings());
  MOEPROF_RETURN_IF_ERROR(LoadFacts());
  MOEPROF_RETURN_IF_ERROR(ComputeOrigin());
  // Runtime first: memcpy/memset need the *Async calls' correlation ids.
  MOEPROF_RETURN_IF_ERROR(ImportRuntime());
  MOEPROF_RETURN_IF_ERROR(ImportKernels());
  MOEPROF_RETURN_IF_ERROR(ImportMemcpy());
  MOEPROF_RETURN_IF_ERROR(ImportMemset());
  MOEPROF_RETURN_IF_ERROR(ImportSync());
  MOEPROF_RETURN_IF_ERROR(ImportNvtx());
  MOEPROF_RETURN_IF_ERROR(ImportOverhead());
  if (procs_.empty()) {
    // An export without any process activity still yields a trace, so `info` can show it.
    Expected<Proc*> pe = ProcFor(0);
    if (!pe) return pe.status();
  }
  Finish();
  for (auto& [pid, p] : procs_) {
    (void)pid;
    if (!p.w->error().ok()) return p.w->error();
  }
  return Status::Ok();
}

}  // namespace

Status ImportNsys(const std::string& path, TraceSink& sink, const ImportOptions& options,
                  ImportStats& stats) {
  NsysImporter importer(path, sink, options, stats);
  return importer.Run();
}

}  // namespace moeprof::analyzer

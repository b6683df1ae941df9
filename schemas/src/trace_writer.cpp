// TraceWriter: buffers rows per table and writes them in one transaction per commit through
// reused prepared statements. Never throws; the first failure is kept and stops all writing.
#include "moeprof/schemas/trace_writer.h"

#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <new>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "moeprof/schemas/migrations.h"
#include "sqlite_util.h"

#ifndef MOEPROF_VERSION
#define MOEPROF_VERSION "unknown"
#endif

namespace moeprof::schemas {

using internal::Exec;
using internal::SqliteError;
using internal::Stmt;

namespace {

// Binding one row per table; the column order matches the INSERT statements in kInsertSql below.
void BindRow(Stmt& s, const ClockSyncRow& r) {
  r.id ? s.Bind(1, r.id) : s.BindNull(1);
  s.Bind(2, std::string_view(r.label));
  s.Bind(3, r.trace_ns);
  s.Bind(4, r.realtime_ns);
  s.Bind(5, r.monotonic_ns);
}
void BindRow(Stmt& s, const ProcessRow& r) {
  s.Bind(1, r.id);
  s.Bind(2, r.pid);
  s.Bind(3, std::string_view(r.host));
  s.Bind(4, r.rank);
  s.Bind(5, r.local_rank);
  s.Bind(6, r.world_size);
  s.Bind(7, r.name);
}
void BindRow(Stmt& s, const ThreadRow& r) {
  s.Bind(1, r.id);
  s.Bind(2, r.process);
  s.Bind(3, r.tid);
  s.Bind(4, r.name);
}
void BindRow(Stmt& s, const DeviceRow& r) {
  s.Bind(1, r.id);
  s.Bind(2, r.process);
  s.Bind(3, r.ordinal);
  s.Bind(4, std::string_view(r.name));
  s.Bind(5, r.uuid);
  s.Bind(6, r.sm_count);
  s.Bind(7, r.cc_major);
  s.Bind(8, r.cc_minor);
  s.Bind(9, r.memory_bytes);
  s.Bind(10, r.memory_bandwidth_bps);
  s.Bind(11, r.l2_bytes);
  s.Bind(12, r.clock_khz);
  s.Bind(13, r.peak_bf16_flops);
  s.Bind(14, r.peak_fp32_flops);
}
void BindRow(Stmt& s, const StreamRow& r) {
  s.Bind(1, r.id);
  s.Bind(2, r.device);
  s.Bind(3, r.context);
  s.Bind(4, r.native_id);
  s.Bind(5, r.priority);
  s.Bind(6, r.name);
  s.Bind(7, r.role);
}
void BindRow(Stmt& s, const LaunchConfig& r) {
  const int64_t v[] = {r.id,        r.grid_x,    r.grid_y,    r.grid_z,      r.block_x,
                       r.block_y,   r.block_z,   r.cluster_x, r.cluster_y,   r.cluster_z,
                       r.registers, r.static_smem, r.dynamic_smem, r.local_mem};
  for (int i = 0; i < 14; ++i) s.Bind(i + 1, v[i]);
}
void BindRow(Stmt& s, const ApiRow& r) {
  s.Bind(1, r.correlation);
  s.Bind(2, r.thread);
  s.Bind(3, r.start);
  s.Bind(4, r.dur);
  s.Bind(5, static_cast<int64_t>(r.domain));
  s.Bind(6, r.cbid);
  s.Bind(7, r.name);
  s.Bind(8, r.status);
}
void BindRow(Stmt& s, const KernelRow& r) {
  s.Bind(1, r.stream);
  s.Bind(2, r.start);
  s.Bind(3, r.correlation);
  s.Bind(4, r.graph_node);
  s.Bind(5, r.dur);
  s.Bind(6, r.name);
  s.Bind(7, r.config);
  s.Bind(8, r.graph);
  s.Bind(9, r.flags);
}
void BindRow(Stmt& s, const MemcpyRow& r) {
  s.Bind(1, r.stream);
  s.Bind(2, r.start);
  s.Bind(3, r.correlation);
  s.Bind(4, r.graph_node);
  s.Bind(5, r.dur);
  s.Bind(6, r.bytes);
  s.Bind(7, r.copy_kind);
  s.Bind(8, r.src_kind);
  s.Bind(9, r.dst_kind);
  s.Bind(10, r.src_device);
  s.Bind(11, r.dst_device);
  s.Bind(12, r.graph);
  s.Bind(13, r.flags);
}
void BindRow(Stmt& s, const MemsetRow& r) {
  s.Bind(1, r.stream);
  s.Bind(2, r.start);
  s.Bind(3, r.correlation);
  s.Bind(4, r.graph_node);
  s.Bind(5, r.dur);
  s.Bind(6, r.bytes);
  s.Bind(7, r.value);
  s.Bind(8, r.mem_kind);
  s.Bind(9, r.graph);
  s.Bind(10, r.flags);
}
void BindRow(Stmt& s, const SyncRow& r) {
  r.id ? s.Bind(1, r.id) : s.BindNull(1);
  s.Bind(2, r.type);
  s.Bind(3, r.stream);
  s.Bind(4, r.event);
  s.Bind(5, r.start);
  s.Bind(6, r.dur);
  s.Bind(7, r.correlation);
}
void BindRow(Stmt& s, const CudaEventRow& r) {
  r.id ? s.Bind(1, r.id) : s.BindNull(1);
  s.Bind(2, r.correlation);
  s.Bind(3, r.stream);
  s.Bind(4, r.event);
  s.Bind(5, r.sync_id);
  s.Bind(6, r.device_time);
}
void BindRow(Stmt& s, const ExternalCorrelationRow& r) {
  s.Bind(1, r.correlation);
  s.Bind(2, r.kind);
  s.Bind(3, r.external_id);
}
void BindRow(Stmt& s, const GraphLaunchRow& r) {
  s.Bind(1, r.correlation);
  s.Bind(2, r.graph);
  s.Bind(3, r.stream);
  s.Bind(4, r.start);
  s.Bind(5, r.dur);
}
void BindRow(Stmt& s, const NvtxRow& r) {
  r.id ? s.Bind(1, r.id) : s.BindNull(1);
  s.Bind(2, r.thread);
  s.Bind(3, static_cast<int64_t>(r.kind));
  s.Bind(4, r.domain);
  s.Bind(5, r.text);
  s.Bind(6, r.category);
  s.Bind(7, r.start);
  s.Bind(8, r.dur);
  s.Bind(9, r.depth);
  s.Bind(10, r.color);
  s.Bind(11, static_cast<int64_t>(r.payload_kind));
  s.Bind(12, r.payload);
  s.Bind(13, r.stream);
}
void BindRow(Stmt& s, const CommunicatorRow& r) {
  s.Bind(1, r.id);
  s.Bind(2, r.comm_id);
  s.Bind(3, r.name);
  s.Bind(4, r.rank);
  s.Bind(5, r.nranks);
  s.Bind(6, r.nnodes);
  s.Bind(7, r.role);
}
void BindRow(Stmt& s, const CommRow& r) {
  s.Bind(1, r.id);
  s.Bind(2, r.communicator);
  s.Bind(3, r.op);
  s.Bind(4, r.seq);
  s.Bind(5, r.count);
  s.Bind(6, r.datatype);
  s.Bind(7, r.bytes);
  s.Bind(8, r.peer);
  s.Bind(9, r.root);
  s.Bind(10, r.algorithm);
  s.Bind(11, r.protocol);
  s.Bind(12, r.start);
  s.Bind(13, r.dur);
  s.Bind(14, r.kernel_correlation);
  s.Bind(15, r.role);
}
void BindRow(Stmt& s, const CommSplitRow& r) {
  s.Bind(1, r.comm);
  s.Bind(2, r.peer);
  s.Bind(3, r.in_count);
  s.Bind(4, r.out_count);
}
void BindRow(Stmt& s, const RoutingRow& r) {
  s.Bind(1, r.step);
  s.Bind(2, r.layer);
  s.Bind(3, r.microbatch);
  s.Bind(4, r.rank);
  s.Bind(5, r.expert);
  s.Bind(6, r.tokens);
  s.Bind(7, r.time);
}
void BindRow(Stmt& s, const StepRow& r) {
  s.Bind(1, r.id);
  s.Bind(2, r.number);
  s.Bind(3, r.start);
  s.Bind(4, r.dur);
  s.Bind(5, std::string_view(r.source));
}
void BindRow(Stmt& s, const OverheadRow& r) {
  r.id ? s.Bind(1, r.id) : s.BindNull(1);
  s.Bind(2, r.kind);
  s.Bind(3, r.thread);
  s.Bind(4, r.device);
  s.Bind(5, r.start);
  s.Bind(6, r.dur);
}

// Clustered tables are written in primary-key order so each batch appends to a few B-tree leaves
// per stream instead of touching pages all over the tree. Rows are bucketed by stream as they
// arrive (a stream's rows already come nearly in start order), which avoids sorting the batch.
template <typename Row>
class StreamBuckets {
 public:
  void push_back(const Row& r) {
    if (last_ >= 0 && buckets_[static_cast<size_t>(last_)].stream == r.stream) {
      buckets_[static_cast<size_t>(last_)].rows.push_back(r);
      return;
    }
    for (size_t i = 0; i < buckets_.size(); ++i) {
      if (buckets_[i].stream == r.stream) {
        last_ = static_cast<int64_t>(i);
        buckets_[i].rows.push_back(r);
        return;
      }
    }
    buckets_.push_back(Bucket{r.stream, {}});
    last_ = static_cast<int64_t>(buckets_.size() - 1);
    buckets_.back().rows.push_back(r);
  }

  // Calls fn(rows, n) once per stream, streams ascending and each stream's rows in
  // (start, correlation, graph_node) order, then empties the buckets (keeping their capacity, so
  // steady-state batches do not allocate).
  template <typename F>
  Status Drain(F&& fn) {
    std::sort(buckets_.begin(), buckets_.end(),
              [](const Bucket& a, const Bucket& b) { return a.stream < b.stream; });
    last_ = -1;
    auto less = [](const Row& a, const Row& b) {
      return std::tie(a.start, a.correlation, a.graph_node) <
             std::tie(b.start, b.correlation, b.graph_node);
    };
    for (Bucket& b : buckets_) {
      if (!std::is_sorted(b.rows.begin(), b.rows.end(), less)) {
        std::sort(b.rows.begin(), b.rows.end(), less);
      }
      if (!b.rows.empty()) MOEPROF_RETURN_IF_ERROR(fn(b.rows.data(), b.rows.size()));
      b.rows.clear();
    }
    // Streams that went quiet should not keep their buffers forever.
    if (buckets_.size() > 64) buckets_.clear();
    return Status::Ok();
  }

 private:
  struct Bucket {
    int64_t stream;
    std::vector<Row> rows;
  };
  std::vector<Bucket> buckets_;
  int64_t last_ = -1;
};

struct TransparentHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct LaunchConfigHash {
  size_t operator()(const LaunchConfig& c) const {
    const int64_t v[] = {c.grid_x,    c.grid_y,      c.grid_z,       c.block_x,  c.block_y,
                         c.block_z,   c.cluster_x,   c.cluster_y,    c.cluster_z, c.registers,
                         c.static_smem, c.dynamic_smem, c.local_mem};
    uint64_t h = 1469598103934665603ull;
    for (int64_t x : v) h = (h ^ static_cast<uint64_t>(x)) * 1099511628211ull;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

using DropKey = std::tuple<std::string, std::string, std::optional<int64_t>, std::optional<int64_t>>;
struct DropAgg {
  int64_t id = 0;
  int64_t pending = 0;  // count not yet written
};

template <typename Row>
struct Table {
  const char* name;
  const char* sql;
  Stmt stmt;
  std::vector<Row> rows;

  template <typename F>
  Status Drain(F&& fn) {
    for (const Row& r : rows) MOEPROF_RETURN_IF_ERROR(fn(r));
    rows.clear();
    return Status::Ok();
  }
};

// Clustered GPU-activity tables also get a multi-row INSERT: one statement execution per
// kMultiRows rows of a stream amortizes SQLite's per-statement work (VDBE start and halt, cursor
// open and close), the largest cost after the B-tree insert itself.
constexpr int kMultiRows = 32;

template <typename Row>
struct ClusteredTable {
  const char* name;
  const char* sql;
  Stmt stmt;
  StreamBuckets<Row> rows;
  Stmt multi;
  int columns = 0;

  // "INSERT ... VALUES(?,?,...)" becomes "INSERT ... VALUES(?,?,...),(?,?,...),..." kMultiRows times.
  std::string MultiSql() const {
    std::string one = sql;
    const size_t values = one.find("VALUES");
    const std::string tuple = one.substr(values + 6);
    std::string out = one.substr(0, values + 6);
    for (int i = 0; i < kMultiRows; ++i) {
      if (i) out += ',';
      out += tuple;
    }
    return out;
  }
};

// Memory statistics make every SQLite allocation take a global mutex; we never read them. This
// only works before SQLite initializes, so it is attempted once and a refusal is harmless.
void ConfigureSqliteOnce() {
  static const bool done = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)done;
}

}  // namespace

struct TraceWriter::Impl {
  std::string path;
  WriterOptions options;
  sqlite3* db = nullptr;
  Status error;

  int64_t rows_written = 0;
  int64_t commits = 0;
  size_t buffered = 0;
  uint32_t adds_since_check = 0;
  std::chrono::steady_clock::time_point last_commit = std::chrono::steady_clock::now();

  // Interning. Node-based maps keep key addresses stable, so pending rows can point at them.
  std::unordered_map<std::string, StringId, TransparentHash, std::equal_to<>> strings;
  std::vector<std::pair<StringId, const std::string*>> pending_strings;
  std::unordered_map<LaunchConfig, int64_t, LaunchConfigHash> configs;
  std::map<DropKey, DropAgg> drops;
  bool drops_dirty = false;
  std::vector<std::pair<std::string, std::string>> pending_meta;
  std::vector<StreamRow> stream_updates;
  std::vector<std::pair<int64_t, std::string>> thread_updates;

  int64_t next_process = 0, next_thread = 0, next_device = 0, next_stream = 0,
          next_communicator = 0, next_comm = 0, next_step = 0, next_drop = 0;

  Stmt insert_string, insert_config, insert_meta, upsert_drop, update_stream, update_thread;
  Table<ProcessRow> process{"process", "INSERT OR IGNORE INTO process VALUES(?,?,?,?,?,?,?)", {}, {}};
  Table<ThreadRow> thread{"thread", "INSERT OR IGNORE INTO thread VALUES(?,?,?,?)", {}, {}};
  Table<DeviceRow> device{"device",
                          "INSERT OR IGNORE INTO device VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)", {}, {}};
  Table<StreamRow> stream{"stream", "INSERT OR IGNORE INTO stream VALUES(?,?,?,?,?,?,?)", {}, {}};
  Table<CommunicatorRow> communicator{
      "communicator", "INSERT OR IGNORE INTO communicator VALUES(?,?,?,?,?,?,?)", {}, {}};
  Table<CommRow> comm{"comm", "INSERT OR IGNORE INTO comm VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      {}, {}};
  Table<StepRow> step{"step", "INSERT OR IGNORE INTO step VALUES(?,?,?,?,?)", {}, {}};
  Table<ClockSyncRow> clock_sync{"clock_sync",
                                 "INSERT OR IGNORE INTO clock_sync VALUES(?,?,?,?,?)", {}, {}};
  Table<ApiRow> api{"api", "INSERT OR IGNORE INTO api VALUES(?,?,?,?,?,?,?,?)", {}, {}};
  ClusteredTable<KernelRow> kernel{"kernel", "INSERT OR IGNORE INTO kernel VALUES(?,?,?,?,?,?,?,?,?)", {}, {}};
  ClusteredTable<MemcpyRow> memcpy{"memcpy",
                          "INSERT OR IGNORE INTO memcpy VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)", {}, {}};
  ClusteredTable<MemsetRow> memset{"memset", "INSERT OR IGNORE INTO memset VALUES(?,?,?,?,?,?,?,?,?,?)", {},
                          {}};
  Table<SyncRow> sync{"sync", "INSERT OR IGNORE INTO sync VALUES(?,?,?,?,?,?,?)", {}, {}};
  Table<CudaEventRow> cuda_event{"cuda_event",
                                 "INSERT OR IGNORE INTO cuda_event VALUES(?,?,?,?,?,?)", {}, {}};
  Table<ExternalCorrelationRow> external_correlation{
      "external_correlation", "INSERT OR IGNORE INTO external_correlation VALUES(?,?,?)", {}, {}};
  Table<GraphLaunchRow> graph_launch{"graph_launch",
                                     "INSERT OR IGNORE INTO graph_launch VALUES(?,?,?,?,?)", {}, {}};
  Table<NvtxRow> nvtx{"nvtx", "INSERT OR IGNORE INTO nvtx VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)", {},
                      {}};
  Table<CommSplitRow> comm_split{"comm_split",
                                 "INSERT OR IGNORE INTO comm_split VALUES(?,?,?,?)", {}, {}};
  Table<RoutingRow> routing{"routing", "INSERT OR IGNORE INTO routing VALUES(?,?,?,?,?,?,?)", {},
                            {}};
  Table<OverheadRow> overhead{"overhead", "INSERT OR IGNORE INTO overhead VALUES(?,?,?,?,?,?)",
                              {}, {}};

  ~Impl() { CloseDb(); }

  void CloseDb() {
    FinalizeAll();
    if (db) sqlite3_close_v2(db);
    db = nullptr;
  }

  template <typename F>
  void ForEachTable(F&& f) {
    // Dimension tables first so every id an event row refers to is already present.
    f(process), f(thread), f(device), f(stream), f(communicator), f(comm), f(step);
    f(clock_sync), f(api), f(kernel), f(memcpy), f(memset), f(sync), f(cuda_event);
    f(external_correlation), f(graph_launch), f(nvtx), f(comm_split), f(routing), f(overhead);
  }

  void FinalizeAll() {
    for (Stmt* s : {&insert_string, &insert_config, &insert_meta, &upsert_drop, &update_stream,
                    &update_thread})
      s->Finalize();
    ForEachTable([](auto& t) { t.stmt.Finalize(); });
    kernel.multi.Finalize();
    memcpy.multi.Finalize();
    memset.multi.Finalize();
  }

  Status PrepareAll() {
    MOEPROF_RETURN_IF_ERROR(
        insert_string.Prepare(db, path, "INSERT OR IGNORE INTO string(id, value) VALUES(?,?)"));
    MOEPROF_RETURN_IF_ERROR(insert_config.Prepare(
        db, path, "INSERT OR IGNORE INTO launch_config VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    MOEPROF_RETURN_IF_ERROR(
        insert_meta.Prepare(db, path, "INSERT OR REPLACE INTO meta(key, value) VALUES(?,?)"));
    MOEPROF_RETURN_IF_ERROR(upsert_drop.Prepare(
        db, path,
        "INSERT INTO drops(id, source, reason, context, stream, count) VALUES(?,?,?,?,?,?) "
        "ON CONFLICT(id) DO UPDATE SET count = count + excluded.count"));
    MOEPROF_RETURN_IF_ERROR(update_stream.Prepare(
        db, path,
        "UPDATE stream SET name = coalesce(?2, name), role = coalesce(?3, role), "
        "priority = coalesce(?4, priority) WHERE id = ?1"));
    MOEPROF_RETURN_IF_ERROR(
        update_thread.Prepare(db, path, "UPDATE thread SET name = ? WHERE id = ?"));
    Status st;
    ForEachTable([&](auto& t) {
      if (st.ok()) st = t.stmt.Prepare(db, path, t.sql);
    });
    if (st.ok()) st = PrepareMulti(kernel);
    if (st.ok()) st = PrepareMulti(memcpy);
    if (st.ok()) st = PrepareMulti(memset);
    return st;
  }

  template <typename Row>
  Status PrepareMulti(ClusteredTable<Row>& t) {
    t.columns = sqlite3_bind_parameter_count(t.stmt.get());
    return t.multi.Prepare(db, path, t.MultiSql().c_str());
  }

  void Fail(Status st) {
    if (error.ok()) error = std::move(st);
  }
  void FailNoMemory() {
    Fail(Status(ErrorCode::kInternal, path + ": out of memory while buffering rows"));
  }

  // Every Add ends here: cheap checks, with the clock read only every 256 rows.
  void Added() {
    ++rows_written;
    ++buffered;
    if (buffered >= options.max_buffered_rows || (++adds_since_check & 255u) == 0) {
      (void)MaybeCommit();
    }
  }

  Status MaybeCommit() {
    if (!error.ok()) return error;
    if (buffered >= options.max_buffered_rows) return Commit();
    const auto now = std::chrono::steady_clock::now();
    if (now - last_commit >= std::chrono::milliseconds(options.commit_interval_ms)) return Commit();
    return Status::Ok();
  }

  void CountDrop(std::string source, std::string reason, std::optional<int64_t> context,
                 std::optional<int64_t> stream_id, int64_t count) {
    auto [it, inserted] = drops.try_emplace(
        DropKey(std::move(source), std::move(reason), context, stream_id), DropAgg{});
    if (inserted) it->second.id = ++next_drop;
    it->second.pending += count;
    drops_dirty = true;
  }

  // Steps one bound statement; a write error is returned, an ignored duplicate reported via *dup.
  Status StepInsert(Stmt& s, const char* table, bool* dup) {
    const int rc = s.Step();
    s.Reset();
    if (rc != SQLITE_DONE) {
      return SqliteError(db, rc, path, std::string("writing table ") + table);
    }
    if (dup) *dup = sqlite3_changes(db) == 0;
    return Status::Ok();
  }

  template <typename Row>
  Status FlushTable(Table<Row>& t) {
    return t.Drain([&](const Row& r) {
      BindRow(t.stmt, r);
      bool dup = false;
      MOEPROF_RETURN_IF_ERROR(StepInsert(t.stmt, t.name, &dup));
      if (dup) CountDrop("writer", "duplicate key", std::nullopt, std::nullopt, 1);
      return Status::Ok();
    });
  }

  template <typename Row>
  Status FlushTable(ClusteredTable<Row>& t) {
    return t.rows.Drain([&](const Row* rows, size_t n) {
      // Every chunk holds one stream's rows, so ignored duplicates are charged to that stream.
      size_t i = 0;
      for (; n - i >= kMultiRows; i += kMultiRows) {
        for (int j = 0; j < kMultiRows; ++j) {
          t.multi.SetBindBase(j * t.columns);
          BindRow(t.multi, rows[i + static_cast<size_t>(j)]);
        }
        const int rc = t.multi.Step();
        t.multi.Reset();
        if (rc != SQLITE_DONE) {
          return SqliteError(db, rc, path, std::string("writing table ") + t.name);
        }
        const int64_t lost = kMultiRows - sqlite3_changes64(db);
        if (lost > 0) CountDrop("writer", "duplicate key", std::nullopt, rows[i].stream, lost);
      }
      for (; i < n; ++i) {
        BindRow(t.stmt, rows[i]);
        bool dup = false;
        MOEPROF_RETURN_IF_ERROR(StepInsert(t.stmt, t.name, &dup));
        if (dup) CountDrop("writer", "duplicate key", std::nullopt, rows[i].stream, 1);
      }
      return Status::Ok();
    });
  }

  Status FlushAll() {
    for (const auto& [id, text] : pending_strings) {
      insert_string.Bind(1, id);
      insert_string.Bind(2, std::string_view(*text));
      MOEPROF_RETURN_IF_ERROR(StepInsert(insert_string, "string", nullptr));
    }
    pending_strings.clear();
    MOEPROF_RETURN_IF_ERROR(FlushConfigs());
    Status st;
    ForEachTable([&](auto& t) {
      if (st.ok()) st = FlushTable(t);
    });
    MOEPROF_RETURN_IF_ERROR(st);
    for (const StreamRow& u : stream_updates) {
      update_stream.Bind(1, u.id);
      update_stream.Bind(2, u.name);
      update_stream.Bind(3, u.role);
      update_stream.Bind(4, u.priority);
      MOEPROF_RETURN_IF_ERROR(StepInsert(update_stream, "stream", nullptr));
    }
    stream_updates.clear();
    for (const auto& [id, name] : thread_updates) {
      update_thread.Bind(1, std::string_view(name));
      update_thread.Bind(2, id);
      MOEPROF_RETURN_IF_ERROR(StepInsert(update_thread, "thread", nullptr));
    }
    thread_updates.clear();
    for (const auto& [key, value] : pending_meta) {
      insert_meta.Bind(1, std::string_view(key));
      insert_meta.Bind(2, std::string_view(value));
      MOEPROF_RETURN_IF_ERROR(StepInsert(insert_meta, "meta", nullptr));
    }
    pending_meta.clear();
    for (auto& [key, agg] : drops) {
      if (agg.pending == 0) continue;
      upsert_drop.Bind(1, agg.id);
      upsert_drop.Bind(2, std::string_view(std::get<0>(key)));
      upsert_drop.Bind(3, std::string_view(std::get<1>(key)));
      upsert_drop.Bind(4, std::get<2>(key));
      upsert_drop.Bind(5, std::get<3>(key));
      upsert_drop.Bind(6, agg.pending);
      MOEPROF_RETURN_IF_ERROR(StepInsert(upsert_drop, "drops", nullptr));
      agg.pending = 0;
    }
    drops_dirty = false;
    return Status::Ok();
  }

  std::vector<LaunchConfig> pending_configs;
  Status FlushConfigs() {
    for (const LaunchConfig& c : pending_configs) {
      BindRow(insert_config, c);
      MOEPROF_RETURN_IF_ERROR(StepInsert(insert_config, "launch_config", nullptr));
    }
    pending_configs.clear();
    return Status::Ok();
  }

  Status Commit() {
    if (!error.ok()) return error;
    if (!db) return Status(ErrorCode::kInvalidArgument, path + ": writer is closed");
    last_commit = std::chrono::steady_clock::now();
    if (buffered == 0 && pending_strings.empty() && pending_configs.empty() &&
        pending_meta.empty() && stream_updates.empty() && thread_updates.empty() && !drops_dirty) {
      return Status::Ok();
    }
    Status st = Exec(db, path, "BEGIN");
    if (st.ok()) {
      try {
        st = FlushAll();
      } catch (const std::bad_alloc&) {
        st = Status(ErrorCode::kInternal, path + ": out of memory while writing");
      }
      if (st.ok()) st = Exec(db, path, "COMMIT");
      if (!st.ok()) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    if (!st.ok()) {
      Fail(st);
      return error;
    }
    buffered = 0;
    ++commits;
    return Status::Ok();
  }

  Status Open() {
    namespace fs = std::filesystem;
    ConfigureSqliteOnce();
    std::error_code ec;
    if (fs::exists(path, ec)) {
      if (!options.overwrite) {
        return Status(ErrorCode::kInvalidArgument,
                      path + ": already exists (pass overwrite to replace it)");
      }
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        fs::remove(path + suffix, ec);
        if (ec) {
          return Status(ErrorCode::kIo, path + suffix + ": cannot remove: " + ec.message());
        }
      }
    }
    const int rc = sqlite3_open_v2(path.c_str(), &db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   nullptr);
    if (rc != SQLITE_OK) {
      const int sys = db ? sqlite3_system_errno(db) : 0;
      std::string why = sys ? std::strerror(sys) : sqlite3_errstr(rc);
      CloseDb();
      return Status(ErrorCode::kIo, path + ": cannot create: " + why);
    }
    sqlite3_extended_result_codes(db, 1);
    // Larger pages hold more clustered rows per page (fewer splits and less per-page overhead);
    // page_size only takes effect before the first write, so it comes first.
    MOEPROF_RETURN_IF_ERROR(Exec(db, path,
                                 "PRAGMA page_size = 16384;"
                                 "PRAGMA journal_mode = WAL;"
                                 "PRAGMA synchronous = NORMAL;"
                                 "PRAGMA cache_size = -32768;"
                                 "PRAGMA temp_store = MEMORY;"
                                 "PRAGMA foreign_keys = OFF;"));
    MOEPROF_RETURN_IF_ERROR(ApplyMigrations(db, path, BuiltinMigrations()));
    MOEPROF_RETURN_IF_ERROR(PrepareAll());
    pending_meta.emplace_back("schema", "moeprof-trace");
    pending_meta.emplace_back("format_version", std::to_string(CurrentFormatVersion()));
    pending_meta.emplace_back("origin_ns", std::to_string(options.origin_ns));
    pending_meta.emplace_back("clock", options.clock);
    pending_meta.emplace_back("tool", "moeprof");
    pending_meta.emplace_back("tool_version", MOEPROF_VERSION);
    // Written at once so even a writer killed before its first commit leaves a valid trace.
    MOEPROF_RETURN_IF_ERROR(Commit());
    return Status::Ok();
  }

  Status Close() {
    if (!db) return error;
    Status st = Commit();
    FinalizeAll();
    if (st.ok()) {
      // Fold the WAL into the main file and leave it in rollback mode, so the finished trace is
      // one self-contained file that read-only media and copies can open without -wal/-shm.
      st = Exec(db, path, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;");
      if (!st.ok()) Fail(st);
    }
    const int rc = sqlite3_close_v2(db);
    if (rc != SQLITE_OK) Fail(SqliteError(db, rc, path, "closing"));
    db = nullptr;
    return error;
  }
};

TraceWriter::TraceWriter() : impl_(std::make_unique<Impl>()) {}

TraceWriter::~TraceWriter() {
  if (impl_) (void)impl_->Close();
}

Expected<std::unique_ptr<TraceWriter>> TraceWriter::Create(const std::string& path,
                                                           const WriterOptions& options) {
  try {
    std::unique_ptr<TraceWriter> w(new TraceWriter());
    w->impl_->path = path;
    w->impl_->options = options;
    if (w->impl_->options.max_buffered_rows == 0) w->impl_->options.max_buffered_rows = 1;
    Status st = w->impl_->Open();
    if (!st.ok()) {
      w->impl_->CloseDb();
      return st;
    }
    return w;
  } catch (const std::bad_alloc&) {
    return Status(ErrorCode::kInternal, path + ": out of memory");
  }
}

const std::string& TraceWriter::path() const { return impl_->path; }

Status TraceWriter::SetMeta(std::string_view key, std::string_view value) {
  if (!impl_->error.ok()) return impl_->error;
  try {
    impl_->pending_meta.emplace_back(std::string(key), std::string(value));
  } catch (const std::bad_alloc&) {
    impl_->FailNoMemory();
  }
  return impl_->error;
}

StringId TraceWriter::Intern(std::string_view text) {
  Impl& m = *impl_;
  auto it = m.strings.find(text);
  if (it != m.strings.end()) return it->second;
  if (!m.error.ok()) return 0;
  try {
    const StringId id = static_cast<StringId>(m.strings.size()) + 1;
    auto [pos, inserted] = m.strings.emplace(std::string(text), id);
    (void)inserted;
    m.pending_strings.emplace_back(id, &pos->first);
    return id;
  } catch (const std::bad_alloc&) {
    m.FailNoMemory();
    return 0;
  }
}

int64_t TraceWriter::InternLaunchConfig(const LaunchConfig& config) {
  Impl& m = *impl_;
  auto it = m.configs.find(config);
  if (it != m.configs.end()) return it->second;
  if (!m.error.ok()) return 0;
  try {
    LaunchConfig c = config;
    c.id = static_cast<int64_t>(m.configs.size()) + 1;
    m.configs.emplace(c, c.id);
    m.pending_configs.push_back(c);
    return c.id;
  } catch (const std::bad_alloc&) {
    m.FailNoMemory();
    return 0;
  }
}

namespace {

// Assigns the next id when the caller left it 0, and keeps `next` above any explicit id.
template <typename Row>
int64_t AssignId(Row& row, int64_t& next) {
  if (row.id == 0) row.id = ++next;
  else next = std::max(next, row.id);
  return row.id;
}

}  // namespace

#define MOEPROF_WRITER_ADD(table, row)       \
  do {                                       \
    Impl& m = *impl_;                        \
    if (!m.error.ok()) return;               \
    try {                                    \
      m.table.rows.push_back(row);           \
    } catch (const std::bad_alloc&) {        \
      m.FailNoMemory();                      \
      return;                                \
    }                                        \
    m.Added();                               \
  } while (0)

#define MOEPROF_WRITER_ADD_DIM(table, next)  \
  do {                                       \
    Impl& m = *impl_;                        \
    if (!m.error.ok()) return 0;             \
    auto copy = row;                         \
    const int64_t id = AssignId(copy, m.next); \
    try {                                    \
      m.table.rows.push_back(std::move(copy)); \
    } catch (const std::bad_alloc&) {        \
      m.FailNoMemory();                      \
      return 0;                              \
    }                                        \
    m.Added();                               \
    return id;                               \
  } while (0)

int64_t TraceWriter::AddProcess(const ProcessRow& row) { MOEPROF_WRITER_ADD_DIM(process, next_process); }
int64_t TraceWriter::AddThread(const ThreadRow& row) { MOEPROF_WRITER_ADD_DIM(thread, next_thread); }
int64_t TraceWriter::AddDevice(const DeviceRow& row) { MOEPROF_WRITER_ADD_DIM(device, next_device); }
int64_t TraceWriter::AddStream(const StreamRow& row) { MOEPROF_WRITER_ADD_DIM(stream, next_stream); }
int64_t TraceWriter::AddCommunicator(const CommunicatorRow& row) {
  MOEPROF_WRITER_ADD_DIM(communicator, next_communicator);
}
int64_t TraceWriter::AddComm(const CommRow& row) { MOEPROF_WRITER_ADD_DIM(comm, next_comm); }
int64_t TraceWriter::AddStep(const StepRow& row) { MOEPROF_WRITER_ADD_DIM(step, next_step); }

void TraceWriter::UpdateStream(const StreamRow& row) {
  Impl& m = *impl_;
  if (!m.error.ok()) return;
  try {
    m.stream_updates.push_back(row);
  } catch (const std::bad_alloc&) {
    m.FailNoMemory();
  }
}

void TraceWriter::UpdateThreadName(int64_t thread_id, std::string_view name) {
  Impl& m = *impl_;
  if (!m.error.ok()) return;
  try {
    m.thread_updates.emplace_back(thread_id, std::string(name));
  } catch (const std::bad_alloc&) {
    m.FailNoMemory();
  }
}

void TraceWriter::AddClockSync(const ClockSyncRow& row) { MOEPROF_WRITER_ADD(clock_sync, row); }
void TraceWriter::AddApi(const ApiRow& row) { MOEPROF_WRITER_ADD(api, row); }
void TraceWriter::AddKernel(const KernelRow& row) { MOEPROF_WRITER_ADD(kernel, row); }
void TraceWriter::AddMemcpy(const MemcpyRow& row) { MOEPROF_WRITER_ADD(memcpy, row); }
void TraceWriter::AddMemset(const MemsetRow& row) { MOEPROF_WRITER_ADD(memset, row); }
void TraceWriter::AddSync(const SyncRow& row) { MOEPROF_WRITER_ADD(sync, row); }
void TraceWriter::AddCudaEvent(const CudaEventRow& row) { MOEPROF_WRITER_ADD(cuda_event, row); }
void TraceWriter::AddExternalCorrelation(const ExternalCorrelationRow& row) {
  MOEPROF_WRITER_ADD(external_correlation, row);
}
void TraceWriter::AddGraphLaunch(const GraphLaunchRow& row) { MOEPROF_WRITER_ADD(graph_launch, row); }
void TraceWriter::AddNvtx(const NvtxRow& row) { MOEPROF_WRITER_ADD(nvtx, row); }
void TraceWriter::AddCommSplit(const CommSplitRow& row) { MOEPROF_WRITER_ADD(comm_split, row); }
void TraceWriter::AddRouting(const RoutingRow& row) { MOEPROF_WRITER_ADD(routing, row); }
void TraceWriter::AddOverhead(const OverheadRow& row) { MOEPROF_WRITER_ADD(overhead, row); }

#undef MOEPROF_WRITER_ADD
#undef MOEPROF_WRITER_ADD_DIM

void TraceWriter::AddDrop(const DropRow& row) {
  Impl& m = *impl_;
  if (!m.error.ok()) return;
  try {
    m.CountDrop(row.source, row.reason, row.context, row.stream, row.count);
  } catch (const std::bad_alloc&) {
    m.FailNoMemory();
  }
}

Status TraceWriter::MaybeCommit() { return impl_->MaybeCommit(); }
Status TraceWriter::Commit() { return impl_->Commit(); }
Status TraceWriter::Close() { return impl_->Close(); }
const Status& TraceWriter::error() const { return impl_->error; }
int64_t TraceWriter::rows_written() const { return impl_->rows_written; }
int64_t TraceWriter::commits() const { return impl_->commits; }

}  // namespace moeprof::schemas

// TraceReader: validates a trace file (SQLite, our tables, format version), migrates older
// formats when asked, and loads or streams its tables. Read-only; extension loading stays off.
#include "moeprof/schemas/trace_reader.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <new>
#include <set>

#include "moeprof/schemas/migrations.h"
#include "sqlite_util.h"

namespace moeprof::schemas {

using internal::Exec;
using internal::SqliteError;
using internal::Stmt;

namespace {

namespace fs = std::filesystem;

// Tables a format-v1 (or newer) trace must have.
constexpr const char* kRequiredTables[] = {
    "meta",   "string",     "clock_sync", "process", "thread",   "device",
    "stream", "launch_config", "api",     "kernel",  "memcpy",   "memset",
    "sync",   "cuda_event", "external_correlation", "graph_launch", "nvtx", "communicator",
    "comm",   "comm_split", "routing",    "step",    "overhead", "drops"};

std::string UriEscape(const std::string& path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c < 0x20 || c >= 0x7f) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Opens read-only with the hardening every untrusted file gets.
Status OpenReadOnly(const std::string& path, const std::string& name_for_errors, bool immutable,
                    sqlite3** out) {
  sqlite3* db = nullptr;
  std::string target = immutable ? "file:" + UriEscape(path) + "?immutable=1" : path;
  int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
  if (immutable) flags |= SQLITE_OPEN_URI;
  const int rc = sqlite3_open_v2(target.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status st = SqliteError(db, rc, name_for_errors, "cannot open");
    sqlite3_close_v2(db);
    return st;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  // Reading through a memory map skips a copy per page, which matters for 10M-row loads.
  sqlite3_exec(db, "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -65536;", nullptr, nullptr,
               nullptr);
  *out = db;
  return Status::Ok();
}

// SQLite zero-fills a short last page and may then decode garbage without noticing, so a file cut
// short is caught up front: a database file is whole pages, at least as many as its header
// promises. Skipped while a non-empty WAL exists, which may legitimately hold newer pages.
Status CheckNotTruncated(const std::string& file, const std::string& name) {
  std::error_code ec;
  if (fs::exists(file + "-wal", ec) && fs::file_size(file + "-wal", ec) > 0) return Status::Ok();
  const uintmax_t size = fs::file_size(file, ec);
  if (ec) return Status(ErrorCode::kIo, name + ": " + ec.message());
  FILE* f = std::fopen(file.c_str(), "rb");
  if (!f) return Status(ErrorCode::kIo, name + ": cannot read");
  unsigned char h[100] = {};
  const size_t got = std::fread(h, 1, sizeof h, f);
  std::fclose(f);
  static const char kMagic[] = "SQLite format 3";
  if (got < sizeof h || std::memcmp(h, kMagic, sizeof kMagic) != 0) {
    return Status(ErrorCode::kNotATrace, name + ": not a SQLite database");
  }
  auto be32 = [&](int o) {
    return (uint32_t{h[o]} << 24) | (uint32_t{h[o + 1]} << 16) | (uint32_t{h[o + 2]} << 8) | h[o + 3];
  };
  uint32_t page_size = (uint32_t{h[16]} << 8) | h[17];
  if (page_size == 1) page_size = 65536;
  if (page_size < 512 || (page_size & (page_size - 1)) != 0) {
    return Status(ErrorCode::kCorrupt, name + ": corrupt: invalid page size in the header");
  }
  const bool count_valid = be32(24) == be32(92) && be32(28) != 0;
  const uintmax_t promised = count_valid ? uintmax_t{be32(28)} * page_size : 0;
  if (size % page_size != 0 || size < promised) {
    return Status(ErrorCode::kCorrupt, name + ": truncated: " + std::to_string(size) +
                                           " bytes, expected " +
                                           (promised ? std::to_string(promised)
                                                     : "a multiple of " + std::to_string(page_size)));
  }
  return Status::Ok();
}

Expected<std::set<std::string>> ListTables(sqlite3* db, const std::string& name) {
  Stmt st;
  MOEPROF_RETURN_IF_ERROR(
      st.Prepare(db, name, "SELECT name FROM sqlite_schema WHERE type = 'table'"));
  std::set<std::string> tables;
  for (;;) {
    const int rc = st.Step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return SqliteError(db, rc, name, "");
    tables.insert(st.Text(0));
  }
  return tables;
}

// Steps through a query, calling `row` for each result; maps any failure to a Status.
template <typename F>
Status Query(sqlite3* db, const std::string& name, const char* sql, F&& row) {
  Stmt st;
  MOEPROF_RETURN_IF_ERROR(st.Prepare(db, name, sql));
  for (;;) {
    const int rc = st.Step();
    if (rc == SQLITE_DONE) return Status::Ok();
    if (rc != SQLITE_ROW) return SqliteError(db, rc, name, "reading");
    if (!row(st)) return Status::Ok();
  }
}

template <typename Row, typename F>
Status LoadRows(sqlite3* db, const std::string& name, const char* sql, std::vector<Row>& out,
                F&& fill) {
  return Query(db, name, sql, [&](const Stmt& s) {
    out.push_back(fill(s));
    return true;
  });
}

Expected<int64_t> Count(sqlite3* db, const std::string& name, const std::string& table) {
  std::string sql = "SELECT count(*) FROM \"";
  for (char c : table) sql += c == '"' ? std::string("\"\"") : std::string(1, c);
  sql += '"';
  int64_t n = 0;
  MOEPROF_RETURN_IF_ERROR(Query(db, name, sql.c_str(), [&](const Stmt& s) {
    n = s.Int(0);
    return false;
  }));
  return n;
}

constexpr const char* kKernelSelect =
    "SELECT stream, start, correlation, graph_node, dur, name, config, graph, flags FROM kernel";
constexpr const char* kApiSelect =
    "SELECT correlation, thread, start, dur, domain, cbid, name, status FROM api";

KernelRow KernelFrom(const Stmt& s) {
  KernelRow r;
  r.stream = s.Int(0);
  r.start = s.Int(1);
  r.correlation = s.Int(2);
  r.graph_node = s.Int(3);
  r.dur = s.Int(4);
  r.name = s.Int(5);
  r.config = s.Int(6);
  r.graph = s.Int(7);
  r.flags = s.Int(8);
  return r;
}

ApiRow ApiFrom(const Stmt& s) {
  ApiRow r;
  r.correlation = s.Int(0);
  r.thread = s.Int(1);
  r.start = s.Int(2);
  r.dur = s.Int(3);
  r.domain = static_cast<ApiDomain>(s.Int(4));
  r.cbid = s.Int(5);
  r.name = s.Int(6);
  r.status = s.Int(7);
  return r;
}

}  // namespace

struct TraceReader::Impl {
  std::string path;       // as the caller named it; used in every message
  std::string temp_copy;  // migrated copy we own and delete, if any
  sqlite3* db = nullptr;
  int version = 0;
  int64_t origin_ns = 0;
  std::map<std::string, std::string> meta;

  ~Impl() {
    if (db) sqlite3_close_v2(db);
    if (!temp_copy.empty()) {
      std::error_code ec;
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(temp_copy + suffix, ec);
    }
  }

  void CloseDb() {
    if (db) sqlite3_close_v2(db);
    db = nullptr;
  }

  // Opens `file` read-only and lists its tables; falls back to immutable mode when a read-only
  // directory keeps SQLite from creating the WAL index and there is no WAL content to miss.
  Expected<std::set<std::string>> OpenAndProbe(const std::string& file) {
    CloseDb();
    MOEPROF_RETURN_IF_ERROR(OpenReadOnly(file, path, false, &db));
    auto tables = ListTables(db, path);
    if (tables.ok()) return tables;
    const int primary = sqlite3_errcode(db) & 0xff;
    std::error_code ec;
    const bool wal_empty = !fs::exists(file + "-wal", ec) || fs::file_size(file + "-wal", ec) == 0;
    if ((primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY) && wal_empty) {
      CloseDb();
      MOEPROF_RETURN_IF_ERROR(OpenReadOnly(file, path, true, &db));
      return ListTables(db, path);
    }
    return tables.status();
  }

  Status MigrateInPlace(const std::vector<Migration>& migrations) {
    CloseDb();
    sqlite3* rw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &rw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    std::unique_ptr<sqlite3, internal::DbCloser> guard(rw);
    if (rc != SQLITE_OK) return SqliteError(rw, rc, path, "opening to migrate");
    sqlite3_db_config(rw, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
    sqlite3_db_config(rw, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
    return ApplyMigrations(rw, path, migrations);
  }

  Status MigrateCopy(const std::vector<Migration>& migrations) {
    const char* tmpdir = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/moeprof-migrate-XXXXXX";
    const int fd = mkstemp(tmpl.data());
    if (fd < 0) return Status(ErrorCode::kIo, path + ": cannot create a temporary copy in " + tmpl);
    close(fd);
    temp_copy = tmpl;
    sqlite3* dst = nullptr;
    int rc = sqlite3_open_v2(temp_copy.c_str(), &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    std::unique_ptr<sqlite3, internal::DbCloser> guard(dst);
    if (rc != SQLITE_OK) return SqliteError(dst, rc, temp_copy, "creating migrated copy");
    sqlite3_db_config(dst, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
    // The backup API reads through the source connection, so committed WAL content is included.
    sqlite3_backup* b = sqlite3_backup_init(dst, "main", db, "main");
    if (!b) return SqliteError(dst, sqlite3_errcode(dst), path, "copying for migration");
    rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) return SqliteError(db, rc, path, "copying for migration");
    const std::string copy_name = path + " (migrated copy " + temp_copy + ")";
    MOEPROF_RETURN_IF_ERROR(Exec(dst, copy_name, "PRAGMA journal_mode = DELETE"));
    return ApplyMigrations(dst, copy_name, migrations);
  }

  Status Open(const ReaderOptions& options) {
    std::error_code ec;
    const auto type = fs::status(path, ec).type();
    if (type == fs::file_type::not_found) {
      return Status(ErrorCode::kNotFound, path + ": no such file");
    }
    if (ec) return Status(ErrorCode::kIo, path + ": " + ec.message());
    if (type == fs::file_type::directory) {
      return Status(ErrorCode::kInvalidArgument, path + ": is a directory, not a trace file");
    }
    if (fs::file_size(path, ec) == 0 && !ec) {
      return Status(ErrorCode::kNotATrace, path + ": empty file, not a moeprof trace");
    }
    const std::vector<Migration>& migrations =
        options.migrations ? *options.migrations : BuiltinMigrations();
    const int current = migrations.empty() ? 0 : migrations.back().version;

    MOEPROF_RETURN_IF_ERROR(CheckNotTruncated(path, path));
    auto tables = OpenAndProbe(path);
    if (!tables.ok()) return tables.status();
    if (!tables->count("meta")) {
      return Status(ErrorCode::kNotATrace, path + ": not a moeprof trace (no table meta)");
    }
    auto v = ReadFormatVersion(db, path);
    if (!v.ok()) return v.status();
    version = *v;
    if (version > current) {
      return Status(ErrorCode::kVersionTooNew,
                    path + ": trace format " + std::to_string(version) +
                        " is newer than this moeprof (" + std::to_string(current) +
                        "); upgrade moeprof");
    }
    if (version < 1) {
      return Status(ErrorCode::kNotATrace,
                    path + ": not a moeprof trace (format version " + std::to_string(version) + ")");
    }
    if (version < current) {
      if (options.migrate_in_place) {
        MOEPROF_RETURN_IF_ERROR(MigrateInPlace(migrations));
        tables = OpenAndProbe(path);
      } else if (options.migrate_copy) {
        MOEPROF_RETURN_IF_ERROR(MigrateCopy(migrations));
        CloseDb();
        tables = OpenAndProbe(temp_copy);
      } else {
        return Status(ErrorCode::kVersionTooOld,
                      path + ": trace format " + std::to_string(version) +
                          " is older than this moeprof (" + std::to_string(current) +
                          "); migrate it (in place or on a copy) to read it");
      }
      if (!tables.ok()) return tables.status();
      auto nv = ReadFormatVersion(db, path);
      if (!nv.ok()) return nv.status();
      version = *nv;
    }
    for (const char* t : kRequiredTables) {
      if (!tables->count(t)) {
        return Status(ErrorCode::kNotATrace,
                      path + ": not a moeprof trace (missing table " + t + ")");
      }
    }
    MOEPROF_RETURN_IF_ERROR(Query(db, path, "SELECT key, value FROM meta", [&](const Stmt& s) {
      meta[s.Text(0)] = s.Text(1);
      return true;
    }));
    auto schema = meta.find("schema");
    if (schema == meta.end() || schema->second != "moeprof-trace") {
      return Status(ErrorCode::kNotATrace, path + ": not a moeprof trace (meta 'schema' is not "
                                                  "moeprof-trace)");
    }
    if (auto o = meta.find("origin_ns"); o != meta.end()) {
      origin_ns = std::strtoll(o->second.c_str(), nullptr, 10);
    }
    return Status::Ok();
  }

  Status LoadInto(Trace& t) const;
};

TraceReader::TraceReader() : impl_(std::make_unique<Impl>()) {}
TraceReader::~TraceReader() = default;

Expected<std::unique_ptr<TraceReader>> TraceReader::Open(const std::string& path,
                                                         const ReaderOptions& options) {
  try {
    std::unique_ptr<TraceReader> r(new TraceReader());
    r->impl_->path = path;
    Status st = r->impl_->Open(options);
    if (!st.ok()) return st;
    return r;
  } catch (const std::bad_alloc&) {
    return Status(ErrorCode::kInternal, path + ": out of memory");
  }
}

const std::string& TraceReader::path() const { return impl_->path; }
int TraceReader::format_version() const { return impl_->version; }
const std::map<std::string, std::string>& TraceReader::meta() const { return impl_->meta; }

Expected<std::map<std::string, int64_t>> TraceReader::RowCounts() const {
  try {
    std::map<std::string, int64_t> counts;
    auto tables = ListTables(impl_->db, impl_->path);
    if (!tables.ok()) return tables.status();
    for (const std::string& t : *tables) {
      if (t.rfind("sqlite_", 0) == 0) continue;
      auto n = Count(impl_->db, impl_->path, t);
      if (!n.ok()) return n.status();
      counts[t] = *n;
    }
    return counts;
  } catch (const std::bad_alloc&) {
    return Status(ErrorCode::kInternal, impl_->path + ": out of memory");
  }
}

Status TraceReader::Impl::LoadInto(Trace& t) const {
  const std::string& p = path;
  t.path = path;
  t.format_version = version;
  t.origin_ns = origin_ns;
  t.meta = meta;

  t.strings.assign(1, std::string());
  MOEPROF_RETURN_IF_ERROR(Query(db, p, "SELECT id, value FROM string", [&](const Stmt& s) {
    const int64_t id = s.Int(0);
    // Ids are dense from 1; a wild id in a damaged file must not make us allocate gigabytes.
    if (id <= 0 || id > (int64_t{1} << 31)) return true;
    if (static_cast<size_t>(id) >= t.strings.size()) t.strings.resize(static_cast<size_t>(id) + 1);
    t.strings[static_cast<size_t>(id)] = s.Text(1);
    return true;
  }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p, "SELECT id, label, trace_ns, realtime_ns, monotonic_ns FROM clock_sync",
      t.clock_syncs, [](const Stmt& s) {
        return ClockSyncRow{s.Int(0), s.Text(1), s.Int(2), s.Int(3), s.Int(4)};
      }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p, "SELECT id, pid, host, rank, local_rank, world_size, name FROM process", t.processes,
      [](const Stmt& s) {
        return ProcessRow{s.Int(0), s.Int(1), s.Text(2), s.OptInt(3), s.OptInt(4), s.OptInt(5),
                          s.OptText(6)};
      }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(db, p, "SELECT id, process, tid, name FROM thread", t.threads,
                                   [](const Stmt& s) {
                                     return ThreadRow{s.Int(0), s.Int(1), s.Int(2), s.OptText(3)};
                                   }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p,
      "SELECT id, process, ordinal, name, uuid, sm_count, cc_major, cc_minor, memory_bytes, "
      "memory_bandwidth_bps, l2_bytes, clock_khz, peak_bf16_flops, peak_fp32_flops FROM device",
      t.devices, [](const Stmt& s) {
        DeviceRow r;
        r.id = s.Int(0);
        r.process = s.Int(1);
        r.ordinal = s.Int(2);
        r.name = s.Text(3);
        r.uuid = s.OptText(4);
        r.sm_count = s.OptInt(5);
        r.cc_major = s.OptInt(6);
        r.cc_minor = s.OptInt(7);
        r.memory_bytes = s.OptInt(8);
        r.memory_bandwidth_bps = s.OptInt(9);
        r.l2_bytes = s.OptInt(10);
        r.clock_khz = s.OptInt(11);
        r.peak_bf16_flops = s.OptDouble(12);
        r.peak_fp32_flops = s.OptDouble(13);
        return r;
      }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p, "SELECT id, device, context, native_id, priority, name, role FROM stream", t.streams,
      [](const Stmt& s) {
        return StreamRow{s.Int(0), s.Int(1), s.Int(2), s.Int(3), s.OptInt(4), s.OptText(5),
                         s.OptText(6)};
      }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p,
      "SELECT id, grid_x, grid_y, grid_z, block_x, block_y, block_z, cluster_x, cluster_y, "
      "cluster_z, registers, static_smem, dynamic_smem, local_mem FROM launch_config",
      t.launch_configs, [](const Stmt& s) {
        LaunchConfig c;
        int64_t* f[] = {&c.id,        &c.grid_x,    &c.grid_y,      &c.grid_z,       &c.block_x,
                        &c.block_y,   &c.block_z,   &c.cluster_x,   &c.cluster_y,    &c.cluster_z,
                        &c.registers, &c.static_smem, &c.dynamic_smem, &c.local_mem};
        for (int i = 0; i < 14; ++i) *f[i] = s.Int(i);
        return c;
      }));

  {
    auto n = Count(db, p, "api");
    if (!n.ok()) return n.status();
    ApiColumns& a = t.api;
    const auto size = static_cast<size_t>(*n);
    a.correlation.reserve(size), a.thread.reserve(size), a.start.reserve(size);
    a.dur.reserve(size), a.domain.reserve(size), a.cbid.reserve(size), a.name.reserve(size);
    a.status.reserve(size);
    MOEPROF_RETURN_IF_ERROR(Query(db, p, kApiSelect, [&](const Stmt& s) {
      a.correlation.push_back(s.Int(0));
      a.thread.push_back(static_cast<int32_t>(s.Int(1)));
      a.start.push_back(s.Int(2));
      a.dur.push_back(s.Int(3));
      a.domain.push_back(static_cast<int8_t>(s.Int(4)));
      a.cbid.push_back(static_cast<int32_t>(s.Int(5)));
      a.name.push_back(static_cast<int32_t>(s.Int(6)));
      a.status.push_back(static_cast<int32_t>(s.Int(7)));
      return true;
    }));
  }
  {
    auto n = Count(db, p, "kernel");
    if (!n.ok()) return n.status();
    KernelColumns& k = t.kernels;
    const auto size = static_cast<size_t>(*n);
    k.stream.reserve(size), k.start.reserve(size), k.dur.reserve(size);
    k.correlation.reserve(size), k.graph_node.reserve(size), k.graph.reserve(size);
    k.name.reserve(size), k.config.reserve(size), k.flags.reserve(size);
    MOEPROF_RETURN_IF_ERROR(Query(db, p, kKernelSelect, [&](const Stmt& s) {
      k.stream.push_back(static_cast<int32_t>(s.Int(0)));
      k.start.push_back(s.Int(1));
      k.correlation.push_back(s.Int(2));
      k.graph_node.push_back(s.Int(3));
      k.dur.push_back(s.Int(4));
      k.name.push_back(static_cast<int32_t>(s.Int(5)));
      k.config.push_back(static_cast<int32_t>(s.Int(6)));
      k.graph.push_back(s.Int(7));
      k.flags.push_back(static_cast<int32_t>(s.Int(8)));
      return true;
    }));
  }
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p,
      "SELECT stream, start, correlation, graph_node, dur, bytes, copy_kind, src_kind, dst_kind, "
      "src_device, dst_device, graph, flags FROM memcpy",
      t.memcpys, [](const Stmt& s) {
        MemcpyRow r;
        r.stream = s.Int(0);
        r.start = s.Int(1);
        r.correlation = s.Int(2);
        r.graph_node = s.Int(3);
        r.dur = s.Int(4);
        r.bytes = s.Int(5);
        r.copy_kind = s.Int(6);
        r.src_kind = s.Int(7);
        r.dst_kind = s.Int(8);
        r.src_device = s.OptInt(9);
        r.dst_device = s.OptInt(10);
        r.graph = s.Int(11);
        r.flags = s.Int(12);
        return r;
      }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p,
      "SELECT stream, start, correlation, graph_node, dur, bytes, value, mem_kind, graph, flags "
      "FROM memset",
      t.memsets, [](const Stmt& s) {
        MemsetRow r;
        r.stream = s.Int(0);
        r.start = s.Int(1);
        r.correlation = s.Int(2);
        r.graph_node = s.Int(3);
        r.dur = s.Int(4);
        r.bytes = s.Int(5);
        r.value = s.Int(6);
        r.mem_kind = s.Int(7);
        r.graph = s.Int(8);
        r.flags = s.Int(9);
        return r;
      }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p, "SELECT id, type, stream, event, start, dur, correlation FROM sync", t.syncs,
      [](const Stmt& s) {
        return SyncRow{s.Int(0), s.Int(1), s.OptInt(2), s.OptInt(3), s.Int(4), s.Int(5), s.Int(6)};
      }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p, "SELECT id, correlation, stream, event, sync_id, device_time FROM cuda_event",
      t.cuda_events, [](const Stmt& s) {
        return CudaEventRow{s.Int(0), s.Int(1), s.OptInt(2), s.Int(3), s.Int(4), s.OptInt(5)};
      }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p, "SELECT correlation, kind, external_id FROM external_correlation",
      t.external_correlations,
      [](const Stmt& s) { return ExternalCorrelationRow{s.Int(0), s.Int(1), s.Int(2)}; }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p, "SELECT correlation, graph, stream, start, dur FROM graph_launch", t.graph_launches,
      [](const Stmt& s) {
        return GraphLaunchRow{s.Int(0), s.Int(1), s.OptInt(2), s.Int(3), s.Int(4)};
      }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p,
      "SELECT id, thread, kind, domain, text, category, start, dur, depth, color, payload_kind, "
      "payload, stream FROM nvtx",
      t.nvtx, [](const Stmt& s) {
        NvtxRow r;
        r.id = s.Int(0);
        r.thread = s.Int(1);
        r.kind = static_cast<NvtxKind>(s.Int(2));
        r.domain = s.Int(3);
        r.text = s.Int(4);
        r.category = s.Int(5);
        r.start = s.Int(6);
        r.dur = s.Int(7);
        r.depth = s.Int(8);
        r.color = s.OptInt(9);
        r.payload_kind = static_cast<PayloadKind>(s.Int(10));
        r.payload = s.OptDouble(11);
        r.stream = s.OptInt(12);
        return r;
      }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p, "SELECT id, comm_id, name, rank, nranks, nnodes, role FROM communicator",
      t.communicators, [](const Stmt& s) {
        return CommunicatorRow{s.Int(0), s.Int(1),    s.OptText(2), s.Int(3),
                               s.Int(4), s.OptInt(5), s.OptText(6)};
      }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p,
      "SELECT id, communicator, op, seq, count, datatype, bytes, peer, root, algorithm, protocol, "
      "start, dur, kernel_correlation, role FROM comm",
      t.comms, [](const Stmt& s) {
        CommRow r;
        r.id = s.Int(0);
        r.communicator = s.OptInt(1);
        r.op = s.Int(2);
        r.seq = s.OptInt(3);
        r.count = s.OptInt(4);
        r.datatype = s.OptInt(5);
        r.bytes = s.OptInt(6);
        r.peer = s.OptInt(7);
        r.root = s.OptInt(8);
        r.algorithm = s.OptInt(9);
        r.protocol = s.OptInt(10);
        r.start = s.Int(11);
        r.dur = s.Int(12);
        r.kernel_correlation = s.OptInt(13);
        r.role = s.OptText(14);
        return r;
      }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p, "SELECT comm, peer, in_count, out_count FROM comm_split", t.comm_splits,
      [](const Stmt& s) { return CommSplitRow{s.Int(0), s.Int(1), s.Int(2), s.Int(3)}; }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p, "SELECT step, layer, microbatch, rank, expert, tokens, time FROM routing", t.routing,
      [](const Stmt& s) {
        return RoutingRow{s.Int(0), s.Int(1), s.Int(2), s.Int(3), s.Int(4), s.Int(5), s.OptInt(6)};
      }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p, "SELECT id, number, start, dur, source FROM step", t.steps, [](const Stmt& s) {
        return StepRow{s.Int(0), s.Int(1), s.Int(2), s.Int(3), s.Text(4)};
      }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p, "SELECT id, kind, thread, device, start, dur FROM overhead", t.overheads,
      [](const Stmt& s) {
        return OverheadRow{s.Int(0), s.Int(1), s.OptInt(2), s.OptInt(3), s.Int(4), s.Int(5)};
      }));
  MOEPROF_RETURN_IF_ERROR(LoadRows(
      db, p, "SELECT id, source, reason, context, stream, count FROM drops", t.drops,
      [](const Stmt& s) {
        return DropRow{s.Int(0), s.Text(1), s.Text(2), s.OptInt(3), s.OptInt(4), s.Int(5)};
      }));
  return Status::Ok();
}

Expected<Trace> TraceReader::LoadAll() const {
  try {
    // One read transaction: every table comes from the same snapshot even if a writer is live.
    MOEPROF_RETURN_IF_ERROR(Exec(impl_->db, impl_->path, "BEGIN"));
    Trace t;
    Status st = impl_->LoadInto(t);
    sqlite3_exec(impl_->db, "COMMIT", nullptr, nullptr, nullptr);
    if (!st.ok()) return st;
    return t;
  } catch (const std::bad_alloc&) {
    sqlite3_exec(impl_->db, "COMMIT", nullptr, nullptr, nullptr);
    return Status(ErrorCode::kInternal, impl_->path + ": out of memory while loading");
  }
}

Status TraceReader::ForEachKernel(const std::function<bool(const KernelRow&)>& fn) const {
  return Query(impl_->db, impl_->path, kKernelSelect,
               [&](const Stmt& s) { return fn(KernelFrom(s)); });
}

Status TraceReader::ForEachApi(const std::function<bool(const ApiRow&)>& fn) const {
  return Query(impl_->db, impl_->path, kApiSelect, [&](const Stmt& s) { return fn(ApiFrom(s)); });
}

const std::string& Trace::str(StringId id) const {
  static const std::string kEmpty;
  if (id < 0 || static_cast<size_t>(id) >= strings.size()) return kEmpty;
  return strings[static_cast<size_t>(id)];
}

}  // namespace moeprof::schemas

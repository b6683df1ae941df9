// Builds a TraceSummary (see trace_summary.h). The reader validates the file (version, tables) and
// supplies meta and row counts; the rest comes from SQL aggregates over the file, so a summary of a
// multi-gigabyte trace reads indexes and a few columns instead of loading every row. A migrated
// (older-format) trace is the exception: its data lives in the reader's temporary copy, so the
// summary is computed from the loaded trace instead.
#include "moeprof/analyzer/trace_summary.h"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <string_view>

#include "moeprof/analyzer/sqlite_query.h"
#include "moeprof/schemas/trace_reader.h"

namespace moeprof::analyzer {
namespace {

// Tables whose rows are timed events; the span covers all of them.
constexpr std::string_view kTimedTables[] = {"kernel", "memcpy", "memset", "api", "nvtx"};

std::optional<std::string> MetaValue(const std::map<std::string, std::string>& meta,
                                     std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    auto it = meta.find(std::string(key));
    if (it != meta.end() && !it->second.empty()) return it->second;
  }
  return std::nullopt;
}

std::optional<int64_t> ParseInt(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  int64_t v = 0;
  const char* end = s->data() + s->size();
  auto [ptr, ec] = std::from_chars(s->data(), end, v);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

// The collector records CUDA versions as CUDA_VERSION-style integers (13000 = 13.0); show them the
// way people write them. Anything else (e.g. "580.65.06") is kept as recorded.
std::optional<std::string> CudaVersionText(const std::optional<std::string>& v) {
  const std::optional<int64_t> n = ParseInt(v);
  if (!n || *n < 1000) return v;
  return std::to_string(*n / 1000) + "." + std::to_string((*n % 1000) / 10);
}

void FillFromMeta(TraceSummary& s) {
  const auto& m = s.meta;
  s.schema = MetaValue(m, {"schema"});
  s.tool = MetaValue(m, {"tool"});
  s.tool_version = MetaValue(m, {"tool_version"});
  // FORMAT.md names cuda_version/driver_version; the collector writes the cuda_* spellings.
  s.cuda_version =
      CudaVersionText(MetaValue(m, {"cuda_version", "cuda_toolkit_version", "cuda_runtime_version"}));
  s.cupti_version = MetaValue(m, {"cupti_version"});
  s.driver_version = CudaVersionText(MetaValue(m, {"driver_version", "cuda_driver_version"}));
  s.backend = MetaValue(m, {"backend"});
  s.device_model = MetaValue(m, {"device_model"});
  s.clock = MetaValue(m, {"clock"});
  s.origin_ns = ParseInt(MetaValue(m, {"origin_ns"}));
}

// Process identity: the process table is authoritative; meta keys cover traces without one.
void FillIdentity(TraceSummary& s) {
  if (!s.processes.empty()) {
    const ProcessInfo& p = s.processes.front();
    s.host = p.host;
    s.pid = p.pid;
    s.rank = p.rank;
    s.local_rank = p.local_rank;
    s.world_size = p.world_size;
  }
  if (!s.host) s.host = MetaValue(s.meta, {"host", "hostname"});
  if (!s.pid) s.pid = ParseInt(MetaValue(s.meta, {"pid"}));
  if (!s.rank) s.rank = ParseInt(MetaValue(s.meta, {"rank"}));
  if (!s.local_rank) s.local_rank = ParseInt(MetaValue(s.meta, {"local_rank"}));
  if (!s.world_size) s.world_size = ParseInt(MetaValue(s.meta, {"world_size"}));
}

void ExtendSpan(std::optional<TimeSpan>& span, int64_t start, int64_t end) {
  if (!span) {
    span = TimeSpan{start, end};
  } else {
    span->start_ns = std::min(span->start_ns, start);
    span->end_ns = std::max(span->end_ns, end);
  }
}

Status SummarizeWithSql(const std::string& path, TraceSummary& s) {
  Expected<std::unique_ptr<SqliteQuery>> opened = SqliteQuery::OpenReadOnly(path);
  if (!opened) return opened.status();
  const SqliteQuery& q = **opened;

  MOEPROF_RETURN_IF_ERROR(q.ForEach(
      "SELECT pid, host, rank, local_rank, world_size, name FROM process ORDER BY id",
      [&](const SqlRow& r) {
        s.processes.push_back({r.Int(0), r.Text(1), r.OptInt(2), r.OptInt(3), r.OptInt(4),
                               r.OptText(5)});
        return true;
      }));
  MOEPROF_RETURN_IF_ERROR(q.ForEach(
      "SELECT ordinal, name, sm_count, memory_bytes, cc_major, cc_minor FROM device "
      "ORDER BY process, ordinal",
      [&](const SqlRow& r) {
        s.devices.push_back({r.Int(0), r.Text(1), r.OptInt(2), r.OptInt(3), r.OptInt(4), r.OptInt(5)});
        return true;
      }));
  for (std::string_view table : kTimedTables) {
    // One pass per table; MIN/MAX over an aggregate is far cheaper than materialising rows.
    const std::string sql =
        "SELECT MIN(start), MAX(start + dur), COUNT(*) FROM " + std::string(table);
    MOEPROF_RETURN_IF_ERROR(q.ForEach(sql, [&](const SqlRow& r) {
      if (r.Int(2) > 0) ExtendSpan(s.span, r.Int(0), r.Int(1));
      return false;
    }));
  }
  MOEPROF_RETURN_IF_ERROR(q.ForEach(
      "SELECT source, reason, SUM(count) FROM drops GROUP BY source, reason ORDER BY source, reason",
      [&](const SqlRow& r) {
        s.drops.push_back({r.Text(0), r.Text(1), r.Int(2)});
        return true;
      }));
  return Status::Ok();
}

// Same figures from a fully loaded trace (used for migrated copies, whose path is the reader's).
void SummarizeLoaded(const schemas::Trace& t, TraceSummary& s) {
  for (const auto& p : t.processes) {
    s.processes.push_back({p.pid, p.host, p.rank, p.local_rank, p.world_size, p.name});
  }
  std::vector<schemas::DeviceRow> devices = t.devices;
  std::stable_sort(devices.begin(), devices.end(), [](const auto& a, const auto& b) {
    return a.process != b.process ? a.process < b.process : a.ordinal < b.ordinal;
  });
  for (const auto& d : devices) {
    s.devices.push_back({d.ordinal, d.name, d.sm_count, d.memory_bytes, d.cc_major, d.cc_minor});
  }
  for (size_t i = 0; i < t.kernels.size(); ++i) {
    ExtendSpan(s.span, t.kernels.start[i], t.kernels.start[i] + t.kernels.dur[i]);
  }
  for (size_t i = 0; i < t.api.size(); ++i) {
    ExtendSpan(s.span, t.api.start[i], t.api.start[i] + t.api.dur[i]);
  }
  for (const auto& r : t.memcpys) ExtendSpan(s.span, r.start, r.start + r.dur);
  for (const auto& r : t.memsets) ExtendSpan(s.span, r.start, r.start + r.dur);
  for (const auto& r : t.nvtx) ExtendSpan(s.span, r.start, r.start + r.dur);
  std::map<std::pair<std::string, std::string>, int64_t> drops;
  for (const auto& d : t.drops) drops[{d.source, d.reason}] += d.count;
  for (const auto& [key, count] : drops) s.drops.push_back({key.first, key.second, count});
}

// The on-disk format version, read without the reader (which reports the migrated version).
std::optional<int> OnDiskVersion(const std::string& path) {
  Expected<std::unique_ptr<SqliteQuery>> q = SqliteQuery::OpenReadOnly(path);
  if (!q) return std::nullopt;
  Expected<std::optional<int64_t>> v = (*q)->ScalarInt("PRAGMA user_version");
  if (!v || !v->has_value()) return std::nullopt;
  return static_cast<int>(**v);
}

}  // namespace

Expected<TraceSummary> SummarizeTrace(const std::string& path, const SummaryOptions& options) {
  schemas::ReaderOptions reader_options;
  reader_options.migrate_copy = options.migrate_older;
  reader_options.migrations = options.migrations;
  Expected<std::unique_ptr<schemas::TraceReader>> opened =
      schemas::TraceReader::Open(path, reader_options);
  if (!opened) return opened.status();
  const schemas::TraceReader& reader = **opened;

  TraceSummary s;
  s.path = path;
  s.format_version = reader.format_version();
  s.meta = reader.meta();
  FillFromMeta(s);

  Expected<std::map<std::string, int64_t>> counts = reader.RowCounts();
  if (!counts) return counts.status();
  s.row_counts = std::move(*counts);

  // The reader reports the version it reads at (after migration); the file may be older.
  const std::optional<int> disk_version = OnDiskVersion(path);
  if (disk_version && *disk_version < reader.format_version()) {
    s.migrated_from = *disk_version;
    Expected<schemas::Trace> trace = reader.LoadAll();
    if (!trace) return trace.status();
    SummarizeLoaded(*trace, s);
  } else {
    MOEPROF_RETURN_IF_ERROR(SummarizeWithSql(path, s));
  }
  FillIdentity(s);
  for (const DropTotal& d : s.drops) s.drops_total += d.count;
  return s;
}

}  // namespace moeprof::analyzer

// AttachRoutingToTrace (see importers.h): the routing rows of a Megatron-LM JSONL are written
// through the trace library into a temporary trace, whose routing and drops tables are then copied
// into the target trace in one transaction. The target is validated by TraceReader first (a file
// that is not a trace, or in another format version, is refused before anything is written).
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "moeprof/analyzer/importers.h"
#include "moeprof/schemas/trace_reader.h"

namespace fs = std::filesystem;

namespace moeprof::analyzer {
namespace {

struct TempFile {
  std::string path;
  ~TempFile() {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix, ec);
  }
};

Status Exec(sqlite3* db, const std::string& sql, const std::string& what) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    Status st(ErrorCode::kIo, what + ": " + (err ? err : "unknown SQLite error"));
    sqlite3_free(err);
    return st;
  }
  return Status::Ok();
}

}  // namespace

Status AttachRoutingToTrace(const std::string& trace_path, const std::string& routing_path,
                            const ImportOptions& options, ImportStats& stats,
                            std::optional<int64_t> only_rank) {
  {
    Expected<std::unique_ptr<schemas::TraceReader>> reader = schemas::TraceReader::Open(trace_path);
    if (!reader) return reader.status();
  }
  TempFile tmp{trace_path + ".routing-" + std::to_string(getpid()) + ".tmp"};
  {
    schemas::WriterOptions wo;
    wo.overwrite = true;
    wo.commit_interval_ms = 60 * 60 * 1000;
    Expected<std::unique_ptr<schemas::TraceWriter>> writer = schemas::TraceWriter::Create(tmp.path, wo);
    if (!writer) return writer.status();
    MOEPROF_RETURN_IF_ERROR(ImportMegatronRouting(routing_path, **writer, options, stats, only_rank));
    MOEPROF_RETURN_IF_ERROR((*writer)->Close());
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(trace_path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    Status st(ErrorCode::kIo, trace_path + ": cannot open for writing: " +
                                  std::string(db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close(db);
    return st;
  }
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_busy_timeout(db, 5000);
  std::string quoted;
  for (char c : tmp.path) quoted += (c == '\'') ? std::string("''") : std::string(1, c);
  const std::string where = trace_path + ": attaching routing";
  Status st = Exec(db, "ATTACH DATABASE '" + quoted + "' AS r", where);
  if (st.ok()) {
    st = Exec(db,
              "BEGIN IMMEDIATE;"
              "INSERT OR REPLACE INTO main.routing(step, layer, microbatch, rank, expert, tokens, time) "
              "  SELECT step, layer, microbatch, rank, expert, tokens, time FROM r.routing;"
              "INSERT INTO main.drops(source, reason, context, stream, count) "
              "  SELECT source, reason, context, stream, count FROM r.drops;"
              "COMMIT;",
              where);
    if (!st.ok()) (void)Exec(db, "ROLLBACK", where);
    (void)Exec(db, "DETACH DATABASE r", where);
  }
  sqlite3_close(db);
  if (st.ok()) stats.outputs.push_back(trace_path);
  return st;
}

}  // namespace moeprof::analyzer

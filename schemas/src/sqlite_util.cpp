// SQLite error mapping and statement helpers (see sqlite_util.h).
#include "sqlite_util.h"

namespace moeprof::schemas::internal {

Status SqliteError(sqlite3* db, int rc, const std::string& path, std::string_view what) {
  const int primary = rc & 0xff;
  // The connection's message is more specific than sqlite3_errstr when it belongs to this error.
  std::string detail = db && sqlite3_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  ErrorCode code = ErrorCode::kInternal;
  std::string prefix;
  switch (primary) {
    case SQLITE_FULL:
      code = ErrorCode::kIo;
      prefix = "disk full: ";
      break;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = ErrorCode::kIo;
      break;
    case SQLITE_CORRUPT:
      code = ErrorCode::kCorrupt;
      prefix = "corrupt or truncated: ";
      break;
    case SQLITE_NOTADB:
      code = ErrorCode::kNotATrace;
      return Status(code, path + ": not a SQLite database");
    case SQLITE_NOMEM:
      code = ErrorCode::kInternal;
      break;
    default:
      break;
  }
  std::string msg = path;
  msg += ": ";
  if (!what.empty()) {
    msg += what;
    msg += ": ";
  }
  msg += prefix;
  msg += detail;
  return Status(code, std::move(msg));
}

Status Exec(sqlite3* db, const std::string& path, const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  sqlite3_free(err);  // the connection keeps the same message for SqliteError
  if (rc != SQLITE_OK) return SqliteError(db, rc, path, "");
  return Status::Ok();
}

Status Stmt::Prepare(sqlite3* db, const std::string& path, const char* sql) {
  Finalize();
  const int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    Finalize();
    return SqliteError(db, rc, path, "prepare");
  }
  return Status::Ok();
}

std::string Stmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  const int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(p, static_cast<size_t>(n)) : std::string();
}

}  // namespace moeprof::schemas::internal

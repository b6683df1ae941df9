// Read-only SQLite access for aggregate queries (see sqlite_query.h).
#include "moeprof/analyzer/sqlite_query.h"

#include <sqlite3.h>

namespace moeprof::analyzer {

bool SqlRow::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int64_t SqlRow::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
std::optional<int64_t> SqlRow::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}
double SqlRow::Double(int col) const { return sqlite3_column_double(stmt_, col); }
std::string SqlRow::Text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}
std::optional<std::string> SqlRow::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

Expected<std::unique_ptr<SqliteQuery>> SqliteQuery::OpenReadOnly(const std::string& path) {
  sqlite3* db = nullptr;
  // SQLITE_OPEN_READONLY: analysis never modifies a trace. Extension loading is off by default
  // for connections opened through the C API, and we never enable it.
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status(ErrorCode::kIo, path + ": cannot open: " + msg);
  }
  // Traces are read while a writer may still be committing; wait briefly instead of failing.
  sqlite3_busy_timeout(db, 2000);
  return std::unique_ptr<SqliteQuery>(new SqliteQuery(db, path));
}

SqliteQuery::~SqliteQuery() { sqlite3_close(db_); }

Status SqliteQuery::ForEach(std::string_view sql,
                            const std::function<bool(const SqlRow&)>& fn) const {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return Status(ErrorCode::kCorrupt, path_ + ": query failed: " + sqlite3_errmsg(db_));
  }
  const SqlRow row(stmt);
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (!fn(row)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  Status status;
  if (rc != SQLITE_DONE) {
    status = Status(rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB ? ErrorCode::kCorrupt : ErrorCode::kIo,
                    path_ + ": query failed: " + sqlite3_errmsg(db_));
  }
  sqlite3_finalize(stmt);
  return status;
}

Expected<std::optional<int64_t>> SqliteQuery::ScalarInt(std::string_view sql) const {
  std::optional<int64_t> value;
  Status st = ForEach(sql, [&](const SqlRow& row) {
    value = row.OptInt(0);
    return false;
  });
  if (!st.ok()) return st;
  return value;
}

Expected<bool> SqliteQuery::HasTable(std::string_view table) const {
  bool found = false;
  sqlite3_stmt* stmt = nullptr;
  static constexpr std::string_view kSql =
      "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1";
  if (sqlite3_prepare_v2(db_, kSql.data(), static_cast<int>(kSql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    return Status(ErrorCode::kCorrupt, path_ + ": query failed: " + sqlite3_errmsg(db_));
  }
  sqlite3_bind_text(stmt, 1, table.data(), static_cast<int>(table.size()), SQLITE_TRANSIENT);
  const int rc = sqlite3_step(stmt);
  found = rc == SQLITE_ROW;
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    return Status(ErrorCode::kCorrupt, path_ + ": query failed: " + sqlite3_errmsg(db_));
  }
  return found;
}

}  // namespace moeprof::analyzer

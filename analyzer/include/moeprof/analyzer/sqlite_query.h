// A small read-only SQL helper for the analyzer's aggregate queries (MIN/MAX/SUM over a trace)
// that the schema library's TraceReader does not offer; computing them in SQLite avoids loading
// whole tables. Opens the file read-only with extension loading off; never writes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "moeprof/schemas/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace moeprof::analyzer {

// One result row, valid only during the callback.
class SqlRow {
 public:
  explicit SqlRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
  bool IsNull(int col) const;
  int64_t Int(int col) const;                    // 0 for NULL
  std::optional<int64_t> OptInt(int col) const;  // nullopt for NULL
  double Double(int col) const;
  std::string Text(int col) const;  // "" for NULL
  std::optional<std::string> OptText(int col) const;

 private:
  sqlite3_stmt* stmt_;
};

class SqliteQuery {
 public:
  // Errors name the file (e.g. "PATH: cannot open: ...").
  static Expected<std::unique_ptr<SqliteQuery>> OpenReadOnly(const std::string& path);
  ~SqliteQuery();
  SqliteQuery(const SqliteQuery&) = delete;
  SqliteQuery& operator=(const SqliteQuery&) = delete;

  // Runs one statement, calling `fn` per result row; `fn` returns false to stop early.
  Status ForEach(std::string_view sql, const std::function<bool(const SqlRow&)>& fn) const;
  // First column of the first row; nullopt when there is no row or the value is NULL.
  Expected<std::optional<int64_t>> ScalarInt(std::string_view sql) const;
  // Whether a table of that name exists in the main schema.
  Expected<bool> HasTable(std::string_view table) const;

  const std::string& path() const { return path_; }

 private:
  SqliteQuery(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

}  // namespace moeprof::analyzer

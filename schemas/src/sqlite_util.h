// Small RAII and error helpers over the SQLite C API, shared by the writer, reader and migrations.
// Everything returns Status values whose messages name the trace file.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "moeprof/schemas/status.h"

namespace moeprof::schemas::internal {

// Maps a SQLite result code to our error codes and builds "FILE: what: sqlite message".
Status SqliteError(sqlite3* db, int rc, const std::string& path, std::string_view what);

// Runs SQL without results (may hold several statements).
Status Exec(sqlite3* db, const std::string& path, const char* sql);

// Closes a connection on scope exit unless released.
struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

// A prepared statement, finalized on destruction. Binding helpers use 1-based indexes.
class Stmt {
 public:
  Stmt() = default;
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(Stmt&& o) noexcept : stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept {
    if (this != &o) {
      sqlite3_finalize(stmt_);
      stmt_ = o.stmt_;
      o.stmt_ = nullptr;
    }
    return *this;
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Status Prepare(sqlite3* db, const std::string& path, const char* sql);
  sqlite3_stmt* get() const { return stmt_; }
  explicit operator bool() const { return stmt_ != nullptr; }
  void Finalize() {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
  }

  // Reset keeps bindings; every insert rebinds all parameters, so no clear_bindings is needed.
  void Reset() { sqlite3_reset(stmt_); }
  int Step() { return sqlite3_step(stmt_); }

  // Parameter indexes passed to Bind are shifted by this base, so one row binder can fill any
  // row of a multi-row INSERT.
  void SetBindBase(int base) { base_ = base; }

  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, base_ + i, v); }
  void Bind(int i, double v) { sqlite3_bind_double(stmt_, base_ + i, v); }
  void Bind(int i, std::string_view v) {
    // SQLITE_STATIC: the caller keeps the text alive until the statement is stepped and reset.
    sqlite3_bind_text(stmt_, base_ + i, v.empty() ? "" : v.data(), static_cast<int>(v.size()),
                      SQLITE_STATIC);
  }
  void Bind(int i, const std::optional<int64_t>& v) {
    if (v) Bind(i, *v);
    else BindNull(i);
  }
  void Bind(int i, const std::optional<double>& v) {
    if (v) Bind(i, *v);
    else BindNull(i);
  }
  void Bind(int i, const std::optional<std::string>& v) {
    if (v) Bind(i, std::string_view(*v));
    else BindNull(i);
  }
  void BindNull(int i) { sqlite3_bind_null(stmt_, base_ + i); }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::optional<int64_t> OptInt(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Int(col);
  }
  std::optional<double> OptDouble(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Double(col);
  }
  std::string Text(int col) const;
  std::optional<std::string> OptText(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Text(col);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int base_ = 0;
};

}  // namespace moeprof::schemas::internal

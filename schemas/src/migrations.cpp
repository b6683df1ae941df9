// The migration engine: reads PRAGMA user_version and applies newer migrations in one transaction,
// so a failed upgrade leaves the file exactly as it was.
#include "moeprof/schemas/migrations.h"

#include <string>

#include "sqlite_util.h"

namespace moeprof::schemas {

using internal::Exec;
using internal::SqliteError;
using internal::Stmt;

int CurrentFormatVersion() {
  const auto& m = BuiltinMigrations();
  return m.empty() ? 0 : m.back().version;
}

Expected<int> ReadFormatVersion(sqlite3* db, const std::string& path_for_errors) {
  Stmt st;
  MOEPROF_RETURN_IF_ERROR(st.Prepare(db, path_for_errors, "PRAGMA user_version"));
  const int rc = st.Step();
  if (rc != SQLITE_ROW) return SqliteError(db, rc, path_for_errors, "reading the format version");
  return static_cast<int>(st.Int(0));
}

Status ApplyMigrations(sqlite3* db, const std::string& path_for_errors,
                       const std::vector<Migration>& migrations, int up_to) {
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version <= migrations[i - 1].version) {
      return Status(ErrorCode::kInvalidArgument,
                    path_for_errors + ": migration versions are not ascending (" +
                        std::to_string(migrations[i - 1].version) + " then " +
                        std::to_string(migrations[i].version) + ")");
    }
  }
  // BEGIN IMMEDIATE takes the write lock before reading user_version, so two processes cannot
  // both decide to apply the same migration.
  MOEPROF_RETURN_IF_ERROR(Exec(db, path_for_errors, "BEGIN IMMEDIATE"));
  auto fail = [&](Status st) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  };
  auto current = ReadFormatVersion(db, path_for_errors);
  if (!current.ok()) return fail(current.status());
  for (const Migration& m : migrations) {
    if (m.version <= *current) continue;
    if (up_to >= 0 && m.version > up_to) break;
    Status st = Exec(db, path_for_errors, m.sql);
    if (!st.ok()) {
      return fail(Status(st.code(), st.message() + " (in migration " + m.name + ")"));
    }
    const std::string set = "PRAGMA user_version = " + std::to_string(m.version);
    st = Exec(db, path_for_errors, set.c_str());
    if (!st.ok()) return fail(st);
  }
  Status st = Exec(db, path_for_errors, "COMMIT");
  if (!st.ok()) return fail(st);
  return Status::Ok();
}

}  // namespace moeprof::schemas

// Trace format versions: the ordered SQL migrations embedded at build time and the engine that
// creates a new trace or brings an older one up to date. PRAGMA user_version = newest applied.
#pragma once

#include <string>
#include <vector>

#include "moeprof/schemas/status.h"

struct sqlite3;

namespace moeprof::schemas {

struct Migration {
  int version;       // the number the file name starts with; user_version after applying it
  const char* name;  // file name without extension
  const char* sql;
};

// Migrations from schemas/migrations/*.sql, ascending by version.
const std::vector<Migration>& BuiltinMigrations();

// The newest trace format this build reads and writes (= last builtin migration's version).
int CurrentFormatVersion();

// Reads PRAGMA user_version of an open database.
Expected<int> ReadFormatVersion(sqlite3* db, const std::string& path_for_errors);

// Applies every migration in `migrations` whose version is above the database's user_version, in
// one transaction; `up_to` < 0 means all. Tests pass their own lists to exercise upgrades.
Status ApplyMigrations(sqlite3* db, const std::string& path_for_errors,
                       const std::vector<Migration>& migrations, int up_to = -1);

}  // namespace moeprof::schemas

// Format versions: a newer file is refused with the exact message, an older one is refused
// unless migration is asked for, and migration works in place and on a copy (original untouched).
// The builtin format has one migration, so upgrades are exercised with a test-only v2 list.
#include <gtest/gtest.h>

#include "moeprof/schemas/migrations.h"
#include "moeprof/schemas/trace_reader.h"
#include "moeprof/schemas/trace_writer.h"
#include "test_util.h"

namespace moeprof::schemas {
namespace {

using testing::ExecSql;
using testing::QueryInt;
using testing::ReadBytes;

std::vector<Migration> TestMigrations() {
  std::vector<Migration> list = BuiltinMigrations();
  list.push_back({list.back().version + 1, "0002_test_extra",
                  "ALTER TABLE kernel ADD COLUMN extra INTEGER NOT NULL DEFAULT 0;"
                  "CREATE TABLE test_extra (x INTEGER PRIMARY KEY);"});
  return list;
}

void WriteSmallTrace(const std::string& path, int kernels) {
  auto w = TraceWriter::Create(path);
  ASSERT_TRUE(w.ok()) << w.status().message();
  const StringId n = (*w)->Intern("k");
  for (int i = 0; i < kernels; ++i) (*w)->AddKernel({1, i * 100, 50, i, 0, n, 1, 0, 0});
  ASSERT_TRUE((*w)->Close().ok());
}

class VersionTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
};

TEST_F(VersionTest, BuiltinMigrationsAreAscendingAndCurrentIsTheLast) {
  const auto& m = BuiltinMigrations();
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m.front().version, 1);
  EXPECT_STREQ(m.front().name, "0001_trace_format_v1");
  EXPECT_EQ(CurrentFormatVersion(), m.back().version);
}

TEST_F(VersionTest, NewerFileIsRefusedWithExactMessage) {
  const std::string path = dir.File("new.db");
  WriteSmallTrace(path, 3);
  const int newer = CurrentFormatVersion() + 1;
  ASSERT_TRUE(ExecSql(path, "PRAGMA user_version = " + std::to_string(newer)));
  auto r = TraceReader::Open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kVersionTooNew);
  EXPECT_EQ(r.status().message(), path + ": trace format " + std::to_string(newer) +
                                      " is newer than this moeprof (" +
                                      std::to_string(CurrentFormatVersion()) + "); upgrade moeprof");
  // Asking for migration does not make a newer file readable.
  ReaderOptions ro;
  ro.migrate_copy = true;
  EXPECT_EQ(TraceReader::Open(path, ro).status().code(), ErrorCode::kVersionTooNew);
}

TEST_F(VersionTest, OlderFileIsRefusedWithoutMigration) {
  const std::string path = dir.File("old.db");
  WriteSmallTrace(path, 3);
  const auto list = TestMigrations();
  ReaderOptions ro;
  ro.migrations = &list;
  auto r = TraceReader::Open(path, ro);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kVersionTooOld);
  EXPECT_NE(r.status().message().find(path + ": trace format 1 is older"), std::string::npos)
      << r.status().message();
}

TEST_F(VersionTest, OlderFileMigratedOnACopyLeavesTheOriginalUntouched) {
  const std::string path = dir.File("old.db");
  WriteSmallTrace(path, 50);
  const std::string before = ReadBytes(path);
  const auto list = TestMigrations();
  ReaderOptions ro;
  ro.migrations = &list;
  ro.migrate_copy = true;
  {
    auto r = TraceReader::Open(path, ro);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ((*r)->format_version(), 2);
    EXPECT_EQ((*r)->path(), path);
    auto t = (*r)->LoadAll();
    ASSERT_TRUE(t.ok()) << t.status().message();
    EXPECT_EQ(t->kernels.size(), 50u);
    EXPECT_EQ(t->format_version, 2);
    auto counts = (*r)->RowCounts();
    ASSERT_TRUE(counts.ok());
    EXPECT_EQ(counts->count("test_extra"), 1u);
  }
  EXPECT_EQ(ReadBytes(path), before);
  EXPECT_EQ(QueryInt(path, "PRAGMA user_version"), 1);
}

TEST_F(VersionTest, OlderFileMigratedInPlace) {
  const std::string path = dir.File("old.db");
  WriteSmallTrace(path, 20);
  const auto list = TestMigrations();
  ReaderOptions ro;
  ro.migrations = &list;
  ro.migrate_in_place = true;
  {
    auto r = TraceReader::Open(path, ro);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ((*r)->format_version(), 2);
    auto t = (*r)->LoadAll();
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->kernels.size(), 20u);
  }
  EXPECT_EQ(QueryInt(path, "PRAGMA user_version"), 2);
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM kernel WHERE extra = 0"), 20);
  // Now current for the test list: opens without migration.
  ReaderOptions plain;
  plain.migrations = &list;
  EXPECT_TRUE(TraceReader::Open(path, plain).ok());
}

TEST_F(VersionTest, ApplyMigrationsRefusesUnorderedListsAndHonoursUpTo) {
  const std::string path = dir.File("m.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  auto list = TestMigrations();
  std::vector<Migration> bad = {list[1], list[0]};
  Status st = ApplyMigrations(db, path, bad);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("not ascending"), std::string::npos);
  ASSERT_TRUE(ApplyMigrations(db, path, list, 1).ok());
  EXPECT_EQ(*ReadFormatVersion(db, path), 1);
  ASSERT_TRUE(ApplyMigrations(db, path, list).ok());
  EXPECT_EQ(*ReadFormatVersion(db, path), 2);
  ASSERT_TRUE(ApplyMigrations(db, path, list).ok());  // nothing left to do
  // A failing migration rolls back completely.
  std::vector<Migration> failing = list;
  failing.push_back({3, "0003_broken", "CREATE TABLE ok_table(x); SELECT * FROM no_such_table;"});
  st = ApplyMigrations(db, path, failing);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("0003_broken"), std::string::npos) << st.message();
  EXPECT_EQ(*ReadFormatVersion(db, path), 2);
  sqlite3_close(db);
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'ok_table'"), 0);
}

// tests/fixtures/trace_v1_tiny.sql: a v1 trace dumped with the sqlite3 CLI, so the format stays
// readable by later builds (and, with the test list, migratable).
TEST_F(VersionTest, CommittedV1FixtureReadsAndMigrates) {
  const std::string sql = ReadBytes(std::string(MOEPROF_SOURCE_DIR) + "/tests/fixtures/trace_v1_tiny.sql");
  ASSERT_FALSE(sql.empty());
  const std::string path = dir.File("fixture.db");
  ASSERT_TRUE(ExecSql(path, sql));
  {
    auto r = TraceReader::Open(path);
    ASSERT_TRUE(r.ok()) << r.status().message();
    auto t = (*r)->LoadAll();
    ASSERT_TRUE(t.ok()) << t.status().message();
    EXPECT_EQ(t->format_version, 1);
    EXPECT_EQ(t->kernels.size(), 3u);
    EXPECT_EQ(t->str(t->kernels.name[0]), "ampere_bf16_gemm");
  }
  const auto list = TestMigrations();
  ReaderOptions ro;
  ro.migrations = &list;
  ro.migrate_copy = true;
  auto r = TraceReader::Open(path, ro);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)->format_version(), 2);
  EXPECT_EQ(QueryInt(path, "PRAGMA user_version"), 1);
}

}  // namespace
}  // namespace moeprof::schemas

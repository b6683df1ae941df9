// Bad inputs: every kind of file that is not a readable trace gives a clear Status naming the
// file, never a crash: missing, directory, empty, random bytes, text, truncated, foreign SQLite.
#include <gtest/gtest.h>

#include <random>

#include "moeprof/schemas/trace_reader.h"
#include "moeprof/schemas/trace_writer.h"
#include "test_util.h"

namespace moeprof::schemas {
namespace {

using testing::ExecSql;
using testing::ReadBytes;
using testing::WriteBytes;

class BadFilesTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
};

TEST_F(BadFilesTest, MissingFile) {
  const std::string path = dir.File("nope.db");
  auto r = TraceReader::Open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(r.status().message(), path + ": no such file");
}

TEST_F(BadFilesTest, Directory) {
  auto r = TraceReader::Open(dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind(dir.path() + ": ", 0), 0u);
}

TEST_F(BadFilesTest, EmptyFile) {
  const std::string path = dir.File("empty.db");
  WriteBytes(path, "");
  auto r = TraceReader::Open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kNotATrace);
  EXPECT_EQ(r.status().message().rfind(path + ": ", 0), 0u) << r.status().message();
}

TEST_F(BadFilesTest, RandomBytes) {
  const std::string path = dir.File("random.db");
  std::mt19937_64 rng(7);
  std::string bytes(64 * 1024, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  WriteBytes(path, bytes);
  auto r = TraceReader::Open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kNotATrace);
  EXPECT_EQ(r.status().message(), path + ": not a SQLite database");
}

TEST_F(BadFilesTest, TextFile) {
  const std::string path = dir.File("notes.txt");
  WriteBytes(path, "step,time\n1,0.25\n2,0.26\n");
  auto r = TraceReader::Open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kNotATrace);
  EXPECT_EQ(r.status().message(), path + ": not a SQLite database");
}

TEST_F(BadFilesTest, SqliteWithoutOurTables) {
  const std::string path = dir.File("foo.db");
  ASSERT_TRUE(ExecSql(path, "CREATE TABLE foo(x); INSERT INTO foo VALUES (1);"));
  auto r = TraceReader::Open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kNotATrace);
  EXPECT_EQ(r.status().message(), path + ": not a moeprof trace (no table meta)");
}

TEST_F(BadFilesTest, SqliteWithMetaButMissingTables) {
  const std::string path = dir.File("partial.db");
  ASSERT_TRUE(ExecSql(path,
                      "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
                      "INSERT INTO meta VALUES('schema', 'moeprof-trace');"
                      "PRAGMA user_version = 1;"));
  auto r = TraceReader::Open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kNotATrace);
  EXPECT_EQ(r.status().message(), path + ": not a moeprof trace (missing table string)");
}

TEST_F(BadFilesTest, TruncatedTrace) {
  const std::string good = dir.File("good.db");
  {
    auto w = TraceWriter::Create(good);
    ASSERT_TRUE(w.ok());
    const StringId n = (*w)->Intern("kernel");
    for (int i = 0; i < 50'000; ++i) (*w)->AddKernel({i % 4 + 1, i * 1000, 500, i, 0, n, 1, 0, 0});
    ASSERT_TRUE((*w)->Close().ok());
  }
  const std::string bytes = ReadBytes(good);
  ASSERT_GT(bytes.size(), 100'000u);
  for (size_t cut : {bytes.size() / 2, bytes.size() - 1000, size_t{100}, size_t{5000}}) {
    SCOPED_TRACE(cut);
    const std::string path = dir.File("cut-" + std::to_string(cut) + ".db");
    WriteBytes(path, bytes.substr(0, cut));
    auto r = TraceReader::Open(path);
    Status st = r.status();
    if (r.ok()) {
      auto t = (*r)->LoadAll();
      st = t.status();
    }
    ASSERT_FALSE(st.ok()) << "a truncated file must not load";
    EXPECT_EQ(st.message().rfind(path + ": ", 0), 0u) << st.message();
    EXPECT_TRUE(st.code() == ErrorCode::kCorrupt || st.code() == ErrorCode::kNotATrace)
        << st.message();
  }
}

TEST_F(BadFilesTest, CorruptedPagesNeverCrash) {
  const std::string good = dir.File("good.db");
  {
    auto w = TraceWriter::Create(good);
    ASSERT_TRUE(w.ok());
    const StringId n = (*w)->Intern("kernel");
    for (int i = 0; i < 20'000; ++i) (*w)->AddKernel({i % 4 + 1, i * 1000, 500, i, 0, n, 1, 0, 0});
    ASSERT_TRUE((*w)->Close().ok());
  }
  const std::string bytes = ReadBytes(good);
  std::mt19937_64 rng(11);
  for (int round = 0; round < 20; ++round) {
    std::string damaged = bytes;
    for (int k = 0; k < 64; ++k) {
      damaged[100 + rng() % (damaged.size() - 100)] = static_cast<char>(rng());
    }
    const std::string path = dir.File("damaged.db");
    WriteBytes(path, damaged);
    auto r = TraceReader::Open(path);
    if (r.ok()) {
      auto t = (*r)->LoadAll();
      if (!t.ok()) {
        EXPECT_EQ(t.status().message().rfind(path + ": ", 0), 0u);
      }
      (void)(*r)->RowCounts();
    } else {
      EXPECT_EQ(r.status().message().rfind(path + ": ", 0), 0u) << r.status().message();
    }
  }
}

}  // namespace
}  // namespace moeprof::schemas

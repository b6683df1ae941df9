// Input resolution: files stand for themselves, directories for their sorted *.sqlite/*.db files,
// and missing paths or trace-less directories are errors that name the path.
#include <gtest/gtest.h>

#include <filesystem>

#include "moeprof/analyzer/trace_inputs.h"
#include "sample_trace.h"

namespace moeprof::analyzer {
namespace {

using moeprof::testing::MakeTempDir;
using moeprof::testing::WriteFile;

TEST(TraceInputs, SuffixRule) {
  EXPECT_TRUE(LooksLikeTraceFile("rank0.sqlite"));
  EXPECT_TRUE(LooksLikeTraceFile("x.db"));
  EXPECT_FALSE(LooksLikeTraceFile("rank0.sqlite-wal"));
  EXPECT_FALSE(LooksLikeTraceFile("notes.txt"));
  EXPECT_FALSE(LooksLikeTraceFile(".db"));
}

TEST(TraceInputs, DirectoryYieldsSortedTraceFilesOnly) {
  const std::string dir = MakeTempDir("inputs");
  for (const char* name : {"rank2.sqlite", "rank0.sqlite", "rank1.db", "rank0.sqlite-wal",
                           "readme.txt"}) {
    WriteFile(dir + "/" + name, "x");
  }
  std::filesystem::create_directory(dir + "/nested.sqlite");  // a directory, not a trace
  auto files = ResolveTraceInput(dir);
  ASSERT_TRUE(files.ok()) << files.status().message();
  EXPECT_EQ(*files, (std::vector<std::string>{dir + "/rank0.sqlite", dir + "/rank1.db",
                                              dir + "/rank2.sqlite"}));
}

TEST(TraceInputs, FileIsItselfWhateverItsName) {
  const std::string dir = MakeTempDir("inputs");
  WriteFile(dir + "/trace.bin", "x");
  auto files = ResolveTraceInput(dir + "/trace.bin");
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(*files, std::vector<std::string>{dir + "/trace.bin"});
}

TEST(TraceInputs, MissingPathIsNotFound) {
  const std::string path = MakeTempDir("inputs") + "/missing.sqlite";
  auto files = ResolveTraceInput(path);
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(files.status().message(), path + ": no such file or directory");
}

TEST(TraceInputs, DirectoryWithoutTracesIsAnError) {
  const std::string dir = MakeTempDir("inputs");
  WriteFile(dir + "/readme.txt", "x");
  auto files = ResolveTraceInput(dir);
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().message(), dir + ": directory contains no trace files (*.sqlite, *.db)");
}

TEST(TraceInputs, SeveralInputsKeepOrderAndDeduplicate) {
  const std::string dir = MakeTempDir("inputs");
  WriteFile(dir + "/a.sqlite", "x");
  WriteFile(dir + "/b.sqlite", "x");
  auto files = ResolveTraceInputs({dir + "/b.sqlite", dir});
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(*files, (std::vector<std::string>{dir + "/b.sqlite", dir + "/a.sqlite"}));
  EXPECT_FALSE(ResolveTraceInputs({dir, dir + "/nope"}).ok());
}

}  // namespace
}  // namespace moeprof::analyzer

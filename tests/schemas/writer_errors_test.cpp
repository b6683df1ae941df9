// Writer errors: an unusable path, an existing file without overwrite, and a write failure
// mid-run (file size limit standing in for a full disk) all become clear Status values; after the
// first error the writer ignores further rows and never throws.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "moeprof/schemas/trace_reader.h"
#include "moeprof/schemas/trace_writer.h"
#include "test_util.h"

namespace moeprof::schemas {
namespace {

using testing::ReadBytes;
using testing::WriteBytes;

class WriterErrorsTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
};

TEST_F(WriterErrorsTest, MissingDirectory) {
  const std::string path = dir.File("no/such/dir/trace.db");
  auto w = TraceWriter::Create(path);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), ErrorCode::kIo);
  EXPECT_EQ(w.status().message().rfind(path + ": cannot create", 0), 0u) << w.status().message();
}

TEST_F(WriterErrorsTest, UnwritableDirectory) {
  if (geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  const std::string sub = dir.File("ro");
  ASSERT_EQ(mkdir(sub.c_str(), 0500), 0);
  const std::string path = sub + "/trace.db";
  auto w = TraceWriter::Create(path);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), ErrorCode::kIo);
  EXPECT_EQ(w.status().message().rfind(path + ": ", 0), 0u) << w.status().message();
}

TEST_F(WriterErrorsTest, ExistingFileNeedsOverwrite) {
  const std::string path = dir.File("exists.db");
  WriteBytes(path, "precious");
  auto w = TraceWriter::Create(path);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(w.status().message().rfind(path + ": already exists", 0), 0u);
  EXPECT_EQ(ReadBytes(path), "precious");

  WriterOptions wo;
  wo.overwrite = true;
  auto w2 = TraceWriter::Create(path, wo);
  ASSERT_TRUE(w2.ok()) << w2.status().message();
  ASSERT_TRUE((*w2)->Close().ok());
  EXPECT_TRUE(TraceReader::Open(path).ok());
}

// RLIMIT_FSIZE makes writes past the limit fail like a full disk would; done in a child so the
// limit (and SIGXFSZ) never touch the test process.
TEST_F(WriterErrorsTest, WriteFailureIsStoredAndLaterRowsIgnored) {
  const std::string path = dir.File("full.db");
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN);
    rlimit lim{2 << 20, 2 << 20};
    setrlimit(RLIMIT_FSIZE, &lim);
    WriterOptions wo;
    wo.max_buffered_rows = 4096;
    auto w = TraceWriter::Create(path, wo);
    if (!w.ok()) _exit(10);
    const StringId n = (*w)->Intern("k");
    for (int i = 0; i < 200'000; ++i) (*w)->AddKernel({1, i * 100, 50, i, 0, n, 1, 0, 0});
    const Status& err = (*w)->error();
    if (err.ok()) _exit(11);
    if (err.code() != ErrorCode::kIo) _exit(12);
    if (err.message().rfind(path + ": ", 0) != 0) _exit(13);
    const int64_t written = (*w)->rows_written();
    (*w)->AddKernel({2, 0, 1, 1, 0, n, 1, 0, 0});
    if ((*w)->rows_written() != written) _exit(14);
    if ((*w)->Commit().ok()) _exit(15);
    if ((*w)->Close().ok()) _exit(16);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "child died from signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << "see the exit codes in the child";
}

TEST_F(WriterErrorsTest, ZeroBufferAndCloseTwiceAreHarmless) {
  const std::string path = dir.File("small.db");
  WriterOptions wo;
  wo.max_buffered_rows = 0;
  auto w = TraceWriter::Create(path, wo);
  ASSERT_TRUE(w.ok());
  (*w)->AddKernel({1, 0, 1, 1, 0, (*w)->Intern("k"), 1, 0, 0});
  EXPECT_TRUE((*w)->Close().ok());
  EXPECT_TRUE((*w)->Close().ok());
  EXPECT_FALSE((*w)->Commit().ok());  // closed
}

}  // namespace
}  // namespace moeprof::schemas

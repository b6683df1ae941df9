// Crash safety: a child process writes kernels continuously and reports through a pipe how many
// rows it knows are committed; after SIGKILL the file must open and hold at least those rows,
// every present row intact.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "moeprof/schemas/trace_reader.h"
#include "moeprof/schemas/trace_writer.h"
#include "test_util.h"

namespace moeprof::schemas {
namespace {

// Every field is a function of the correlation id, so the reader can check each row is intact.
KernelRow RowFor(int64_t c, StringId name) {
  return {c % 8 + 1, c * 1000 - 777, c % 977 + 1, c, 0, name, c % 3 + 1, 0, c % 2};
}

[[noreturn]] void ChildWrite(const std::string& path, int fd) {
  WriterOptions wo;
  wo.commit_interval_ms = 2;
  auto w = TraceWriter::Create(path, wo);
  if (!w.ok()) _exit(3);
  const StringId name = (*w)->Intern("crash_kernel");
  for (int c = 1; c <= 3; ++c) {
    LaunchConfig lc;
    lc.grid_x = c;
    (*w)->InternLaunchConfig(lc);
  }
  for (int64_t c = 0;; ++c) {
    (*w)->AddKernel(RowFor(c, name));
    if (c % 1000 == 999) {
      if (!(*w)->Commit().ok()) _exit(4);
      const int64_t committed = c + 1;
      if (write(fd, &committed, sizeof committed) != sizeof committed) _exit(5);
    }
  }
}

TEST(CrashSafetyTest, SigkilledWriterLeavesEveryCommittedRow) {
  testing::TempDir dir;
  const std::string path = dir.File("crash.db");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    ChildWrite(path, fds[1]);
  }
  close(fds[1]);
  int64_t committed = 0;
  int reports = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (reports < 40 && std::chrono::steady_clock::now() < deadline) {
    int64_t v = 0;
    if (read(fds[0], &v, sizeof v) != sizeof v) break;
    committed = v;
    ++reports;
  }
  // Kill mid-batch: the child is between commits, with rows buffered and maybe a write in flight.
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
  // Reports already in the pipe were committed before the kill too.
  int64_t v = 0;
  while (read(fds[0], &v, sizeof v) == sizeof v) committed = v;
  close(fds[0]);
  ASSERT_GT(committed, 0);

  auto r = TraceReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto t = (*r)->LoadAll();
  ASSERT_TRUE(t.ok()) << t.status().message();
  const KernelColumns& k = t->kernels;
  ASSERT_GE(static_cast<int64_t>(k.size()), committed);
  const StringId name = 1;
  EXPECT_EQ(t->str(name), "crash_kernel");
  EXPECT_EQ(t->launch_configs.size(), 3u);
  std::vector<bool> seen(k.size(), false);
  for (size_t i = 0; i < k.size(); ++i) {
    const int64_t c = k.correlation[i];
    ASSERT_GE(c, 0);
    ASSERT_LT(c, static_cast<int64_t>(k.size())) << "rows must be a prefix of what was written";
    const KernelRow want = RowFor(c, name);
    ASSERT_EQ(k.stream[i], want.stream);
    ASSERT_EQ(k.start[i], want.start);
    ASSERT_EQ(k.dur[i], want.dur);
    ASSERT_EQ(k.name[i], want.name);
    ASSERT_EQ(k.config[i], want.config);
    ASSERT_EQ(k.flags[i], want.flags);
    seen[static_cast<size_t>(c)] = true;
  }
  for (size_t c = 0; c < seen.size(); ++c) ASSERT_TRUE(seen[c]) << "missing row " << c;
}

}  // namespace
}  // namespace moeprof::schemas

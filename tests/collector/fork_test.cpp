// Fork safety: a process that forks while recording keeps a readable trace holding its own
// events and none of the child's; the child never writes through the parent's SQLite connection
// and writes no trace of its own (it was forked, not exec'ed).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "moeprof/schemas/trace_reader.h"
#include "subprocess.h"

namespace fs = std::filesystem;

TEST(ForkSafety, ChildNeverTouchesTheParentsTrace) {
  const fs::path dir = fs::temp_directory_path() / ("moeprof_fork_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string out = (dir / "parent.sqlite").string();
  auto r = moeprof::collector::testing::RunChild([&] {
    setenv("MOEPROF_TEST_NO_CUPTI", "1", 1);
    setenv("MOEPROF_OUTPUT", out.c_str(), 1);
    setenv("MOEPROF_QUIET", "1", 1);
    unsetenv("NVTX_INJECTION64_PATH");
    execl(MOEPROF_FORK_APP, MOEPROF_FORK_APP, static_cast<char*>(nullptr));
    return 127;
  });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Quiet mode prints only errors; a child that reused the parent's connection says e.g.
  // "closing ... failed (database is locked)" (seen without the atfork handler).
  EXPECT_EQ(r.err, "");

  std::set<std::string> traces;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".sqlite") traces.insert(e.path().filename().string());
  }
  EXPECT_EQ(traces, std::set<std::string>{"parent.sqlite"});

  auto reader = moeprof::schemas::TraceReader::Open(out);
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  auto trace = (*reader)->LoadAll();
  ASSERT_TRUE(trace.ok()) << trace.status().message();
  std::multiset<std::string> texts;
  for (const auto& n : trace->nvtx) texts.insert(trace->str(n.text));
  EXPECT_EQ(texts.count("parent_before_fork"), 1u);
  EXPECT_EQ(texts.count("parent_after_fork"), 1u);
  EXPECT_EQ(texts.count("child_range"), 0u);
  EXPECT_EQ(texts.count("child_mark"), 0u);
  EXPECT_EQ(trace->nvtx.size(), 2u);
  fs::remove_all(dir);
}

// A program linked with the collector that forks while recording (run in the driver-less test
// mode, MOEPROF_TEST_NO_CUPTI=1, so it needs no GPU). The child emits NVTX ranges and leaves
// through exit(), which runs the atexit handlers it inherited; the parent records before and after
// the fork and stops. fork_test checks that the parent's trace is intact and holds nothing of the
// child's. Exit codes: 0 ok, 3 the collector was not active, 4 the child failed.
#include <nvtx3/nvToolsExt.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "moeprof/collector/collector.h"

int main() {
  if (!moeprof::collector::IsActive()) {
    std::fprintf(stderr, "fork_app: collector not active\n");
    return 3;
  }
  nvtxRangePushA("parent_before_fork");
  nvtxRangePop();
  const pid_t pid = fork();
  if (pid == 0) {
    for (int i = 0; i < 100; ++i) {
      nvtxRangePushA("child_range");
      nvtxMarkA("child_mark");
      nvtxRangePop();
    }
    std::exit(0);  // runs the inherited atexit handlers: they must not touch the parent's trace
  }
  int status = 0;
  waitpid(pid, &status, 0);
  nvtxRangePushA("parent_after_fork");
  nvtxRangePop();
  if (auto st = moeprof::collector::Stop(); !st.ok()) {
    std::fprintf(stderr, "fork_app: stop: %s\n", st.message().c_str());
    return 5;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 4;
}

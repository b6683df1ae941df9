// A program that links moeprof_collector, calls Start before "its CUDA work" and Stop at the end,
// and exits with its own code (3). Run by degradation_test on machines without a driver: the
// collector must print one line and leave the program's behaviour and exit code alone.
#include <cstdio>

#include "moeprof/collector/collector.h"

int main(int argc, char** argv) {
  moeprof::collector::Options options;
  if (argc > 1) options.output = argv[1];
  const moeprof::Status st = moeprof::collector::Start(options);
  std::printf("started=%d active=%d\n", st.ok() ? 1 : 0, moeprof::collector::IsActive() ? 1 : 0);
  (void)moeprof::collector::Stop();
  return 3;
}

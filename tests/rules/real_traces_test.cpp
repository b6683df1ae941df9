// The rules on the real traces in ../shared/data/traces (recorded by others; skipped when absent):
// no crash, and every finding well formed — saving <= cost, shares within the step, bounded
// evidence, sorted worst first. Prints the findings so a reader can judge them.
#include <filesystem>
#include <iostream>

#include "rule_test_util.h"

namespace moeprof::rules_test {
namespace {

std::filesystem::path TracesDir() {
  return std::filesystem::path(MOEPROF_SOURCE_DIR) / ".." / "shared" / "data" / "traces";
}

class RealTrace : public ::testing::TestWithParam<const char*> {};

TEST_P(RealTrace, FindingsAreWellFormed) {
  const auto path = TracesDir() / GetParam();
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " absent (real traces not available)";
  Expected<analyzer::Run> run = LoadRun({path.string()}, {});
  if (!run.ok()) GTEST_SKIP() << "cannot load in this build: " << run.status().message();
  const std::vector<Finding> fs = RunRules(*run, {});
  std::cout << GetParam() << ": " << fs.size() << " findings\n";
  for (size_t i = 0; i < fs.size(); ++i) {
    const Finding& f = fs[i];
    std::cout << "  [" << SeverityName(f.severity) << "] " << f.rule << " | " << f.title
              << " | cost " << f.cost_ns << " ns (" << f.cost_pct << " %), saving " << f.saving_ns
              << "\n";
    EXPECT_GE(f.cost_ns, 0) << f.title;
    EXPECT_GE(f.saving_ns, 0) << f.title;
    EXPECT_LE(f.saving_ns, f.cost_ns) << f.title;
    EXPECT_GE(f.cost_pct, 0.0) << f.title;
    EXPECT_LE(f.cost_pct, 100.0 + 1e-9) << f.title;
    EXPECT_LE(f.evidence.size(), 20u);
    EXPECT_LE(f.events.size(), 20u);
    EXPECT_FALSE(f.fix.empty()) << f.title;
    EXPECT_FALSE(f.saving_method.empty()) << f.title;
    EXPECT_FALSE(f.location.empty()) << f.title;
    EXPECT_TRUE(std::is_sorted(f.steps.begin(), f.steps.end()));
    if (i > 0) {
      EXPECT_GE(fs[i - 1].saving_ns, f.saving_ns);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shared, RealTrace,
    ::testing::Values("hta_testdata/trace_diff_control_a100/control.json.gz",
                      "hta_testdata/trace_diff_test_v100/test.json.gz",
                      "hta_testdata/trace_filter_2rank/sampled_rank-0.json.gz",
                      "hta_testdata/single/cuda_event_sync_a100.json.gz",
                      "hta_testdata/single/critical_path_alexnet_a100.json.gz",
                      "hta_testdata/single/negative_queue_length_rank0_a100.json.gz",
                      "hta_testdata/single/df_index_resolver_v100.json.gz",
                      "kineto_samples/before_fix_trace.json",
                      "kineto_samples/after_fix_trace.json",
                      "tracelens/b200_eager_trace.json.gz",
                      "nsys/perlmutter-cloverleaf-cuda.sqlite"));

}  // namespace
}  // namespace moeprof::rules_test

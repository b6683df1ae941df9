// Breakdowns on the real traces in ../shared/data/traces against the figures Holistic Trace
// Analysis produced on the same files (../shared/data/traces/README.md): temporal % and overlap
// within 0.5 percentage points, idle categories within 1 %. Runs in HTA-compatible mode (HTA's
// comm regex and its event selection). Skips with a message when the folder is absent or this
// build has no Kineto importer yet.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "moeprof/analyzer/breakdown.h"
#include "moeprof/analyzer/model.h"

namespace moeprof::analyzer {
namespace {

struct Reference {
  const char* file;  // under hta_testdata/
  int rank_index;    // which loaded rank (files hold one each)
  double overlap_pct;
  double idle_us, compute_us, non_compute_us, span_us;
  double host_wait_us = -1, kernel_wait_us = -1, other_us = -1;  // -1: not published
};

const Reference kReferences[] = {
    {"trace_filter_2rank/sampled_rank-0.json.gz", 0, 11.81, 321378, 106252, 172428, 600058, 958796, 2070, 309639},
    {"trace_filter_2rank/sampled_rank-1.json.gz", 0, 20.05, 328671, 135548, 136455, 600674, 1005000, 1925, 357339},
    {"trace_diff_control_a100/control.json.gz", 0, 47.03, 62119, 234760, 86525, 383404, 958646, 16171, 39653},
    {"trace_diff_test_v100/test.json.gz", 0, 68.80, 46910, 429216, 152245, 628371},
    {"single/negative_queue_length_rank0_a100.json.gz", 0, 1.37, 705853, 143836, 166865, 1016554},
    {"single/df_index_resolver_v100.json.gz", 0, 0.00, 643612, 496485, 256572, 1396669},
};

std::filesystem::path DataDir() {
  return std::filesystem::path(MOEPROF_SOURCE_DIR) / ".." / "shared" / "data" / "traces" / "hta_testdata";
}

class HtaFigures : public ::testing::TestWithParam<Reference> {};

TEST_P(HtaFigures, MatchWithinTolerance) {
  const Reference& ref = GetParam();
  const std::filesystem::path path = DataDir() / ref.file;
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " absent (real traces not available)";
  Expected<analyzer::Run> run = LoadRun({path.string()}, {});
  if (!run.ok() && run.status().code() == ErrorCode::kUnavailable) {
    GTEST_SKIP() << "no Kineto importer in this build yet: " << run.status().message();
  }
  ASSERT_TRUE(run.ok()) << run.status().message();
  ASSERT_GT(run->ranks.size(), static_cast<size_t>(ref.rank_index));
  BreakdownOptions opt;
  opt.hta_compatible = true;
  const Breakdown b = ComputeBreakdown(run->ranks[static_cast<size_t>(ref.rank_index)], opt);

  const double span = ref.span_us;
  EXPECT_NEAR(b.overlap.pct, ref.overlap_pct, 0.5) << "overlap %";
  EXPECT_NEAR(b.temporal.idle_pct, 100.0 * ref.idle_us / span, 0.5) << "idle %";
  EXPECT_NEAR(b.temporal.compute_pct, 100.0 * ref.compute_us / span, 0.5) << "compute %";
  EXPECT_NEAR(b.temporal.non_compute_pct, 100.0 * ref.non_compute_us / span, 0.5) << "non-compute %";
  // The span itself (µs, as HTA prints it) within 0.1 %.
  EXPECT_NEAR(static_cast<double>(b.temporal.span_ns) / 1000.0, span, span * 0.001) << "span";
  auto within_1pct = [](double got_ns, double want_us, const char* what) {
    const double got = got_ns / 1000.0;
    EXPECT_NEAR(got, want_us, std::max(1.0, std::fabs(want_us) * 0.01)) << what;
  };
  if (ref.host_wait_us >= 0) {
    within_1pct(static_cast<double>(b.idle.host_wait_ns), ref.host_wait_us, "host_wait");
    within_1pct(static_cast<double>(b.idle.kernel_wait_ns), ref.kernel_wait_us, "kernel_wait");
    within_1pct(static_cast<double>(b.idle.other_ns), ref.other_us, "other");
  }
  // The classifier's definition can only see more communication than HTA's regex.
  const Breakdown ours = ComputeBreakdown(run->ranks[static_cast<size_t>(ref.rank_index)]);
  EXPECT_GE(ours.overlap_classifier.comm_ns, ours.overlap_hta.comm_ns);
  std::printf("%s: overlap %.2f%% (HTA %.2f), idle %.2f%% compute %.2f%% non-compute %.2f%% | classifier overlap %.2f%%\n",
              ref.file, b.overlap.pct, ref.overlap_pct, b.temporal.idle_pct, b.temporal.compute_pct,
              b.temporal.non_compute_pct, ours.overlap.pct);
}

INSTANTIATE_TEST_SUITE_P(RealTraces, HtaFigures, ::testing::ValuesIn(kReferences),
                         [](const ::testing::TestParamInfo<Reference>& param) {
                           std::string name = param.param.file;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace moeprof::analyzer

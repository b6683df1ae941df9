// Shared machinery of the rules (internal to analyzer/src/rules/): the per-rank lookups every
// rule needs — steps to analyze, which step a GPU event belongs to, the API call that launched a
// kernel, device busy time, NVTX parent paths — and the helpers that fill a Finding the same way
// in every rule (percentages, severities, bounded evidence).
//
// Conventions every rule follows (documented in docs/RULES.md):
// - A GPU event (kernel, memcpy, memset) belongs to the step during which its launching API call
//   started (found by correlation). GPU work runs behind the host, so the kernel's own start may lie
//   after the host's step range has closed; the launch is what the step asked for. Without an API
//   row, with a launch outside every step, or when the steps themselves were found on the GPU
//   timeline (source "inferred"/"whole_trace"), the event's own start decides.
// - A rank with no steps is analyzed as one pseudo-step covering all of its GPU activity.
// - Step time of a step = its duration on that rank; a finding's cost_pct is its cost divided by the
//   summed step time over the (rank, step) pairs it lists.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "moeprof/analyzer/finding.h"
#include "moeprof/analyzer/intervals.h"
#include "moeprof/analyzer/model.h"
#include "moeprof/analyzer/rules.h"

namespace moeprof::analyzer::rules {

// Bounds on what one finding carries as evidence (reports stay small on 10 M-event traces).
inline constexpr size_t kMaxEvidence = 20;
inline constexpr size_t kMaxEvents = 20;

inline constexpr int64_t kNsPerUs = 1000;

// One NVTX range as the rules see it (push/pop or start/end; marks are skipped).
struct NvtxRange {
  size_t row = 0;  // index into trace.nvtx
  int64_t start = 0, end = 0;
  int64_t depth = 0;
};

// Lookups over one rank's trace, built lazily (each rule pays only for what it uses).
class RankView {
 public:
  explicit RankView(const RankTrace& rank);

  const RankTrace& rank() const { return rank_; }
  const schemas::Trace& trace() const { return rank_.trace; }
  int rank_id() const { return rank_.rank; }
  int64_t ToRun(int64_t t) const { return t + rank_.offset_ns; }
  Interval ToRun(Interval i) const { return {i.start + rank_.offset_ns, i.end + rank_.offset_ns}; }

  // rank.steps, or one pseudo-step (number 0, source "trace") over all GPU activity.
  const std::vector<Step>& steps() const { return steps_; }
  // Index into steps() of the step containing time t (rank-relative), or -1.
  int StepAt(int64_t t) const;
  // The step a kernel belongs to (by its launch call's start, else its own start), or -1.
  int StepOfKernel(size_t k) const;
  int StepOfGpuEvent(int64_t correlation, int64_t start) const;

  // Index into trace.api of the call with this correlation id, if recorded.
  std::optional<size_t> ApiIndex(int64_t correlation) const;
  // Normalized API name of call i: version suffixes (`_v7000`, `_ptsz`) removed.
  std::string ApiName(size_t api_index) const;

  // Stream table helpers.
  int64_t DeviceOfStream(int64_t stream) const;  // 0 when unknown
  const StreamView* Stream(int64_t stream) const;
  std::string StreamRole(int64_t stream) const;  // "" when unknown

  // Union of kernels, memcpys and memsets on a device (device 0 = every device of the rank).
  const IntervalSet& DeviceBusy(int64_t device) const;

  // NVTX ranges on a thread that contain [start, end), outermost first.
  std::vector<NvtxRange> Enclosing(int64_t thread, int64_t start, int64_t end) const;
  // Their texts joined by '/', with every run of digits replaced by '#' (so that the same code
  // location in step 3 and step 4, layer 1 and layer 2, has one name). "" when none.
  std::string NvtxSite(int64_t thread, int64_t start, int64_t end) const;
  // The same without the digit folding.
  std::string NvtxPath(int64_t thread, int64_t start, int64_t end) const;
  const std::string& NvtxText(size_t row) const;
  // All ranges of the rank (marks excluded), sorted by (thread, start).
  const std::vector<std::pair<int64_t, NvtxRange>>& AllRanges() const;

  // Launch API calls on a thread whose start lies in [start, end), as api indices sorted by start.
  std::vector<size_t> ApiCallsIn(int64_t thread, int64_t start, int64_t end) const;
  // Kernels launched by the call with this correlation id (graph launches give several).
  std::vector<size_t> KernelsOfCorrelation(int64_t correlation) const;

  // Device bandwidth (B/s) from the device row, else nullopt.
  std::optional<double> DeviceBandwidth() const;

 private:
  void BuildNvtx() const;
  void BuildApiByThread() const;
  void BuildKernelByCorrelation() const;

  const RankTrace& rank_;
  std::vector<Step> steps_;
  bool gpu_steps_ = false;  // steps are GPU-time intervals (inferred / whole trace)
  mutable std::map<int64_t, IntervalSet> busy_;
  mutable bool nvtx_built_ = false;
  mutable std::vector<std::pair<int64_t, NvtxRange>> ranges_;  // (thread, range)
  mutable bool api_by_thread_built_ = false;
  mutable std::vector<size_t> api_by_thread_;  // api indices sorted by (thread, start)
  mutable bool kernel_by_corr_built_ = false;
  mutable std::vector<std::pair<int64_t, size_t>> kernel_by_corr_;  // sorted
};

// Interval of kernel k, rank-relative.
inline Interval KernelInterval(const schemas::Trace& t, size_t k) {
  return {t.kernels.start[k], t.kernels.start[k] + t.kernels.dur[k]};
}

// Lower-case copy, and "does `text` contain any of `needles`" (case-insensitive).
std::string Lower(std::string_view s);
bool ContainsAny(std::string_view text, const std::vector<std::string_view>& needles);
// Replaces runs of digits by '#'.
std::string FoldDigits(std::string_view s);
// First unsigned integer in the text after `key` (case-insensitive), e.g. ("layer 3", "layer").
std::optional<int64_t> NumberAfter(std::string_view text, std::string_view key);

// The severity a share reaches: kHigh at >= high, kWarn at >= warn (both in %), else kInfo.
// `strict` compares with > instead (the spec's "above").
Severity SeverityFor(double pct, double warn_pct, double high_pct, bool strict = true);

// Adds an interval (run time) to the evidence if there is room.
void AddEvidence(Finding& f, Interval run_interval);
void AddEvent(Finding& f, const EventRef& e);
EventRef KernelEvent(const RankView& v, size_t k);

// Percent of `part` in `whole` (0 when whole is 0).
inline double Pct(int64_t part, int64_t whole) {
  return whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

// Median of a copy (the lower middle for an even count is not used: the mean of the two middles).
double Median(std::vector<double> values);

// Formats ns as a short human figure ("1.25 ms", "830 us", "120 ns") for titles.
std::string FormatNs(int64_t ns);
std::string FormatPct(double pct);

// The step-time total over a set of (rank index, step index) pairs.
struct StepKey {
  int rank = 0;       // index into run.ranks
  int step = 0;       // index into that rank's analysis steps
  auto operator<=>(const StepKey&) const = default;
};

// The rules, one per file.
std::vector<Finding> RunExposedSync(const Run& run, const std::vector<RankView>& views,
                                    const RuleOptions& options);
std::vector<Finding> RunUnfusedEpilogue(const Run& run, const std::vector<RankView>& views,
                                        const RuleOptions& options);
std::vector<Finding> RunExpertImbalance(const Run& run, const std::vector<RankView>& views,
                                        const RuleOptions& options);
std::vector<Finding> RunPipelineBubble(const Run& run, const std::vector<RankView>& views,
                                       const RuleOptions& options);
std::vector<Finding> RunA2aOverlap(const Run& run, const std::vector<RankView>& views,
                                   const RuleOptions& options);
std::vector<Finding> RunPrecision(const Run& run, const std::vector<RankView>& views,
                                  const RuleOptions& options);
std::vector<Finding> RunLaunchBound(const Run& run, const std::vector<RankView>& views,
                                    const RuleOptions& options);

// Each rule's RuleInfo (definition text and thresholds), defined in its own file.
RuleInfo ExposedSyncInfo();
RuleInfo UnfusedEpilogueInfo();
RuleInfo ExpertImbalanceInfo();
RuleInfo PipelineBubbleInfo();
RuleInfo A2aOverlapInfo();
RuleInfo PrecisionInfo();
RuleInfo LaunchBoundInfo();

// Reads a threshold "<rule>.<name>" with the default from the rule's RuleInfo.
double Threshold(const RuleOptions& options, const RuleInfo& info, const std::string& name);

}  // namespace moeprof::analyzer::rules

// bench_report TRACE...: runs what `moeprof report` runs — LoadRun, RunRules, BuildReport and the
// text and JSON renderers — once, and prints the wall time of each phase, the peak resident set
// (getrusage), the events loaded and bytes of peak RSS per event. One run, no repetitions: the
// 10 M-kernel case takes seconds and its memory peak is the figure that matters. BENCH_PER_RULE=1
// also times each rule alone (before the measured run).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "moeprof/analyzer/model.h"
#include "moeprof/analyzer/report.h"
#include "moeprof/analyzer/rules.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

long PeakRssKiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;  // KiB on Linux
}

}  // namespace

int main(int argc, char** argv) {
  using namespace moeprof::analyzer;
  std::vector<std::string> inputs(argv + 1, argv + argc);
  if (inputs.empty()) {
    std::fprintf(stderr, "usage: bench_report TRACE|DIR...\n");
    return 2;
  }
  const long rss_before = PeakRssKiB();
  const auto t0 = std::chrono::steady_clock::now();
  auto run = LoadRun(inputs, LoadOptions{});
  if (!run) {
    std::fprintf(stderr, "bench_report: %s\n", run.status().message().c_str());
    return 2;
  }
  const double load_s = Seconds(t0);
  const long rss_load = PeakRssKiB();
  int64_t kernels = 0, events = 0;
  for (const RankTrace& r : run->ranks) {
    const auto& t = r.trace;
    kernels += static_cast<int64_t>(t.kernels.size());
    events += static_cast<int64_t>(t.kernels.size() + t.api.size() + t.memcpys.size() + t.memsets.size() +
                                   t.syncs.size() + t.nvtx.size() + t.comms.size() + t.routing.size());
  }
  // --per-rule (BENCH_PER_RULE=1): time each rule alone first, to see where the rule time goes.
  const char* per_rule = std::getenv("BENCH_PER_RULE");
  if (per_rule != nullptr && per_rule[0] == '1') {
    for (const RuleInfo& info : AllRules()) {
      const auto tr = std::chrono::steady_clock::now();
      const size_t n = RunRules(*run, RuleOptions{}, {info.id}).size();
      std::printf("rule %-17s %.3f s (%zu findings)\n", info.id.c_str(), Seconds(tr), n);
      std::fflush(stdout);
    }
  }
  std::printf("inputs            %s%s\n", inputs[0].c_str(), inputs.size() > 1 ? " ..." : "");
  std::printf("ranks             %zu\n", run->ranks.size());
  std::printf("kernels           %lld\n", static_cast<long long>(kernels));
  std::printf("events            %lld (kernels, api, copies, syncs, nvtx, comm, routing)\n",
              static_cast<long long>(events));
  std::printf("load              %.3f s (peak RSS %.1f MiB)\n", load_s, rss_load / 1024.0);
  std::fflush(stdout);
  const auto t1 = std::chrono::steady_clock::now();
  std::vector<Finding> findings = RunRules(*run, RuleOptions{});
  const double rules_s = Seconds(t1);
  const auto t2 = std::chrono::steady_clock::now();
  const size_t nfindings = findings.size();
  const Report report = BuildReport(*run, std::move(findings), inputs, LoadOptions{}, {});
  const double build_s = Seconds(t2);
  const auto t3 = std::chrono::steady_clock::now();
  const std::string text = RenderReportText(report);
  const std::string json = RenderReportJson(report);
  const double render_s = Seconds(t3);
  const double total_s = Seconds(t0);
  const long rss = PeakRssKiB();
  std::printf("findings          %zu\n", nfindings);
  std::printf("rules             %.3f s\n", rules_s);
  std::printf("breakdowns        %.3f s\n", build_s);
  std::printf("render            %.3f s (text %zu B, json %zu B)\n", render_s, text.size(), json.size());
  std::printf("total             %.3f s\n", total_s);
  std::printf("peak RSS          %.1f MiB (%.1f MiB before loading)\n", rss / 1024.0, rss_before / 1024.0);
  std::printf("B/event           %.1f (peak RSS / events)\n", 1024.0 * static_cast<double>(rss) / static_cast<double>(events));
  std::printf("B/kernel          %.1f (peak RSS / kernels)\n", 1024.0 * static_cast<double>(rss) / static_cast<double>(kernels));
  return 0;
}

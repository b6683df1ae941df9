// Rule unfused_epilogue — GEMM epilogues run as separate memory-bound kernels.
//
// Definition. A chain is a GEMM or grouped GEMM kernel G followed on the same stream by one or more
// kernels of class elementwise or cast (bias, activation, SwiGLU, router-probability scaling,
// residual add, dtype conversion), each starting at most max_gap_us after the previous one on that
// stream ended. The chain ends at the first kernel of another class or a longer gap. A trace cannot
// show that the epilogue kernels read G's output (no buffer addresses): adjacency on the same stream
// is the proxy, which is what an unfused epilogue looks like in practice.
//
// Cost of one chain = end of its last epilogue kernel − end of G: the epilogue kernels' time plus
// the gaps between them (kernels of one stream never overlap, so this is the union of their
// intervals plus the gaps, with nothing counted twice).
// Fused-write estimate: a standalone elementwise kernel reads and writes its tensor once each, so
// half the time of the shortest epilogue kernel is the time to write the output once at the
// bandwidth that kernel achieved: fused_write = min(dur) / 2. The output size reported beside it is
// fused_write × device bandwidth (device row, else default_bandwidth_gbps).
// Saving of one chain = cost − fused_write: fused into G's epilogue, the chain's launches, gaps
// and extra passes over memory disappear and one write of the output remains.
//
// Chains are aggregated by signature (G's name → epilogue names in order) across steps and ranks; a
// chain belongs to the step of G (by G's launch). Per signature: cost = Σ chain costs;
// gemm_ratio = cost / Σ G durations; cost_pct = cost / Σ step time over the (rank, step) pairs where
// it occurs. Flagged when gemm_ratio >= warn_gemm_pct or cost_pct >= warn_step_pct; a flagged
// signature is high when cost_pct >= high_step_pct, warn when cost_pct >= min_warn_step_pct, else
// info (a chain three times a tiny GEMM's time is not worth a warning), and not reported below
// min_pct. Signatures under both flag bars are not reported. A chain holds at most
// max_chain_kernels epilogue kernels (longer elementwise runs are not one GEMM's epilogue).
#include <algorithm>
#include <map>
#include <set>

#include "rule_util.h"

namespace moeprof::analyzer::rules {

RuleInfo UnfusedEpilogueInfo() {
  RuleInfo info;
  info.id = "unfused_epilogue";
  info.title = "Unfused GEMM epilogue";
  info.definition =
      "A GEMM or grouped GEMM followed on the same stream, each within max_gap_us of the previous "
      "kernel's end, by elementwise or cast kernels (bias, activation, SwiGLU, probability "
      "scaling, residual add, conversion). That they read the GEMM's output cannot be seen in a "
      "trace; adjacency on the same stream is the proxy. Cost of a chain = last epilogue end - "
      "GEMM end (their time plus the gaps). Saving = cost - the time to write the fused output "
      "once, estimated as half the shortest epilogue kernel's time (it read and wrote the tensor "
      "once each). Aggregated by chain signature over steps and ranks; flagged when the chains "
      "take >= warn_gemm_pct of their GEMMs' time or >= warn_step_pct of step time (info below "
      "min_warn_step_pct of step; at most max_chain_kernels epilogue kernels per chain).";
  info.thresholds = {
      {"max_gap_us", 5.0, "us",
       "largest gap between consecutive kernels of a chain; a few us is back-to-back launch"},
      {"warn_gemm_pct", 20.0, "%", "warn when the chains take at least this share of their GEMMs' time"},
      {"warn_step_pct", 2.0, "%", "warn when the chains take at least this share of step time"},
      {"high_step_pct", 5.0, "%", "high when the chains take at least this share of step time"},
      {"min_warn_step_pct", 0.5, "%",
       "a flagged signature below this share of step time is only info: a chain 3x a tiny GEMM "
       "is not worth a warning (real traces have dozens of such small GEMMs)"},
      {"min_pct", 0.1, "%", "flagged signatures below this share of step time are not reported"},
      {"max_chain_kernels", 6.0, "kernels",
       "at most this many epilogue kernels per chain: a GEMM epilogue is a few operations; a long "
       "elementwise run after it (gradient accumulation, optimizer) is not its epilogue"},
      {"default_bandwidth_gbps", 3000.0, "GB/s",
       "device memory bandwidth when the trace has none (H100 measured copy ~3.0 TB/s); only "
       "used to report the output-size estimate"},
  };
  return info;
}

namespace {

bool IsGemm(KernelClass c) { return c == KernelClass::kGemm || c == KernelClass::kGroupedGemm; }
bool IsEpilogue(KernelClass c) { return c == KernelClass::kElementwise || c == KernelClass::kCast; }

struct Signature {
  std::string gemm;
  std::vector<std::string> epilogue;
  int64_t cost = 0, gemm_ns = 0, saving = 0, fused_write = 0, chains = 0;
  std::set<int> ranks;
  std::set<StepKey> steps;
  std::vector<Interval> evidence;
  std::vector<EventRef> events;
};

}  // namespace

std::vector<Finding> RunUnfusedEpilogue(const Run& run, const std::vector<RankView>& views,
                                        const RuleOptions& options) {
  (void)run;
  const RuleInfo info = UnfusedEpilogueInfo();
  const auto max_gap = static_cast<int64_t>(Threshold(options, info, "max_gap_us") * kNsPerUs);
  const double warn_gemm_pct = Threshold(options, info, "warn_gemm_pct");
  const double warn_step_pct = Threshold(options, info, "warn_step_pct");
  const double high_step_pct = Threshold(options, info, "high_step_pct");
  const double default_bw = Threshold(options, info, "default_bandwidth_gbps") * 1e9;
  const double min_warn_step_pct = Threshold(options, info, "min_warn_step_pct");
  const double min_pct = Threshold(options, info, "min_pct");
  const auto max_chain =
      static_cast<size_t>(std::max(1.0, Threshold(options, info, "max_chain_kernels")));

  std::map<std::string, Signature> sigs;
  double bandwidth = 0;
  for (size_t ri = 0; ri < views.size(); ++ri) {
    const RankView& v = views[ri];
    const schemas::Trace& t = v.trace();
    const auto& ks = t.kernels;
    if (bandwidth == 0) bandwidth = v.DeviceBandwidth().value_or(0);
    // Kernels are sorted by (stream, start): walk each stream's run of rows.
    size_t i = 0;
    while (i < ks.size()) {
      if (!IsGemm(v.rank().KernelClassOf(i).cls)) { ++i; continue; }
      const size_t g = i;
      size_t j = g + 1;
      int64_t prev_end = ks.start[g] + ks.dur[g];
      int64_t min_dur = INT64_MAX;
      while (j < ks.size() && j - g <= max_chain && ks.stream[j] == ks.stream[g] &&
             IsEpilogue(v.rank().KernelClassOf(j).cls) && ks.start[j] - prev_end <= max_gap) {
        prev_end = std::max(prev_end, ks.start[j] + ks.dur[j]);
        min_dur = std::min(min_dur, ks.dur[j]);
        ++j;
      }
      i = j;  // the kernel that ended the chain may itself start a chain (if it is a GEMM)
      if (j == g + 1) continue;
      const int step = v.StepOfKernel(g);
      if (step < 0) continue;
      const int64_t cost = prev_end - (ks.start[g] + ks.dur[g]);
      const int64_t fused_write = min_dur / 2;
      std::string key = t.str(ks.name[g]);
      std::vector<std::string> epi;
      for (size_t k = g + 1; k < j; ++k) {
        epi.push_back(t.str(ks.name[k]));
        key += "\x1f" + epi.back();
      }
      Signature& s = sigs[key];
      if (s.chains == 0) {
        s.gemm = t.str(ks.name[g]);
        s.epilogue = epi;
      }
      s.chains += 1;
      s.cost += cost;
      s.gemm_ns += ks.dur[g];
      s.fused_write += fused_write;
      s.saving += std::max<int64_t>(0, cost - fused_write);
      s.ranks.insert(v.rank_id());
      s.steps.insert(StepKey{static_cast<int>(ri), step});
      if (s.evidence.size() < kMaxEvidence) {
        s.evidence.push_back(v.ToRun(Interval{ks.start[g] + ks.dur[g], prev_end}));
      }
      for (size_t k = g; k < j && s.events.size() < kMaxEvents; ++k) {
        s.events.push_back(KernelEvent(v, k));
      }
    }
  }
  if (bandwidth == 0) bandwidth = default_bw;

  std::vector<Finding> findings;
  for (auto& [key, s] : sigs) {
    int64_t step_time = 0;
    std::set<int64_t> numbers;
    for (const StepKey& sk : s.steps) {
      const Step& st = views[static_cast<size_t>(sk.rank)].steps()[static_cast<size_t>(sk.step)];
      step_time += st.end - st.start;
      numbers.insert(st.number);
    }
    const double step_pct = Pct(s.cost, step_time);
    const double gemm_pct = Pct(s.cost, s.gemm_ns);
    const bool flagged = gemm_pct >= warn_gemm_pct || step_pct >= warn_step_pct;
    if (!flagged || s.cost <= 0 || step_pct < min_pct) continue;
    Finding f;
    f.rule = info.id;
    f.severity = step_pct >= high_step_pct       ? Severity::kHigh
                 : step_pct >= min_warn_step_pct ? Severity::kWarn
                                                 : Severity::kInfo;
    std::string chain;
    for (const auto& e : s.epilogue) chain += (chain.empty() ? "" : " -> ") + e;
    f.location = s.gemm + " -> " + chain;
    f.title = "Unfused epilogue: " + std::to_string(s.epilogue.size()) +
              " memory-bound kernel(s) after " + s.gemm + " take " + FormatPct(gemm_pct) +
              " of its time (" + FormatPct(step_pct) + " of step)";
    f.ranks.assign(s.ranks.begin(), s.ranks.end());
    f.steps.assign(numbers.begin(), numbers.end());
    f.evidence = s.evidence;
    f.events = s.events;
    f.cost_ns = s.cost;
    f.cost_pct = step_pct;
    f.saving_ns = s.saving;
    f.saving_method =
        "chain time (kernels + gaps) minus one write of the fused output, estimated as half the "
        "shortest epilogue kernel's time (it read and wrote the tensor once each)";
    f.fix =
        "Fuse the epilogue into the GEMM: cuBLASLt epilogues (bias, GELU/ReLU, with aux output), "
        "CUTLASS/CUTLASS-grouped EVT epilogues (SwiGLU, probability scaling, residual add, output "
        "cast), Transformer Engine fused layers, or torch.compile/Triton to generate one kernel; "
        "at least fuse the chain itself into one elementwise kernel.";
    f.metrics["chains"] = static_cast<double>(s.chains);
    f.metrics["epilogue_kernels"] = static_cast<double>(s.epilogue.size());
    f.metrics["gemm_ns"] = static_cast<double>(s.gemm_ns);
    f.metrics["gemm_pct"] = gemm_pct;
    f.metrics["fused_write_ns"] = static_cast<double>(s.fused_write);
    f.metrics["output_bytes_est"] =
        static_cast<double>(s.fused_write) / static_cast<double>(s.chains) * 1e-9 * bandwidth;
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace moeprof::analyzer::rules

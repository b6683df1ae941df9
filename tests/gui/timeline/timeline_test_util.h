// Constructed runs for the timeline tests: a schemas::Trace built in memory (threads, streams,
// kernels sorted by (stream, start), one cudaLaunchKernel API row per kernel, NVTX ranges,
// copies, routing) turned into an analyzer::Run through BuildRankTrace, as LoadRun would.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "moeprof/analyzer/model.h"

namespace moeprof::gui::test {

// Kernel names the built-in classifier puts in distinct classes.
inline const std::map<analyzer::KernelClass, std::string>& ClassNames() {
  using KC = analyzer::KernelClass;
  static const std::map<KC, std::string> m = {
      {KC::kGemm, "ampere_sgemm_128x64_nn"},       {KC::kGroupedGemm, "grouped_gemm_kernel"},
      {KC::kAttention, "flash_fwd_kernel"},         {KC::kNorm, "layer_norm_kernel"},
      {KC::kElementwise, "vectorized_elementwise_kernel"}, {KC::kReduction, "reduce_kernel"},
      {KC::kSoftmax, "softmax_warp_forward"},       {KC::kRouterTopk, "topk_kernel"},
      {KC::kComm, "ncclDevKernel_AllToAll_RING"},
  };
  return m;
}

struct KernelSpec {
  int64_t stream = 1;  // stream table id (1 or 2: native 7 and 13)
  int64_t start = 0, dur = 0;
  std::string name;
  int64_t api_start = -1;  // -1: start − 5 µs
};

class RankBuilder {
 public:
  explicit RankBuilder(int rank) {
    t_.strings = {""};
    t_.meta["rank"] = std::to_string(rank);
    schemas::ProcessRow p;
    p.id = 1;
    p.pid = 1000 + rank;
    p.host = "node0";
    p.rank = rank;
    t_.processes.push_back(p);
    schemas::ThreadRow th;
    th.id = 1;
    th.process = 1;
    th.tid = 4242;
    th.name = "python";
    t_.threads.push_back(th);
    for (int s = 1; s <= 2; ++s) {
      schemas::StreamRow st;
      st.id = s;
      st.device = 1;
      st.native_id = s == 1 ? 7 : 13;
      t_.streams.push_back(st);
    }
  }
  int64_t Str(const std::string& s) {
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    t_.strings.push_back(s);
    return ids_[s] = int64_t(t_.strings.size() - 1);
  }
  void Kernel(const KernelSpec& k) { kernels_.push_back(k); }
  void Nvtx(const std::string& text, int64_t start, int64_t dur, int64_t depth = 0) {
    schemas::NvtxRow n;
    n.id = int64_t(t_.nvtx.size() + 1);
    n.thread = 1;
    n.text = Str(text);
    n.start = start;
    n.dur = dur;
    n.depth = depth;
    t_.nvtx.push_back(n);
  }
  void Memcpy(int64_t stream, int64_t start, int64_t dur, int64_t bytes) {
    schemas::MemcpyRow m;
    m.stream = stream;
    m.start = start;
    m.dur = dur;
    m.bytes = bytes;
    m.copy_kind = 1;
    m.correlation = next_corr_++;
    AddApi(m.correlation, start - 2000, 1500, "cudaMemcpyAsync");
    t_.memcpys.push_back(m);
  }
  void Routing(int64_t step, int64_t expert, int64_t tokens) {
    schemas::RoutingRow r;
    r.step = step;
    r.expert = expert;
    r.tokens = tokens;
    t_.routing.push_back(r);
  }
  void Step(int64_t number, int64_t start, int64_t dur) {
    schemas::StepRow s;
    s.id = int64_t(t_.steps.size() + 1);
    s.number = number;
    s.start = start;
    s.dur = dur;
    s.source = "nvtx";
    t_.steps.push_back(s);
  }
  analyzer::RankTrace Build(int rank) {
    std::stable_sort(kernels_.begin(), kernels_.end(), [](const KernelSpec& a, const KernelSpec& b) {
      return a.stream != b.stream ? a.stream < b.stream : a.start < b.start;
    });
    auto& k = t_.kernels;
    for (const auto& s : kernels_) {
      const int64_t corr = next_corr_++;
      k.stream.push_back(int32_t(s.stream));
      k.start.push_back(s.start);
      k.dur.push_back(s.dur);
      k.correlation.push_back(corr);
      k.graph_node.push_back(0);
      k.graph.push_back(0);
      k.name.push_back(int32_t(Str(s.name)));
      k.config.push_back(0);
      k.flags.push_back(0);
      AddApi(corr, s.api_start >= 0 ? s.api_start : s.start - 5000, 3000, "cudaLaunchKernel");
    }
    // API columns sorted by correlation.
    std::sort(api_.begin(), api_.end(), [](const ApiSpec& a, const ApiSpec& b) { return a.corr < b.corr; });
    for (const auto& a : api_) {
      t_.api.correlation.push_back(a.corr);
      t_.api.thread.push_back(1);
      t_.api.start.push_back(a.start);
      t_.api.dur.push_back(a.dur);
      t_.api.domain.push_back(0);
      t_.api.cbid.push_back(211);
      t_.api.name.push_back(int32_t(Str(a.name)));
      t_.api.status.push_back(0);
    }
    auto rt = analyzer::BuildRankTrace(std::move(t_), rank, analyzer::Classifier::Builtin(), {});
    return std::move(rt.value());
  }

 private:
  struct ApiSpec { int64_t corr, start, dur; std::string name; };
  void AddApi(int64_t corr, int64_t start, int64_t dur, const std::string& name) {
    api_.push_back({corr, start, dur, name});
  }
  schemas::Trace t_;
  std::map<std::string, int64_t> ids_;
  std::vector<KernelSpec> kernels_;
  std::vector<ApiSpec> api_;
  int64_t next_corr_ = 1;
};

inline std::shared_ptr<analyzer::Run> MakeRun(std::vector<analyzer::RankTrace> ranks) {
  auto run = std::make_shared<analyzer::Run>();
  run->ranks = std::move(ranks);
  run->classifier = analyzer::Classifier::Builtin();
  // Same clock, no clock pairs: offsets from origins (all 0 here).
  analyzer::AlignClocks(run->ranks);
  return run;
}

// A small two-rank run: per rank, a step of GEMM / norm / comm kernels on two streams with their
// launches, NVTX "ProfilerStep#1" > "forward", a copy, and routing for 2 experts.
inline std::shared_ptr<analyzer::Run> SmallRun() {
  std::vector<analyzer::RankTrace> ranks;
  for (int r = 0; r < 2; ++r) {
    RankBuilder b(r);
    const auto& n = ClassNames();
    b.Nvtx("ProfilerStep#1", 0, 1'000'000, 0);
    b.Nvtx("forward", 10'000, 600'000, 1);
    b.Step(1, 0, 1'000'000);
    int64_t t = 20'000;
    for (int i = 0; i < 10; ++i) {
      b.Kernel({1, t, 40'000, n.at(i % 2 ? analyzer::KernelClass::kNorm : analyzer::KernelClass::kGemm)});
      t += 50'000;
    }
    b.Kernel({2, 300'000, 200'000, n.at(analyzer::KernelClass::kComm)});
    b.Memcpy(2, 700'000, 50'000, 1 << 20);
    b.Routing(1, 0, 100 + r);
    b.Routing(1, 1, 300);
    ranks.push_back(b.Build(r));
  }
  return MakeRun(std::move(ranks));
}

}  // namespace moeprof::gui::test

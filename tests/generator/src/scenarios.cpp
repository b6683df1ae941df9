// The constructed scenarios: a clean MoE training step (expert parallelism, optional pipeline
// stages) composed on RankSims, each pathology switchable with a magnitude, and the truth for
// every pathology computed from the very intervals the simulator wrote, with the definitions of
// docs/RULES.md (see the comment above each truth computation).
#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "moeprof/tracegen/tracegen.h"
#include "names.h"
#include "sim.h"

namespace moeprof::tracegen {
namespace {

namespace fs = std::filesystem;
using Sims = std::vector<std::unique_ptr<RankSim>>;

// ---- interval helpers (the generator states its truth without the analyzer's code) ----------

struct Iv {
  int64_t start, end;
};
using Ivs = std::vector<Iv>;

Ivs UnionOf(Ivs v) {
  std::sort(v.begin(), v.end(), [](const Iv& a, const Iv& b) { return a.start < b.start; });
  Ivs out;
  for (const Iv& iv : v) {
    if (iv.end <= iv.start) continue;
    if (!out.empty() && iv.start <= out.back().end) {
      out.back().end = std::max(out.back().end, iv.end);
    } else {
      out.push_back(iv);
    }
  }
  return out;
}

Ivs IntersectOf(const Ivs& a, const Ivs& b) {  // both unions
  Ivs out;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const int64_t s = std::max(a[i].start, b[j].start), e = std::min(a[i].end, b[j].end);
    if (s < e) out.push_back({s, e});
    (a[i].end < b[j].end) ? ++i : ++j;
  }
  return out;
}

int64_t MeasureOf(const Ivs& a) {
  int64_t m = 0;
  for (const Iv& iv : a) m += iv.end - iv.start;
  return m;
}

Ivs ClipTo(const Ivs& a, Iv w) { return IntersectOf(a, Ivs{w}); }

// GPU intervals of one rank passing `keep`, as a union.
Ivs GpuUnion(const RankSim& sim, const std::function<bool(const GpuInterval&)>& keep) {
  Ivs v;
  for (const GpuInterval& g : sim.log()) {
    if (keep(g)) v.push_back({g.start, g.end});
  }
  return UnionOf(std::move(v));
}

// ---- the step composer -------------------------------------------------------------------------

struct Knobs {
  int ranks = 1;
  int steps = 3;  // numbered 1..steps
  int layers = 4;
  bool routing = false;
  double load_factor = 1.0;  // per-rank load max/mean (hot rank gets it)
  int hot_rank = 1;
  int64_t sync_accidental_hold = 0;   // after the forward, in NVTX "log_loss"
  int64_t sync_structural_hold = 0;   // per MoE layer, D2H cudaMemcpy in NVTX "dispatch"
  int epilogue_kernels = 0;           // unfused kernels after each expert fc1 GEMM (fwd)
  double epilogue_frac = 0.0;         // each one's duration as a fraction of fc1's
  int64_t a2a_transfer = 30'000;      // each all-to-all's transfer time
  int64_t shared_expert_ns = 25'000;  // overlaps the dispatch on the compute stream
  int64_t cast_ns = 0;                // per layer fwd: a weight cast before the QKV GEMM
  int64_t fp64_router_ns = 0;         // router GEMM in FP64 instead of FP32 (fwd; bwd 2x)
  int launch_bound_kernels = 0;       // zero_grad fill kernels at the start of the step
  int64_t fill_ns = 2'000;
  int64_t first_step = 1;             // number of the first step composed
  int64_t t_start = 1'000'000;        // when it opens (1 ms after the origin)
};

// What the composer remembers for the truth.
struct SyncMark {
  int rank;
  int64_t step, call_start, call_end;
  bool structural;
};
struct ChainMark {
  int rank;
  int64_t step, gemm_end, chain_end, kernels_ns;
};
struct ExpertMark {  // one expert phase (fwd or bwd of one layer), per rank
  int64_t step, layer;
  bool backward;
  std::vector<int64_t> time_per_rank;  // expert GEMM time (union) per rank
  std::vector<int64_t> wait_per_rank;  // time waiting in the following all-to-all
};
struct KernelMark {
  int rank;
  int64_t step, start, end;
};

struct Composed {
  std::vector<Iv> steps;  // common step windows
  std::vector<SyncMark> syncs;
  std::vector<ChainMark> chains;
  std::vector<ExpertMark> experts;
  std::vector<KernelMark> casts, fp64, fills;
  std::vector<int64_t> rank_load;  // tokens per rank per layer (routing)
};

constexpr int64_t kStepGap = 0;  // the next step opens when the previous one closes

// All ranks launch their part of one collective on `stream_of(rank)`; it completes `transfer`
// after the last rank arrives (NCCL all-to-all semantics: nobody finishes before everyone came).
int64_t Collective(Sims& sims, const std::vector<int64_t>& deps, int64_t transfer, const char* op,
                   int64_t bytes, std::vector<int64_t>* starts = nullptr) {
  std::vector<Planned> planned;
  int64_t last = 0;
  for (size_t r = 0; r < sims.size(); ++r) {
    planned.push_back(sims[r]->Plan(sims[r]->ep_comm(), deps[r]));
    last = std::max(last, planned.back().start);
  }
  const int64_t end = last + transfer;
  for (size_t r = 0; r < sims.size(); ++r) {
    sims[r]->Finish(planned[r], names::kNcclSendRecv, end, Tag::kComm);
    sims[r]->Comm(true, op, planned[r].start, end, planned[r].correlation, bytes);
  }
  if (starts) {
    starts->clear();
    for (const Planned& p : planned) starts->push_back(p.start);
  }
  return end;
}

// Per-rank loads (tokens routed to the experts each rank hosts, summed over reporters) with
// max/mean = load_factor on the hot rank and the rest equal; integers, so the realized factor is
// what the truth uses.
std::vector<int64_t> RankLoads(const Knobs& k, int64_t per_expert_per_reporter,
                               int experts_per_rank, std::vector<std::vector<int64_t>>* tokens) {
  const int R = k.ranks;
  const int64_t base = per_expert_per_reporter;  // tokens a reporter sends to one expert on average
  std::vector<int64_t> per_expert_hot(R), loads(R);
  const double hot = k.load_factor;
  const double cold = R > 1 ? (R - hot) / (R - 1) : 1.0;
  tokens->assign(R, std::vector<int64_t>(R * experts_per_rank, 0));
  for (int q = 0; q < R; ++q) {
    const double f = (q == k.hot_rank % R) ? hot : cold;
    for (int e = 0; e < experts_per_rank; ++e) {
      for (int r = 0; r < R; ++r) {
        const int64_t t = static_cast<int64_t>(std::llround(static_cast<double>(base) * f));
        (*tokens)[r][q * experts_per_rank + e] = t;
        loads[q] += t;
      }
    }
  }
  return loads;
}

Composed ComposeEp(Sims& sims, const Knobs& k) {
  Composed c;
  const int R = k.ranks;
  constexpr int kExpertsPerRank = 2;
  std::vector<std::vector<int64_t>> tokens;
  c.rank_load = RankLoads(k, 1024, kExpertsPerRank, &tokens);
  const double mean_load =
      static_cast<double>(std::accumulate(c.rank_load.begin(), c.rank_load.end(), int64_t{0})) / R;
  // Expert GEMM time follows the tokens a rank computes (grouped GEMMs are compute bound).
  constexpr int64_t kFc1 = 120'000, kFc2 = 60'000;
  auto expert_ns = [&](int r, int64_t base) {
    return static_cast<int64_t>(std::llround(static_cast<double>(base) * c.rank_load[r] / mean_load));
  };
  auto all = [&](const std::function<void(RankSim&, int)>& fn) {
    for (int r = 0; r < R; ++r) fn(*sims[r], r);
  };
  auto gap = sims[0]->params().queue_gap_ns;

  int64_t t0 = k.t_start;
  for (int64_t step = k.first_step; step < k.first_step + k.steps; ++step) {
    all([&](RankSim& s, int) {
      s.set_host(t0);
      s.Push("step " + std::to_string(step));
    });
    if (k.launch_bound_kernels > 0) {
      all([&](RankSim& s, int r) {
        s.Push("zero_grad");
        for (int i = 0; i < k.launch_bound_kernels; ++i) {
          const int64_t end = s.Kernel(s.compute(), names::kFill, k.fill_ns);
          c.fills.push_back({r, step, end - k.fill_ns, end});
        }
        s.Pop();
      });
    }
    all([&](RankSim& s, int) {
      s.Push("forward");
      s.Kernel(s.compute(), names::kEmbedding, 40'000);
    });
    for (int layer = 0; layer < k.layers; ++layer) {
      all([&](RankSim& s, int r) {
        s.Push("layer " + std::to_string(layer));
        s.Push("attention");
        s.Kernel(s.compute(), names::kRmsNorm, 20'000);
        if (k.cast_ns > 0) {
          const int64_t end = s.Kernel(s.compute(), names::kCastToBf16, k.cast_ns);
          c.casts.push_back({r, step, end - k.cast_ns, end});
        }
        s.Kernel(s.compute(), names::kGemmQkv, 110'000);
        s.Kernel(s.compute(), names::kFlashFwd, 160'000);
        s.Kernel(s.compute(), names::kGemmOut, 60'000);
        s.Pop();
        s.Push("router");
        s.Kernel(s.compute(), names::kRmsNorm, 20'000);
        if (k.fp64_router_ns > 0) {
          const int64_t end = s.Kernel(s.compute(), names::kRouterGemmFp64, k.fp64_router_ns);
          c.fp64.push_back({r, step, end - k.fp64_router_ns, end});
        } else {
          s.Kernel(s.compute(), names::kRouterGemmFp32, 12'000);
        }
        s.Kernel(s.compute(), names::kTopk, 10'000);
        if (k.routing) {
          for (size_t e = 0; e < tokens[r].size(); ++e) {
            s.Routing(step, layer, 0, r, static_cast<int64_t>(e), tokens[r][e]);
          }
        }
        s.Pop();
        s.Push("dispatch");
      });
      // Dispatch: optional structural sync (host reads tokens per expert to size the all-to-all),
      // permute, then the all-to-all on ep_comm while the shared expert runs on compute.
      std::vector<int64_t> deps(R);
      all([&](RankSim& s, int r) {
        bool immediate = false;
        if (k.sync_structural_hold > 0) {
          const int64_t call_start = s.host() + s.params().host_op_ns;
          const int64_t call_end = s.MemcpyDtoH(s.compute(), 256, 1'500, k.sync_structural_hold);
          c.syncs.push_back({r, step, call_start, call_end, true});
          immediate = true;
        }
        const int64_t end = s.Kernel(s.compute(), names::kPermute, 15'000, 0, Tag::kCompute, immediate);
        deps[r] = end + gap;
      });
      const int64_t dispatched = Collective(sims, deps, k.a2a_transfer, "AllToAll", 16 << 20);
      (void)dispatched;
      all([&](RankSim& s, int) {
        if (k.shared_expert_ns > 0) s.Kernel(s.compute(), names::kSharedExpertGemm, k.shared_expert_ns);
        s.Pop();  // dispatch
        s.Push("experts");
      });
      ExpertMark fwd{step, layer, false, std::vector<int64_t>(R), std::vector<int64_t>(R)};
      all([&](RankSim& s, int r) {
        const int64_t fc1 = expert_ns(r, kFc1), fc2 = expert_ns(r, kFc2);
        const int64_t fc1_end = s.Kernel(s.compute(), names::kGroupedGemm, fc1, dispatched + gap);
        int64_t last = fc1_end, kernels_ns = 0;
        static const char* const kEpilogue[] = {names::kBiasAdd, names::kSwiglu, names::kProbScale,
                                                names::kResidualAdd};
        for (int i = 0; i < k.epilogue_kernels; ++i) {
          const int64_t d = static_cast<int64_t>(std::llround(k.epilogue_frac * fc1));
          last = s.Kernel(s.compute(), kEpilogue[i % 4], d);
          kernels_ns += d;
        }
        if (k.epilogue_kernels > 0) c.chains.push_back({r, step, fc1_end, last, kernels_ns});
        s.Kernel(s.compute(), names::kGroupedGemm, fc2);
        fwd.time_per_rank[r] = fc1 + fc2;
        deps[r] = s.StreamFree(s.compute()) + gap;
        s.Pop();
        s.Push("combine");
      });
      std::vector<int64_t> starts;
      const int64_t combined = Collective(sims, deps, k.a2a_transfer, "AllToAll", 16 << 20, &starts);
      for (int r = 0; r < R; ++r) fwd.wait_per_rank[r] = combined - k.a2a_transfer - starts[r];
      c.experts.push_back(fwd);
      all([&](RankSim& s, int) {
        s.Kernel(s.compute(), names::kUnpermute, 15'000, combined + gap);
        s.Pop();  // combine
        s.Pop();  // layer
      });
    }
    all([&](RankSim& s, int r) {
      s.Kernel(s.compute(), names::kGemmLmHead, 200'000);
      s.Kernel(s.compute(), names::kCrossEntropy, 40'000);
      s.Pop();  // forward
      bool immediate = false;
      if (k.sync_accidental_hold > 0) {
        s.Push("log_loss");
        const int64_t call_start = s.host() + s.params().host_op_ns;
        const int64_t call_end = s.StreamSynchronize(s.compute(), k.sync_accidental_hold);
        c.syncs.push_back({r, step, call_start, call_end, false});
        s.Pop();
        immediate = true;
      }
      s.Push("backward");
      s.Kernel(s.compute(), names::kGemmBwd, 400'000, 0, Tag::kCompute, immediate);
    });
    for (int layer = k.layers - 1; layer >= 0; --layer) {
      std::vector<int64_t> deps(R);
      all([&](RankSim& s, int r) {
        s.Push("layer " + std::to_string(layer) + " backward");
        deps[r] = s.Kernel(s.compute(), names::kUnpermute, 15'000) + gap;
      });
      const int64_t arrived = Collective(sims, deps, k.a2a_transfer, "AllToAll", 16 << 20);
      ExpertMark bwd{step, layer, true, std::vector<int64_t>(R), std::vector<int64_t>(R)};
      all([&](RankSim& s, int r) {
        const int64_t fc2 = 2 * expert_ns(r, kFc2), fc1 = 2 * expert_ns(r, kFc1);
        s.Push("experts");
        s.Kernel(s.compute(), names::kGroupedGemmBwd, fc2, arrived + gap);
        s.Kernel(s.compute(), names::kGroupedGemmBwd, fc1);
        s.Pop();
        bwd.time_per_rank[r] = fc1 + fc2;
        deps[r] = s.StreamFree(s.compute()) + gap;
      });
      std::vector<int64_t> starts;
      const int64_t sent = Collective(sims, deps, k.a2a_transfer, "AllToAll", 16 << 20, &starts);
      for (int r = 0; r < R; ++r) bwd.wait_per_rank[r] = sent - k.a2a_transfer - starts[r];
      c.experts.push_back(bwd);
      all([&](RankSim& s, int r) {
        s.Kernel(s.compute(), names::kPermute, 15'000, sent + gap);
        if (k.fp64_router_ns > 0) {
          const int64_t end = s.Kernel(s.compute(), names::kRouterGemmFp64, 2 * k.fp64_router_ns);
          c.fp64.push_back({r, step, end - 2 * k.fp64_router_ns, end});
        } else {
          s.Kernel(s.compute(), names::kRouterGemmFp32, 24'000);
        }
        s.Kernel(s.compute(), names::kRmsNormBwd, 25'000);
        s.Kernel(s.compute(), names::kGemmBwd, 120'000);
        s.Kernel(s.compute(), names::kFlashBwd, 320'000);
        s.Kernel(s.compute(), names::kGemmBwd, 220'000);
        s.Kernel(s.compute(), names::kRmsNormBwd, 25'000);
        s.Pop();
      });
    }
    int64_t t1 = 0;
    all([&](RankSim& s, int) {
      s.Pop();  // backward
      s.Push("optimizer");
      s.Kernel(s.compute(), names::kGradNorm, 30'000);
      for (int i = 0; i < 4; ++i) s.Kernel(s.compute(), names::kAdam, 80'000);
      s.Pop();
      t1 = std::max({t1, s.host(), s.DeviceFree()});
    });
    // The host waits for the GPU at the end of the step without a CUDA call (it is busy loading the
    // next batch), so the step closes exactly when the last kernel of any rank ends.
    all([&](RankSim& s, int) {
      if (s.host() < t1) {
        s.Push("dataloader");
        s.set_host(t1);
        s.Pop();
      }
      s.set_host(t1);
      s.Pop();  // step
    });
    c.steps.push_back({t0, t1});
    t0 = t1 + kStepGap;
  }
  return c;
}

// ---- pipeline parallel composer ----------------------------------------------------------------

struct PpKnobs {
  int stages = 4;
  int microbatches = 8;
  int steps = 3;
  int slow_stage = 2;
  double slow_factor = 1.0;  // the slow stage's compute time multiplier
  int64_t fwd_ns = 200'000;  // per microbatch per stage
  int64_t transfer = 2'000;  // activation / gradient send time
};

struct PpComposed {
  std::vector<Iv> steps;
};

// One point-to-point transfer: sender and receiver each run a SendRecv kernel on pp_comm; both
// end `transfer` after the later of the two started (the receiver's kernel spins until then).
int64_t SendRecv(RankSim& from, int64_t from_dep, RankSim& to, int64_t bytes, int64_t transfer) {
  const Planned send = from.Plan(from.pp_comm(), from_dep);
  const Planned recv = to.Plan(to.pp_comm());
  const int64_t end = std::max(send.start, recv.start) + transfer;
  from.Finish(send, names::kNcclSendRecv, end, Tag::kComm);
  to.Finish(recv, names::kNcclSendRecv, end, Tag::kComm);
  from.Comm(false, "Send", send.start, end, send.correlation, bytes, to.rank());
  to.Comm(false, "Recv", recv.start, end, recv.correlation, bytes, from.rank());
  return end;
}

// Stage compute of one microbatch: four kernels in the proportions of a transformer layer block.
int64_t StageCompute(RankSim& s, int64_t total, int64_t not_before, bool backward) {
  const int64_t a = total * 4 / 10, b = total * 3 / 10, c2 = total * 2 / 10;
  const int64_t d = total - a - b - c2;
  int64_t end = s.Kernel(s.compute(), backward ? names::kGemmBwd : names::kGemmQkv, a, not_before);
  end = s.Kernel(s.compute(), backward ? names::kFlashBwd : names::kFlashFwd, b);
  end = s.Kernel(s.compute(), backward ? names::kGemmBwd : names::kGemmOut, c2);
  end = s.Kernel(s.compute(), backward ? names::kRmsNormBwd : names::kRmsNorm, d);
  return end;
}

PpComposed ComposePipeline(Sims& sims, const PpKnobs& k) {
  PpComposed c;
  const int P = k.stages, M = k.microbatches;
  const int64_t gap = sims[0]->params().queue_gap_ns;
  auto fwd_of = [&](int s) {
    return s == k.slow_stage ? static_cast<int64_t>(std::llround(k.fwd_ns * k.slow_factor)) : k.fwd_ns;
  };
  int64_t t0 = 1'000'000;
  for (int64_t step = 1; step <= k.steps; ++step) {
    for (auto& s : sims) {
      s->set_host(t0);
      s->Push("step " + std::to_string(step));
    }
    // GPipe: all forwards, then all backwards. recv_ready[s][i]: when stage s has mb i's input.
    std::vector<std::vector<int64_t>> ready(P, std::vector<int64_t>(M, 0));
    for (int i = 0; i < M; ++i) {
      for (int s = 0; s < P; ++s) {
        RankSim& sim = *sims[s];
        sim.Push("forward mb " + std::to_string(i));
        const int64_t end = StageCompute(sim, fwd_of(s), ready[s][i], false);
        sim.Pop();
        if (s + 1 < P) ready[s + 1][i] = SendRecv(sim, end + gap, *sims[s + 1], 8 << 20, k.transfer) + gap;
      }
    }
    std::vector<std::vector<int64_t>> gready(P, std::vector<int64_t>(M, 0));
    for (int i = 0; i < M; ++i) {
      for (int s = P - 1; s >= 0; --s) {
        RankSim& sim = *sims[s];
        sim.Push("backward mb " + std::to_string(i));
        const int64_t end = StageCompute(sim, 2 * fwd_of(s), gready[s][i], true);
        sim.Pop();
        if (s > 0) gready[s - 1][i] = SendRecv(sim, end + gap, *sims[s - 1], 8 << 20, k.transfer) + gap;
      }
    }
    int64_t t1 = 0;
    for (auto& s : sims) {
      s->Push("optimizer");
      for (int j = 0; j < 2; ++j) s->Kernel(s->compute(), names::kAdam, 40'000);
      s->Pop();
      t1 = std::max({t1, s->host(), s->DeviceFree()});
    }
    for (auto& s : sims) {
      if (s->host() < t1) {
        s->Push("dataloader");
        s->set_host(t1);
        s->Pop();
      }
      s->set_host(t1);
      s->Pop();
    }
    c.steps.push_back({t0, t1});
    t0 = t1;
  }
  return c;
}

// ---- scenarios ------------------------------------------------------------------------------

struct Magnitudes {
  const char* suffix;
  const char* name;
};
constexpr Magnitudes kMag[3] = {{"s", "small"}, {"m", "medium"}, {"l", "large"}};

Expected<Sims> OpenSims(const std::string& dir, int ranks, bool with_pp) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status(ErrorCode::kIo, dir + ": cannot create directory: " + ec.message());
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string n = entry.path().filename().string();
    if (n.rfind("rank", 0) == 0) fs::remove(entry.path(), ec);  // stale ranks of an earlier run
  }
  Sims sims;
  for (int r = 0; r < ranks; ++r) {
    auto sim = RankSim::Create((fs::path(dir) / ("rank" + std::to_string(r) + ".sqlite")).string(),
                               r, ranks, with_pp, SimParams{}, /*keep_log=*/true);
    if (!sim) return sim.status();
    sims.push_back(std::move(*sim));
  }
  return sims;
}

Status CloseSims(Sims& sims) {
  for (auto& s : sims) MOEPROF_RETURN_IF_ERROR(s->Close());
  return Status::Ok();
}

void FillSteps(Truth& t, const std::vector<Iv>& steps) {
  for (size_t i = 0; i < steps.size(); ++i) {
    t.steps.push_back(static_cast<int64_t>(i) + 1);
    t.step_ns.push_back(steps[i].end - steps[i].start);
  }
}

int64_t TotalStepNs(const Truth& t) {
  return std::accumulate(t.step_ns.begin(), t.step_ns.end(), int64_t{0});
}

std::string SeverityFor(double pct, double warn, double high) {
  return pct > high ? "high" : pct > warn ? "warn" : "info";
}

// exposed_sync: per call, the part of the call during which the device runs nothing (no kernel,
// copy or memset on any stream), plus the gap from the call's return to the next GPU activity
// (one launch latency: the thread launches at once). Summed per call site (API + NVTX parent).
void TruthSync(Truth& t, const Composed& c, const Sims& sims, bool structural) {
  TruthItem item;
  item.rule = "exposed_sync";
  item.what = structural ? "structural D2H cudaMemcpy inside NVTX \"dispatch\" (per MoE layer)"
                         : "accidental cudaStreamSynchronize inside NVTX \"log_loss\" (per step)";
  item.location = structural ? "cudaMemcpy" : "cudaStreamSynchronize";
  item.rank = 0;
  item.steps = t.steps;
  const Ivs busy = GpuUnion(*sims[0], [](const GpuInterval&) { return true; });
  int64_t idle_in_call = 0, after = 0, calls = 0;
  for (const SyncMark& m : c.syncs) {
    if (m.rank != 0 || m.structural != structural) continue;
    ++calls;
    idle_in_call += (m.call_end - m.call_start) - MeasureOf(ClipTo(busy, {m.call_start, m.call_end}));
    int64_t next = INT64_MAX;
    for (const Iv& b : busy) {
      if (b.start >= m.call_end) {
        next = b.start;
        break;
      }
    }
    after += next - m.call_end;
  }
  item.cost_ns = idle_in_call + after;
  item.details = {{"calls", static_cast<double>(calls)},
                  {"idle_during_calls_ns", static_cast<double>(idle_in_call)},
                  {"gap_after_return_ns", static_cast<double>(after)}};
  const double pct = 100.0 * item.cost_ns / TotalStepNs(t);
  item.details["pct_of_step"] = pct;
  item.min_severity = SeverityFor(pct, 1, 5);
  t.items.push_back(item);
}

// unfused_epilogue: per chain, from the GEMM's end to the last epilogue kernel's end (their time
// plus the gaps), summed over the chains of one (GEMM, epilogue sequence) pattern.
void TruthEpilogue(Truth& t, const Composed& c, int kernels) {
  TruthItem item;
  item.rule = "unfused_epilogue";
  item.what = "grouped GEMM (expert fc1) followed by " + std::to_string(kernels) +
              " elementwise kernel(s) on the compute stream";
  item.location = "grouped_gemm";
  item.steps = t.steps;
  int64_t kernels_ns = 0, chains = 0;
  for (const ChainMark& m : c.chains) {
    item.cost_ns += m.chain_end - m.gemm_end;
    kernels_ns += m.kernels_ns;
    ++chains;
  }
  item.details = {{"chains", static_cast<double>(chains)},
                  {"epilogue_kernel_ns", static_cast<double>(kernels_ns)},
                  {"gaps_ns", static_cast<double>(item.cost_ns - kernels_ns)},
                  {"pct_of_step", 100.0 * item.cost_ns / TotalStepNs(t)}};
  t.items.push_back(item);
}

// expert_imbalance: per layer and direction, (max - mean) over ranks of the expert GEMM time,
// summed; it is also exactly what the slowest rank makes the others wait in the next all-to-all
// beyond the mean. Belongs to the hot rank.
void TruthImbalance(Truth& t, const Composed& c, int hot_rank) {
  TruthItem item;
  item.rule = "expert_imbalance";
  item.what = "hot experts on one rank; the others wait in the combine all-to-all";
  item.rank = hot_rank;
  item.location = "layer";
  item.steps = t.steps;
  int64_t wait_total = 0;
  for (const ExpertMark& m : c.experts) {
    const int64_t mx = *std::max_element(m.time_per_rank.begin(), m.time_per_rank.end());
    const double mean = std::accumulate(m.time_per_rank.begin(), m.time_per_rank.end(), 0.0) /
                        static_cast<double>(m.time_per_rank.size());
    item.cost_ns += static_cast<int64_t>(std::llround(mx - mean));
    for (int64_t w : m.wait_per_rank) wait_total += w;
  }
  const double mean_load = std::accumulate(c.rank_load.begin(), c.rank_load.end(), 0.0) /
                           static_cast<double>(c.rank_load.size());
  const double lf = *std::max_element(c.rank_load.begin(), c.rank_load.end()) / mean_load;
  item.details = {{"rank_load_max_over_mean", lf},
                  {"combine_wait_all_ranks_ns", static_cast<double>(wait_total)},
                  {"pct_of_step", 100.0 * item.cost_ns / TotalStepNs(t)}};
  item.min_severity = lf > 1.5 ? "high" : lf > 1.25 ? "warn" : "info";
  t.items.push_back(item);
}

// a2a_overlap: C = union of expert-parallel comm kernels, K = union of compute kernels on other
// streams; exposed = |C| - |C ∩ K| per step, summed.
void TruthA2a(Truth& t, const Composed& c, const RankSim& sim) {
  TruthItem item;
  item.rule = "a2a_overlap";
  item.what = "expert-parallel all-to-all mostly not overlapped with compute";
  item.location = "all_to_all";
  item.steps = t.steps;
  const Ivs C = GpuUnion(sim, [&](const GpuInterval& g) { return g.tag == Tag::kComm && g.stream == sim.ep_comm(); });
  const Ivs K = GpuUnion(sim, [&](const GpuInterval& g) { return g.tag == Tag::kCompute && g.stream != sim.ep_comm(); });
  int64_t cm = 0, ov = 0;
  for (const Iv& w : c.steps) {
    const Ivs cw = ClipTo(C, w);
    cm += MeasureOf(cw);
    ov += MeasureOf(IntersectOf(cw, ClipTo(K, w)));
  }
  item.cost_ns = cm - ov;
  item.details = {{"comm_ns", static_cast<double>(cm)},
                  {"overlap_pct", 100.0 * ov / cm},
                  {"share_pct", 100.0 * cm / TotalStepNs(t)},
                  {"pct_of_step", 100.0 * item.cost_ns / TotalStepNs(t)}};
  t.items.push_back(item);
}

// precision: the cast kernels' time (union; they are serial on one stream), or the FP64 kernels'.
void TruthKernels(Truth& t, const std::vector<KernelMark>& marks, const std::string& what,
                  const std::string& location, const std::string& match) {
  TruthItem item;
  item.rule = "precision";
  item.match = match;  // the rule reports casts and FP64 kernels as separate findings
  item.what = what;
  item.location = location;
  item.steps = t.steps;
  Ivs v;
  for (const KernelMark& m : marks) {
    if (m.rank == 0) v.push_back({m.start, m.end});
  }
  item.cost_ns = MeasureOf(UnionOf(v));
  item.details = {{"kernels", static_cast<double>(v.size())},
                  {"pct_of_step", 100.0 * item.cost_ns / TotalStepNs(t)}};
  t.items.push_back(item);
}

// launch_bound: per stretch, the GPU idle time between consecutive kernels of the stretch (the
// fill kernels and the gap to the kernel launched right after them), summed.
void TruthLaunchBound(Truth& t, const Composed& c, const RankSim& sim) {
  TruthItem item;
  item.rule = "launch_bound";
  item.what = "zero_grad: one short fill kernel per parameter, the GPU waiting on each launch";
  item.location = "zero_grad";
  item.steps = t.steps;
  const Ivs busy = GpuUnion(sim, [](const GpuInterval&) { return true; });
  int64_t kernels = 0, kernel_ns = 0;
  for (int64_t step = 1; step <= static_cast<int64_t>(c.steps.size()); ++step) {
    int64_t first = INT64_MAX, last = 0;
    for (const KernelMark& m : c.fills) {
      if (m.rank != 0 || m.step != step) continue;
      first = std::min(first, m.start);
      last = std::max(last, m.end);
      ++kernels;
      kernel_ns += m.end - m.start;
    }
    int64_t next = last;
    for (const Iv& b : busy) {
      if (b.start >= last) {
        next = b.start;
        break;
      }
    }
    const int64_t window = next - first;
    item.cost_ns += window - MeasureOf(ClipTo(busy, {first, next}));
  }
  item.details = {{"kernels", static_cast<double>(kernels)},
                  {"kernel_ns", static_cast<double>(kernel_ns)},
                  {"pct_of_step", 100.0 * item.cost_ns / TotalStepNs(t)}};
  t.items.push_back(item);
}

// pipeline_bubble (stage imbalance): the slow stage's compute above the median stage's, per step.
// For the record, also the step time it adds, measured by composing the same pipeline without the
// slowdown (what rebalancing would give back; equal up to transfers and launch gaps).
Status TruthPipeline(Truth& t, const PpComposed& c, const PpKnobs& k, const Sims& sims,
                     const std::string& dir) {
  PpKnobs clean = k;
  clean.slow_factor = 1.0;
  const std::string tmp = (fs::path(dir) / ".clean-reference").string();
  auto ref_sims = OpenSims(tmp, k.stages, true);
  if (!ref_sims) return ref_sims.status();
  const PpComposed ref = ComposePipeline(*ref_sims, clean);
  MOEPROF_RETURN_IF_ERROR(CloseSims(*ref_sims));
  std::error_code ec;
  fs::remove_all(tmp, ec);

  TruthItem item;
  item.rule = "pipeline_bubble";
  item.match = "imbalance";
  item.what = "GPipe, " + std::to_string(k.stages) + " stages x " + std::to_string(k.microbatches) +
              " microbatches, stage " + std::to_string(k.slow_stage) + " slower";
  item.rank = k.slow_stage;
  item.location = "stage " + std::to_string(k.slow_stage);
  item.steps = t.steps;
  // cost = Σ over steps of (slow stage's compute − median compute over stages), compute = |W ∩ K|
  // with K the stage's non-communication kernels: every other stage waits about that long.
  std::vector<Ivs> busy;
  for (int s = 0; s < k.stages; ++s) {
    busy.push_back(GpuUnion(*sims[s], [](const GpuInterval& g) { return g.tag == Tag::kCompute; }));
  }
  for (const Iv& w : c.steps) {
    std::vector<int64_t> compute;
    for (int s = 0; s < k.stages; ++s) compute.push_back(MeasureOf(ClipTo(busy[s], w)));
    std::vector<int64_t> sorted = compute;
    std::sort(sorted.begin(), sorted.end());
    const size_t n = sorted.size();
    const double median = n % 2 ? static_cast<double>(sorted[n / 2])
                                : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    item.cost_ns += compute[k.slow_stage] - static_cast<int64_t>(median);
  }
  int64_t ref_total = 0, delta = 0;
  for (size_t i = 0; i < c.steps.size(); ++i) {
    delta += (c.steps[i].end - c.steps[i].start) - (ref.steps[i].end - ref.steps[i].start);
    ref_total += ref.steps[i].end - ref.steps[i].start;
  }
  // Per-stage idle (no compute kernel while the step is open), for the record.
  for (int s = 0; s < k.stages; ++s) {
    int64_t idle = 0;
    for (const Iv& w : c.steps) idle += (w.end - w.start) - MeasureOf(ClipTo(busy[s], w));
    item.details["stage" + std::to_string(s) + "_idle_ns"] = static_cast<double>(idle);
  }
  item.details["balanced_step_total_ns"] = static_cast<double>(ref_total);
  item.details["step_time_added_ns"] = static_cast<double>(delta);
  item.details["theory_bubble_pct"] =
      100.0 * (k.stages - 1) / static_cast<double>(k.microbatches + k.stages - 1);
  item.details["slow_factor"] = k.slow_factor;
  item.details["pct_of_step"] = 100.0 * item.cost_ns / TotalStepNs(t);
  t.items.push_back(item);
  return Status::Ok();
}

struct ScenarioDef {
  ScenarioInfo info;
  int mag;  // 0..2, -1 clean
};

std::vector<ScenarioDef> Defs() {
  std::vector<ScenarioDef> d;
  d.push_back({{"clean_1rank", "", "", "one rank, 3 clean MoE steps"}, -1});
  d.push_back({{"clean_ep4", "", "", "4 EP ranks, balanced routing (max/mean 1.05)"}, -1});
  d.push_back({{"clean_pp4", "", "", "4 balanced GPipe stages, 32 microbatches"}, -1});
  struct P {
    const char* base;
    const char* rule;
    const char* summary;
  };
  const P ps[] = {
      {"sync_accidental", "exposed_sync", "cudaStreamSynchronize after the forward (log_loss)"},
      {"sync_structural", "exposed_sync", "D2H cudaMemcpy of tokens per expert in each dispatch"},
      {"epilogue", "unfused_epilogue", "elementwise kernels after each expert fc1 GEMM"},
      {"imbalance", "expert_imbalance", "per-rank load max/mean 1.3 / 1.6 / 2.0 on 4 EP ranks"},
      {"pipeline", "pipeline_bubble", "4 GPipe stages x 8 microbatches, stage 2 slower"},
      {"a2a", "a2a_overlap", "long all-to-alls with little overlap"},
      {"cast", "precision", "bf16 weight casts before each QKV GEMM"},
      {"fp64_router", "precision", "router GEMM in FP64"},
      {"launch_bound", "launch_bound", "zero_grad with one fill kernel per parameter"},
  };
  for (const P& p : ps) {
    for (int m = 0; m < 3; ++m) {
      d.push_back({{std::string(p.base) + "_" + kMag[m].suffix, p.rule, kMag[m].name, p.summary}, m});
    }
  }
  return d;
}

}  // namespace

const std::vector<ScenarioInfo>& Scenarios() {
  static const std::vector<ScenarioInfo> list = [] {
    std::vector<ScenarioInfo> v;
    for (const ScenarioDef& d : Defs()) v.push_back(d.info);
    return v;
  }();
  return list;
}

Status GenerateScenario(const std::string& name, const std::string& dir, Truth* out) {
  const std::vector<ScenarioDef> defs = Defs();
  auto it = std::find_if(defs.begin(), defs.end(), [&](const ScenarioDef& d) { return d.info.name == name; });
  if (it == defs.end()) return Status(ErrorCode::kInvalidArgument, "unknown scenario: " + name);
  const ScenarioDef& def = *it;
  const int m = def.mag;
  const std::string base = name.substr(0, name.rfind('_'));

  Truth truth;
  truth.scenario = name;
  truth.rule = def.info.rule;
  truth.magnitude = def.info.magnitude;
  truth.description = def.info.summary;
  truth.clean = m < 0;

  if (name == "clean_pp4" || base == "pipeline") {
    PpKnobs k;
    if (name == "clean_pp4") {
      k.microbatches = 32;
      k.fwd_ns = 60'000;
    } else {
      k.slow_factor = std::array<double, 3>{1.2, 1.5, 2.0}[m];
    }
    truth.ranks = k.stages;
    auto sims = OpenSims(dir, k.stages, true);
    if (!sims) return sims.status();
    const PpComposed c = ComposePipeline(*sims, k);
    FillSteps(truth, c.steps);
    if (m >= 0) MOEPROF_RETURN_IF_ERROR(TruthPipeline(truth, c, k, *sims, dir));
    MOEPROF_RETURN_IF_ERROR(CloseSims(*sims));
  } else {
    Knobs k;
    if (name == "clean_ep4" || base == "imbalance") {
      k.ranks = 4;
      k.routing = true;
      k.load_factor = name == "clean_ep4" ? 1.05 : std::array<double, 3>{1.3, 1.6, 2.0}[m];
    }
    if (base == "sync_accidental") k.sync_accidental_hold = std::array<int64_t, 3>{150'000, 600'000, 1'500'000}[m];
    if (base == "sync_structural") k.sync_structural_hold = std::array<int64_t, 3>{30'000, 150'000, 400'000}[m];
    if (base == "epilogue") {
      k.epilogue_kernels = std::array<int, 3>{1, 2, 4}[m];
      k.epilogue_frac = std::array<double, 3>{0.25, 0.3, 0.35}[m];
    }
    if (base == "a2a") {
      // Share of the step ~14 / 22 / 35 %, overlap ~20 / 10 / 0 % (only the forward dispatch
      // overlaps, with the shared expert).
      k.a2a_transfer = std::array<int64_t, 3>{80'000, 140'000, 270'000}[m];
      k.shared_expert_ns = std::array<int64_t, 3>{64'000, 56'000, 0}[m];
    }
    if (base == "cast") k.cast_ns = std::array<int64_t, 3>{40'000, 100'000, 250'000}[m];
    if (base == "fp64_router") k.fp64_router_ns = std::array<int64_t, 3>{60'000, 150'000, 400'000}[m];
    if (base == "launch_bound") k.launch_bound_kernels = std::array<int, 3>{200, 500, 1500}[m];
    truth.ranks = k.ranks;
    auto sims = OpenSims(dir, k.ranks, false);
    if (!sims) return sims.status();
    const Composed c = ComposeEp(*sims, k);
    FillSteps(truth, c.steps);
    if (base == "sync_accidental") TruthSync(truth, c, *sims, false);
    if (base == "sync_structural") TruthSync(truth, c, *sims, true);
    if (base == "epilogue") TruthEpilogue(truth, c, k.epilogue_kernels);
    if (base == "imbalance") TruthImbalance(truth, c, k.hot_rank);
    if (base == "a2a") TruthA2a(truth, c, *(*sims)[0]);
    if (base == "cast") TruthKernels(truth, c.casts, "bf16 cast of fp32 master weights before each QKV GEMM", "cast",
                                          "cast");
    if (base == "fp64_router") TruthKernels(truth, c.fp64, "router GEMM in FP64 (fwd and bwd)",
                                                    names::kRouterGemmFp64, "f64f64");
    if (base == "launch_bound") TruthLaunchBound(truth, c, *(*sims)[0]);
    MOEPROF_RETURN_IF_ERROR(CloseSims(*sims));
  }

  std::ofstream f(fs::path(dir) / "truth.json");
  f << TruthToJson(truth);
  if (!f) return Status(ErrorCode::kIo, dir + "/truth.json: cannot write");
  if (out) *out = std::move(truth);
  return Status::Ok();
}

Expected<BulkStats> GenerateBulk(const BulkOptions& options) {
  if (options.ranks < 1 || options.kernels < 1) {
    return Status(ErrorCode::kInvalidArgument, "bulk: need at least one rank and one kernel");
  }
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return Status(ErrorCode::kIo, options.dir + ": cannot create directory: " + ec.message());
  Sims sims;
  BulkStats stats;
  for (int r = 0; r < options.ranks; ++r) {
    const std::string path = (fs::path(options.dir) / ("rank" + std::to_string(r) + ".sqlite")).string();
    auto sim = RankSim::Create(path, r, options.ranks, false, SimParams{}, /*keep_log=*/false,
                               options.api_rows);
    if (!sim) return sim.status();
    sims.push_back(std::move(*sim));
    stats.files.push_back(path);
  }
  // One step at a time, cycling through clean steps and mild pathologies so every rule has work
  // on a big trace too: 6 clean steps, then one each of epilogue, structural sync, casts, and a
  // short launch-bound stretch.
  int64_t t0 = 1'000'000, step = 1;
  const int64_t per_rank_target = options.kernels / options.ranks;
  while (sims[0]->kernels_written() < per_rank_target) {
    Knobs k;
    k.ranks = options.ranks;
    k.routing = options.ranks > 1;
    k.load_factor = 1.1;
    k.steps = 1;
    k.first_step = step;
    k.t_start = t0;
    switch (step % 10) {
      case 6: k.epilogue_kernels = 2, k.epilogue_frac = 0.3; break;
      case 7: k.sync_structural_hold = 40'000; break;
      case 8: k.cast_ns = 30'000; break;
      case 9: k.launch_bound_kernels = 50; break;
      default: break;
    }
    const Composed c = ComposeEp(sims, k);
    t0 = c.steps.back().end;
    ++step;
  }
  for (auto& s : sims) {
    stats.kernels += s->kernels_written();
    MOEPROF_RETURN_IF_ERROR(s->Close());
  }
  stats.steps = step - 1;
  return stats;
}

}  // namespace moeprof::tracegen

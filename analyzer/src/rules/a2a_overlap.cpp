// Rule a2a_overlap — expert-parallel all-to-all not hidden behind compute.
//
// Definition. Expert-parallel (EP) communication events of a rank are:
// - communication kernels (class comm) whose collective is all-to-all, dispatch or combine, unless
//   their comm row / communicator / stream says they belong to another group (pp, dp, tp);
// - SendRecv communication kernels that are marked EP: comm row role or communicator role "ep",
//   stream role ep_comm, or launched inside an NVTX range naming dispatch/combine/all-to-all
//   (NCCL runs an all-to-all as a group of sends and receives in one ncclDevKernel_SendRecv);
// - every kernel and memcpy on a stream whose role is ep_comm (or, without a role, whose name
//   contains "ep_comm"): on one GPU the trainer's virtual ranks exchange tokens by copies there.
// Per rank and step (events belong to the step of their launch):
//   C = ∪ EP event intervals,  K = ∪ intervals of the rank's kernels that are neither
//   communication nor EP events (compute; NCCL kernels spin while waiting and are never compute),
//   overlap = |C∩K| / |C|,  exposed = |C| − |C∩K|,  share = |C| / step time.
// Kernels of C's own stream cannot overlap C (a stream is serial), so K over all streams equals K
// over the other streams. Per rank the figures are summed over steps (share = Σ|C| / Σ step time,
// overlap = Σ|C∩K| / Σ|C|). A rank is flagged when share > warn_share_pct and overlap <
// max_overlap_pct; flagged ranks make one finding (high when exposed / step time >
// high_exposed_pct), the others with exposed >= min_exposed_pct one info finding.
// cost = Σ exposed over the finding's ranks and steps; saving = cost (an upper bound: perfect
// overlap hides all of it when enough independent compute exists).
#include <algorithm>
#include <map>
#include <set>

#include "rule_util.h"

namespace moeprof::analyzer::rules {

RuleInfo A2aOverlapInfo() {
  RuleInfo info;
  info.id = "a2a_overlap";
  info.title = "Un-overlapped all-to-all";
  info.definition =
      "C = union of expert-parallel communication intervals (all-to-all/dispatch/combine "
      "communication kernels, SendRecv marked ep by communicator, comm row, stream role or NVTX "
      "parent, and all kernels/copies on ep_comm streams), K = union of compute kernels "
      "(non-communication). Per rank over its steps: overlap = |C∩K|/|C|, exposed = |C| - |C∩K|, "
      "share = |C|/step time. Flagged when share > warn_share_pct and overlap < max_overlap_pct. "
      "Cost = exposed; saving <= exposed.";
  info.thresholds = {
      {"warn_share_pct", 10.0, "%", "all-to-all share of step time above which overlap matters"},
      {"max_overlap_pct", 30.0, "%", "flag when less than this share of the all-to-all is hidden"},
      {"high_exposed_pct", 10.0, "%", "high when the exposed all-to-all is above this share of step"},
      {"min_exposed_pct", 0.5, "%", "ranks below this exposed share are not reported at all"},
  };
  return info;
}

namespace {

const std::vector<std::string_view> kEpWords = {"dispatch", "combine", "all_to_all", "alltoall",
                                                "all-to-all", "a2a"};

std::string Role(const std::optional<std::string>& r) { return r ? Lower(*r) : std::string(); }

bool StreamIsEp(const RankView& v, int64_t stream) {
  for (const auto& row : v.trace().streams) {
    if (row.id != stream) continue;
    // A recorded role decides; without one, the name (the trainer names streams rank/role).
    if (row.role && !row.role->empty()) {
      const std::string role = Lower(*row.role);
      return role == "ep_comm" || role == "ep";
    }
    return row.name && Lower(*row.name).find("ep_comm") != std::string::npos;
  }
  return false;
}

struct RankFigures {
  int64_t c = 0, overlap = 0, step_time = 0;
  std::set<int64_t> steps;
  std::vector<Interval> exposed;  // run time
  std::vector<EventRef> events;
};

}  // namespace

std::vector<Finding> RunA2aOverlap(const Run& run, const std::vector<RankView>& views,
                                   const RuleOptions& options) {
  (void)run;
  const RuleInfo info = A2aOverlapInfo();
  const double warn_share = Threshold(options, info, "warn_share_pct");
  const double max_overlap = Threshold(options, info, "max_overlap_pct");
  const double high_exposed = Threshold(options, info, "high_exposed_pct");
  const double min_exposed = Threshold(options, info, "min_exposed_pct");

  std::map<int, RankFigures> per_rank;
  for (const RankView& v : views) {
    const schemas::Trace& t = v.trace();
    const auto& ks = t.kernels;
    // Roles of comm operations by the kernel they ran in.
    std::map<int64_t, std::string> comm_role;
    std::map<int64_t, std::string> communicator_role;
    for (const auto& c : t.communicators) communicator_role[c.id] = Role(c.role);
    for (const auto& c : t.comms) {
      if (!c.kernel_correlation) continue;
      std::string role = Role(c.role);
      if (role.empty() && c.communicator) role = communicator_role[*c.communicator];
      if (!role.empty()) comm_role[*c.kernel_correlation] = role;
    }
    std::map<int64_t, bool> stream_ep;
    auto stream_is_ep = [&](int64_t s) {
      auto it = stream_ep.find(s);
      if (it == stream_ep.end()) it = stream_ep.emplace(s, StreamIsEp(v, s)).first;
      return it->second;
    };

    const size_t n_steps = v.steps().size();
    std::vector<std::vector<Interval>> c_by_step(n_steps);
    std::vector<std::vector<EventRef>> ev_by_step(n_steps);
    std::vector<Interval> compute;
    for (size_t k = 0; k < ks.size(); ++k) {
      const Classification& cl = v.rank().KernelClassOf(k);
      bool ep = stream_is_ep(ks.stream[k]);
      if (!ep && cl.cls == KernelClass::kComm) {
        auto r = comm_role.find(ks.correlation[k]);
        const std::string role = r == comm_role.end() ? "" : r->second;
        const std::string sr = Lower(v.StreamRole(ks.stream[k]));
        const bool other_group = (!role.empty() && role != "ep") ||
                                 sr == "pp_comm" || sr == "dp_comm" || sr == "tp_comm";
        if (cl.comm == CommOp::kAllToAll || cl.comm == CommOp::kDispatch ||
            cl.comm == CommOp::kCombine) {
          ep = !other_group;
        } else if (cl.comm == CommOp::kSendRecv && !other_group) {
          ep = role == "ep";
          if (!ep) {
            if (auto a = v.ApiIndex(ks.correlation[k])) {
              const std::string path =
                  v.NvtxPath(t.api.thread[*a], t.api.start[*a], t.api.start[*a] + t.api.dur[*a]);
              ep = ContainsAny(path, kEpWords);
            }
          }
        }
      }
      if (ep) {
        const int step = v.StepOfKernel(k);
        if (step < 0) continue;
        c_by_step[static_cast<size_t>(step)].push_back(KernelInterval(t, k));
        if (ev_by_step[static_cast<size_t>(step)].size() < kMaxEvents) {
          ev_by_step[static_cast<size_t>(step)].push_back(KernelEvent(v, k));
        }
      } else if (cl.cls != KernelClass::kComm) {
        compute.push_back(KernelInterval(t, k));
      }
    }
    for (const auto& m : t.memcpys) {
      if (!stream_is_ep(m.stream)) continue;
      const int step = v.StepOfGpuEvent(m.correlation, m.start);
      if (step < 0) continue;
      c_by_step[static_cast<size_t>(step)].push_back({m.start, m.start + m.dur});
      if (ev_by_step[static_cast<size_t>(step)].size() < kMaxEvents) {
        EventRef e;
        e.rank = v.rank_id();
        e.table = "memcpy";
        e.stream = m.stream;
        e.start = m.start;
        e.correlation = m.correlation;
        ev_by_step[static_cast<size_t>(step)].push_back(e);
      }
    }
    const IntervalSet k_set = Union(std::move(compute));
    RankFigures fig;
    for (size_t s = 0; s < n_steps; ++s) {
      if (c_by_step[s].empty()) continue;
      const IntervalSet c_set = Union(std::move(c_by_step[s]));
      // Only compute inside the step's comm span can overlap it: clip K there first (binary
      // search) so each step costs O(|C| + |K in span|), not O(|K|) — same result.
      const IntervalSet both =
          Intersect(c_set, Clip(k_set, Interval{c_set.front().start, c_set.back().end}));
      fig.c += Measure(c_set);
      fig.overlap += Measure(both);
      fig.step_time += v.steps()[s].end - v.steps()[s].start;
      fig.steps.insert(v.steps()[s].number);
      for (const Interval& i : Subtract(c_set, both)) {
        if (fig.exposed.size() < kMaxEvidence) fig.exposed.push_back(v.ToRun(i));
      }
      for (const EventRef& e : ev_by_step[s]) {
        if (fig.events.size() < kMaxEvents) fig.events.push_back(e);
      }
    }
    if (fig.c > 0) per_rank[v.rank_id()] = std::move(fig);
  }

  // Two groups: flagged ranks, and measurable but unflagged ranks (info).
  std::vector<Finding> findings;
  for (int flagged_group = 1; flagged_group >= 0; --flagged_group) {
    Finding f;
    int64_t c = 0, overlap = 0, step_time = 0;
    std::set<int64_t> steps;
    bool high = false;
    for (auto& [rank, fig] : per_rank) {
      const int64_t exposed = fig.c - fig.overlap;
      const double share = Pct(fig.c, fig.step_time);
      const double ov = Pct(fig.overlap, fig.c);
      const double exposed_pct = Pct(exposed, fig.step_time);
      const bool flagged = share > warn_share && ov < max_overlap;
      if (flagged != (flagged_group == 1)) continue;
      if (!flagged && exposed_pct < min_exposed) continue;
      high = high || (flagged && exposed_pct > high_exposed);
      c += fig.c;
      overlap += fig.overlap;
      step_time += fig.step_time;
      steps.insert(fig.steps.begin(), fig.steps.end());
      f.ranks.push_back(rank);
      for (const Interval& i : fig.exposed) AddEvidence(f, i);
      for (const EventRef& e : fig.events) AddEvent(f, e);
      const std::string prefix = "rank" + std::to_string(rank) + ".";
      f.metrics[prefix + "exposed_ns"] = static_cast<double>(exposed);
      f.metrics[prefix + "overlap_pct"] = ov;
      f.metrics[prefix + "share_pct"] = share;
    }
    if (f.ranks.empty()) continue;
    const int64_t exposed = c - overlap;
    f.rule = info.id;
    f.severity = flagged_group == 1 ? (high ? Severity::kHigh : Severity::kWarn) : Severity::kInfo;
    f.location = "expert-parallel all-to-all";
    f.steps.assign(steps.begin(), steps.end());
    f.cost_ns = exposed;
    f.cost_pct = Pct(exposed, step_time);
    f.saving_ns = exposed;
    f.saving_method = "upper bound: the exposed all-to-all time, all of which a perfect overlap hides";
    f.metrics["a2a_ns"] = static_cast<double>(c);
    f.metrics["overlap_pct"] = Pct(overlap, c);
    f.metrics["share_pct"] = Pct(c, step_time);
    f.title = "All-to-all " + FormatPct(Pct(overlap, c)) + " overlapped with compute; " +
              FormatNs(exposed) + " exposed (" + FormatPct(f.cost_pct) + " of step, a2a " +
              FormatPct(Pct(c, step_time)) + " of step)";
    f.fix =
        "Run the dispatch/combine all-to-all on its own stream and give it independent work to hide "
        "behind: split the batch into chunks and pipeline dispatch(i+1) with expert compute(i), "
        "overlap the combine with the shared expert / next attention, or use 1F1B-style "
        "overlap of one microbatch's all-to-all with another's compute (DeepEP-style overlapped "
        "kernels, Megatron's overlap_moe_expert_parallel_comm).";
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace moeprof::analyzer::rules

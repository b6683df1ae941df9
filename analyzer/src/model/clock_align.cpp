// Clock alignment: puts every rank on one timeline, the run timeline, whose zero is rank 0's
// origin (so a single-rank run keeps its own times: offset 0).
//
// Each trace maps its clock to CLOCK_REALTIME through clock_sync pairs (trace_ns, realtime_ns)
// taken at the same instant. For a rank we take the pair nearest to its origin (the `start` pair
// normally; nearest limits drift error without interpolation) and compute the realtime of its
// origin: origin_ns − trace_ns + realtime_ns. A trace without pairs whose clock is CLOCK_REALTIME
// already is its own mapping. Then offset_ns = realtime_origin(rank) − realtime_origin(rank 0).
// When either side has no mapping to realtime, we assume both traces' clocks are the same clock
// (one host's CUPTI clock, or imported files that share a time base such as Kineto's) and use
// origin_ns(rank) − origin_ns(rank 0).
#include <cstdlib>
#include <optional>

#include "moeprof/analyzer/model.h"

namespace moeprof::analyzer {

namespace {

std::optional<int64_t> RealtimeOfOrigin(const schemas::Trace& t) {
  const schemas::ClockSyncRow* best = nullptr;
  for (const schemas::ClockSyncRow& c : t.clock_syncs) {
    if (c.realtime_ns == 0) continue;
    if (best == nullptr || std::llabs(c.trace_ns - t.origin_ns) < std::llabs(best->trace_ns - t.origin_ns)) best = &c;
  }
  if (best != nullptr) return t.origin_ns - best->trace_ns + best->realtime_ns;
  auto it = t.meta.find("clock");
  if (it == t.meta.end() || it->second == "CLOCK_REALTIME") return t.origin_ns;
  return std::nullopt;
}

}  // namespace

void AlignClocks(std::vector<RankTrace>& ranks) {
  if (ranks.empty()) return;
  const schemas::Trace& base = ranks.front().trace;
  const std::optional<int64_t> base_rt = RealtimeOfOrigin(base);
  for (RankTrace& r : ranks) {
    const std::optional<int64_t> rt = RealtimeOfOrigin(r.trace);
    r.offset_ns = (rt && base_rt) ? *rt - *base_rt : r.trace.origin_ns - base.origin_ns;
  }
}

}  // namespace moeprof::analyzer

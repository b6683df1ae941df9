// A finding: one bottleneck a rule found, with where it is, its evidence, what it costs, what
// fixing it would save (and how that was estimated) and what to do. Every rule returns these;
// every report format prints them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "moeprof/analyzer/intervals.h"

namespace moeprof::analyzer {

enum class Severity : uint8_t { kInfo = 0, kWarn = 1, kHigh = 2 };
const char* SeverityName(Severity s);  // "info", "warn", "high"
bool ParseSeverity(const std::string& name, Severity& out);

// Identifies one event row of one rank's trace (the key of its table).
struct EventRef {
  int rank = 0;
  std::string table;  // kernel, memcpy, memset, api, sync, nvtx
  int64_t stream = 0; // stream id for GPU tables, thread id for api/nvtx
  int64_t start = 0;  // rank-relative ns
  int64_t correlation = 0;
};

struct Finding {
  std::string rule;      // exposed_sync, unfused_epilogue, expert_imbalance, pipeline_bubble,
                         // a2a_overlap, precision, launch_bound
  Severity severity = Severity::kInfo;
  std::string title;     // one line, what was found
  std::string location;  // call site / kernel chain / layer / stage
  std::vector<int> ranks;
  std::vector<int64_t> steps;
  std::vector<Interval> evidence;  // run-timeline ns
  std::vector<EventRef> events;    // a bounded sample of the evidence events
  int64_t cost_ns = 0;             // measured, summed over the steps listed
  double cost_pct = 0;             // of the step time over the same steps
  int64_t saving_ns = 0;           // estimated
  std::string saving_method;       // how the saving was estimated
  std::string fix;                 // what to do
  std::map<std::string, double> metrics;  // rule-specific figures (load factor, overlap, ...)
};

}  // namespace moeprof::analyzer

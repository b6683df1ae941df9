// moeprof_tracegen: constructed traces with known answers. Composes training steps on one or
// several ranks from intervals whose effect is known exactly (a small host/GPU timeline simulator
// writes every row through schemas::TraceWriter), injects one pathology at a chosen magnitude, and
// states the ground truth — which rule must fire, where, and what it costs — in a JSON file beside
// the trace, never inside it. The scoring test (tests/scoring/) runs the analyzer on these traces;
// the benchmarks use GenerateBulk for 1 M / 10 M-kernel traces.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "moeprof/schemas/status.h"

namespace moeprof::tracegen {

// One constructed pathology: the finding a correct analyzer must report.
struct TruthItem {
  std::string rule;            // rule id (exposed_sync, unfused_epilogue, ...)
  std::string what;            // the construct, e.g. "structural D2H cudaMemcpy in dispatch"
  int rank = 0;                // the rank the finding belongs to (the slow one for imbalance)
  std::vector<int64_t> steps;  // steps it occurs in
  std::string location;        // what the finding's location should name (informational)
  std::string match;           // when set, the finding's title or location must contain it
                               // (tells apart two findings of one rule on one rank)
  int64_t cost_ns = 0;         // true cost summed over `steps`, by the rule's own definition
  std::string min_severity;    // the severity the thresholds imply ("" when not implied)
  std::map<std::string, double> details;  // the figures behind cost_ns (for the accuracy doc)
};

struct Truth {
  std::string scenario;
  std::string rule;       // "" for clean scenarios
  std::string magnitude;  // small, medium, large; "" for clean
  std::string description;
  bool clean = false;
  int ranks = 1;
  std::vector<int64_t> steps;
  std::vector<int64_t> step_ns;  // length of each step (all ranks share the step boundaries)
  std::vector<TruthItem> items;  // empty for clean scenarios
};

struct ScenarioInfo {
  std::string name;       // e.g. "sync_structural_m"
  std::string rule;       // "" for clean
  std::string magnitude;  // "small", "medium", "large", ""
  std::string summary;
};

// Every scenario the generator knows: three magnitudes per pathology plus the clean ones.
const std::vector<ScenarioInfo>& Scenarios();

// Writes scenario `name` into directory `dir` (created; existing trace files replaced): one
// trace per rank, rank<N>.sqlite, and truth.json beside them. Fills `truth` when non-null.
Status GenerateScenario(const std::string& name, const std::string& dir, Truth* truth = nullptr);

// The truth as JSON (the content of truth.json).
std::string TruthToJson(const Truth& truth);

// A large trace for benchmarks: repeats the clean training step (with a few pathologies mixed in
// so every rule has work) until `kernels` kernel rows are written, one file per rank.
struct BulkOptions {
  std::string dir;          // output directory (rank<N>.sqlite inside)
  int64_t kernels = 1'000'000;  // total over all ranks
  int ranks = 1;
  bool api_rows = true;     // one cudaLaunchKernel row per kernel, as the collector records
};
struct BulkStats {
  int64_t kernels = 0, api = 0, other = 0, steps = 0;
  std::vector<std::string> files;
};
Expected<BulkStats> GenerateBulk(const BulkOptions& options);

}  // namespace moeprof::tracegen

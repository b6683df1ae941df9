// Everything the GUI shows about one opened run, computed once off the UI thread and then shared
// read-only by every model and view: the analyzer's Run, its findings (RunRules, sorted by saving)
// and one whole-trace breakdown per rank. Also the synchronous loader that builds it in phases, so
// the caller (a worker thread, or --screenshot on the main thread) can report progress and cancel
// between phases. No widgets here.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "moeprof/analyzer/breakdown.h"
#include "moeprof/analyzer/finding.h"
#include "moeprof/analyzer/model.h"
#include "moeprof/schemas/status.h"

namespace moeprof::gui {

struct RunData {
  std::vector<std::string> inputs;  // what the user opened (files or directories)
  analyzer::Run run;
  std::vector<analyzer::Finding> findings;      // RunRules' order: saving, then cost
  std::vector<analyzer::Breakdown> breakdowns;  // one per run.ranks entry, same order
  double load_seconds = 0, rules_seconds = 0, breakdown_seconds = 0;

  // Index into run.ranks of the rank with this rank id, or -1.
  int RankIndex(int rank_id) const;
};

// Progress report: phase text and a fraction in [0, 1] of the whole load.
using ProgressFn = std::function<void(const std::string& phase, double fraction)>;

// Loads `inputs` (trace files, run directories, foreign traces) and computes findings and
// breakdowns. Checks `cancel` (may be null) between phases and ranks; a cancelled load returns
// an error with code kUnavailable and message "cancelled". Never throws: exceptions from the
// analyzer (e.g. out of memory) come back as kInternal errors naming the inputs.
Expected<std::shared_ptr<const RunData>> LoadRunData(const std::vector<std::string>& inputs,
                                                     const std::atomic<bool>* cancel = nullptr,
                                                     const ProgressFn& progress = {});

// The same for a Run already in memory (tests build runs from constructed traces).
std::shared_ptr<const RunData> MakeRunData(analyzer::Run run, std::vector<std::string> inputs = {});

}  // namespace moeprof::gui

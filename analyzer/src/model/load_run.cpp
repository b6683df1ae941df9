// LoadRun: inputs (files, run directories) → a Run: one RankTrace per trace (per process), ranks
// sorted, clocks aligned. Foreign files (Kineto JSON, Nsight Systems SQLite) go through
// EnsureMoeprofTraces (trace_inputs.h), which imports them once into the import cache.
#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "moeprof/analyzer/model.h"
#include "moeprof/analyzer/trace_inputs.h"

namespace fs = std::filesystem;

namespace moeprof::analyzer {

Expected<Run> LoadRun(const std::vector<std::string>& inputs, const LoadOptions& options) {
  Run run;
  run.classifier = Classifier::Builtin();
  if (!options.rules_file.empty()) {
    MOEPROF_RETURN_IF_ERROR(run.classifier.AddRulesFromToml(options.rules_file));
  }
  std::set<std::string> seen;
  int index = 0;
  for (const std::string& input : inputs) {
    Expected<std::vector<std::string>> files = EnsureMoeprofTraces(input);
    if (!files) return files.status();
    std::error_code ec;
    const bool single_file = files->size() == 1 && !fs::is_directory(input, ec);
    for (const std::string& path : *files) {
      // The same file named twice (a directory and a file in it) is loaded once.
      const fs::path canonical = fs::weakly_canonical(path, ec);
      if (!seen.insert(ec ? path : canonical.string()).second) continue;
      auto reader = schemas::TraceReader::Open(path);
      if (!reader) return reader.status();
      Expected<schemas::Trace> trace = (*reader)->LoadAll();
      if (!trace) return trace.status();
      // An imported trace lives in the cache; name the file the user gave.
      if (single_file && path != input) trace->path = input;
      Expected<RankTrace> rt = BuildRankTrace(std::move(*trace), index++, run.classifier, options);
      if (!rt) return rt.status();
      run.ranks.push_back(std::move(*rt));
    }
  }
  std::stable_sort(run.ranks.begin(), run.ranks.end(),
                   [](const RankTrace& a, const RankTrace& b) { return a.rank < b.rank; });
  AlignClocks(run.ranks);
  return run;
}

}  // namespace moeprof::analyzer

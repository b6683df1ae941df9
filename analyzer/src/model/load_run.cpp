// LoadRun: inputs (files, run directories) → a Run: one RankTrace per trace (per process), ranks
// sorted, clocks aligned. Foreign files (Kineto JSON, Nsight Systems SQLite) are imported on the
// fly into a temporary directory, read, and the temporary files removed.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "moeprof/analyzer/importers.h"
#include "moeprof/analyzer/model.h"
#include "moeprof/analyzer/trace_inputs.h"

namespace fs = std::filesystem;

namespace moeprof::analyzer {

namespace {

// Removes the directory it holds when it goes out of scope.
struct TempDir {
  std::string path;
  int imports = 0;
  ~TempDir() {
    if (path.empty()) return;
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

Expected<std::vector<std::string>> ImportForeign(const std::string& file, TempDir& tmp) {
  if (tmp.path.empty()) {
    std::error_code ec;
    fs::path base = fs::temp_directory_path(ec);
    if (ec) base = "/tmp";
    static int counter = 0;
    tmp.path = (base / ("moeprof-import-" + std::to_string(::getpid()) + "-" + std::to_string(counter++))).string();
  }
  // One subdirectory per imported file, so two inputs' processes never collide on a file name.
  const std::string dir = (fs::path(tmp.path) / std::to_string(tmp.imports++)).string();
  std::unique_ptr<FileTraceSink> sink = FileTraceSink::ToDirectory(dir, true);
  ImportStats stats;
  Status st = ImportAuto(file, *sink, ImportOptions{}, stats);
  std::vector<std::string> outputs;
  if (st.ok()) st = sink->CloseAll(outputs);
  if (!st.ok()) {
    sink->RemoveAll();
    return st;
  }
  return outputs;
}

}  // namespace

Expected<Run> LoadRun(const std::vector<std::string>& inputs, const LoadOptions& options) {
  Run run;
  run.classifier = Classifier::Builtin();
  if (!options.rules_file.empty()) {
    MOEPROF_RETURN_IF_ERROR(run.classifier.AddRulesFromToml(options.rules_file));
  }
  Expected<std::vector<std::string>> files = ResolveTraceInputs(inputs);
  if (!files) return files.status();

  TempDir tmp;
  int index = 0;
  for (const std::string& file : *files) {
    Expected<TraceFormat> format = DetectFormat(file);
    if (!format) return format.status();
    std::vector<std::string> traces;
    if (*format == TraceFormat::kMoeprof) {
      traces.push_back(file);
    } else if (*format == TraceFormat::kKineto || *format == TraceFormat::kNsysSqlite) {
      Expected<std::vector<std::string>> imported = ImportForeign(file, tmp);
      if (!imported) return imported.status();
      traces = std::move(*imported);
    } else {
      return Status(ErrorCode::kNotATrace,
                    file + ": unrecognized format (expected a moeprof trace, a PyTorch profiler JSON "
                           "or an Nsight Systems SQLite export)");
    }
    for (const std::string& path : traces) {
      auto reader = schemas::TraceReader::Open(path);
      if (!reader) return reader.status();
      Expected<schemas::Trace> trace = (*reader)->LoadAll();
      if (!trace) return trace.status();
      // Imported traces live in a temporary file; name the input the user gave.
      if (path != file) trace->path = file;
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

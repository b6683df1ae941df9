// Importers of foreign trace formats (one folder per format under analyzer/importers/), each
// writing only through schemas::TraceWriter, each detected from the file's bytes, not its name.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "moeprof/schemas/status.h"
#include "moeprof/schemas/trace_writer.h"

namespace moeprof::analyzer {

enum class TraceFormat {
  kMoeprof,          // our SQLite trace
  kKineto,           // PyTorch profiler / Kineto JSON, plain or gzip
  kNsysSqlite,       // Nsight Systems SQLite export
  kMegatronRouting,  // Megatron-LM --moe-routing-trace-path JSONL
  kUnknown,
};
const char* TraceFormatName(TraceFormat format);

// Looks at the first bytes (SQLite header + tables, gzip magic, JSON shape). Errors: missing or
// unreadable file. kUnknown is a value, not an error.
Expected<TraceFormat> DetectFormat(const std::string& path);

// Where an importer writes: one TraceWriter per source process (a Kineto file is one process; an
// nsys report may hold several). The sink owns the writers.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  struct ProcessKey {
    int64_t pid = 0;
    std::optional<int64_t> rank;
    std::string host;
  };
  // origin_ns: the absolute time (ns) that row times will be relative to.
  virtual Expected<schemas::TraceWriter*> WriterFor(const ProcessKey& key, int64_t origin_ns) = 0;
};

struct ImportOptions {
  bool progress = false;  // print progress on stderr (only when it is a terminal)
};

struct ImportStats {
  int64_t records_read = 0;
  int64_t records_written = 0;
  // Bad records skipped (also written to the trace's drops table with source "import").
  std::map<std::string, int64_t> skipped;
  std::vector<std::string> outputs;  // trace files written
};

Status ImportKineto(const std::string& path, TraceSink& sink, const ImportOptions& options,
                    ImportStats& stats);
Status ImportNsys(const std::string& path, TraceSink& sink, const ImportOptions& options,
                  ImportStats& stats);
// Routing JSONL attaches to an existing trace: rows go into `writer`'s routing table.
Status ImportMegatronRouting(const std::string& path, schemas::TraceWriter& writer,
                             const ImportOptions& options, ImportStats& stats);

}  // namespace moeprof::analyzer

// Importers of foreign trace formats (one folder per format under analyzer/importers/), each
// writing only through schemas::TraceWriter, each detected from the file's bytes, not its name.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
// Same, with a filter: only records whose "rank" equals `only_rank` (when set) are written.
Status ImportMegatronRouting(const std::string& path, schemas::TraceWriter& writer,
                             const ImportOptions& options, ImportStats& stats,
                             std::optional<int64_t> only_rank);

// Attaches a routing JSONL to an existing moeprof trace file: the routing rows are written through
// a TraceWriter into a temporary trace beside it, then merged into the trace's routing and drops
// tables in one transaction (attaching the same file again replaces the same rows). The trace must
// be in the current format.
Status AttachRoutingToTrace(const std::string& trace_path, const std::string& routing_path,
                            const ImportOptions& options, ImportStats& stats,
                            std::optional<int64_t> only_rank = std::nullopt);

// Detection from an in-memory prefix of a file (the first few KB; gzip already inflated or not).
// Used by DetectFormat and by the fuzz targets.
TraceFormat DetectFormatFromBytes(std::string_view head);

// Kineto and nsys: detects the format of `path` and runs the matching importer. Our own traces,
// routing JSONL and unknown files are refused with a message naming the file.
Status ImportAuto(const std::string& path, TraceSink& sink, const ImportOptions& options,
                  ImportStats& stats);

// A TraceSink writing trace files: to one file (every process of the source must be the same
// one; a second process is an error that says to use a directory), or to a directory with one
// file per process named like the collector's (moeprof_r<rank>_<host>_<pid>.sqlite).
class FileTraceSink : public TraceSink {
 public:
  static std::unique_ptr<FileTraceSink> ToFile(std::string path, bool overwrite);
  static std::unique_ptr<FileTraceSink> ToDirectory(std::string dir, bool overwrite);
  ~FileTraceSink() override;
  Expected<schemas::TraceWriter*> WriterFor(const ProcessKey& key, int64_t origin_ns) override;
  // Writers opened so far, in creation order (for meta, drops, routing attachment).
  std::vector<std::pair<ProcessKey, schemas::TraceWriter*>> writers() const;
  // Closes every writer; the first error wins. Appends the files written to `outputs`.
  Status CloseAll(std::vector<std::string>& outputs);
  // Deletes every file this sink created (after a failed import, so no half file is left).
  void RemoveAll();

 private:
  FileTraceSink() = default;
  struct Entry;
  std::string target_;
  bool to_dir_ = false;
  bool overwrite_ = false;
  std::vector<std::unique_ptr<Entry>> entries_;
};

// The file name the collector would give that process's trace.
std::string TraceFileNameFor(const TraceSink::ProcessKey& key);

}  // namespace moeprof::analyzer

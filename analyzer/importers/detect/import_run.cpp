// Running an import: ImportAuto (detect, then dispatch to the Kineto or nsys importer) and
// FileTraceSink, the sink that turns each source process into a trace file — one file when the
// caller named a file, one file per process (named like the collector's) when it named a directory.
#include <filesystem>
#include <system_error>

#include "moeprof/analyzer/importers.h"

namespace fs = std::filesystem;

namespace moeprof::analyzer {

struct FileTraceSink::Entry {
  ProcessKey key;
  std::string path;
  std::unique_ptr<schemas::TraceWriter> writer;
};

std::string TraceFileNameFor(const TraceSink::ProcessKey& key) {
  std::string name = "moeprof";
  if (key.rank) name += "_r" + std::to_string(*key.rank);
  std::string host;
  for (char ch : key.host) host += (ch == '/' || ch == ' ' || ch == '\\') ? '_' : ch;
  if (host.empty()) host = "imported";
  name += "_" + host + "_" + std::to_string(key.pid) + ".sqlite";
  return name;
}

std::unique_ptr<FileTraceSink> FileTraceSink::ToFile(std::string path, bool overwrite) {
  std::unique_ptr<FileTraceSink> sink(new FileTraceSink());
  sink->target_ = std::move(path);
  sink->overwrite_ = overwrite;
  return sink;
}

std::unique_ptr<FileTraceSink> FileTraceSink::ToDirectory(std::string dir, bool overwrite) {
  std::unique_ptr<FileTraceSink> sink(new FileTraceSink());
  sink->target_ = std::move(dir);
  sink->to_dir_ = true;
  sink->overwrite_ = overwrite;
  return sink;
}

FileTraceSink::~FileTraceSink() = default;

Expected<schemas::TraceWriter*> FileTraceSink::WriterFor(const ProcessKey& key, int64_t origin_ns) {
  for (auto& e : entries_) {
    if (e->key.pid == key.pid && e->key.host == key.host && e->key.rank == key.rank) {
      return e->writer.get();
    }
  }
  std::string path;
  if (to_dir_) {
    std::error_code ec;
    fs::create_directories(target_, ec);
    if (ec) return Status(ErrorCode::kIo, target_ + ": cannot create directory: " + ec.message());
    path = (fs::path(target_) / TraceFileNameFor(key)).string();
  } else {
    if (!entries_.empty()) {
      return Status(ErrorCode::kInvalidArgument,
                    target_ + ": the input holds more than one process (pid " +
                        std::to_string(entries_.front()->key.pid) + " and pid " +
                        std::to_string(key.pid) + "); give a directory as output (-o DIR)");
    }
    path = target_;
  }
  schemas::WriterOptions options;
  options.overwrite = overwrite_;
  options.origin_ns = origin_ns;
  // Imports write in one go: commit by size, not by time.
  options.commit_interval_ms = 60 * 60 * 1000;
  options.max_buffered_rows = 1 << 17;
  Expected<std::unique_ptr<schemas::TraceWriter>> writer = schemas::TraceWriter::Create(path, options);
  if (!writer) return writer.status();
  auto entry = std::make_unique<Entry>();
  entry->key = key;
  entry->path = path;
  entry->writer = std::move(*writer);
  entries_.push_back(std::move(entry));
  return entries_.back()->writer.get();
}

std::vector<std::pair<TraceSink::ProcessKey, schemas::TraceWriter*>> FileTraceSink::writers() const {
  std::vector<std::pair<ProcessKey, schemas::TraceWriter*>> out;
  for (const auto& e : entries_) out.emplace_back(e->key, e->writer.get());
  return out;
}

Status FileTraceSink::CloseAll(std::vector<std::string>& outputs) {
  Status first;
  for (auto& e : entries_) {
    if (!e->writer) continue;
    Status st = e->writer->Close();
    if (!st.ok() && first.ok()) first = st;
    e->writer.reset();
    outputs.push_back(e->path);
  }
  return first;
}

void FileTraceSink::RemoveAll() {
  for (auto& e : entries_) {
    e->writer.reset();
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(e->path + suffix, ec);
  }
  entries_.clear();
}

Status ImportAuto(const std::string& path, TraceSink& sink, const ImportOptions& options,
                  ImportStats& stats) {
  Expected<TraceFormat> format = DetectFormat(path);
  if (!format) return format.status();
  switch (*format) {
    case TraceFormat::kKineto: return ImportKineto(path, sink, options, stats);
    case TraceFormat::kNsysSqlite: return ImportNsys(path, sink, options, stats);
    case TraceFormat::kMoeprof:
      return Status(ErrorCode::kInvalidArgument, path + ": already a moeprof trace; nothing to import");
    case TraceFormat::kMegatronRouting:
      return Status(ErrorCode::kInvalidArgument,
                    path + ": a Megatron-LM routing trace holds no timeline; attach it to a trace "
                           "with --routing FILE --into TRACE.sqlite");
    case TraceFormat::kUnknown: break;
  }
  return Status(ErrorCode::kNotATrace,
                path + ": unrecognized format (expected a PyTorch profiler JSON, an Nsight Systems "
                       "SQLite export or a moeprof trace)");
}

}  // namespace moeprof::analyzer

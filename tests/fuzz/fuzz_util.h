// Helpers shared by the libFuzzer targets: a per-process temporary file the input bytes are
// written to (the readers take paths), and a sink that writes one trace to a scratch file.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "moeprof/analyzer/importers.h"
#include "moeprof/schemas/trace_writer.h"

namespace moeprof_fuzz {

inline std::string ScratchPath(const char* stem) {
  static const std::string dir = [] {
    // tmpfs when there is one: every input creates SQLite files, and fsync on disk would cap the
    // fuzzer at a few dozen executions per second.
    std::error_code ec;
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                           ? std::filesystem::path("/dev/shm")
                                           : std::filesystem::temp_directory_path();
    auto d = base / ("moeprof_fuzz_" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    static std::string to_remove = d.string();
    std::atexit([] {
      std::error_code rm_ec;
      std::filesystem::remove_all(to_remove, rm_ec);
    });
    return d.string();
  }();
  return dir + "/" + stem;
}

inline void RemoveDb(const std::string& path) {
  for (const char* s : {"", "-wal", "-shm", "-journal"}) std::remove((path + s).c_str());
}

inline bool WriteBytes(const std::string& path, const uint8_t* data, size_t size) {
  RemoveDb(path);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = std::fwrite(data, 1, size, f) == size;
  return std::fclose(f) == 0 && ok;
}

// Every process of the input goes to one scratch trace (replaced on each new process).
class ScratchSink : public moeprof::analyzer::TraceSink {
 public:
  explicit ScratchSink(std::string path) : path_(std::move(path)) {}
  ~ScratchSink() override {
    writer_.reset();
    RemoveDb(path_);
  }
  moeprof::Expected<moeprof::schemas::TraceWriter*> WriterFor(const ProcessKey&, int64_t origin_ns) override {
    if (writer_) return writer_.get();
    moeprof::schemas::WriterOptions o;
    o.overwrite = true;
    o.origin_ns = origin_ns;
    o.commit_interval_ms = 1 << 30;
    auto w = moeprof::schemas::TraceWriter::Create(path_, o);
    if (!w.ok()) return w.status();
    writer_ = std::move(*w);
    return writer_.get();
  }
  void Close() {
    if (writer_) (void)writer_->Close();
  }

 private:
  std::string path_;
  std::unique_ptr<moeprof::schemas::TraceWriter> writer_;
};

}  // namespace moeprof_fuzz

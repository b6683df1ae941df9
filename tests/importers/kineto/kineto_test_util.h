// Helpers for the Kineto importer tests: a TraceSink writing one file, temp paths, gzip, and
// loading the written trace back through the trace library's reader.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "kineto_internal.h"
#include "moeprof/analyzer/importers.h"
#include "moeprof/schemas/trace_reader.h"
#include "moeprof/schemas/trace_writer.h"

namespace moeprof::analyzer::kineto_test {

// One writer, one file; a second process key is an error (a Kineto file is one process).
class OneFileSink : public TraceSink {
 public:
  explicit OneFileSink(std::string path) : path_(std::move(path)) {}
  Expected<schemas::TraceWriter*> WriterFor(const ProcessKey& key, int64_t origin_ns) override {
    if (writer_) return Status(ErrorCode::kInvalidArgument, "second process in one file");
    key_ = key;
    origin_ns_ = origin_ns;
    schemas::WriterOptions o;
    o.overwrite = true;
    o.origin_ns = origin_ns;
    auto w = schemas::TraceWriter::Create(path_, o);
    if (!w.ok()) return w.status();
    writer_ = std::move(*w);
    return writer_.get();
  }
  Status Close() { return writer_ ? writer_->Close() : Status::Ok(); }
  bool opened() const { return writer_ != nullptr; }
  const ProcessKey& key() const { return key_; }
  int64_t origin_ns() const { return origin_ns_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  ProcessKey key_;
  int64_t origin_ns_ = 0;
  std::unique_ptr<schemas::TraceWriter> writer_;
};

inline std::string TempDir() {
  static const std::string dir = [] {
    auto d = std::filesystem::temp_directory_path() /
             ("moeprof_kineto_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  return dir;
}

inline std::string TempPath(const std::string& name) { return TempDir() + "/" + name; }

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

inline std::string Gzip(const std::string& data) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

struct Imported {
  Status status;
  ImportStats stats;
  schemas::Trace trace;
  int64_t origin_ns = 0;
  TraceSink::ProcessKey key;
};

// Imports `path` into a fresh trace file and loads it back (when the import succeeded).
inline Imported ImportFile(const std::string& path, const std::string& out_name) {
  Imported r;
  OneFileSink sink(TempPath(out_name));
  r.status = ImportKineto(path, sink, ImportOptions{}, r.stats);
  const Status closed = sink.Close();
  if (!r.status.ok()) return r;
  EXPECT_TRUE(closed.ok()) << closed.message();
  r.origin_ns = sink.origin_ns();
  r.key = sink.key();
  auto reader = schemas::TraceReader::Open(sink.path());
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  if (!reader.ok()) return r;
  auto trace = (*reader)->LoadAll();
  EXPECT_TRUE(trace.ok()) << trace.status().message();
  if (trace.ok()) r.trace = std::move(*trace);
  return r;
}

inline Imported ImportText(const std::string& json, const std::string& name) {
  const std::string path = TempPath(name + ".json");
  WriteFile(path, json);
  return ImportFile(path, name + ".sqlite");
}

}  // namespace moeprof::analyzer::kineto_test

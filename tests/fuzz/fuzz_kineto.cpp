// libFuzzer target for the Kineto importer (clang only; built by tests/fuzz/CMakeLists.txt).
// Feeds the bytes, plain or gzip (detected from the magic as in a real import), through the whole
// importer: inflate, JSON walk, mapping and writing into a trace database. Small limits keep a
// gzip bomb or a huge document from exhausting the fuzzer's memory; a failed import must come
// back as a Status, never a crash, hang or sanitizer report.
//   Seeds: tests/fuzz/corpus/kineto/ (small hand-written and trimmed real-format files).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "kineto_internal.h"
#include "moeprof/schemas/trace_writer.h"

namespace {

class FuzzSink : public moeprof::analyzer::TraceSink {
 public:
  explicit FuzzSink(std::string path) : path_(std::move(path)) {}
  moeprof::Expected<moeprof::schemas::TraceWriter*> WriterFor(const ProcessKey&,
                                                              int64_t origin_ns) override {
    moeprof::schemas::WriterOptions o;
    o.overwrite = true;
    o.origin_ns = origin_ns;
    auto w = moeprof::schemas::TraceWriter::Create(path_, o);
    if (!w.ok()) return w.status();
    writer_ = std::move(*w);
    return writer_.get();
  }
  void Close() {
    if (writer_) (void)writer_->Close();
    writer_.reset();
  }

 private:
  std::string path_;
  std::unique_ptr<moeprof::schemas::TraceWriter> writer_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An in-memory database: the whole write path runs without touching the disk.
  static const std::string out = ":memory:";
  moeprof::analyzer::kineto::Limits limits;
  limits.max_json_bytes = 8u << 20;  // 8 MiB inflated
  limits.max_depth = 64;
  FuzzSink sink(out);
  moeprof::analyzer::ImportStats stats;
  const moeprof::Status st = moeprof::analyzer::kineto::ImportBytes(
      "fuzz.json", std::string_view(reinterpret_cast<const char*>(data), size), sink, {}, stats,
      limits);
  (void)st;
  sink.Close();
  return 0;
}

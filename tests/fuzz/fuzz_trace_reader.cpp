// libFuzzer target for our own TraceReader on arbitrary bytes: open (format checks, version,
// tables), row counts, load everything, stream kernels and API calls. A damaged file must give
// a Status, never a crash. Seeds: tests/fuzz/corpus/trace_reader/ (tiny traces by make_seeds.sh).
#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"
#include "moeprof/schemas/trace_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1 << 20)) return 0;
  const std::string in = moeprof_fuzz::ScratchPath("reader_in.sqlite");
  if (!moeprof_fuzz::WriteBytes(in, data, size)) return 0;
  {
    auto reader = moeprof::schemas::TraceReader::Open(in);
    if (reader.ok()) {
      (void)(*reader)->RowCounts();
      (void)(*reader)->LoadAll();
      (void)(*reader)->ForEachKernel([](const moeprof::schemas::KernelRow&) { return true; });
      (void)(*reader)->ForEachApi([](const moeprof::schemas::ApiRow&) { return true; });
    }
  }
  moeprof_fuzz::RemoveDb(in);
  return 0;
}

// libFuzzer target for the Nsight Systems SQLite importer: the input bytes are written to a file
// and imported (SQLite parses the damaged database; our code must turn every failure into a
// Status). Also runs format detection on the same file. Seeds: tests/fuzz/corpus/nsys/ (tiny
// synthetic exports made by make_seeds.sh).
#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1 << 20)) return 0;
  const std::string in = moeprof_fuzz::ScratchPath("nsys_in.sqlite");
  if (!moeprof_fuzz::WriteBytes(in, data, size)) return 0;
  (void)moeprof::analyzer::DetectFormat(in);
  {
    moeprof_fuzz::ScratchSink sink(moeprof_fuzz::ScratchPath("nsys_out.sqlite"));
    moeprof::analyzer::ImportStats stats;
    (void)moeprof::analyzer::ImportNsys(in, sink, moeprof::analyzer::ImportOptions{}, stats);
    sink.Close();
  }
  moeprof_fuzz::RemoveDb(in);
  return 0;
}

// libFuzzer target for the Megatron-LM routing JSONL importer (plain or gzip bytes) and for
// byte-level format detection. Seeds: tests/fuzz/corpus/routing/.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1 << 20)) return 0;
  (void)moeprof::analyzer::DetectFormatFromBytes(
      std::string_view(reinterpret_cast<const char*>(data), size));
  const std::string in = moeprof_fuzz::ScratchPath("routing_in.jsonl");
  if (!moeprof_fuzz::WriteBytes(in, data, size)) return 0;
  const std::string out = moeprof_fuzz::ScratchPath("routing_out.sqlite");
  {
    moeprof::schemas::WriterOptions o;
    o.overwrite = true;
    auto w = moeprof::schemas::TraceWriter::Create(out, o);
    if (w.ok()) {
      moeprof::analyzer::ImportStats stats;
      (void)moeprof::analyzer::ImportMegatronRouting(in, **w, moeprof::analyzer::ImportOptions{}, stats);
      (void)(*w)->Close();
    }
  }
  moeprof_fuzz::RemoveDb(out);
  moeprof_fuzz::RemoveDb(in);
  return 0;
}

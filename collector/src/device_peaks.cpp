// Datasheet peak rates for known GPUs (../shared/notes/GPUS.md, dense, no sparsity). Only the SXM
// parts listed there: PCIe/NVL variants have lower clocks and are left null rather than guessed.
#include <cstring>

#include "correlator.h"

namespace moeprof::collector {

void FillKnownPeaks(schemas::DeviceRow& row) {
  const std::string& n = row.name;
  auto has = [&](const char* s) { return n.find(s) != std::string::npos; };
  const bool variant = has("PCIe") || has("PCIE") || has("NVL");
  struct Peak {
    const char* key;
    double bf16, fp32;
    bool allow_variant;
  };
  static const Peak kPeaks[] = {
      {"H100", 989e12, 67e12, false}, {"H800", 989e12, 67e12, false},
      {"H200", 989e12, 67e12, false}, {"B200", 2250e12, 75e12, false},
      {"A100", 312e12, 19.5e12, true},  // A100 PCIe has the same dense bf16/fp32 datasheet peaks
  };
  for (const Peak& p : kPeaks) {
    if (has(p.key) && (p.allow_variant || !variant)) {
      row.peak_bf16_flops = p.bf16;
      row.peak_fp32_flops = p.fp32;
      return;
    }
  }
}

}  // namespace moeprof::collector

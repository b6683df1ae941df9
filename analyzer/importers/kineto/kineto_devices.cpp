// Device facts for imported Kineto traces: Kineto's deviceProperties give name, SMs, memory and
// compute capability but no peak rates; the analyzer's roofline figures need them, so known GPUs
// get the datasheet figures of shared/notes/GPUS.md (dense bf16, fp32 non-tensor, HBM bandwidth).
// Only exact families are matched; a variant whose figures differ (A100 40 GB's bandwidth, H100
// PCIe/NVL) gets only what is certain, and unknown GPUs (V100, GP100, ...) get nothing.
// Also: the memcpy/memset name parsing ("Memcpy HtoD (Pageable -> Device)").
#include <string>
#include <string_view>

#include "kineto_emit.h"

namespace moeprof::analyzer::kineto {
namespace {

bool Has(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

int64_t MemoryKindOf(std::string_view w) {
  // CUpti_ActivityMemoryKind: 1 pageable, 2 pinned, 3 device, 4 array, 5 managed,
  // 6 device static, 7 managed static.
  if (w == "Pageable") return 1;
  if (w == "Pinned") return 2;
  if (w == "Device") return 3;
  if (w == "Array") return 4;
  if (w == "Managed") return 5;
  if (w == "Device Static") return 6;
  if (w == "Managed Static") return 7;
  return 0;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

void FillKnownPeaks(schemas::DeviceRow& d) {
  const std::string_view n = d.name;
  const double gib = d.memory_bytes ? static_cast<double>(*d.memory_bytes) / (1024.0 * 1024 * 1024) : 0;
  if (Has(n, "A100")) {
    d.peak_bf16_flops = 312e12;
    d.peak_fp32_flops = 19.5e12;
    if (gib > 70 && !Has(n, "PCIe")) d.memory_bandwidth_bps = 2040000000000;  // SXM4 80 GB
  } else if (Has(n, "H100") || Has(n, "H800")) {
    // GPUS.md lists the SXM5 80 GB parts; PCIe and NVL variants differ, so only those match.
    if (!Has(n, "PCIe") && !Has(n, "NVL") && gib > 70 && gib < 90) {
      d.peak_bf16_flops = 989e12;
      d.peak_fp32_flops = 67e12;
      d.memory_bandwidth_bps = 3350000000000;
    }
  } else if (Has(n, "H200")) {
    if (!Has(n, "NVL")) {
      d.peak_bf16_flops = 989e12;
      d.peak_fp32_flops = 67e12;
      d.memory_bandwidth_bps = 4800000000000;
    }
  } else if (Has(n, "B200")) {
    d.peak_bf16_flops = 2250e12;
    d.peak_fp32_flops = 75e12;
    d.memory_bandwidth_bps = 8000000000000;
  }
}

CopyKind ParseMemcpyName(std::string_view name) {
  CopyKind out;
  if (name.rfind("Memcpy ", 0) != 0) return out;
  std::string_view rest = name.substr(7);
  const std::string_view dir = rest.substr(0, rest.find(' '));
  static constexpr std::string_view kKinds[] = {"",     "HtoD", "DtoH", "HtoA", "AtoH", "AtoA",
                                                "AtoD", "DtoA", "DtoD", "HtoH", "PtoP"};
  for (size_t i = 1; i < std::size(kKinds); ++i) {
    if (dir == kKinds[i]) out.kind = static_cast<int64_t>(i);
  }
  const size_t open = rest.find('(');
  const size_t arrow = rest.find("->");
  const size_t close = rest.rfind(')');
  if (open != std::string_view::npos && arrow != std::string_view::npos &&
      close != std::string_view::npos && open < arrow && arrow < close) {
    out.src = MemoryKindOf(TrimSpaces(rest.substr(open + 1, arrow - open - 1)));
    out.dst = MemoryKindOf(TrimSpaces(rest.substr(arrow + 2, close - arrow - 2)));
  }
  return out;
}

int64_t ParseMemsetKind(std::string_view name) {
  const size_t open = name.find('(');
  const size_t close = name.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return 0;
  return MemoryKindOf(TrimSpaces(name.substr(open + 1, close - open - 1)));
}

}  // namespace moeprof::analyzer::kineto

// Mapping of a decoded Kineto Model onto trace rows (kineto_emit.cpp) and the device peak table
// (kineto_devices.cpp).
#pragma once

#include <string_view>

#include "kineto_internal.h"
#include "kineto_model.h"
#include "moeprof/schemas/rows.h"

namespace moeprof::analyzer::kineto {

// Writes everything in `model` through one writer obtained from `sink`.
Status EmitModel(std::string_view display_name, Model& model, TraceSink& sink, ImportStats& stats);

// Fills peak_bf16_flops / peak_fp32_flops / memory_bandwidth_bps for GPUs whose name (and memory
// size, where variants differ) identifies a row of shared/notes/GPUS.md; leaves others unset.
void FillKnownPeaks(schemas::DeviceRow& device);

// "Memcpy HtoD (Pageable -> Device)" → copy kind 1, src 1 (pageable), dst 3 (device).
struct CopyKind {
  int64_t kind = 0, src = 0, dst = 0;
};
CopyKind ParseMemcpyName(std::string_view name);
// "Memset (Device)" → memory kind 3.
int64_t ParseMemsetKind(std::string_view name);

}  // namespace moeprof::analyzer::kineto

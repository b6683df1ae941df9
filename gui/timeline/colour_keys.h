// Colour keys: the one byte per event the row model stores to pick a colour (kernel class,
// API call kind, NVTX text hash, ...). Plain C++ so the row model needs no Qt; the palette
// (timeline_palette.h) maps keys to colours.
#pragma once

#include <cstdint>

#include "moeprof/analyzer/kernel_class.h"

namespace moeprof::gui {

// Colour keys carried per event in the row data (1 byte): values below KernelClass::kCount are
// kernel classes; the rest name host-side kinds or a categorical colour.
namespace colour_key {
constexpr uint8_t kApiLaunch = 20, kApiSync = 21, kApiMemcpy = 22, kApiOther = 23;
constexpr uint8_t kSync = 24, kCounter = 25, kNvtxMark = 26;
constexpr uint8_t kCategoricalBase = 32;  // + (hash % kCategoricalCount) for NVTX ranges
constexpr uint8_t kCategoricalCount = 12;
inline uint8_t OfClass(analyzer::KernelClass c) { return static_cast<uint8_t>(c); }
}  // namespace colour_key

}  // namespace moeprof::gui

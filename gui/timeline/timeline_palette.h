// Colours of the timeline: one per kernel class (communication a strong magenta that no compute
// class comes near, copies/memsets in greens), host-side keys (API launch/sync/copy/other),
// categorical colours for NVTX ranges (by text), counters, and the chrome (background, headers,
// ruler, grid, highlight, selection, arrow) for a light and a dark theme. QtGui only.
#pragma once

#include <QColor>
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

struct TimelinePalette {
  bool dark = false;
  QColor background, row_alt, header_bg, header_text, group_bg, text, grid, ruler_bg, ruler_text;
  QColor highlight, selection, arrow, box_select, folded_mark;

  static TimelinePalette Light();
  static TimelinePalette Dark();
  // Dark when the window colour of the application palette is dark (follows the system).
  static TimelinePalette FromLightness(int window_lightness);

  QColor ClassColour(analyzer::KernelClass c) const;
  QColor KeyColour(uint8_t key) const;
  // Black or white, whichever reads better on `fill`.
  static QColor TextOn(const QColor& fill);
};

}  // namespace moeprof::gui

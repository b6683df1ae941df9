// Colours of the timeline: one per kernel class (communication a strong magenta that no compute
// class comes near, copies/memsets in greens), host-side keys (API launch/sync/copy/other),
// categorical colours for NVTX ranges (by text), counters, and the chrome (background, headers,
// ruler, grid, highlight, selection, arrow) for a light and a dark theme. QtGui only.
#pragma once

#include <QColor>
#include <cstdint>

#include "moeprof/analyzer/kernel_class.h"
#include "timeline/colour_keys.h"

namespace moeprof::gui {


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

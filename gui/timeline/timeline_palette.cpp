// Timeline colours (see timeline_palette.h). Class hues are spread so neighbouring kernels of a
// training step (GEMM, norm, elementwise, permute, comm) tell apart at a glance; the dark theme
// uses the same hues a little lighter so they stay readable on a dark background.
#include "timeline/timeline_palette.h"

#include <array>

namespace moeprof::gui {
namespace {

using analyzer::KernelClass;

// Light-theme fills, indexed by KernelClass.
constexpr std::array<QRgb, static_cast<size_t>(KernelClass::kCount)> kClassLight = {
    0x3b7dd8,  // gemm: blue
    0x1f4fa8,  // grouped_gemm: deep blue (the experts' GEMMs)
    0x8a5cd6,  // attention: violet
    0xe8a33d,  // norm: amber
    0x7fb8e0,  // elementwise: light blue
    0x2aa198,  // reduction: teal
    0xb58900,  // softmax: ochre
    0xd2691e,  // router_topk: orange-brown
    0xcc7ab8,  // permute: pink
    0x9aa5b1,  // cast: grey-blue
    0x6b8e23,  // optimizer: olive
    0xe0169b,  // comm: strong magenta, distinct from every compute hue
    0x2e9e4f,  // memcpy: green
    0x85c26a,  // memset: light green
    0x8c8c8c,  // other: grey
};

constexpr std::array<QRgb, colour_key::kCategoricalCount> kCategorical = {
    0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xedc948,
    0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac, 0x86bcb6, 0xd37295,
};

}  // namespace

TimelinePalette TimelinePalette::Light() {
  TimelinePalette p;
  p.dark = false;
  p.background = QColor(0xfbfbfb);
  p.row_alt = QColor(0xf1f3f5);
  p.header_bg = QColor(0xe6e9ed);
  p.header_text = QColor(0x202124);
  p.group_bg = QColor(0xd5dae0);
  p.text = QColor(0x202124);
  p.grid = QColor(0xdadce0);
  p.ruler_bg = QColor(0xeceff1);
  p.ruler_text = QColor(0x3c4043);
  p.highlight = QColor(0xff6d00);
  p.selection = QColor(Qt::black);
  p.arrow = QColor(0xd50000);
  p.box_select = QColor(0x1a73e8);
  p.folded_mark = QColor(0, 0, 0, 60);
  return p;
}

TimelinePalette TimelinePalette::Dark() {
  TimelinePalette p;
  p.dark = true;
  p.background = QColor(0x1e1f22);
  p.row_alt = QColor(0x25272b);
  p.header_bg = QColor(0x2b2d31);
  p.header_text = QColor(0xe8eaed);
  p.group_bg = QColor(0x383b40);
  p.text = QColor(0xe8eaed);
  p.grid = QColor(0x3c4043);
  p.ruler_bg = QColor(0x2b2d31);
  p.ruler_text = QColor(0xbdc1c6);
  p.highlight = QColor(0xffab40);
  p.selection = QColor(0xffffff);
  p.arrow = QColor(0xff5252);
  p.box_select = QColor(0x8ab4f8);
  p.folded_mark = QColor(255, 255, 255, 70);
  return p;
}

TimelinePalette TimelinePalette::FromLightness(int window_lightness) {
  return window_lightness < 128 ? Dark() : Light();
}

QColor TimelinePalette::ClassColour(KernelClass c) const {
  const size_t i = static_cast<size_t>(c);
  QColor col(i < kClassLight.size() ? kClassLight[i] : kClassLight.back());
  // Lighter on dark so saturated blues do not sink into the background.
  return dark ? col.lighter(118) : col;
}

QColor TimelinePalette::KeyColour(uint8_t key) const {
  if (key < static_cast<uint8_t>(KernelClass::kCount)) return ClassColour(static_cast<KernelClass>(key));
  QColor c;
  switch (key) {
    case colour_key::kApiLaunch: c = QColor(0x8fb3d9); break;
    case colour_key::kApiSync: c = QColor(0xd93025); break;   // syncs stand out: they block
    case colour_key::kApiMemcpy: c = QColor(0x2e9e4f); break;
    case colour_key::kApiOther: c = QColor(0xa7b0ba); break;
    case colour_key::kSync: c = QColor(0xd93025); break;
    case colour_key::kCounter: c = QColor(0x5f6fd0); break;
    case colour_key::kNvtxMark: c = QColor(0x202124); break;
    default:
      if (key >= colour_key::kCategoricalBase)
        c = QColor(kCategorical[(key - colour_key::kCategoricalBase) % colour_key::kCategoricalCount]);
      else
        c = QColor(0x8c8c8c);
  }
  return dark ? c.lighter(115) : c;
}

QColor TimelinePalette::TextOn(const QColor& fill) {
  // Relative luminance (Rec. 709 weights) — fast and good enough to pick black or white.
  const double l = 0.2126 * fill.redF() + 0.7152 * fill.greenF() + 0.0722 * fill.blueF();
  return l > 0.55 ? QColor(Qt::black) : QColor(Qt::white);
}

}  // namespace moeprof::gui

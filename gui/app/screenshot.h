// --screenshot mode: load a trace synchronously, show the main window at a fixed size on the
// current (normally offscreen) platform, wait for the timeline's rows, raise the requested view,
// and save QWidget::grab() as PNG. Used for docs, bug reports and CI artifacts, and by the tests.
#pragma once

#include <QSize>
#include <QString>
#include <QStringList>

#include "views/theme.h"

class QImage;
class QTextStream;

namespace moeprof::gui {

struct ScreenshotOptions {
  QString output;                 // PNG path
  QSize size{1280, 800};
  QString view = QStringLiteral("timeline");  // timeline, findings, experts, summary
  QStringList inputs;
  ThemeMode theme = ThemeMode::kSystem;
  int ready_timeout_ms = 300'000;  // how long to wait for the timeline's rows
};

// Exit codes: 0 written; 2 the trace cannot be read (or bad options; message on `err`);
// 1 the image could not be written.
int RunScreenshot(const ScreenshotOptions& options, QTextStream& err);

// "1280x800" → size; false for anything else (both sides 200..8192).
bool ParseSize(const QString& text, QSize* out);

// Whether an image shows something: pixel-value variance and distinct colours over a sampled
// grid (the screenshot test's "not blank" check, shared so the tool can warn too).
struct ImageStats {
  double luma_variance = 0;
  int distinct_colors = 0;  // on the sample grid, capped at 4096
};
ImageStats MeasureImage(const QImage& image);

}  // namespace moeprof::gui

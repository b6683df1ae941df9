// Palettes, theme switching and colour helpers.
#include "views/theme.h"

#include <algorithm>

#include <QApplication>
#include <QEvent>
#include <QStyle>
#include <QStyleFactory>

namespace moeprof::gui {

namespace {

struct Startup {
  bool captured = false;
  QPalette palette;
  QString style;
};

Startup& StartupState() {
  static Startup s;
  return s;
}

}  // namespace

bool IsDark(const QPalette& palette) { return palette.color(QPalette::Window).lightness() < 128; }

QPalette LightPalette() {
  QPalette p;
  p.setColor(QPalette::Window, QColor(0xf3, 0xf3, 0xf3));
  p.setColor(QPalette::WindowText, QColor(0x1e, 0x1e, 0x1e));
  p.setColor(QPalette::Base, Qt::white);
  p.setColor(QPalette::AlternateBase, QColor(0xf5, 0xf7, 0xfa));
  p.setColor(QPalette::Text, QColor(0x1e, 0x1e, 0x1e));
  p.setColor(QPalette::Button, QColor(0xe8, 0xe8, 0xe8));
  p.setColor(QPalette::ButtonText, QColor(0x1e, 0x1e, 0x1e));
  p.setColor(QPalette::ToolTipBase, QColor(0xff, 0xff, 0xe6));
  p.setColor(QPalette::ToolTipText, Qt::black);
  p.setColor(QPalette::Highlight, QColor(0x2a, 0x7a, 0xd5));
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::Link, QColor(0x1a, 0x5f, 0xb4));
  p.setColor(QPalette::PlaceholderText, QColor(0x80, 0x80, 0x80));
  p.setColor(QPalette::Mid, QColor(0xb0, 0xb0, 0xb0));
  p.setColor(QPalette::Dark, QColor(0x90, 0x90, 0x90));
  p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x9a, 0x9a, 0x9a));
  p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x9a, 0x9a, 0x9a));
  p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x9a, 0x9a, 0x9a));
  return p;
}

QPalette DarkPalette() {
  QPalette p;
  p.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x30));
  p.setColor(QPalette::WindowText, QColor(0xdf, 0xe1, 0xe5));
  p.setColor(QPalette::Base, QColor(0x1e, 0x1f, 0x22));
  p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2b));
  p.setColor(QPalette::Text, QColor(0xdf, 0xe1, 0xe5));
  p.setColor(QPalette::Button, QColor(0x3c, 0x3f, 0x41));
  p.setColor(QPalette::ButtonText, QColor(0xdf, 0xe1, 0xe5));
  p.setColor(QPalette::ToolTipBase, QColor(0x3c, 0x3f, 0x41));
  p.setColor(QPalette::ToolTipText, QColor(0xdf, 0xe1, 0xe5));
  p.setColor(QPalette::Highlight, QColor(0x35, 0x74, 0xf0));
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::Link, QColor(0x58, 0x9d, 0xf6));
  p.setColor(QPalette::PlaceholderText, QColor(0x8c, 0x8f, 0x94));
  p.setColor(QPalette::Light, QColor(0x4a, 0x4d, 0x50));
  p.setColor(QPalette::Midlight, QColor(0x40, 0x43, 0x46));
  p.setColor(QPalette::Mid, QColor(0x5a, 0x5d, 0x61));
  p.setColor(QPalette::Dark, QColor(0x1a, 0x1b, 0x1d));
  p.setColor(QPalette::Shadow, Qt::black);
  p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x6f, 0x73, 0x78));
  p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x6f, 0x73, 0x78));
  p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x6f, 0x73, 0x78));
  return p;
}

void ApplyTheme(QApplication* app, ThemeMode mode) {
  if (app == nullptr) return;
  Startup& s = StartupState();
  if (!s.captured) {
    s.captured = true;
    s.palette = QApplication::palette();
    s.style = app->style() != nullptr ? app->style()->name() : QString();
  }
  switch (mode) {
    case ThemeMode::kSystem:
      if (!s.style.isEmpty()) QApplication::setStyle(QStyleFactory::create(s.style));
      QApplication::setPalette(s.palette);
      break;
    case ThemeMode::kLight:
      QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
      QApplication::setPalette(LightPalette());
      break;
    case ThemeMode::kDark:
      QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
      QApplication::setPalette(DarkPalette());
      break;
  }
}

ThemeMode ParseThemeMode(const QString& name, bool* ok) {
  const QString n = name.trimmed().toLower();
  if (ok != nullptr) *ok = true;
  if (n == QLatin1String("light")) return ThemeMode::kLight;
  if (n == QLatin1String("dark")) return ThemeMode::kDark;
  if (n != QLatin1String("system") && ok != nullptr) *ok = false;
  return ThemeMode::kSystem;
}

QString ThemeModeName(ThemeMode mode) {
  switch (mode) {
    case ThemeMode::kLight: return QStringLiteral("light");
    case ThemeMode::kDark: return QStringLiteral("dark");
    default: return QStringLiteral("system");
  }
}

QColor HeatColor(double t, bool dark) {
  t = std::clamp(t, 0.0, 1.0);
  // Stops of a yellow→orange→red ramp; the zero end is near the background so empty cells recede.
  struct Stop { double at; QColor c; };
  const Stop light[] = {{0.0, QColor(0xf7, 0xf7, 0xf2)}, {0.25, QColor(0xfe, 0xe0, 0x8b)},
                        {0.55, QColor(0xfd, 0xae, 0x61)}, {0.8, QColor(0xf4, 0x6d, 0x43)},
                        {1.0, QColor(0xc0, 0x1a, 0x27)}};
  const Stop darks[] = {{0.0, QColor(0x26, 0x2a, 0x33)}, {0.25, QColor(0x4a, 0x3b, 0x6b)},
                        {0.55, QColor(0x9b, 0x3e, 0x7a)}, {0.8, QColor(0xe0, 0x5a, 0x4b)},
                        {1.0, QColor(0xff, 0xc8, 0x4a)}};
  const Stop* stops = dark ? darks : light;
  for (int i = 1; i < 5; ++i) {
    if (t <= stops[i].at) {
      const double f = (t - stops[i - 1].at) / (stops[i].at - stops[i - 1].at);
      const QColor& a = stops[i - 1].c;
      const QColor& b = stops[i].c;
      return QColor::fromRgbF(static_cast<float>(a.redF() + f * (b.redF() - a.redF())),
                              static_cast<float>(a.greenF() + f * (b.greenF() - a.greenF())),
                              static_cast<float>(a.blueF() + f * (b.blueF() - a.blueF())));
    }
  }
  return stops[4].c;
}

QColor IdleColor(bool dark) { return dark ? QColor(0x5c, 0x61, 0x68) : QColor(0xc4, 0xc8, 0xcf); }
QColor ComputeColor(bool dark) { return dark ? QColor(0x4c, 0x9a, 0xe6) : QColor(0x2f, 0x7e, 0xd8); }
QColor NonComputeColor(bool dark) { return dark ? QColor(0xe6, 0x9a, 0x3c) : QColor(0xe0, 0x84, 0x1b); }

ThemeWatcher::ThemeWatcher(QObject* parent) : QObject(parent) {
  dark_ = IsDark(QApplication::palette());
  if (qApp != nullptr) qApp->installEventFilter(this);
}

bool ThemeWatcher::eventFilter(QObject* watched, QEvent* event) {
  if (watched == qApp && (event->type() == QEvent::ApplicationPaletteChange ||
                          event->type() == QEvent::PaletteChange)) {
    const bool dark = IsDark(QApplication::palette());
    if (dark != dark_) {
      dark_ = dark;
      emit themeChanged(dark_);
    }
  }
  return QObject::eventFilter(watched, event);
}

}  // namespace moeprof::gui

// Light and dark palettes. Qt 6.4 has no QStyleHints::colorScheme (6.5+), so "follow the system"
// means: leave the platform's palette alone and judge it by the lightness of its window colour;
// custom-painted views ask IsDark(palette()) on every paint, so they follow a PaletteChange too.
// Forcing light or dark installs our own palette with the Fusion style (whose drawing honours
// every palette role, unlike some platform styles).
#pragma once

#include <QColor>
#include <QObject>
#include <QPalette>
#include <QString>

class QApplication;

namespace moeprof::gui {

enum class ThemeMode { kSystem, kLight, kDark };

bool IsDark(const QPalette& palette);
QPalette LightPalette();
QPalette DarkPalette();

// Applies `mode` to the application. kSystem restores the palette and style the app started
// with (captured on the first call).
void ApplyTheme(QApplication* app, ThemeMode mode);
ThemeMode ParseThemeMode(const QString& name, bool* ok = nullptr);  // system, light, dark
QString ThemeModeName(ThemeMode mode);

// A perceptually ordered ramp for load heatmaps: t in [0, 1] → colour; readable on both
// backgrounds (low values fade toward the window colour, high values are saturated red).
QColor HeatColor(double t, bool dark);

// Colours of breakdown categories, shared by the bars and their legends.
QColor IdleColor(bool dark);
QColor ComputeColor(bool dark);
QColor NonComputeColor(bool dark);

// Watches application palette changes (system theme switch, or ApplyTheme) and emits
// themeChanged with the new darkness; views that cache colours connect to it.
class ThemeWatcher : public QObject {
  Q_OBJECT
 public:
  explicit ThemeWatcher(QObject* parent = nullptr);
  bool dark() const { return dark_; }

 signals:
  void themeChanged(bool dark);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  bool dark_ = false;
};

}  // namespace moeprof::gui

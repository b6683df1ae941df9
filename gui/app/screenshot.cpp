// --screenshot implementation.
#include "app/screenshot.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPixmap>
#include <QRegularExpression>
#include <QSet>
#include <QTextStream>
#include <QThread>

#include "app/main_window.h"
#include "models/run_data.h"
#include "timeline/timeline_widget.h"
#include "views/findings_view.h"

namespace moeprof::gui {

bool ParseSize(const QString& text, QSize* out) {
  static const QRegularExpression re(QStringLiteral("^(\\d{2,5})[xX](\\d{2,5})$"));
  const auto m = re.match(text.trimmed());
  if (!m.hasMatch()) return false;
  const int w = m.captured(1).toInt(), h = m.captured(2).toInt();
  if (w < 200 || h < 200 || w > 8192 || h > 8192) return false;
  *out = QSize(w, h);
  return true;
}

ImageStats MeasureImage(const QImage& image) {
  ImageStats s;
  if (image.isNull()) return s;
  const QImage img = image.convertToFormat(QImage::Format_RGB32);
  QSet<QRgb> colors;
  double sum = 0, sq = 0;
  int n = 0;
  const int step = std::max(1, std::min(img.width(), img.height()) / 200);
  for (int y = 0; y < img.height(); y += step) {
    const auto* line = reinterpret_cast<const QRgb*>(img.constScanLine(y));
    for (int x = 0; x < img.width(); x += step) {
      const QRgb c = line[x];
      const double luma = 0.299 * qRed(c) + 0.587 * qGreen(c) + 0.114 * qBlue(c);
      sum += luma;
      sq += luma * luma;
      ++n;
      if (colors.size() < 4096) colors.insert(c);
    }
  }
  if (n > 0) {
    const double mean = sum / n;
    s.luma_variance = sq / n - mean * mean;
  }
  s.distinct_colors = static_cast<int>(colors.size());
  return s;
}

int RunScreenshot(const ScreenshotOptions& options, QTextStream& err) {
  static const QStringList kViews = {QStringLiteral("timeline"), QStringLiteral("findings"),
                                     QStringLiteral("experts"), QStringLiteral("summary")};
  if (!kViews.contains(options.view)) {
    err << "moeprof-gui: unknown --view '" << options.view << "' (timeline, findings, experts, summary)\n";
    return 2;
  }
  if (options.inputs.isEmpty()) {
    err << "moeprof-gui: --screenshot needs a trace file or run directory\n";
    return 2;
  }
  std::vector<std::string> inputs;
  for (const QString& s : options.inputs) inputs.push_back(s.toStdString());
  auto data = LoadRunData(inputs);
  if (!data) {
    err << "moeprof-gui: cannot read " << options.inputs.join(QStringLiteral(", ")) << ": "
        << QString::fromStdString(data.status().message()) << "\n";
    return 2;
  }
  ApplyTheme(qApp, options.theme);
  MainWindow window;
  window.resize(options.size);
  window.SetRunData(*data);
  window.show();
  // The timeline builds its rows on a worker; wait for them so the image shows the trace.
  QElapsedTimer timer;
  timer.start();
  while (!window.timeline()->IsReady() && timer.elapsed() < options.ready_timeout_ms) {
    QApplication::processEvents(QEventLoop::AllEvents, 50);
    QThread::msleep(5);
  }
  if (!window.timeline()->IsReady()) err << "moeprof-gui: warning: the timeline was not ready in time\n";
  QApplication::processEvents();
  window.ShowView(options.view);
  // The findings view is most useful with the top finding selected: the timeline then shows its
  // evidence, highlighted.
  if (options.view == QLatin1String("findings")) window.findings_view()->SelectRow(0);
  for (int i = 0; i < 5; ++i) QApplication::processEvents();
  const QImage image = window.grab().toImage();
  if (image.isNull() || !image.save(options.output, "PNG")) {
    err << "moeprof-gui: cannot write " << options.output << "\n";
    return 1;
  }
  return 0;
}

}  // namespace moeprof::gui

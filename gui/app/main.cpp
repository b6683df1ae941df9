// moeprof-gui entry point: command-line parsing, the --screenshot mode (headless: the offscreen
// platform is chosen before QApplication exists unless the user picked one), otherwise the main
// window with the given inputs opened.
#include <cstring>

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>
#include <QTextStream>

#include "app/main_window.h"
#include "app/screenshot.h"
#include "moeprof/analyzer/version.h"
#include "views/theme.h"

int main(int argc, char** argv) {
  // The platform plugin is picked when QApplication is constructed, so look for --screenshot in
  // the raw arguments first; an explicit QT_QPA_PLATFORM or -platform wins.
  bool screenshot = false, platform_arg = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--screenshot") == 0 || std::strncmp(argv[i], "--screenshot=", 13) == 0) {
      screenshot = true;
    }
    if (std::strcmp(argv[i], "-platform") == 0) platform_arg = true;
  }
  if (screenshot && !platform_arg && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
  }

  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("moeprof"));
  QApplication::setApplicationName(QStringLiteral("moeprof-gui"));
  QApplication::setApplicationVersion(QString::fromLatin1(moeprof::analyzer::Version()));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral(
      "moeprof-gui: timeline, findings and expert load of a training run.\n"
      "PATH: moeprof trace files, run directories (all ranks), Kineto JSON or nsys SQLite traces."));
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption shot_opt(QStringLiteral("screenshot"),
                                    QStringLiteral("Render the window for PATH into OUT.png and exit "
                                                   "(0 written, 2 unreadable trace or bad options)."),
                                    QStringLiteral("OUT.png"));
  const QCommandLineOption size_opt(QStringLiteral("size"), QStringLiteral("Window size for --screenshot (default 1280x800)."),
                                    QStringLiteral("WxH"), QStringLiteral("1280x800"));
  const QCommandLineOption view_opt(QStringLiteral("view"),
                                    QStringLiteral("Panel to show: timeline, findings, experts, summary."),
                                    QStringLiteral("VIEW"), QStringLiteral("timeline"));
  const QCommandLineOption theme_opt(QStringLiteral("theme"), QStringLiteral("system, light or dark."),
                                     QStringLiteral("THEME"));
  parser.addOptions({shot_opt, size_opt, view_opt, theme_opt});
  parser.addPositionalArgument(QStringLiteral("PATH"), QStringLiteral("Traces or run directories to open."),
                               QStringLiteral("[PATH...]"));
  parser.process(app);

  QTextStream err(stderr);
  moeprof::gui::ThemeMode theme = moeprof::gui::ThemeMode::kSystem;
  if (parser.isSet(theme_opt)) {
    bool ok = false;
    theme = moeprof::gui::ParseThemeMode(parser.value(theme_opt), &ok);
    if (!ok) {
      err << "moeprof-gui: unknown --theme '" << parser.value(theme_opt) << "' (system, light, dark)\n";
      return 2;
    }
  } else if (!parser.isSet(shot_opt)) {
    theme = moeprof::gui::ParseThemeMode(QSettings().value(QStringLiteral("view/theme")).toString());
  }

  if (parser.isSet(shot_opt)) {
    moeprof::gui::ScreenshotOptions options;
    options.output = parser.value(shot_opt);
    options.view = parser.value(view_opt);
    options.inputs = parser.positionalArguments();
    options.theme = theme;
    if (!moeprof::gui::ParseSize(parser.value(size_opt), &options.size)) {
      err << "moeprof-gui: bad --size '" << parser.value(size_opt) << "' (WxH, e.g. 1280x800)\n";
      return 2;
    }
    return moeprof::gui::RunScreenshot(options, err);
  }

  moeprof::gui::ApplyTheme(&app, theme);
  moeprof::gui::MainWindow window;
  window.show();
  if (!parser.positionalArguments().isEmpty()) window.Open(parser.positionalArguments());
  return app.exec();
}

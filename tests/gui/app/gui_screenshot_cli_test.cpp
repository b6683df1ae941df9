// moeprof-gui --screenshot as a process (the way docs and CI call it, without a display): a good
// trace exits 0 and writes a non-blank PNG of the requested size; an unreadable file, a missing
// file, an unknown --view and a bad --size exit 2 with a message naming the problem.
#include <QImage>
#include <QProcess>
#include <QtTest>

#include "app/screenshot.h"
#include "gui_test_util.h"

namespace moeprof::gui {

class GuiScreenshotCliTest : public QObject {
  Q_OBJECT

 private:
  QString dir_;

  struct Result {
    int code = -1;
    QString err;
  };

  static Result RunGui(const QStringList& args) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));  // --screenshot must choose offscreen itself
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(MOEPROF_GUI_EXE), args);
    if (!p.waitForFinished(240'000)) {
      p.kill();
      return {};
    }
    Result r;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.err = QString::fromLocal8Bit(p.readAllStandardError());
    return r;
  }

 private slots:
  void initTestCase() {
    dir_ = testing::GenerateScenarioDir(QStringLiteral("cli"), QStringLiteral("imbalance_m"));
    QVERIFY(!dir_.isEmpty());
  }

  void goodTraceWritesPng_data() {
    QTest::addColumn<QString>("view");
    QTest::newRow("timeline") << QStringLiteral("timeline");
    QTest::newRow("experts") << QStringLiteral("experts");
  }

  void goodTraceWritesPng() {
    QFETCH(QString, view);
    const QString out = QStringLiteral(GUI_TEST_OUT_DIR "/cli_%1.png").arg(view);
    QFile::remove(out);
    const Result r = RunGui({QStringLiteral("--screenshot"), out, QStringLiteral("--size"), QStringLiteral("960x600"),
                             QStringLiteral("--view"), view, dir_ + QStringLiteral("/rank0.sqlite"),
                             dir_ + QStringLiteral("/rank1.sqlite")});
    QVERIFY2(r.code == 0, qPrintable(QStringLiteral("exit %1: %2").arg(r.code).arg(r.err)));
    QImage image(out);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), QSize(960, 600));
    const ImageStats stats = MeasureImage(image);
    QVERIFY(stats.luma_variance > 100);
    QVERIFY(stats.distinct_colors >= 8);
  }

  void badInputsExit2_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString bad = QStringLiteral(GUI_TEST_OUT_DIR "/cli_garbage.sqlite");
    QFile f(bad);
    if (f.open(QIODevice::WriteOnly)) f.write("garbage, not SQLite, not JSON");
    const QString out = QStringLiteral(GUI_TEST_OUT_DIR "/cli_bad.png");
    QTest::newRow("garbage file") << QStringList{QStringLiteral("--screenshot"), out, bad}
                                  << QStringLiteral("cli_garbage.sqlite");
    QTest::newRow("missing file") << QStringList{QStringLiteral("--screenshot"), out,
                                                 QStringLiteral("/nonexistent/trace.sqlite")}
                                  << QStringLiteral("/nonexistent/trace.sqlite");
    QTest::newRow("no trace") << QStringList{QStringLiteral("--screenshot"), out} << QStringLiteral("needs a trace");
    QTest::newRow("unknown view") << QStringList{QStringLiteral("--screenshot"), out, QStringLiteral("--view"),
                                                 QStringLiteral("nope"), bad}
                                  << QStringLiteral("--view");
    QTest::newRow("bad size") << QStringList{QStringLiteral("--screenshot"), out, QStringLiteral("--size"),
                                             QStringLiteral("huge"), bad}
                              << QStringLiteral("--size");
  }

  void badInputsExit2() {
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const QString out = QStringLiteral(GUI_TEST_OUT_DIR "/cli_bad.png");
    QFile::remove(out);
    const Result r = RunGui(args);
    QVERIFY2(r.code == 2, qPrintable(QStringLiteral("exit %1: %2").arg(r.code).arg(r.err)));
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY(!QFile::exists(out));
  }

  void parseSize() {
    QSize s;
    QVERIFY(ParseSize(QStringLiteral("1280x800"), &s));
    QCOMPARE(s, QSize(1280, 800));
    QVERIFY(ParseSize(QStringLiteral("640X480"), &s));
    QVERIFY(!ParseSize(QStringLiteral("10x10"), &s));
    QVERIFY(!ParseSize(QStringLiteral("1280"), &s));
    QVERIFY(!ParseSize(QStringLiteral("-5x100"), &s));
  }
};

}  // namespace moeprof::gui

QTEST_MAIN(moeprof::gui::GuiScreenshotCliTest)
#include "gui_screenshot_cli_test.moc"

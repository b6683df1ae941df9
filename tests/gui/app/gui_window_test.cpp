// The main window on a generated 4-rank MoE trace (expert imbalance, so it has routing rows and
// findings): selecting a finding sets the timeline viewport to its evidence and the details pane
// shows its fix; the expert-load view relays a step click; event search selects hits; the window
// renders a non-blank screenshot that the test run saves (build dir: gui_window_<view>.png);
// the async loader reports errors naming the file and can be cancelled.
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QtTest>

#include "app/main_window.h"
#include "app/screenshot.h"
#include "gui_test_util.h"
#include "models/async_loader.h"
#include "timeline/timeline_widget.h"
#include "views/expert_load_view.h"
#include "views/findings_view.h"
#include "views/help_dialog.h"
#include "views/summary_view.h"

namespace moeprof::gui {

class GuiWindowTest : public QObject {
  Q_OBJECT

 private:
  QString dir_;
  std::shared_ptr<const RunData> data_;

  static bool WaitReady(MainWindow& w) {
    return QTest::qWaitFor([&] { return w.timeline()->IsReady(); }, 120'000);
  }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // QSettings (recent files) go to a test location
    dir_ = testing::GenerateScenarioDir(QStringLiteral("window"), QStringLiteral("imbalance_l"));
    QVERIFY(!dir_.isEmpty());
    auto data = LoadRunData({dir_.toStdString()});
    QVERIFY2(data.ok(), data.status().message().c_str());
    data_ = *data;
  }

  void selectingFindingSetsViewportToEvidence() {
    MainWindow w;
    w.resize(1280, 800);
    w.SetRunData(data_);
    w.show();
    QVERIFY(WaitReady(w));
    FindingsView* fv = w.findings_view();
    QVERIFY(fv->proxy()->rowCount() > 0);
    w.timeline()->FitAll();
    const auto full = w.timeline()->Viewport();
    int checked = 0, exact = 0;
    for (int row = 0; row < fv->proxy()->rowCount(); ++row) {
      const int index = fv->proxy()->mapToSource(fv->proxy()->index(row, 0)).row();
      const analyzer::Finding& f = data_->findings[static_cast<size_t>(index)];
      const auto expected = EvidenceRange(*data_, f);
      if (!expected) continue;
      QSignalSpy spy(fv, &FindingsView::findingSelected);
      fv->SelectRow(row);
      QCOMPARE(spy.count(), 1);
      QCOMPARE(spy.at(0).at(0).toInt(), index);
      const auto [start, end] = w.timeline()->Viewport();
      // The timeline never zooms out past the whole run plus its margin (what Fit all shows), so
      // a range reaching beyond that is clamped; inside it, the viewport is exactly the range.
      if (expected->start >= full.first && expected->end <= full.second) {
        QCOMPARE(start, expected->start);
        QCOMPARE(end, expected->end);
        ++exact;
      }
      // The evidence itself is always inside the view.
      for (const auto& iv : f.evidence) {
        QVERIFY(iv.start >= start && iv.end <= end);
      }
      const auto* details = fv->findChild<QTextBrowser*>();
      QVERIFY(details != nullptr);
      if (!f.fix.empty()) {
        QVERIFY(details->toPlainText().contains(QString::fromStdString(f.fix).left(30)));
      }
      ++checked;
    }
    QVERIFY(checked > 0);
    QVERIFY(exact > 0);
  }

  void findingBeforeRowsReadyIsApplied() {
    MainWindow w;
    w.resize(1000, 700);
    w.SetRunData(data_);
    // Select at once, before the timeline's rows exist: the window keeps the viewport for later.
    int index = -1;
    for (size_t i = 0; i < data_->findings.size(); ++i) {
      if (EvidenceRange(*data_, data_->findings[i])) {
        index = static_cast<int>(i);
        break;
      }
    }
    QVERIFY(index >= 0);
    w.SelectFinding(index);
    QVERIFY(WaitReady(w));
    QApplication::processEvents();
    const auto expected = EvidenceRange(*data_, data_->findings[static_cast<size_t>(index)]);
    QCOMPARE(w.timeline()->Viewport().first, expected->start);
    QCOMPARE(w.timeline()->Viewport().second, expected->end);
  }

  void searchSelectsHits() {
    MainWindow w;
    w.resize(1280, 800);
    w.SetRunData(data_);
    w.show();
    QVERIFY(WaitReady(w));
    w.SearchNext(QStringLiteral("gemm"));
    QVERIFY(!w.search().hits().empty());
    const SearchHit hit = w.search().hits()[static_cast<size_t>(w.search().current())];
    const auto [start, end] = w.timeline()->Viewport();
    QVERIFY(hit.run_start >= start && hit.run_end <= end);
    analyzer::EventRef selected;
    if (w.timeline()->Selected(&selected)) {
      QCOMPARE(selected.start, hit.ref.start);
      QCOMPARE(selected.rank, hit.ref.rank);
    }
    const int first = w.search().current();
    w.SearchNext(QStringLiteral("gemm"));
    QCOMPARE(w.search().current(), (first + 1) % static_cast<int>(w.search().hits().size()));
    w.SearchPrevious(QStringLiteral("gemm"));
    QCOMPARE(w.search().current(), first);
    w.SearchNext(QStringLiteral("(bad"));  // invalid: no crash, no hits
    QVERIFY(w.search().hits().empty());
  }

  void expertViewRelaysSteps() {
    MainWindow w;
    w.SetRunData(data_);
    ExpertLoadView* ev = w.expert_view();
    QVERIFY(ev->model()->rowCount() > 0);
    QSignalSpy spy(ev, &ExpertLoadView::stepRequested);
    auto* table = ev->findChild<QTableWidget*>();
    QVERIFY(table != nullptr);
    QVERIFY(table->rowCount() > 0);
    emit table->cellClicked(0, 0);
    QCOMPARE(spy.count(), 1);
    const auto& worst = ev->model()->load().worst_steps().front();
    QCOMPARE(spy.at(0).at(0).toInt(), worst.hot_rank);
    QCOMPARE(spy.at(0).at(1).value<int64_t>(), worst.step);
    ev->SetStepIndex(0);
    QCOMPARE(ev->model()->step_index(), 0);
  }

  void helpListsShortcuts() {
    const auto shortcuts = MainWindow::Shortcuts();
    QStringList keys;
    for (const auto& s : shortcuts) keys << s.keys;
    for (const char* k : {"F1", "Ctrl+O", "Ctrl+F", "Home, F", "J"}) {
      QVERIFY2(keys.contains(QString::fromLatin1(k)), k);
    }
    HelpDialog dialog(shortcuts);
    auto* table = dialog.findChild<QTableWidget*>();
    QVERIFY(table != nullptr);
    QCOMPARE(table->rowCount(), static_cast<int>(shortcuts.size()));
  }

  void screenshotIsNotBlank_data() {
    QTest::addColumn<QString>("view");
    QTest::addColumn<QString>("theme");
    QTest::newRow("timeline") << QStringLiteral("timeline") << QStringLiteral("light");
    QTest::newRow("findings") << QStringLiteral("findings") << QStringLiteral("light");
    QTest::newRow("experts") << QStringLiteral("experts") << QStringLiteral("light");
    QTest::newRow("summary") << QStringLiteral("summary") << QStringLiteral("light");
    QTest::newRow("findings-dark") << QStringLiteral("findings") << QStringLiteral("dark");
  }

  void screenshotIsNotBlank() {
    QFETCH(QString, view);
    QFETCH(QString, theme);
    ApplyTheme(qApp, ParseThemeMode(theme));
    MainWindow w;
    w.resize(1280, 800);
    w.SetRunData(data_);
    w.show();
    QVERIFY(WaitReady(w));
    QVERIFY(w.ShowView(view));
    if (view == QLatin1String("findings")) w.findings_view()->SelectRow(0);
    QApplication::processEvents();
    QCOMPARE(IsDark(w.palette()), theme == QLatin1String("dark"));
    const QImage image = w.grab().toImage();
    ApplyTheme(qApp, ThemeMode::kSystem);
    QVERIFY(!image.isNull());
    const QString out = QStringLiteral(GUI_TEST_OUT_DIR "/gui_window_%1%2.png")
                            .arg(view, theme == QLatin1String("dark") ? QStringLiteral("_dark") : QString());
    QVERIFY(image.save(out, "PNG"));
    const ImageStats stats = MeasureImage(image);
    qInfo("%s: %dx%d, luma variance %.0f, %d colours", qPrintable(out), image.width(), image.height(),
          stats.luma_variance, stats.distinct_colors);
    QVERIFY2(stats.luma_variance > 100, qPrintable(QString::number(stats.luma_variance)));
    QVERIFY2(stats.distinct_colors >= 8, qPrintable(QString::number(stats.distinct_colors)));
  }

  void themeDetection() {
    QVERIFY(IsDark(DarkPalette()));
    QVERIFY(!IsDark(LightPalette()));
    ThemeWatcher watcher;
    QSignalSpy spy(&watcher, &ThemeWatcher::themeChanged);
    ApplyTheme(qApp, ThemeMode::kDark);
    QApplication::processEvents();
    QVERIFY(watcher.dark());
    ApplyTheme(qApp, ThemeMode::kLight);
    QApplication::processEvents();
    QVERIFY(!watcher.dark());
    QVERIFY(spy.count() >= 2);
    ApplyTheme(qApp, ThemeMode::kSystem);
  }

  void asyncLoaderReportsErrorsAndLoads() {
    AsyncLoader loader;
    QSignalSpy failed(&loader, &AsyncLoader::failed);
    loader.Start({QStringLiteral("/nonexistent/moeprof/rank0.sqlite")});
    QVERIFY(failed.wait(30'000));
    QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("/nonexistent/moeprof")),
             qPrintable(failed.at(0).at(0).toString()));

    QSignalSpy loaded(&loader, &AsyncLoader::loaded);
    QSignalSpy progress(&loader, &AsyncLoader::progress);
    loader.Start({dir_});
    QVERIFY(loaded.wait(120'000));
    QVERIFY(progress.count() > 0);
    const auto data = loaded.at(0).at(0).value<std::shared_ptr<const RunData>>();
    QVERIFY(data != nullptr);
    QCOMPARE(data->run.ranks.size(), size_t{4});

    // Cancel: no result is delivered afterwards.
    QSignalSpy cancelled(&loader, &AsyncLoader::cancelled);
    QSignalSpy loaded2(&loader, &AsyncLoader::loaded);
    loader.Start({dir_});
    loader.Cancel();
    QCOMPARE(cancelled.count(), 1);
    QTest::qWait(3000);
    QCOMPARE(loaded2.count(), 0);
    QVERIFY(!loader.busy());
  }

  void openAddsRecentEntry() {
    QSettings().remove(QStringLiteral("recent/inputs"));
    MainWindow w;
    w.Open({dir_});
    QVERIFY(QTest::qWaitFor([&] { return w.run_data() != nullptr; }, 120'000));
    QCOMPARE(w.run_data()->run.ranks.size(), size_t{4});
    const QStringList recent = QSettings().value(QStringLiteral("recent/inputs")).toStringList();
    QCOMPARE(recent.value(0), dir_);
    QVERIFY(w.windowTitle().contains(QStringLiteral("imbalance_l")));
  }

  void dropOpensFiles() {
    MainWindow w;
    QMimeData mime;
    QList<QUrl> urls;
    for (int r = 0; r < 4; ++r) urls << QUrl::fromLocalFile(dir_ + QStringLiteral("/rank%1.sqlite").arg(r));
    mime.setUrls(urls);
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &drop);
    QVERIFY(QTest::qWaitFor([&] { return w.run_data() != nullptr; }, 120'000));
    QCOMPARE(w.run_data()->run.ranks.size(), size_t{4});
    // Remote URLs are refused.
    QMimeData remote;
    remote.setUrls({QUrl(QStringLiteral("https://example.com/trace.json"))});
    QDragEnterEvent enter2(QPoint(10, 10), Qt::CopyAction, &remote, Qt::LeftButton, Qt::NoModifier);
    enter2.setAccepted(false);
    QApplication::sendEvent(&w, &enter2);
    QVERIFY(!enter2.isAccepted());
  }

  void openShowsErrorNamingFile() {
    MainWindow w;
    const QString bad = QStringLiteral(GUI_TEST_OUT_DIR "/window_bad_trace.json");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{ not json");
    f.close();
    QString seen;
    // The message box is modal; close it from a timer and keep its text.
    auto closer = [&seen] {
      for (QWidget* top : QApplication::topLevelWidgets()) {
        if (auto* box = qobject_cast<QMessageBox*>(top); box != nullptr && box->isVisible()) {
          seen = box->text();
          box->accept();
        }
      }
    };
    QTimer timer;
    QObject::connect(&timer, &QTimer::timeout, closer);
    timer.start(50);
    w.Open({bad});
    QVERIFY(QTest::qWaitFor([&] { return !seen.isEmpty(); }, 60'000));
    QVERIFY2(seen.contains(QStringLiteral("window_bad_trace.json")), qPrintable(seen));
    QVERIFY(w.run_data() == nullptr);
  }
};

}  // namespace moeprof::gui

QTEST_MAIN(moeprof::gui::GuiWindowTest)
#include "gui_window_test.moc"

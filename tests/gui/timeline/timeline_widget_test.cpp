// TimelineWidget tests on the offscreen platform: rows built off the UI thread then rowsReady,
// viewport API and viewportChanged, W/S/A/D, wheel zoom about the cursor, box zoom, click to
// select (eventSelected) and jump to the linked event, header click collapses, requests made
// before the rows are ready, fit step, and a non-blank rendering.
#include <QtTest/QtTest>

#include <QImage>
#include <QWheelEvent>
#include <set>

#include "timeline/timeline_rows.h"
#include "timeline/timeline_scene.h"
#include "timeline/timeline_widget.h"
#include "timeline_test_util.h"

using namespace moeprof;
using namespace moeprof::gui;

namespace {
constexpr int kScrollBar = 12;  // the widget's vertical scroll bar
constexpr int kEventsWidth = 1000;

// The widget's y of the middle of `row` (all rows above it laid out, no scroll).
int RowMidY(const TimelineRows& rows, int row) {
  int y = TimelineScene::kRulerHeight;
  for (int v : rows.visible_rows()) {
    const int h = TimelineScene::RowHeight(rows.row(v));
    if (v == row) return y + h / 2;
    y += h;
  }
  return -1;
}
}  // namespace

class TimelineWidgetTest : public QObject {
  Q_OBJECT
 private:
  std::unique_ptr<TimelineWidget> MakeReady() {
    auto w = std::make_unique<TimelineWidget>();
    w->resize(TimelineScene::kHeaderWidth + kEventsWidth + kScrollBar, 700);
    w->show();
    QSignalSpy ready(w.get(), &TimelineWidget::rowsReady);
    w->SetRun(test::SmallRun());
    if (!ready.wait(10000) && !w->IsReady()) return nullptr;
    return w;
  }
 private slots:
  void ReadyAndFit();
  void ViewportSignal();
  void Keys();
  void WheelZoomAboutCursor();
  void ClickSelectsAndJumps();
  void BoxZoom();
  void HeaderCollapses();
  void PendingBeforeReady();
  void FitStep();
  void RendersSomething();
};

void TimelineWidgetTest::ReadyAndFit() {
  auto w = MakeReady();
  QVERIFY(w);
  QVERIFY(w->IsReady());
  QVERIFY(w->Rows());
  const auto v = w->Viewport();
  QCOMPARE(v.first, w->Rows()->start_ns());
  QCOMPARE(v.second, w->Rows()->end_ns());
  QCOMPARE(v, (std::pair<int64_t, int64_t>{0, 1'000'000}));
  // A new run replaces the rows; nullptr clears.
  w->SetRun(nullptr);
  QVERIFY(!w->IsReady());
  QVERIFY(!w->Rows());
}

void TimelineWidgetTest::ViewportSignal() {
  auto w = MakeReady();
  QVERIFY(w);
  QSignalSpy spy(w.get(), &TimelineWidget::viewportChanged);
  w->SetViewport(100'000, 300'000);
  QCOMPARE(w->Viewport(), (std::pair<int64_t, int64_t>{100'000, 300'000}));
  QCOMPARE(spy.size(), 1);
  QCOMPARE(spy.at(0).at(0).value<int64_t>(), int64_t(100'000));
  QCOMPARE(spy.at(0).at(1).value<int64_t>(), int64_t(300'000));
  w->SetViewport(100'000, 300'000);  // unchanged: no signal
  QCOMPARE(spy.size(), 1);
  w->FitAll();
  QCOMPARE(w->Viewport(), (std::pair<int64_t, int64_t>{0, 1'000'000}));
}

void TimelineWidgetTest::Keys() {
  auto w = MakeReady();
  QVERIFY(w);
  w->SetViewport(400'000, 600'000);
  QTest::keyClick(w.get(), Qt::Key_W);
  auto v = w->Viewport();
  QVERIFY2(std::abs(double(v.second - v.first) - 200'000 / 1.25) <= 2, qPrintable(QString::number(v.second - v.first)));
  QTest::keyClick(w.get(), Qt::Key_S);
  v = w->Viewport();
  QVERIFY(std::abs(double(v.second - v.first) - 200'000) <= 2);
  const auto before = w->Viewport();
  QTest::keyClick(w.get(), Qt::Key_D);
  v = w->Viewport();
  QVERIFY(std::abs(double(v.first - before.first) - 20'000) <= 2);  // a tenth of the window
  QTest::keyClick(w.get(), Qt::Key_A);
  QTest::keyClick(w.get(), Qt::Key_A);
  v = w->Viewport();
  QVERIFY(std::abs(double(before.first - v.first) - 20'000) <= 2);
  QTest::keyClick(w.get(), Qt::Key_F);
  QCOMPARE(w->Viewport(), (std::pair<int64_t, int64_t>{0, 1'000'000}));
}

void TimelineWidgetTest::WheelZoomAboutCursor() {
  auto w = MakeReady();
  QVERIFY(w);
  w->SetViewport(0, 1'000'000);  // 1 µs per px
  const QPointF pos(TimelineScene::kHeaderWidth + 250, 200);
  QWheelEvent ev(pos, w->mapToGlobal(pos), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                 Qt::NoScrollPhase, false);
  QApplication::sendEvent(w.get(), &ev);
  const auto v = w->Viewport();
  const double span = double(v.second - v.first);
  QVERIFY(std::abs(span - 1'000'000 / 1.2) <= 2);
  // The time under the cursor (250 µs) stays under it.
  QVERIFY(std::abs(double(v.first) + 250.0 * span / kEventsWidth - 250'000) <= 2);
}

void TimelineWidgetTest::ClickSelectsAndJumps() {
  auto w = MakeReady();
  QVERIFY(w);
  w->SetViewport(0, 1'000'000);
  QSignalSpy sel(w.get(), &TimelineWidget::eventSelected);
  const auto& rows = *w->Rows();
  const int krow = rows.FindRow(RowKind::kKernels, 0, 2);  // rank 0, stream 13: comm kernel 300–500 µs
  const int y = RowMidY(rows, krow);
  QVERIFY(y > 0);
  QTest::mouseClick(w.get(), Qt::LeftButton, Qt::NoModifier, QPoint(TimelineScene::kHeaderWidth + 400, y));
  QCOMPARE(sel.size(), 1);
  auto ev = sel.at(0).at(0).value<analyzer::EventRef>();
  QCOMPARE(QString::fromStdString(ev.table), QStringLiteral("kernel"));
  QCOMPARE(ev.start, int64_t(300'000));
  QCOMPARE(ev.stream, int64_t(2));
  analyzer::EventRef cur;
  QVERIFY(w->Selected(&cur));
  QCOMPARE(cur.start, int64_t(300'000));
  QVERIFY(DescribeEvent(rows.run(), ev).contains(QStringLiteral("ncclDevKernel_AllToAll_RING")));
  // J jumps to the launching API call.
  QTest::keyClick(w.get(), Qt::Key_J);
  QCOMPARE(sel.size(), 2);
  ev = sel.at(1).at(0).value<analyzer::EventRef>();
  QCOMPARE(QString::fromStdString(ev.table), QStringLiteral("api"));
  QCOMPARE(ev.start, int64_t(295'000));
  // A click in empty space clears the selection without a signal.
  QTest::mouseClick(w.get(), Qt::LeftButton, Qt::NoModifier, QPoint(TimelineScene::kHeaderWidth + 900, y));
  QCOMPARE(sel.size(), 2);
  QVERIFY(!w->Selected(nullptr));
}

void TimelineWidgetTest::BoxZoom() {
  auto w = MakeReady();
  QVERIFY(w);
  w->SetViewport(0, 1'000'000);
  const int y = 300;
  QTest::mousePress(w.get(), Qt::RightButton, Qt::NoModifier, QPoint(TimelineScene::kHeaderWidth + 200, y));
  QTest::mouseMove(w.get(), QPoint(TimelineScene::kHeaderWidth + 300, y));
  QTest::mouseMove(w.get(), QPoint(TimelineScene::kHeaderWidth + 400, y));
  QTest::mouseRelease(w.get(), Qt::RightButton, Qt::NoModifier, QPoint(TimelineScene::kHeaderWidth + 400, y));
  const auto v = w->Viewport();
  QVERIFY2(std::abs(v.first - 200'000) <= 2 && std::abs(v.second - 400'000) <= 2,
           qPrintable(QStringLiteral("%1 %2").arg(v.first).arg(v.second)));
  // Shift + left drag does the same; a plain left drag pans.
  QTest::mousePress(w.get(), Qt::LeftButton, Qt::NoModifier, QPoint(TimelineScene::kHeaderWidth + 500, y));
  QTest::mouseMove(w.get(), QPoint(TimelineScene::kHeaderWidth + 450, y));
  QTest::mouseMove(w.get(), QPoint(TimelineScene::kHeaderWidth + 400, y));
  QTest::mouseRelease(w.get(), Qt::LeftButton, Qt::NoModifier, QPoint(TimelineScene::kHeaderWidth + 400, y));
  const auto p = w->Viewport();
  QVERIFY2(std::abs(p.first - (200'000 + 100 * 200)) <= 2, qPrintable(QString::number(p.first)));  // 100 px at 200 ns/px
  QCOMPARE(p.second - p.first, v.second - v.first);
}

void TimelineWidgetTest::HeaderCollapses() {
  auto w = MakeReady();
  QVERIFY(w);
  const auto& rows = *w->Rows();
  QVERIFY(!rows.collapsed(0));
  const size_t before = rows.visible_rows().size();
  QTest::mouseClick(w.get(), Qt::LeftButton, Qt::NoModifier, QPoint(20, RowMidY(rows, 0)));
  QVERIFY(rows.collapsed(0));
  QVERIFY(rows.visible_rows().size() < before);
  QTest::mouseClick(w.get(), Qt::LeftButton, Qt::NoModifier, QPoint(20, RowMidY(rows, 0)));
  QVERIFY(!rows.collapsed(0));
  QCOMPARE(rows.visible_rows().size(), before);
}

void TimelineWidgetTest::PendingBeforeReady() {
  TimelineWidget w;
  w.resize(TimelineScene::kHeaderWidth + kEventsWidth + kScrollBar, 700);
  QSignalSpy ready(&w, &TimelineWidget::rowsReady);
  QSignalSpy sel(&w, &TimelineWidget::eventSelected);
  w.SetRun(test::SmallRun());
  analyzer::EventRef k;
  k.rank = 1;
  k.table = "kernel";
  k.stream = 1;
  k.start = 120'000;
  w.SetViewport(100'000, 200'000);
  w.Highlight({k});
  w.SelectEvent(k);
  QCOMPARE(w.Viewport(), (std::pair<int64_t, int64_t>{100'000, 200'000}));
  QVERIFY(ready.wait(10000) || w.IsReady());
  QCOMPARE(w.Viewport(), (std::pair<int64_t, int64_t>{100'000, 200'000}));
  QCOMPARE(sel.size(), 1);
  analyzer::EventRef cur;
  QVERIFY(w.Selected(&cur));
  QCOMPARE(cur.rank, 1);
  QCOMPARE(cur.start, int64_t(120'000));
}

void TimelineWidgetTest::FitStep() {
  auto w = MakeReady();
  QVERIFY(w);
  w->SetViewport(0, 10'000);
  w->FitStep(1, 1);
  const auto v = w->Viewport();
  // Step 1 is [0, 1 ms]; 2 % margin each side, clamped to the domain's 5 % margin.
  QCOMPARE(v, (std::pair<int64_t, int64_t>{-20'000, 1'020'000}));
  w->FitStep(1, 99);  // unknown step: unchanged
  QCOMPARE(w->Viewport(), v);
}

void TimelineWidgetTest::RendersSomething() {
  auto w = MakeReady();
  QVERIFY(w);
  QApplication::processEvents();
  const QImage img = w->grab().toImage();
  QVERIFY(!img.isNull());
  std::set<QRgb> colours;
  for (int y = 0; y < img.height(); y += 3)
    for (int x = 0; x < img.width(); x += 3) colours.insert(img.pixel(x, y));
  QVERIFY2(colours.size() > 8, qPrintable(QString::number(colours.size())));
  const QString out = QStringLiteral(GUI_TIMELINE_TEST_OUT) + QStringLiteral("/timeline_widget.png");
  img.save(out);
}

QTEST_MAIN(TimelineWidgetTest)
#include "timeline_widget_test.moc"

// Timeline model tests (no widgets): time ↔ pixel mapping and ruler ticks (data-driven), the LOD
// query's guarantees (≤ one item per pixel, no event's presence lost, no phantom pixels) as a
// randomized property test against brute-force pixel coverage, painting a million kernels
// through the recording painter, hit testing, correlation links and the arrow's endpoints,
// collapsible groups, counters and DescribeEvent.
#include <QtTest/QtTest>

#include <random>
#include <set>

#include "timeline/time_axis.h"
#include "timeline/timeline_painter.h"
#include "timeline/timeline_palette.h"
#include "timeline/timeline_rows.h"
#include "timeline/timeline_scene.h"
#include "timeline/timeline_widget.h"
#include "timeline_test_util.h"

using namespace moeprof;
using namespace moeprof::gui;
using analyzer::KernelClass;

class TimelineModelTest : public QObject {
  Q_OBJECT
 private slots:
  void AxisMapping_data();
  void AxisMapping();
  void AxisZoomPanClamp();
  void Ticks_data();
  void Ticks();
  void LodHandCases();
  void LodProperty();
  void LodCounterMax();
  void PaintMillionKernels();
  void RowsLayout();
  void HitTesting();
  void LinksAndArrow();
  void Collapse();
  void HighlightResolve();
  void Describe();
};

void TimelineModelTest::AxisMapping_data() {
  QTest::addColumn<qint64>("start");
  QTest::addColumn<qint64>("end");
  QTest::addColumn<int>("width");
  QTest::addColumn<qint64>("t");
  QTest::addColumn<double>("px");
  QTest::newRow("origin") << qint64(0) << qint64(1000) << 1000 << qint64(0) << 0.0;
  QTest::newRow("1ns per px") << qint64(0) << qint64(1000) << 1000 << qint64(250) << 250.0;
  QTest::newRow("offset window") << qint64(5'000) << qint64(6'000) << 500 << qint64(5'500) << 250.0;
  QTest::newRow("sub-pixel") << qint64(0) << qint64(1'000'000) << 1000 << qint64(1'500) << 1.5;
  QTest::newRow("left of window") << qint64(1'000) << qint64(2'000) << 100 << qint64(0) << -100.0;
  QTest::newRow("right of window") << qint64(0) << qint64(1'000) << 100 << qint64(3'000) << 300.0;
  QTest::newRow("large times") << qint64(4'000'000'000'000) << qint64(4'000'000'001'000) << 1000
                               << qint64(4'000'000'000'123) << 123.0;
  QTest::newRow("seconds on 1920") << qint64(0) << qint64(19'200'000'000) << 1920 << qint64(10'000'000'000) << 1000.0;
}

void TimelineModelTest::AxisMapping() {
  QFETCH(qint64, start);
  QFETCH(qint64, end);
  QFETCH(int, width);
  QFETCH(qint64, t);
  QFETCH(double, px);
  TimeAxis a;
  a.SetWidth(width);
  a.SetDomain(0, 0);  // no clamping
  a.SetRange(double(start), double(end));
  QCOMPARE(a.width(), width);
  QVERIFY(std::abs(a.ToPx(double(t)) - px) < 1e-6);
  QVERIFY(std::abs(a.ToNs(px) - double(t)) < 1e-3);
  QVERIFY(std::abs(a.start() - double(start)) < 1e-6);
  QVERIFY(std::abs(a.end() - double(end)) < 1e-3);
}

void TimelineModelTest::AxisZoomPanClamp() {
  TimeAxis a;
  a.SetWidth(1000);
  a.SetDomain(0, 1'000'000);
  a.FitDomain();
  // Fit shows the domain plus 5 % margins at most — here exactly the domain.
  QCOMPARE(a.start(), 0.0);
  QCOMPARE(a.end(), 1'000'000.0);
  // Zoom about px 250 keeps the time under it.
  const double t = a.ToNs(250);
  a.ZoomAbout(250, 4.0);
  QVERIFY(std::abs(a.ToNs(250) - t) < 1e-6);
  QVERIFY(std::abs((a.end() - a.start()) - 250'000.0) < 1e-6);
  // Zooming out past the domain stops at domain + margins.
  a.ZoomAbout(500, 1e-6);
  QVERIFY(a.end() - a.start() <= 1'100'000.0 + 1e-6);
  QVERIFY(a.start() >= -50'000.0 - 1e-6);
  QVERIFY(a.end() <= 1'050'000.0 + 1e-6);
  // Panning stops at the margin.
  a.SetRange(0, 100'000);
  a.PanPx(-1e9);
  QVERIFY(std::abs(a.start() + 50'000.0) < 1e-6);
  a.PanPx(1e9);
  QVERIFY(std::abs(a.end() - 1'050'000.0) < 1e-6);
  // Zooming in stops at the minimum window.
  a.ZoomAbout(500, 1e12);
  QVERIFY(a.end() - a.start() >= TimeAxis::kMinWindowNs - 1e-9);
  // Resizing keeps the window's time span.
  a.SetRange(100'000, 200'000);
  a.SetWidth(500);
  QVERIFY(std::abs(a.end() - 200'000.0) < 1e-6);
  QVERIFY(std::abs(a.ns_per_px() - 200.0) < 1e-9);
}

void TimelineModelTest::Ticks_data() {
  QTest::addColumn<qint64>("window");
  QTest::addColumn<int>("width");
  QTest::addColumn<qint64>("step");
  QTest::addColumn<QString>("first_major");
  QTest::newRow("1 ms") << qint64(1'000'000) << 1000 << qint64(20'000) << QStringLiteral("0.0 ms");
  QTest::newRow("500 ns") << qint64(500) << 1000 << qint64(10) << QStringLiteral("0 ns");
  QTest::newRow("10 s") << qint64(10'000'000'000) << 1000 << qint64(200'000'000) << QStringLiteral("0 s");
  QTest::newRow("40 us") << qint64(40'000) << 1000 << qint64(500) << QStringLiteral("0 µs");
  QTest::newRow("3 ms") << qint64(3'000'000) << 600 << qint64(100'000) << QStringLiteral("0.0 ms");
}

void TimelineModelTest::Ticks() {
  QFETCH(qint64, window);
  QFETCH(int, width);
  QFETCH(qint64, step);
  QFETCH(QString, first_major);
  TimeAxis a;
  a.SetWidth(width);
  a.SetDomain(0, 0);
  a.SetRange(0, double(window));
  const auto ticks = a.Ticks(12.0, 5);
  QVERIFY(ticks.size() >= 2);
  QCOMPARE(ticks[1].t - ticks[0].t, step);
  QVERIFY(ticks[0].major);
  QCOMPARE(QString::fromStdString(ticks[0].label), first_major);
  // Minor ticks at least 12 px apart; majors labelled, minors not; 1-2-5 steps.
  for (size_t i = 1; i < ticks.size(); ++i) QVERIFY(ticks[i].x - ticks[i - 1].x >= 12.0 - 1e-9);
  for (const auto& t : ticks) QCOMPARE(t.major, !t.label.empty());
  int64_t s = step;
  while (s % 10 == 0) s /= 10;
  QVERIFY(s == 1 || s == 2 || s == 5);
  QCOMPARE(QString::fromStdString(TimeAxis::FormatTime(1'500'000, 500'000)), QStringLiteral("1.5 ms"));
  QCOMPARE(QString::fromStdString(TimeAxis::FormatTime(2'000'000'000, 1'000'000'000)), QStringLiteral("2 s"));
  QCOMPARE(QString::fromStdString(TimeAxis::FormatTime(250, 50)), QStringLiteral("250 ns"));
  QCOMPARE(QString::fromStdString(TimeAxis::FormatDuration(12'345)), QStringLiteral("12.3 µs"));
}

namespace {

// Brute force: which pixels of [0, width) some event touches, by EventPixels.
std::vector<uint8_t> Coverage(const TimelineRow& r, double t0, double nspp, int width) {
  std::vector<uint8_t> cov(size_t(width), 0);
  for (size_t i = 0; i < r.size(); ++i) {
    const PixelSpan sp = EventPixels(r.Start(i), r.End(i), t0, nspp);
    for (int64_t p = std::max<int64_t>(0, sp.first); p <= std::min<int64_t>(width - 1, sp.last); ++p) cov[size_t(p)] = 1;
  }
  return cov;
}

// Checks the query's guarantees; returns "" or what is wrong.
QString CheckLod(const TimelineRow& r, double t0, double nspp, int width) {
  std::vector<LodItem> items;
  QueryLod(r, t0, nspp, width, items);
  if (int(items.size()) > width) return QStringLiteral("%1 items on %2 px").arg(items.size()).arg(width);
  std::vector<uint8_t> drawn(size_t(width), 0);
  int32_t prev = -1;
  for (const auto& it : items) {
    if (it.px0 < 0 || it.px1 >= width || it.px0 > it.px1) return QStringLiteral("bad range %1..%2").arg(it.px0).arg(it.px1);
    if (it.px0 <= prev) return QStringLiteral("overlapping items at %1").arg(it.px0);
    prev = it.px1;
    if (it.count == 0 || it.first + it.count > r.size()) return QStringLiteral("bad event range");
    if (!it.folded && it.count != 1) return QStringLiteral("box with count %1").arg(it.count);
    for (int p = it.px0; p <= it.px1; ++p) drawn[size_t(p)] = 1;
  }
  const auto cov = Coverage(r, t0, nspp, width);
  for (int p = 0; p < width; ++p) {
    if (cov[size_t(p)] && !drawn[size_t(p)]) return QStringLiteral("pixel %1 has an event but nothing drawn").arg(p);
    if (!cov[size_t(p)] && drawn[size_t(p)]) return QStringLiteral("pixel %1 drawn without an event").arg(p);
  }
  return {};
}

}  // namespace

void TimelineModelTest::LodHandCases() {
  // Three 1-ns events in pixel 0, one box over pixels 5..9, a zero-length event at 20, at 1 ns/px
  // ×10: pixel p = [10p, 10p+10).
  auto r = TimelineRow::FromIntervals({0, 3, 6, 50, 200, 1000}, {1, 1, 1, 50, 0, 10}, {0, 1, 1, 2, 3, 4});
  std::vector<LodItem> items;
  QueryLod(r, 0.0, 10.0, 50, items);
  QCOMPARE(items.size(), size_t(3));
  QCOMPARE(items[0].px0, 0);
  QCOMPARE(items[0].px1, 0);
  QVERIFY(items[0].folded);
  QCOMPARE(items[0].count, 3u);
  QCOMPARE(items[0].key, uint8_t(1));  // two of three samples are key 1
  QCOMPARE(items[1].px0, 5);
  QCOMPARE(items[1].px1, 9);
  QVERIFY(!items[1].folded);
  QCOMPARE(items[2].px0, 20);
  QCOMPARE(items[2].px1, 20);
  QCOMPARE(items[2].count, 1u);
  QCOMPARE(CheckLod(r, 0.0, 10.0, 50), QString());
  // A long event covering the whole window, with short ones nested inside: one box.
  auto nested = TimelineRow::FromIntervals({0, 100, 200, 300}, {10'000, 5, 5, 5}, {0, 1, 1, 1});
  QueryLod(nested, 50.0, 1.0, 400, items);
  QCOMPARE(items.size(), size_t(1));
  QCOMPARE(items[0].px0, 0);
  QCOMPARE(items[0].px1, 399);
  // An event straddling the left edge starts at pixel 0.
  auto straddle = TimelineRow::FromIntervals({0, 500}, {150, 10}, {0, 0});
  QueryLod(straddle, 100.0, 1.0, 1000, items);
  QCOMPARE(items.size(), size_t(2));
  QCOMPARE(items[0].px0, 0);
  QCOMPARE(items[0].px1, 49);
  QCOMPARE(items[1].px0, 400);
  // The query must fail loudly on a broken result: a coverage check of a hand-made bad answer.
  std::vector<uint8_t> cov = Coverage(r, 0.0, 10.0, 50);
  QVERIFY(cov[20] && !cov[19]);
}

void TimelineModelTest::LodProperty() {
  std::mt19937_64 rng(12345);
  int cases = 0;
  for (int iter = 0; iter < 400; ++iter) {
    const size_t n = 1 + rng() % (iter < 300 ? 200 : 20'000);
    std::vector<int64_t> start(n), dur(n);
    std::vector<uint8_t> keys(n);
    const int shape = int(rng() % 4);
    int64_t t = int64_t(rng() % 1000);
    for (size_t i = 0; i < n; ++i) {
      switch (shape) {
        case 0:  // back to back, sub-pixel to wide
          dur[i] = int64_t(rng() % 50);
          start[i] = t;
          t += dur[i] + int64_t(rng() % 30);
          break;
        case 1:  // overlapping, some long
          start[i] = int64_t(rng() % 100'000);
          dur[i] = (rng() % 20 == 0) ? int64_t(rng() % 50'000) : int64_t(rng() % 40);
          break;
        case 2:  // many zero-length, on exact pixel boundaries
          start[i] = int64_t(rng() % 200) * 10;
          dur[i] = (rng() % 3 == 0) ? 0 : int64_t(rng() % 4) * 10;
          break;
        default:  // heavy-tailed durations
          start[i] = t;
          dur[i] = int64_t(std::exp(double(rng() % 1200) / 100.0));
          t += int64_t(rng() % 5000);
      }
      keys[i] = uint8_t(rng() % 15);
    }
    auto row = TimelineRow::FromIntervals(start, dur, keys);
    const int64_t lo = row.first_start(), hi = std::max(row.last_end(), lo + 1);
    for (int w = 0; w < 4; ++w) {
      const int width = 1 + int(rng() % 700);
      // Windows: whole row, zoomed in at random, straddling either edge, integer and fractional ns/px.
      const double span = double(hi - lo) * (w == 0 ? 1.0 : std::pow(10.0, -double(rng() % 50) / 10.0));
      double t0 = double(lo) + (w == 0 ? 0.0 : double(rng() % uint64_t(hi - lo + 1)) - span / 2);
      double nspp = std::max(1e-3, span / width);
      if (rng() % 3 == 0) { nspp = double(1 + rng() % 20); t0 = std::floor(t0); }
      const QString err = CheckLod(row, t0, nspp, width);
      if (!err.isEmpty())
        QFAIL(qPrintable(QStringLiteral("case %1 (shape %2, n %3, t0 %4, ns/px %5, width %6): %7")
                             .arg(iter).arg(shape).arg(n).arg(t0).arg(nspp).arg(width).arg(err)));
      ++cases;
    }
  }
  QCOMPARE(cases, 1600);
}

void TimelineModelTest::LodCounterMax() {
  // Counter rows: a fold reports the largest value among its events.
  auto r = TimelineRow::FromIntervals({0, 1, 2, 3, 100}, {1, 1, 1, 1, 50}, {}, {5.f, 9.f, 2.f, 7.f, 3.f});
  QCOMPARE(r.kind, RowKind::kCounter);
  QCOMPARE(r.max_value(), 9.f);
  QCOMPARE(r.RangeMaxValue(2, 4), 7.f);
  std::vector<LodItem> items;
  QueryLod(r, 0.0, 10.0, 20, items);
  QCOMPARE(items.size(), size_t(2));
  QVERIFY(items[0].folded);
  QCOMPARE(items[0].value, 9.f);
  QCOMPARE(items[1].value, 3.f);
}

void TimelineModelTest::PaintMillionKernels() {
  // One stream of 1 M kernels in phases of one class each (as a training step has them), plus
  // the launches: fit all on a 1000-px event area.
  const std::vector<KernelClass> phases = {KernelClass::kAttention, KernelClass::kGemm, KernelClass::kNorm,
                                           KernelClass::kRouterTopk, KernelClass::kComm, KernelClass::kGroupedGemm,
                                           KernelClass::kElementwise, KernelClass::kSoftmax};
  test::RankBuilder b(0);
  const size_t n = 1'000'000;
  int64_t t = 0;
  std::mt19937 rng(7);
  for (size_t i = 0; i < n; ++i) {
    const KernelClass c = phases[(i * phases.size()) / n];
    const int64_t d = 500 + int64_t(rng() % 3000);
    b.Kernel({1, t, d, test::ClassNames().at(c)});
    t += d + 200;
  }
  auto run = test::MakeRun({b.Build(0)});
  auto rows = TimelineRows::Build(run);
  QVERIFY(rows);
  const int krow = rows->FindRow(RowKind::kKernels, 0, 1);
  QVERIFY(krow >= 0);
  QCOMPARE(rows->row(krow).size(), n);
  TimelineScene scene;
  scene.SetSize(TimelineScene::kHeaderWidth + 1000, 400);
  scene.SetRows(rows);
  scene.axis().SetRange(double(rows->start_ns()), double(rows->end_ns()));
  RecordingPainter rec;
  const TimelinePalette pal = TimelinePalette::Light();
  scene.Paint(rec, pal);
  // Boxes of the kernel row: those within its geometry.
  std::optional<TimelineScene::RowGeom> geom;
  for (const auto& g : scene.Layout())
    if (g.row == krow) geom = g;
  QVERIFY(geom.has_value());
  size_t boxes = 0;
  int64_t counted = 0;
  std::set<QRgb> colours;
  for (const auto& bx : rec.boxes) {
    if (bx.r.top() < geom->y || bx.r.bottom() > geom->y + geom->h) continue;
    ++boxes;
    counted += bx.count;
    colours.insert(bx.fill.rgb());
    QVERIFY(bx.r.left() >= TimelineScene::kHeaderWidth);
  }
  QVERIFY2(boxes <= 1000, qPrintable(QStringLiteral("%1 boxes").arg(boxes)));
  QVERIFY(boxes > 0);
  QVERIFY(counted <= int64_t(n));
  QVERIFY(counted > int64_t(n) * 9 / 10);  // folds carry their counts
  for (KernelClass c : phases)
    QVERIFY2(colours.count(pal.ClassColour(c).rgb()), analyzer::KernelClassName(c));
  // The comm colour stands apart from every compute class.
  const QColor comm = pal.ClassColour(KernelClass::kComm);
  for (int c = 0; c < int(KernelClass::kCount); ++c) {
    if (KernelClass(c) == KernelClass::kComm) continue;
    const QColor o = pal.ClassColour(KernelClass(c));
    const int dist = std::abs(o.red() - comm.red()) + std::abs(o.green() - comm.green()) + std::abs(o.blue() - comm.blue());
    QVERIFY2(dist > 120, analyzer::KernelClassName(KernelClass(c)));
  }
  // Zoomed far in: boxes become real kernels with labels.
  scene.axis().SetRange(double(rows->start_ns()), double(rows->start_ns()) + 20'000);
  rec.Clear();
  scene.Paint(rec, pal);
  bool labelled = false;
  for (const auto& bx : rec.boxes)
    if (bx.label == QString::fromStdString(test::ClassNames().at(KernelClass::kAttention))) labelled = true;
  QVERIFY(labelled);
}

void TimelineModelTest::RowsLayout() {
  auto rows = TimelineRows::Build(test::SmallRun());
  // Per rank: rank header, thread group, API, NVTX 0 and 1, GPU group, stream 7, stream 13,
  // stream 13 copies, counters group, tokens e0, tokens e1.
  std::vector<RowKind> want = {RowKind::kRank, RowKind::kGroup, RowKind::kApi, RowKind::kNvtx, RowKind::kNvtx,
                               RowKind::kGroup, RowKind::kKernels, RowKind::kKernels, RowKind::kCopies,
                               RowKind::kGroup, RowKind::kCounter, RowKind::kCounter};
  QCOMPARE(rows->rows().size(), want.size() * 2);
  for (size_t i = 0; i < want.size(); ++i) QCOMPARE(int(rows->row(int(i)).kind), int(want[i]));
  const auto& api = rows->row(2);
  QCOMPARE(api.size(), size_t(12));  // 11 launches + 1 memcpy call, sorted by start
  for (size_t i = 1; i < api.size(); ++i) QVERIFY(api.Start(i - 1) <= api.Start(i));
  QCOMPARE(rows->row(6).label, std::string("Stream 7 (compute)"));
  QCOMPARE(rows->row(7).label, std::string("Stream 13 (comm)"));
  const auto& tokens = rows->row(10);
  QCOMPARE(tokens.label, std::string("Tokens e0"));
  QCOMPARE(tokens.Value(0), 100.f);
  QCOMPARE(rows->row(22).Value(0), 101.f);  // rank 1's expert 0
  // Counters start collapsed: their rows are not visible.
  QVERIFY(rows->collapsed(9));
  for (int v : rows->visible_rows()) QVERIFY(v != 10 && v != 11);
  QCOMPARE(rows->event_count(), size_t(2 * (12 + 2 + 10 + 1 + 1 + 2)));
}

void TimelineModelTest::HitTesting() {
  auto rows = TimelineRows::Build(test::SmallRun());
  TimelineScene scene;
  scene.SetSize(TimelineScene::kHeaderWidth + 1000, 600);
  scene.SetRows(rows);
  scene.axis().SetRange(0, 1'000'000);  // 1 µs per px
  const int krow = rows->FindRow(RowKind::kKernels, 0, 1);
  std::optional<TimelineScene::RowGeom> g;
  for (const auto& x : scene.Layout())
    if (x.row == krow) g = x;
  QVERIFY(g);
  const double y = g->y + g->h / 2.0;
  // Kernel 3 on stream 7: [170 µs, 210 µs).
  auto h = scene.HitTest(QPointF(TimelineScene::kHeaderWidth + 190, y));
  QCOMPARE(h.row, krow);
  QVERIFY(!h.header);
  QVERIFY(h.event.valid());
  QCOMPARE(rows->EventStart(h.event), int64_t(170'000));
  QVERIFY(h.item.has_value());
  QVERIFY(!h.item->folded);
  // In a gap wider than the slop: nothing.
  h = scene.HitTest(QPointF(TimelineScene::kHeaderWidth + 215, y));
  QVERIFY(!h.event.valid());
  // Within 2 px of an event's end: it is found (slop).
  h = scene.HitTest(QPointF(TimelineScene::kHeaderWidth + 211.5, y));
  QVERIFY(h.event.valid());
  QCOMPARE(rows->EventStart(h.event), int64_t(170'000));
  // The header column.
  h = scene.HitTest(QPointF(10, y));
  QVERIFY(h.header);
  QCOMPARE(h.row, krow);
  // The ruler.
  h = scene.HitTest(QPointF(400, 5));
  QCOMPARE(h.row, -1);
  // NVTX depth 1 on rank 0's thread.
  const int nv1 = rows->FindRow(RowKind::kNvtx, 0, 1, 1);
  const RowEvent e = rows->HitTest(nv1, 300'000, 0);
  QVERIFY(e.valid());
  QCOMPARE(rows->EventName(e), std::string("forward"));
  QVERIFY(!rows->HitTest(nv1, 900'000, 0).valid());
  QVERIFY(!scene.Tooltip(QPointF(TimelineScene::kHeaderWidth + 190, y)).isEmpty());
}

void TimelineModelTest::LinksAndArrow() {
  auto rows = TimelineRows::Build(test::SmallRun());
  TimelineScene scene;
  scene.SetSize(TimelineScene::kHeaderWidth + 1000, 600);
  scene.SetRows(rows);
  scene.axis().SetRange(0, 1'000'000);
  // The comm kernel on stream 13 (rank 0) launched at 295 µs.
  analyzer::EventRef k;
  k.rank = 0;
  k.table = "kernel";
  k.stream = 2;
  k.start = 300'000;
  const RowEvent kev = rows->Resolve(k);
  QVERIFY(kev.valid());
  const RowEvent api = rows->Linked(kev);
  QVERIFY(api.valid());
  QCOMPARE(rows->row(api.row).kind, RowKind::kApi);
  QCOMPARE(rows->EventStart(api), int64_t(295'000));
  QCOMPARE(rows->Linked(api), kev);  // and back
  // Select the API call: the arrow runs from its start (row bottom) to the kernel's start (top).
  scene.SetSelection(api);
  QCOMPARE(scene.linked(), kev);
  const auto ends = scene.ArrowEndpoints();
  QVERIFY(ends.has_value());
  std::optional<TimelineScene::RowGeom> ga, gk;
  for (const auto& x : scene.Layout()) {
    if (x.row == api.row) ga = x;
    if (x.row == kev.row) gk = x;
  }
  QVERIFY(ga && gk && gk->y > ga->y);
  QCOMPARE(ends->first, QPointF(TimelineScene::kHeaderWidth + 295.0, ga->y + ga->h - 1));
  QCOMPARE(ends->second, QPointF(TimelineScene::kHeaderWidth + 300.0, gk->y + 1));
  RecordingPainter rec;
  scene.Paint(rec, TimelinePalette::Dark());
  QCOMPARE(rec.arrows.size(), size_t(1));
  QCOMPARE(rec.arrows[0].from, ends->first);
  QCOMPARE(rec.arrows[0].to, ends->second);
  // Selecting the kernel draws the same arrow (always API → kernel).
  scene.SetSelection(kev);
  QCOMPARE(scene.ArrowEndpoints()->first, ends->first);
  // The memcpy links to its cudaMemcpyAsync.
  analyzer::EventRef m;
  m.rank = 1;
  m.table = "memcpy";
  m.stream = 2;
  m.start = 700'000;
  const RowEvent mev = rows->Resolve(m);
  QVERIFY(mev.valid());
  QCOMPARE(rows->EventName(rows->Linked(mev)), std::string("cudaMemcpyAsync"));
  // Collapsing the kernel's group hides the arrow (no end on screen).
  rows->SetCollapsed(rows->row(kev.row).parent, true);
  scene.SetSelection(api);
  QVERIFY(!scene.ArrowEndpoints().has_value());
}

void TimelineModelTest::Collapse() {
  auto rows = TimelineRows::Build(test::SmallRun());
  const size_t all_visible = rows->visible_rows().size();
  rows->SetCollapsed(0, true);  // rank 0
  QCOMPARE(rows->visible_rows().front(), 0);
  QCOMPARE(rows->visible_rows()[1], 12);  // rank 1 follows directly
  rows->Toggle(0);
  QCOMPARE(rows->visible_rows().size(), all_visible);
  // Non-header rows do not collapse.
  rows->SetCollapsed(2, true);
  QVERIFY(!rows->collapsed(2));
  // Reveal expands the ancestors.
  rows->SetCollapsed(0, true);
  rows->Reveal(10);
  QVERIFY(!rows->collapsed(0));
  QVERIFY(!rows->collapsed(9));
  QVERIFY(std::find(rows->visible_rows().begin(), rows->visible_rows().end(), 10) != rows->visible_rows().end());
  // The scene lays out fewer rows when collapsed, and scroll clamps to the content.
  TimelineScene scene;
  scene.SetSize(800, 100);
  scene.SetRows(rows);
  scene.SetScrollY(100000);
  QCOMPARE(scene.scroll_y(), scene.content_height() - scene.viewport_rows_height());
}

void TimelineModelTest::HighlightResolve() {
  auto rows = TimelineRows::Build(test::SmallRun());
  // Every event resolves back to itself through its EventRef (all tables).
  for (size_t r = 0; r < rows->rows().size(); ++r) {
    const auto& row = rows->row(int(r));
    if (row.is_header() || row.kind == RowKind::kCounter) continue;
    for (size_t i = 0; i < row.size(); ++i) {
      const RowEvent e{int(r), i};
      const auto ref = rows->Ref(e);
      QCOMPARE(rows->Resolve(ref), e);
    }
  }
  analyzer::EventRef missing;
  missing.table = "kernel";
  missing.stream = 1;
  missing.start = 123;
  QVERIFY(!rows->Resolve(missing).valid());
  // Highlights are outlined in the highlight colour.
  TimelineScene scene;
  scene.SetSize(1200, 600);
  scene.SetRows(rows);
  analyzer::EventRef k;
  k.table = "kernel";
  k.stream = 1;
  k.start = 70'000;
  scene.SetHighlights({rows->Resolve(k)});
  RecordingPainter rec;
  const auto pal = TimelinePalette::Light();
  scene.Paint(rec, pal);
  int hl = 0;
  for (const auto& o : rec.outlines) hl += o.c == pal.highlight;
  QCOMPARE(hl, 1);
}

void TimelineModelTest::Describe() {
  auto run = test::SmallRun();
  analyzer::EventRef k;
  k.rank = 1;
  k.table = "kernel";
  k.stream = 1;
  k.start = 20'000;
  const QString d = DescribeEvent(*run, k);
  QVERIFY2(d.contains(QStringLiteral("kernel: ampere_sgemm_128x64_nn")), qPrintable(d));
  QVERIFY(d.contains(QStringLiteral("class: gemm")));
  QVERIFY(d.contains(QStringLiteral("linked api: cudaLaunchKernel")));
  QVERIFY(d.contains(QStringLiteral("nvtx[0]: ProfilerStep#1")));
  QVERIFY(d.contains(QStringLiteral("nvtx[1]: forward")));
  QVERIFY(d.contains(QStringLiteral("duration: 40 µs (40000 ns)")));
  // The API call lists its kernel.
  analyzer::EventRef a;
  a.rank = 1;
  a.table = "api";
  a.stream = 1;
  a.start = 15'000;
  const QString da = DescribeEvent(*run, a);
  QVERIFY2(da.contains(QStringLiteral("linked kernel: ampere_sgemm_128x64_nn")), qPrintable(da));
  QVERIFY(da.contains(QStringLiteral("nvtx[1]: forward")));
  // Unknown events describe as "".
  k.start = 1;
  QVERIFY(DescribeEvent(*run, k).isEmpty());
  k.rank = 9;
  QVERIFY(DescribeEvent(*run, k).isEmpty());
}

QTEST_GUILESS_MAIN(TimelineModelTest)
#include "timeline_model_test.moc"

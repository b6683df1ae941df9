// TimelineScene: layout, painting from the LOD query, hit testing (see timeline_scene.h).
#include "timeline/timeline_scene.h"

#include <QStringList>
#include <algorithm>
#include <array>
#include <cmath>
#include <thread>

#include "timeline/timeline_painter.h"

namespace moeprof::gui {

void TimelineScene::SetRows(std::shared_ptr<TimelineRows> rows) {
  rows_ = std::move(rows);
  highlights_.clear();
  selection_ = linked_ = RowEvent{};
  scroll_y_ = 0;
  axis_.SetWidth(events_width());
  if (rows_) {
    axis_.SetDomain(rows_->start_ns(), rows_->end_ns());
    axis_.FitDomain();
  }
}

void TimelineScene::SetSize(int width, int height) {
  width_ = std::max(kHeaderWidth + 1, width);
  height_ = std::max(kRulerHeight + 1, height);
  axis_.SetWidth(events_width());
  SetScrollY(scroll_y_);
}

int TimelineScene::RowHeight(const TimelineRow& r) {
  switch (r.kind) {
    case RowKind::kRank: return 20;
    case RowKind::kGroup: return 18;
    case RowKind::kApi: return 16;
    case RowKind::kNvtx: return 14;
    case RowKind::kKernels: return 18;
    case RowKind::kCopies: return 14;
    case RowKind::kSyncs: return 12;
    case RowKind::kCounter: return 28;
  }
  return 16;
}

int TimelineScene::content_height() const {
  if (!rows_) return 0;
  int h = 0;
  for (int r : rows_->visible_rows()) h += RowHeight(rows_->row(r));
  return h;
}

void TimelineScene::SetScrollY(int y) {
  const int max_scroll = std::max(0, content_height() - viewport_rows_height());
  scroll_y_ = std::clamp(y, 0, max_scroll);
}

std::vector<TimelineScene::RowGeom> TimelineScene::Layout() const {
  std::vector<RowGeom> out;
  if (!rows_) return out;
  int y = kRulerHeight - scroll_y_;
  for (int r : rows_->visible_rows()) {
    const int h = RowHeight(rows_->row(r));
    if (y + h > kRulerHeight && y < height_) out.push_back({r, y, h});
    y += h;
    if (y >= height_) break;
  }
  return out;
}

void TimelineScene::SetSelection(RowEvent ev) {
  selection_ = ev;
  linked_ = (rows_ && ev.valid()) ? rows_->Linked(ev) : RowEvent{};
}

void TimelineScene::PaintRow(TimelinePainter& p, const TimelinePalette& pal, const RowGeom& g,
                             const std::vector<LodItem>& scratch) const {
  const TimelineRow& r = rows_->row(g.row);
  ++stats_.rows;
  stats_.items += scratch.size();
  // Colours once per key, not per item.
  std::array<QColor, 256> colour;
  std::array<bool, 256> have{};
  const double y = g.y + 1, h = g.h - 2;
  const bool counter = r.kind == RowKind::kCounter;
  for (const LodItem& it : scratch) {
    if (!have[it.key]) { colour[it.key] = pal.KeyColour(it.key); have[it.key] = true; }
    const double x = kHeaderWidth + it.px0, w = it.px1 - it.px0 + 1;
    QRectF rect(x, y, w, h);
    if (counter) {
      const double f = r.max_value() > 0 ? std::clamp(double(it.value) / r.max_value(), 0.0, 1.0) : 0.0;
      const double bh = std::max(1.0, h * f);
      rect = QRectF(x, y + h - bh, w, bh);
    }
    if (it.folded) ++stats_.folded;
    QString label;
    // Names only for boxes wide enough to show a few characters: building them costs a lookup
    // and a string per box.
    if (!it.folded && !counter && w >= 24) label = QString::fromStdString(rows_->EventName({g.row, it.first}));
    p.Box(rect, colour[it.key], label, it.folded, int(it.count));
  }
}

void TimelineScene::Paint(TimelinePainter& p, const TimelinePalette& pal) const {
  stats_ = {};
  p.Fill(QRectF(0, 0, width_, height_), pal.background);
  if (!rows_) {
    p.Text(QRectF(kHeaderWidth + 8, kRulerHeight, width_ - kHeaderWidth - 8, 24), QStringLiteral("No run loaded"),
           pal.text);
    return;
  }
  const std::vector<RowGeom> layout = Layout();
  const std::vector<Tick> ticks = axis_.Ticks(12.0, 5);
  const double ew = events_width();
  // Row backgrounds (alternating so thin rows stay tellable apart).
  for (size_t i = 0; i < layout.size(); ++i) {
    const RowGeom& g = layout[i];
    const TimelineRow& r = rows_->row(g.row);
    const QColor bg = r.is_header() ? pal.header_bg : ((g.row & 1) ? pal.row_alt : pal.background);
    p.Fill(QRectF(kHeaderWidth, g.y, ew, g.h), bg);
  }
  for (const Tick& t : ticks)
    if (t.major) p.Line(QPointF(kHeaderWidth + t.x, kRulerHeight), QPointF(kHeaderWidth + t.x, height_), pal.grid, 1);
  // LOD queries of all visible rows first — on two threads when there are many rows, since the
  // queries (cache misses in big columns), not the drawing, dominate a zoomed-out frame — then
  // draw in row order.
  std::vector<const RowGeom*> event_rows;
  for (const RowGeom& g : layout)
    if (!rows_->row(g.row).is_header()) event_rows.push_back(&g);
  if (items_.size() < event_rows.size()) items_.resize(event_rows.size());
  auto query = [&](size_t k) {
    const TimelineRow& r = rows_->row(event_rows[k]->row);
    QueryLod(r, axis_.start() - double(r.offset_ns), axis_.ns_per_px(), events_width(), items_[k]);
  };
  if (parallel_queries_ && event_rows.size() >= 8 && std::thread::hardware_concurrency() > 1) {
    // Rows alternate between the threads: neighbouring rows of one rank cost about the same.
    std::thread helper([&] { for (size_t k = 1; k < event_rows.size(); k += 2) query(k); });
    for (size_t k = 0; k < event_rows.size(); k += 2) query(k);
    helper.join();
  } else {
    for (size_t k = 0; k < event_rows.size(); ++k) query(k);
  }
  for (size_t k = 0; k < event_rows.size(); ++k) PaintRow(p, pal, *event_rows[k], items_[k]);

  // Emphasis: findings' events, the selection and its link.
  for (const RowEvent& e : highlights_)
    if (auto rc = EventRect(e)) p.Outline(rc->adjusted(-1, -1, 1, 1), pal.highlight, 2);
  if (auto rc = EventRect(linked_)) p.Outline(rc->adjusted(-1, -1, 1, 1), pal.arrow, 1);
  if (auto rc = EventRect(selection_)) p.Outline(rc->adjusted(-1, -1, 1, 1), pal.selection, 2);
  if (auto ar = ArrowEndpoints()) p.Arrow(ar->first, ar->second, pal.arrow);

  // Header column over the events (long boxes may start left of the window).
  for (const RowGeom& g : layout) {
    const TimelineRow& r = rows_->row(g.row);
    p.Fill(QRectF(0, g.y, kHeaderWidth, g.h), r.kind == RowKind::kRank ? pal.group_bg : pal.header_bg);
    QString text;
    if (r.is_header()) text = rows_->collapsed(g.row) ? QStringLiteral("▸ ") : QStringLiteral("▾ ");
    text += QString::fromStdString(r.label);
    const double indent = 4 + 12.0 * r.indent + (r.is_header() ? 0 : 12);
    p.Text(QRectF(indent, g.y, kHeaderWidth - indent - 2, g.h), text, pal.header_text, r.is_header());
    p.Line(QPointF(0, g.y + g.h - 0.5), QPointF(width_, g.y + g.h - 0.5), pal.grid, 1);
  }
  p.Line(QPointF(kHeaderWidth - 0.5, kRulerHeight), QPointF(kHeaderWidth - 0.5, height_), pal.grid, 1);

  // Ruler.
  p.Fill(QRectF(0, 0, width_, kRulerHeight), pal.ruler_bg);
  for (const Tick& t : ticks) {
    const double x = kHeaderWidth + t.x;
    p.Line(QPointF(x, kRulerHeight - (t.major ? 9 : 4)), QPointF(x, kRulerHeight), pal.ruler_text, 1);
    if (t.major) p.Text(QRectF(x + 3, 0, 120, kRulerHeight - 6), QString::fromStdString(t.label), pal.ruler_text);
  }
  p.Text(QRectF(4, 0, kHeaderWidth - 8, kRulerHeight),
         QString::fromStdString("window " + TimeAxis::FormatDuration(int64_t(axis_.end() - axis_.start()))),
         pal.ruler_text);
  p.Line(QPointF(0, kRulerHeight - 0.5), QPointF(width_, kRulerHeight - 0.5), pal.grid, 1);

  if (zoom_box_) {
    const double a = std::min(zoom_box_->first, zoom_box_->second), b = std::max(zoom_box_->first, zoom_box_->second);
    QColor fill = pal.box_select;
    fill.setAlpha(40);
    p.Fill(QRectF(a, kRulerHeight, b - a, height_ - kRulerHeight), fill);
    p.Outline(QRectF(a, kRulerHeight, b - a, height_ - kRulerHeight), pal.box_select, 1);
  }
}

std::optional<QRectF> TimelineScene::EventRect(const RowEvent& e) const {
  if (!rows_ || !e.valid()) return std::nullopt;
  for (const RowGeom& g : Layout()) {
    if (g.row != e.row) continue;
    double x0 = XOf(double(rows_->EventStart(e))), x1 = XOf(double(rows_->EventEnd(e)));
    if (x1 < kHeaderWidth || x0 > width_) return std::nullopt;
    x0 = std::max<double>(x0, kHeaderWidth);
    x1 = std::min<double>(x1, width_);
    if (x1 - x0 < 2) x1 = x0 + 2;  // keep tiny events visible when emphasized
    return QRectF(x0, g.y + 1, x1 - x0, g.h - 2);
  }
  return std::nullopt;
}

std::optional<std::pair<QPointF, QPointF>> TimelineScene::ArrowEndpoints() const {
  if (!rows_ || !selection_.valid() || !linked_.valid()) return std::nullopt;
  RowEvent api = selection_, gpu = linked_;
  if (rows_->row(api.row).kind != RowKind::kApi) std::swap(api, gpu);
  if (rows_->row(api.row).kind != RowKind::kApi) return std::nullopt;
  const RowGeom* ga = nullptr;
  const RowGeom* gg = nullptr;
  const auto layout = Layout();
  for (const RowGeom& g : layout) {
    if (g.row == api.row) ga = &g;
    if (g.row == gpu.row) gg = &g;
  }
  if (!ga || !gg) return std::nullopt;
  // Ends off the window's sides are pinned to its edges so the direction still shows.
  auto clampx = [&](double x) { return std::clamp(x, double(kHeaderWidth), double(width_)); };
  const double xa = clampx(XOf(double(rows_->EventStart(api))));
  const double xg = clampx(XOf(double(rows_->EventStart(gpu))));
  const bool gpu_below = gg->y > ga->y;
  const QPointF from(xa, gpu_below ? ga->y + ga->h - 1 : ga->y + 1);
  const QPointF to(xg, gpu_below ? gg->y + 1 : gg->y + gg->h - 1);
  return std::make_pair(from, to);
}

TimelineScene::Hit TimelineScene::HitTest(QPointF pos) const {
  Hit h;
  if (!rows_ || pos.y() < kRulerHeight) return h;
  for (const RowGeom& g : Layout()) {
    if (pos.y() < g.y || pos.y() >= g.y + g.h) continue;
    h.row = g.row;
    h.header = pos.x() < kHeaderWidth;
    const TimelineRow& r = rows_->row(g.row);
    if (h.header || r.is_header()) return h;
    const double t = TimeOf(pos.x());
    h.event = rows_->HitTest(g.row, int64_t(std::llround(t)), int64_t(std::ceil(2 * axis_.ns_per_px())));
    std::vector<LodItem> items;
    QueryLod(r, axis_.start() - double(r.offset_ns), axis_.ns_per_px(), events_width(), items);
    const int px = int(std::floor(pos.x() - kHeaderWidth));
    auto it = std::lower_bound(items.begin(), items.end(), px, [](const LodItem& a, int v) { return a.px1 < v; });
    if (it != items.end() && it->px0 <= px) h.item = *it;
    return h;
  }
  return h;
}

QString TimelineScene::Tooltip(QPointF pos) const {
  const Hit h = HitTest(pos);
  if (h.row < 0) return {};
  const TimelineRow& r = rows_->row(h.row);
  if (h.header) {
    QString s = QString::fromStdString(r.label);
    if (r.is_header()) s += rows_->collapsed(h.row) ? QStringLiteral("\n(click to expand)") : QStringLiteral("\n(click to collapse)");
    else s += QStringLiteral("\n%1 events").arg(qulonglong(r.size()));
    return s;
  }
  if (r.is_header()) return {};
  const auto cls_name = [&](uint8_t key) -> QString {
    if (key < uint8_t(analyzer::KernelClass::kCount)) return QString::fromLatin1(analyzer::KernelClassName(analyzer::KernelClass(key)));
    return {};
  };
  if (h.item && h.item->folded && !(h.event.valid() && h.item->count == 1)) {
    const int64_t a = int64_t(TimeOf(kHeaderWidth + h.item->px0)), b = int64_t(TimeOf(kHeaderWidth + h.item->px1 + 1));
    QString s = QStringLiteral("%1 events folded (zoom in)\nspan %2")
                    .arg(h.item->count)
                    .arg(QString::fromStdString(TimeAxis::FormatDuration(b - a)));
    const QString c = cls_name(h.item->key);
    if (!c.isEmpty()) s += QStringLiteral("\nmostly %1").arg(c);
    if (h.event.valid()) s += QStringLiteral("\nunder cursor: %1").arg(QString::fromStdString(rows_->EventName(h.event)));
    return s;
  }
  if (!h.event.valid()) return {};
  const int64_t st = rows_->EventStart(h.event), en = rows_->EventEnd(h.event);
  QString s = QString::fromStdString(rows_->EventName(h.event));
  if (s.size() > 200) s = s.left(200) + QStringLiteral("…");
  s += QStringLiteral("\n%1").arg(QString::fromLatin1(EventTableName(r.Table(h.event.index))));
  const QString c = cls_name(r.Key(h.event.index));
  if (r.kind == RowKind::kKernels && !c.isEmpty()) s += QStringLiteral(" · %1").arg(c);
  s += QStringLiteral("\nstart %1 ms\nduration %2")
           .arg(double(st) / 1e6, 0, 'f', 6)
           .arg(QString::fromStdString(TimeAxis::FormatDuration(en - st)));
  return s;
}

}  // namespace moeprof::gui

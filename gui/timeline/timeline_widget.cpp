// TimelineWidget: input handling, the off-UI-thread row build, and painting the scene with
// QPainter (see timeline_widget.h). All event data work is in TimelineRows/TimelineScene; this
// file only routes input and schedules repaints.
#include "timeline/timeline_widget.h"

#include <QApplication>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPointer>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>
#include <atomic>
#include <cmath>
#include <optional>
#include <thread>

#include "timeline/timeline_painter.h"
#include "timeline/timeline_scene.h"

namespace moeprof::gui {

struct TimelineWidgetState {
  TimelineScene scene;
  std::shared_ptr<const analyzer::Run> run;
  uint64_t generation = 0;
  std::thread builder;
  std::shared_ptr<std::atomic<bool>> cancel;
  bool ready = false;
  // Requests made before the rows are ready, applied when they are.
  std::optional<std::pair<int64_t, int64_t>> pending_viewport;
  std::vector<analyzer::EventRef> pending_highlight;
  std::optional<analyzer::EventRef> pending_select;
  std::optional<std::pair<int, int64_t>> pending_fit_step;
  // Interaction.
  enum class Drag { kNone, kPan, kBox } drag = Drag::kNone;
  QPointF press_pos, last_pos;
  bool moved = false;
  QScrollBar* vbar = nullptr;
  std::pair<int64_t, int64_t> last_emitted{0, 0};

  void StopBuilder() {
    if (cancel) cancel->store(true);
    if (builder.joinable()) builder.join();
  }
};

namespace {
constexpr int kScrollBarWidth = 12;
constexpr double kKeyZoom = 1.25;     // W/S
constexpr double kKeyPanFrac = 0.10;  // A/D: a tenth of the window
}  // namespace

TimelineWidget::TimelineWidget(QWidget* parent) : QWidget(parent), s_(std::make_unique<TimelineWidgetState>()) {
  setFocusPolicy(Qt::StrongFocus);
  setMouseTracking(true);
  setAttribute(Qt::WA_OpaquePaintEvent);
  s_->vbar = new QScrollBar(Qt::Vertical, this);
  connect(s_->vbar, &QScrollBar::valueChanged, this, [this](int v) {
    s_->scene.SetScrollY(v);
    update();
  });
  s_->scene.SetSize(std::max(1, width() - kScrollBarWidth), height());
}

TimelineWidget::~TimelineWidget() { s_->StopBuilder(); }

QSize TimelineWidget::sizeHint() const { return QSize(1200, 600); }

void TimelineWidget::SetRun(std::shared_ptr<const analyzer::Run> run) {
  s_->StopBuilder();
  const uint64_t gen = ++s_->generation;
  s_->run = run;
  s_->ready = false;
  s_->scene.SetRows(nullptr);
  update();
  if (!run) return;
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  s_->cancel = cancel;
  QPointer<TimelineWidget> self(this);
  s_->builder = std::thread([self, gen, run, cancel] {
    TimelineRows::BuildOptions opt;
    opt.cancel = cancel.get();
    std::shared_ptr<TimelineRows> rows;
    try {
      rows = TimelineRows::Build(run, opt);
    } catch (...) {
      rows = nullptr;  // out of memory: the timeline stays empty rather than taking the app down
    }
    if (!rows || cancel->load()) return;
    // Queued to the widget's thread; dropped by Qt if the widget is gone (the destructor joins
    // this thread first anyway).
    QMetaObject::invokeMethod(
        self.data(), [self, gen, rows] { if (self) self->OnRowsBuilt(gen, rows); }, Qt::QueuedConnection);
  });
}

void TimelineWidget::OnRowsBuilt(uint64_t generation, std::shared_ptr<TimelineRows> rows) {
  if (generation != s_->generation) return;  // a newer SetRun superseded this build
  s_->ready = true;
  s_->scene.SetRows(std::move(rows));
  s_->scene.SetSize(std::max(1, width() - kScrollBarWidth), height());
  if (s_->pending_viewport) {
    s_->scene.axis().SetRange(double(s_->pending_viewport->first), double(s_->pending_viewport->second));
    s_->pending_viewport.reset();
  }
  if (s_->pending_fit_step) {
    const auto [rank, step] = *s_->pending_fit_step;
    s_->pending_fit_step.reset();
    FitStep(rank, step);
  }
  if (!s_->pending_highlight.empty()) {
    auto h = std::move(s_->pending_highlight);
    s_->pending_highlight.clear();
    Highlight(h);
  }
  if (s_->pending_select) {
    auto ev = *s_->pending_select;
    s_->pending_select.reset();
    SelectEvent(ev);
  }
  update();
  EmitViewport();
  emit rowsReady();
}

bool TimelineWidget::IsReady() const { return s_->ready; }

std::shared_ptr<const TimelineRows> TimelineWidget::Rows() const { return s_->scene.rows(); }

void TimelineWidget::SetViewport(int64_t start_ns, int64_t end_ns) {
  if (!s_->ready) {
    s_->pending_viewport = {start_ns, end_ns};
    return;
  }
  s_->scene.axis().SetRange(double(start_ns), double(end_ns));
  update();
  EmitViewport();
}

std::pair<int64_t, int64_t> TimelineWidget::Viewport() const {
  if (!s_->ready) return s_->pending_viewport.value_or(std::pair<int64_t, int64_t>{0, 0});
  const TimeAxis& a = s_->scene.axis();
  return {int64_t(std::llround(a.start())), int64_t(std::llround(a.end()))};
}

void TimelineWidget::FitAll() {
  if (!s_->ready) {
    s_->pending_viewport.reset();
    return;
  }
  s_->scene.axis().FitDomain();
  update();
  EmitViewport();
}

void TimelineWidget::FitStep(int rank, int64_t step_number) {
  if (!s_->ready) {
    s_->pending_fit_step = {rank, step_number};
    return;
  }
  const auto& run = s_->scene.rows()->run();
  for (const auto& rt : run.ranks) {
    if (rt.rank != rank) continue;
    for (const auto& st : rt.steps) {
      if (st.number != step_number) continue;
      // A 2 % margin each side so the step's first and last kernels are not on the border.
      const double len = double(st.end - st.start), m = std::max(1.0, len * 0.02);
      s_->scene.axis().SetRange(double(st.start + rt.offset_ns) - m, double(st.end + rt.offset_ns) + m);
      update();
      EmitViewport();
      return;
    }
  }
}

void TimelineWidget::Highlight(const std::vector<analyzer::EventRef>& events) {
  if (!s_->ready) {
    s_->pending_highlight = events;
    return;
  }
  std::vector<RowEvent> resolved;
  resolved.reserve(events.size());
  for (const auto& e : events) {
    const RowEvent r = s_->scene.rows()->Resolve(e);
    if (r.valid()) {
      s_->scene.rows()->Reveal(r.row);
      resolved.push_back(r);
    }
  }
  s_->scene.SetHighlights(std::move(resolved));
  s_->scene.SetScrollY(s_->scene.scroll_y());
  update();
}

void TimelineWidget::SelectEvent(const analyzer::EventRef& ev) {
  if (!s_->ready) {
    s_->pending_select = ev;
    return;
  }
  const RowEvent r = s_->scene.rows()->Resolve(ev);
  if (!r.valid()) return;
  auto& rows = *s_->scene.rows();
  rows.Reveal(r.row);
  s_->scene.SetSelection(r);
  if (s_->scene.linked().valid()) rows.Reveal(s_->scene.linked().row);
  // Scroll vertically so the row is on screen.
  int y = 0;
  for (int v : rows.visible_rows()) {
    if (v == r.row) break;
    y += TimelineScene::RowHeight(rows.row(v));
  }
  const int h = s_->scene.viewport_rows_height();
  if (y < s_->scene.scroll_y() || y + 20 > s_->scene.scroll_y() + h) s_->scene.SetScrollY(y - h / 3);
  // Bring it into view horizontally if it is outside the window.
  const int64_t a = rows.EventStart(r), b = rows.EventEnd(r);
  TimeAxis& ax = s_->scene.axis();
  if (double(b) < ax.start() || double(a) > ax.end()) {
    const double span = std::max(ax.end() - ax.start(), double(b - a) * 3);
    ax.SetRange(double(a + b) / 2 - span / 2, double(a + b) / 2 + span / 2);
    EmitViewport();
  }
  update();
  emit eventSelected(rows.Ref(r));
}

bool TimelineWidget::Selected(analyzer::EventRef* out) const {
  const RowEvent& r = s_->scene.selection();
  if (!r.valid() || !s_->scene.rows()) return false;
  if (out) *out = s_->scene.rows()->Ref(r);
  return true;
}

void TimelineWidget::ZoomIn() {
  s_->scene.axis().ZoomAbout(s_->scene.events_width() / 2.0, kKeyZoom);
  update();
  EmitViewport();
}

void TimelineWidget::ZoomOut() {
  s_->scene.axis().ZoomAbout(s_->scene.events_width() / 2.0, 1.0 / kKeyZoom);
  update();
  EmitViewport();
}

void TimelineWidget::JumpToLinked() {
  if (!s_->ready || !s_->scene.linked().valid()) return;
  SelectEvent(s_->scene.rows()->Ref(s_->scene.linked()));
}

void TimelineWidget::EmitViewport() {
  const auto v = Viewport();
  if (v == s_->last_emitted) return;
  s_->last_emitted = v;
  emit viewportChanged(v.first, v.second);
}

void TimelineWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  const TimelinePalette pal = TimelinePalette::FromLightness(palette().color(QPalette::Window).lightness());
  QPainterTimelinePainter tp(&p);
  if (!s_->ready && s_->run) {
    p.fillRect(rect(), pal.background);
    tp.Text(QRectF(TimelineScene::kHeaderWidth + 8, 8, 300, 24), QStringLiteral("Preparing timeline…"), pal.text);
    return;
  }
  s_->scene.Paint(tp, pal);
}

void TimelineWidget::resizeEvent(QResizeEvent*) {
  s_->vbar->setGeometry(width() - kScrollBarWidth, TimelineScene::kRulerHeight, kScrollBarWidth,
                        std::max(0, height() - TimelineScene::kRulerHeight));
  s_->scene.SetSize(std::max(1, width() - kScrollBarWidth), height());
  EmitViewport();
}

void TimelineWidget::wheelEvent(QWheelEvent* e) {
  const QPointF pos = e->position();
  const int dy = e->angleDelta().y() != 0 ? e->angleDelta().y() : e->angleDelta().x();
  if ((e->modifiers() & Qt::ShiftModifier) || pos.x() < TimelineScene::kHeaderWidth) {
    s_->scene.SetScrollY(s_->scene.scroll_y() - dy / 2);
  } else {
    // 120 units per notch: 1.2× per notch, smooth for touchpads sending small deltas.
    s_->scene.axis().ZoomAbout(pos.x() - TimelineScene::kHeaderWidth, std::pow(1.2, dy / 120.0));
    EmitViewport();
  }
  update();
  e->accept();
}

void TimelineWidget::mousePressEvent(QMouseEvent* e) {
  const QPointF pos = e->position();
  s_->press_pos = s_->last_pos = pos;
  s_->moved = false;
  if (!s_->ready) return;
  if (pos.x() < TimelineScene::kHeaderWidth && e->button() == Qt::LeftButton) {
    const auto hit = s_->scene.HitTest(pos);
    if (hit.row >= 0 && s_->scene.rows()->row(hit.row).is_header()) {
      s_->scene.rows()->Toggle(hit.row);
      s_->scene.SetScrollY(s_->scene.scroll_y());
      update();
    }
    return;
  }
  if (e->button() == Qt::RightButton || (e->button() == Qt::LeftButton && (e->modifiers() & Qt::ShiftModifier))) {
    s_->drag = TimelineWidgetState::Drag::kBox;
    s_->scene.SetZoomBox(std::make_pair(pos.x(), pos.x()));
  } else if (e->button() == Qt::LeftButton) {
    s_->drag = TimelineWidgetState::Drag::kPan;
    setCursor(Qt::ClosedHandCursor);
  }
}

void TimelineWidget::mouseMoveEvent(QMouseEvent* e) {
  const QPointF pos = e->position();
  const QPointF d = pos - s_->last_pos;
  s_->last_pos = pos;
  if ((pos - s_->press_pos).manhattanLength() > 3) s_->moved = true;
  switch (s_->drag) {
    case TimelineWidgetState::Drag::kPan:
      s_->scene.axis().PanPx(-d.x());
      s_->scene.SetScrollY(s_->scene.scroll_y() - int(std::lround(d.y())));
      update();
      EmitViewport();
      break;
    case TimelineWidgetState::Drag::kBox:
      s_->scene.SetZoomBox(std::make_pair(s_->press_pos.x(), std::max<double>(pos.x(), TimelineScene::kHeaderWidth)));
      update();
      break;
    case TimelineWidgetState::Drag::kNone:
      break;
  }
}

void TimelineWidget::mouseReleaseEvent(QMouseEvent* e) {
  const auto drag = s_->drag;
  s_->drag = TimelineWidgetState::Drag::kNone;
  unsetCursor();
  if (!s_->ready) return;
  const QPointF pos = e->position();
  if (drag == TimelineWidgetState::Drag::kBox) {
    s_->scene.SetZoomBox(std::nullopt);
    const double a = std::min(s_->press_pos.x(), pos.x()), b = std::max(s_->press_pos.x(), pos.x());
    if (b - a >= 4) {
      s_->scene.axis().SetRange(s_->scene.TimeOf(a), s_->scene.TimeOf(b));
      EmitViewport();
    }
    update();
    return;
  }
  if (drag == TimelineWidgetState::Drag::kPan && !s_->moved) {
    const auto hit = s_->scene.HitTest(pos);
    if (hit.event.valid()) {
      SelectEvent(s_->scene.rows()->Ref(hit.event));
    } else {
      s_->scene.SetSelection(RowEvent{});
      update();
    }
  }
}

void TimelineWidget::mouseDoubleClickEvent(QMouseEvent* e) {
  if (!s_->ready || e->position().x() < TimelineScene::kHeaderWidth) return;
  const auto hit = s_->scene.HitTest(e->position());
  TimeAxis& ax = s_->scene.axis();
  if (hit.item && hit.item->folded) {
    // Zoom onto the folded block so its events separate.
    const double a = s_->scene.TimeOf(TimelineScene::kHeaderWidth + hit.item->px0);
    const double b = s_->scene.TimeOf(TimelineScene::kHeaderWidth + hit.item->px1 + 1);
    ax.SetRange(a, b);
  } else if (hit.event.valid()) {
    const double a = double(s_->scene.rows()->EventStart(hit.event));
    const double b = double(s_->scene.rows()->EventEnd(hit.event));
    const double m = std::max(10.0, (b - a) * 0.25);
    ax.SetRange(a - m, b + m);
  }
  update();
  EmitViewport();
}

void TimelineWidget::keyPressEvent(QKeyEvent* e) {
  const QPointF cur = mapFromGlobal(QCursor::pos());
  const double ew = s_->scene.events_width();
  // W/S zoom about the cursor when it is over the events, else about the centre.
  const double zx = (cur.x() >= TimelineScene::kHeaderWidth && cur.x() < width() && cur.y() >= 0 && cur.y() < height())
                        ? cur.x() - TimelineScene::kHeaderWidth
                        : ew / 2;
  TimeAxis& ax = s_->scene.axis();
  switch (e->key()) {
    case Qt::Key_W: ax.ZoomAbout(zx, kKeyZoom); break;
    case Qt::Key_S: ax.ZoomAbout(zx, 1.0 / kKeyZoom); break;
    case Qt::Key_A: ax.PanPx(-ew * kKeyPanFrac); break;
    case Qt::Key_D: ax.PanPx(ew * kKeyPanFrac); break;
    case Qt::Key_F: ax.FitDomain(); break;
    case Qt::Key_J: JumpToLinked(); return;
    case Qt::Key_Escape: s_->scene.SetSelection(RowEvent{}); break;
    case Qt::Key_Up: s_->scene.SetScrollY(s_->scene.scroll_y() - 20); break;
    case Qt::Key_Down: s_->scene.SetScrollY(s_->scene.scroll_y() + 20); break;
    case Qt::Key_PageUp: s_->scene.SetScrollY(s_->scene.scroll_y() - s_->scene.viewport_rows_height()); break;
    case Qt::Key_PageDown: s_->scene.SetScrollY(s_->scene.scroll_y() + s_->scene.viewport_rows_height()); break;
    default: QWidget::keyPressEvent(e); return;
  }
  update();
  EmitViewport();
}

void TimelineWidget::leaveEvent(QEvent* e) {
  QToolTip::hideText();
  QWidget::leaveEvent(e);
}

bool TimelineWidget::event(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    auto* he = static_cast<QHelpEvent*>(e);
    const QString text = s_->ready ? s_->scene.Tooltip(he->pos()) : QString();
    if (text.isEmpty()) QToolTip::hideText();
    else QToolTip::showText(he->globalPos(), text, this);
    return true;
  }
  if (e->type() == QEvent::LayoutRequest || e->type() == QEvent::Paint) {
    // Keep the scroll bar in step with the content (collapse/expand, new rows).
    const int max_scroll = std::max(0, s_->scene.content_height() - s_->scene.viewport_rows_height());
    if (s_->vbar->maximum() != max_scroll) s_->vbar->setRange(0, max_scroll);
    s_->vbar->setPageStep(std::max(1, s_->scene.viewport_rows_height()));
    if (s_->vbar->value() != s_->scene.scroll_y()) {
      const QSignalBlocker block(s_->vbar);
      s_->vbar->setValue(s_->scene.scroll_y());
    }
  }
  return QWidget::event(e);
}

}  // namespace moeprof::gui

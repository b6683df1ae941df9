// TimelineScene: the timeline without the widget — layout of the visible rows (header column,
// ruler, row heights, vertical scroll), painting through a TimelinePainter from the LOD query
// only, and hit testing. The widget forwards input to it; tests and the benchmark drive it
// directly (recording painter, QImage). QtGui only.
#pragma once

#include <QPointF>
#include <QRectF>
#include <QString>
#include <memory>
#include <optional>
#include <vector>

#include "timeline/time_axis.h"
#include "timeline/timeline_palette.h"
#include "timeline/timeline_rows.h"

namespace moeprof::gui {

class TimelinePainter;

class TimelineScene {
 public:
  static constexpr int kHeaderWidth = 220;
  static constexpr int kRulerHeight = 22;

  void SetRows(std::shared_ptr<TimelineRows> rows);  // fits all
  const std::shared_ptr<TimelineRows>& rows() const { return rows_; }
  TimeAxis& axis() { return axis_; }
  const TimeAxis& axis() const { return axis_; }

  // Whole scene size in pixels (the event area is width − kHeaderWidth wide).
  void SetSize(int width, int height);
  int width() const { return width_; }
  int height() const { return height_; }
  int events_width() const { return std::max(1, width_ - kHeaderWidth); }

  // Vertical scroll of the rows (pixels), clamped to the content.
  void SetScrollY(int y);
  int scroll_y() const { return scroll_y_; }
  int content_height() const;  // all visible rows
  int viewport_rows_height() const { return std::max(0, height_ - kRulerHeight); }

  struct RowGeom { int row; int y; int h; };  // y in scene pixels (after scroll)
  // Visible rows that intersect the scene, with their geometry.
  std::vector<RowGeom> Layout() const;
  static int RowHeight(const TimelineRow& r);

  // Highlighted events (findings' evidence) and the selection with its correlation link.
  void SetHighlights(std::vector<RowEvent> events) { highlights_ = std::move(events); }
  const std::vector<RowEvent>& highlights() const { return highlights_; }
  void SetSelection(RowEvent ev);  // also finds the linked event
  const RowEvent& selection() const { return selection_; }
  const RowEvent& linked() const { return linked_; }
  // An in-progress zoom box (scene x range), drawn as an overlay; nullopt hides it.
  void SetZoomBox(std::optional<std::pair<double, double>> box) { zoom_box_ = box; }

  void Paint(TimelinePainter& p, const TimelinePalette& pal) const;
  // Whether Paint runs the rows' LOD queries on two threads when many rows are visible (on by
  // default; the benchmark measures both).
  void SetParallelQueries(bool on) { parallel_queries_ = on; }

  // Scene x of a run time and back.
  double XOf(double t_ns) const { return kHeaderWidth + axis_.ToPx(t_ns); }
  double TimeOf(double x) const { return axis_.ToNs(x - kHeaderWidth); }
  // The box of an event in scene pixels (clipped to the event area; at least 1 px wide), or
  // nullopt when its row is not laid out.
  std::optional<QRectF> EventRect(const RowEvent& e) const;
  // The arrow of the selection's link, API call → kernel: from the API box's start at its
  // bottom (top if the kernel row is above) to the kernel box's start. nullopt when there is no
  // link or either end is not on screen.
  std::optional<std::pair<QPointF, QPointF>> ArrowEndpoints() const;

  struct Hit {
    int row = -1;          // -1: ruler or empty space
    bool header = false;   // in the header column
    RowEvent event;        // the event under the point (event rows)
    std::optional<LodItem> item;  // the drawn item under the point (folds: count and extent)
  };
  Hit HitTest(QPointF pos) const;

  // Tooltip text for a point ("" when nothing is there).
  QString Tooltip(QPointF pos) const;

  // Painting statistics of the last Paint (the benchmark and tests read them).
  struct Stats { size_t rows = 0, items = 0, folded = 0; };
  const Stats& last_stats() const { return stats_; }

 private:
  void PaintRow(TimelinePainter& p, const TimelinePalette& pal, const RowGeom& g,
                const std::vector<LodItem>& items) const;
  std::shared_ptr<TimelineRows> rows_;
  TimeAxis axis_;
  int width_ = 1200, height_ = 800, scroll_y_ = 0;
  std::vector<RowEvent> highlights_;
  RowEvent selection_, linked_;
  std::optional<std::pair<double, double>> zoom_box_;
  mutable Stats stats_;
  bool parallel_queries_ = true;
  mutable std::vector<std::vector<LodItem>> items_;  // per painted row, reused between frames
};

}  // namespace moeprof::gui

// TimelineWidget: the run timeline (ranks → host threads and GPU streams, counter rows) for
// millions of events. The contract the rest of the app codes against: it takes a loaded run,
// builds its row data off the UI thread (TimelineRows), and paints only what the level-of-detail
// query returns for the visible pixels (TimelineScene through a TimelinePainter). Interaction:
// wheel/W/S zoom about the cursor, drag/A/D pan, Shift+drag or right-drag zooms to a box, click
// selects (API call ↔ kernel arrow, J jumps to the linked event), clicking a row header collapses
// its group. See docs/GUI-TIMELINE.md.
#pragma once

#include <QString>
#include <QWidget>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "moeprof/analyzer/finding.h"
#include "moeprof/analyzer/model.h"

namespace moeprof::gui {

class TimelineRows;
struct TimelineWidgetState;

class TimelineWidget : public QWidget {
  Q_OBJECT
 public:
  explicit TimelineWidget(QWidget* parent = nullptr);
  ~TimelineWidget() override;

  // Builds row data off the UI thread; repaints (and fits all) when ready. nullptr clears.
  void SetRun(std::shared_ptr<const analyzer::Run> run);
  // True once the rows of the last SetRun are built (tests and the screenshot mode wait on it;
  // see also rowsReady()).
  bool IsReady() const;
  // The row model of the current run (nullptr until ready). Read-only for other views.
  std::shared_ptr<const TimelineRows> Rows() const;

  void SetViewport(int64_t start_ns, int64_t end_ns);  // run-timeline ns
  std::pair<int64_t, int64_t> Viewport() const;
  void FitAll();
  // Fits the step numbered `step_number` of `rank` (run-timeline ns = rank's steps + offset).
  void FitStep(int rank, int64_t step_number);

  // Draws these events emphasized (replaces the previous set; empty clears).
  void Highlight(const std::vector<analyzer::EventRef>& events);
  // Selects one event (draws its API ↔ kernel arrow), scrolls it into view vertically, emits
  // eventSelected. An event not found in the run is ignored.
  void SelectEvent(const analyzer::EventRef& ev);
  // The selected event, if any.
  bool Selected(analyzer::EventRef* out) const;

  QSize sizeHint() const override;

 public slots:
  void ZoomIn();   // about the viewport centre
  void ZoomOut();
  void JumpToLinked();  // select the selected event's API call / kernel and bring it into view

 signals:
  // Details of the event: DescribeEvent(run, ev).
  void eventSelected(const moeprof::analyzer::EventRef& ev);
  void viewportChanged(int64_t start_ns, int64_t end_ns);
  void rowsReady();

 protected:
  void paintEvent(QPaintEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;
  void wheelEvent(QWheelEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void mouseDoubleClickEvent(QMouseEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;
  void leaveEvent(QEvent* e) override;
  bool event(QEvent* e) override;  // tooltips

 private:
  void OnRowsBuilt(uint64_t generation, std::shared_ptr<TimelineRows> rows);
  void EmitViewport();
  std::unique_ptr<TimelineWidgetState> s_;
};

// Text of all fields of an event, its NVTX parents (the ranges on its thread — for GPU events,
// on the launching thread — that enclose it) and its linked API call / kernel (by correlation).
// Plain text, one "field: value" per line; "" when the event is not in the run.
QString DescribeEvent(const analyzer::Run& run, const analyzer::EventRef& ev);

}  // namespace moeprof::gui

// The main window: the timeline on top, a tabbed panel below (findings, expert load, summary),
// the selected event's details docked on the right, a search bar for events by name, and the
// File/View/Search/Help menus. It owns the shared RunData and wires the views to the timeline:
// a finding zooms to its evidence and highlights its events, an expert-load click fits a step,
// a search hit selects its event. Opening goes through AsyncLoader with a cancellable progress
// dialog; SetRunData is the synchronous entry (tests, --screenshot).
#pragma once

#include <memory>
#include <optional>
#include <utility>

#include <QList>
#include <QMainWindow>
#include <QStringList>

#include "models/event_search.h"
#include "models/run_data.h"
#include "views/help_dialog.h"
#include "views/theme.h"

class QDockWidget;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressDialog;
class QSplitter;
class QTabWidget;

namespace moeprof::gui {

class AsyncLoader;
class EventDetailsView;
class ExpertLoadView;
class FindingsView;
class SummaryView;
class TimelineWidget;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Opens files / run directories on a worker thread (progress dialog, cancellable). Errors are
  // shown in a message box naming the input.
  void Open(const QStringList& inputs);
  // Shows an already-loaded run (synchronous; the timeline still builds its rows off-thread).
  void SetRunData(std::shared_ptr<const RunData> data);
  std::shared_ptr<const RunData> run_data() const { return data_; }

  // "timeline", "findings", "experts", "summary": raises that panel and sizes the split for it.
  // Returns false for an unknown name.
  bool ShowView(const QString& name);
  // Zooms the timeline to finding `index` (into RunData::findings) and highlights its events.
  void SelectFinding(int index);
  // Runs the event search for `pattern` and selects the next / previous hit.
  void SearchNext(const QString& pattern);
  void SearchPrevious(const QString& pattern);

  TimelineWidget* timeline() const { return timeline_; }
  FindingsView* findings_view() const { return findings_; }
  ExpertLoadView* expert_view() const { return experts_; }
  SummaryView* summary_view() const { return summary_; }
  EventDetailsView* details_view() const { return details_; }
  const EventSearch& search() const { return search_; }

  static QList<ShortcutHelp> Shortcuts();
  static constexpr int kMaxRecent = 10;

 protected:
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;
  void changeEvent(QEvent* e) override;

 private:
  void BuildMenus();
  void RebuildRecentMenu();
  void AddRecent(const QStringList& inputs);
  void OnEventSelected(const analyzer::EventRef& ev);
  void OnStepRequested(int rank, int64_t step);
  void RunSearch(bool forward, const QString& pattern);
  void ApplyPendingViewport();
  void ShowHelp();
  void SetTheme(ThemeMode mode);

  std::shared_ptr<const RunData> data_;
  TimelineWidget* timeline_;
  QTabWidget* tabs_;
  QSplitter* split_;
  FindingsView* findings_;
  ExpertLoadView* experts_;
  SummaryView* summary_;
  EventDetailsView* details_;
  QDockWidget* details_dock_ = nullptr;
  QLineEdit* search_edit_;
  QLabel* search_status_;
  QLabel* status_;
  QMenu* recent_menu_ = nullptr;
  AsyncLoader* loader_;
  QProgressDialog* progress_ = nullptr;
  QStringList loading_;
  EventSearch search_;
  QString searched_pattern_;
  std::optional<std::pair<int64_t, int64_t>> pending_viewport_;
};

}  // namespace moeprof::gui

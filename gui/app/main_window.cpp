// Main window: layout, menus, loading, and the wiring between views and the timeline.
#include "app/main_window.h"

#include <algorithm>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressDialog>
#include <QRegularExpression>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QToolButton>
#include <QUrl>

#include "models/async_loader.h"
#include "timeline/timeline_widget.h"
#include "views/event_details_view.h"
#include "views/expert_load_view.h"
#include "views/findings_view.h"
#include "views/summary_view.h"

namespace moeprof::gui {

namespace {

constexpr char kRecentKey[] = "recent/inputs";  // each entry: inputs joined by '\n'
constexpr char kThemeKey[] = "view/theme";

QString DisplayName(const QStringList& inputs) {
  QStringList names;
  for (const QString& s : inputs) names << QFileInfo(s).fileName();
  return names.join(QStringLiteral(", "));
}

QString EventTitle(const analyzer::EventRef& ev) {
  const bool gpu = ev.table == "kernel" || ev.table == "memcpy" || ev.table == "memset";
  return QStringLiteral("%1 · rank %2 · %3 %4")
      .arg(QString::fromStdString(ev.table))
      .arg(ev.rank)
      .arg(gpu ? QStringLiteral("stream") : QStringLiteral("thread"))
      .arg(ev.stream);
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      timeline_(new TimelineWidget(this)),
      tabs_(new QTabWidget(this)),
      split_(new QSplitter(Qt::Vertical, this)),
      findings_(new FindingsView(this)),
      experts_(new ExpertLoadView(this)),
      summary_(new SummaryView(this)),
      details_(new EventDetailsView(this)),
      search_edit_(new QLineEdit(this)),
      search_status_(new QLabel(this)),
      status_(new QLabel(this)),
      loader_(new AsyncLoader(this)) {
  setWindowTitle(QStringLiteral("moeprof"));
  setAcceptDrops(true);

  tabs_->addTab(findings_, tr("Findings"));
  tabs_->addTab(experts_, tr("Expert load"));
  tabs_->addTab(summary_, tr("Summary"));
  tabs_->setDocumentMode(true);

  split_->addWidget(timeline_);
  split_->addWidget(tabs_);
  split_->setStretchFactor(0, 3);
  split_->setStretchFactor(1, 2);
  split_->setChildrenCollapsible(false);
  setCentralWidget(split_);

  auto* dock = new QDockWidget(tr("Event"), this);
  dock->setObjectName(QStringLiteral("event_dock"));
  dock->setWidget(details_);
  dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                    QDockWidget::DockWidgetClosable);
  addDockWidget(Qt::RightDockWidgetArea, dock);
  resizeDocks({dock}, {300}, Qt::Horizontal);
  // Hidden until an event is selected: the timeline and the panels get the width until then.
  dock->hide();
  details_dock_ = dock;

  // Search bar for events by name (regular expression) across the timeline.
  auto* bar = addToolBar(tr("Search"));
  bar->setObjectName(QStringLiteral("search_bar"));
  bar->setMovable(false);
  search_edit_->setPlaceholderText(tr("Search events by name (regular expression) — Enter: next"));
  search_edit_->setClearButtonEnabled(true);
  search_edit_->setMinimumWidth(360);
  bar->addWidget(new QLabel(tr(" Find: "), this));
  bar->addWidget(search_edit_);
  auto* prev = new QToolButton(this);
  prev->setText(tr("◀ Prev"));
  prev->setToolTip(tr("Previous match (Shift+F3)"));
  auto* next = new QToolButton(this);
  next->setText(tr("Next ▶"));
  next->setToolTip(tr("Next match (F3)"));
  bar->addWidget(prev);
  bar->addWidget(next);
  bar->addWidget(search_status_);
  connect(search_edit_, &QLineEdit::returnPressed, this, [this] { SearchNext(search_edit_->text()); });
  connect(next, &QToolButton::clicked, this, [this] { SearchNext(search_edit_->text()); });
  connect(prev, &QToolButton::clicked, this, [this] { SearchPrevious(search_edit_->text()); });

  statusBar()->addWidget(status_, 1);
  status_->setText(tr("Open a trace (File → Open, or drop files here)."));

  connect(findings_, &FindingsView::findingSelected, this, &MainWindow::SelectFinding);
  connect(experts_, &ExpertLoadView::stepRequested, this, &MainWindow::OnStepRequested);
  connect(summary_, &SummaryView::kernelActivated, this, [this](const QString& name) {
    const QString pattern = QStringLiteral("^%1$").arg(QRegularExpression::escape(name));
    search_edit_->setText(pattern);
    SearchNext(pattern);
  });
  connect(timeline_, &TimelineWidget::eventSelected, this, &MainWindow::OnEventSelected);
  connect(timeline_, &TimelineWidget::rowsReady, this, &MainWindow::ApplyPendingViewport);
  connect(details_, &EventDetailsView::jumpRequested, timeline_, &TimelineWidget::JumpToLinked);

  connect(loader_, &AsyncLoader::progress, this, [this](const QString& phase, int percent) {
    if (progress_ == nullptr) return;
    progress_->setLabelText(phase);
    progress_->setValue(std::clamp(percent, 0, 99));
  });
  connect(loader_, &AsyncLoader::loaded, this, [this](std::shared_ptr<const RunData> data) {
    if (progress_ != nullptr) progress_->hide();
    AddRecent(loading_);
    SetRunData(std::move(data));
  });
  connect(loader_, &AsyncLoader::failed, this, [this](const QString& message) {
    if (progress_ != nullptr) progress_->hide();
    QMessageBox::critical(this, tr("Cannot open %1").arg(DisplayName(loading_)),
                          tr("Could not open %1:\n\n%2").arg(loading_.join(QStringLiteral(", ")), message));
  });
  connect(loader_, &AsyncLoader::cancelled, this, [this] {
    if (progress_ != nullptr) progress_->hide();
    status_->setText(tr("Loading %1 cancelled.").arg(DisplayName(loading_)));
  });

  BuildMenus();
  resize(1280, 800);
}

MainWindow::~MainWindow() = default;

void MainWindow::BuildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open trace…"), this, [this] {
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Open trace files"), QString(),
        tr("Traces (*.sqlite *.db *.nsys-rep *.json *.json.gz *.pt.trace.json *.pt.trace.json.gz);;All files (*)"));
    if (!files.isEmpty()) Open(files);
  });
  open->setShortcut(QKeySequence::Open);
  QAction* open_dir = file->addAction(tr("Open run &directory…"), this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open run directory (all ranks)"));
    if (!dir.isEmpty()) Open({dir});
  });
  open_dir->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
  recent_menu_ = file->addMenu(tr("Open &recent"));
  RebuildRecentMenu();
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  QAction* fit = view->addAction(tr("Fit &all"), timeline_, &TimelineWidget::FitAll);
  fit->setShortcut(QKeySequence(Qt::Key_Home));
  QAction* zin = view->addAction(tr("Zoom &in"), timeline_, &TimelineWidget::ZoomIn);
  zin->setShortcut(QKeySequence::ZoomIn);
  QAction* zout = view->addAction(tr("Zoom &out"), timeline_, &TimelineWidget::ZoomOut);
  zout->setShortcut(QKeySequence::ZoomOut);
  view->addSeparator();
  const std::pair<const char*, const char*> panels[] = {
      {"timeline", QT_TR_NOOP("&Timeline only")}, {"findings", QT_TR_NOOP("&Findings")},
      {"experts", QT_TR_NOOP("&Expert load")}, {"summary", QT_TR_NOOP("&Summary")}};
  int key = Qt::Key_1;
  for (const auto& [name, label] : panels) {
    const QString n = QString::fromLatin1(name);
    QAction* a = view->addAction(tr(label), this, [this, n] { ShowView(n); });
    a->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(key++)));
  }
  view->addSeparator();
  QAction* dock_toggle = details_dock_->toggleViewAction();
  dock_toggle->setText(tr("Event &details"));
  dock_toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
  view->addAction(dock_toggle);
  view->addSeparator();
  QMenu* theme = view->addMenu(tr("T&heme"));
  auto* group = new QActionGroup(this);
  const ThemeMode current = ParseThemeMode(QSettings().value(kThemeKey, QStringLiteral("system")).toString());
  for (ThemeMode m : {ThemeMode::kSystem, ThemeMode::kLight, ThemeMode::kDark}) {
    const QString label = m == ThemeMode::kSystem ? tr("Follow the &system")
                          : m == ThemeMode::kLight ? tr("&Light")
                                                   : tr("&Dark");
    QAction* a = theme->addAction(label, this, [this, m] { SetTheme(m); });
    a->setCheckable(true);
    a->setChecked(m == current);
    group->addAction(a);
  }

  QMenu* search = menuBar()->addMenu(tr("&Search"));
  QAction* find = search->addAction(tr("&Find events…"), this, [this] {
    search_edit_->setFocus();
    search_edit_->selectAll();
  });
  find->setShortcut(QKeySequence::Find);
  QAction* next = search->addAction(tr("Find &next"), this, [this] { SearchNext(search_edit_->text()); });
  next->setShortcut(QKeySequence(Qt::Key_F3));
  QAction* prev = search->addAction(tr("Find &previous"), this, [this] { SearchPrevious(search_edit_->text()); });
  prev->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F3));

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  QAction* keys = help->addAction(tr("&Keyboard shortcuts"), this, &MainWindow::ShowHelp);
  keys->setShortcut(QKeySequence(Qt::Key_F1));
  help->addAction(tr("&About moeprof-gui"), this, [this] {
    QMessageBox::about(this, tr("About moeprof-gui"),
                       tr("moeprof-gui — profiler and bottleneck analyzer for mixture-of-experts "
                          "training.\nTimeline, findings with their evidence, expert load."));
  });
}

QList<ShortcutHelp> MainWindow::Shortcuts() {
  return {
      {QStringLiteral("Ctrl+O"), tr("Open trace files (moeprof, Kineto JSON, nsys SQLite)"), tr("File")},
      {QStringLiteral("Ctrl+Shift+O"), tr("Open a run directory (all ranks)"), tr("File")},
      {tr("Drop files"), tr("Open the dropped traces as one run"), tr("File")},
      {QStringLiteral("Ctrl+Q"), tr("Quit"), tr("File")},
      {tr("Wheel, W / S"), tr("Zoom in / out about the cursor"), tr("Timeline")},
      {tr("Drag, A / D"), tr("Pan left / right"), tr("Timeline")},
      {tr("Shift+drag, right-drag"), tr("Zoom to the selected box"), tr("Timeline")},
      {QStringLiteral("Home, F"), tr("Fit all"), tr("Timeline")},
      {tr("Up / Down, PgUp / PgDown"), tr("Scroll the rows"), tr("Timeline")},
      {QStringLiteral("Esc"), tr("Clear the selection"), tr("Timeline")},
      {QStringLiteral("Ctrl++ / Ctrl+-"), tr("Zoom in / out about the centre"), tr("Timeline")},
      {tr("Click"), tr("Select an event (details on the right; API ↔ kernel arrow)"), tr("Timeline")},
      {QStringLiteral("J"), tr("Jump between an API call and its kernel"), tr("Timeline")},
      {tr("Click a row header"), tr("Collapse / expand its group"), tr("Timeline")},
      {QStringLiteral("Ctrl+F"), tr("Search events by name (regular expression)"), tr("Search")},
      {QStringLiteral("F3 / Shift+F3, Enter"), tr("Next / previous match"), tr("Search")},
      {QStringLiteral("Ctrl+1"), tr("Timeline only (panel small)"), tr("View")},
      {QStringLiteral("Ctrl+2"), tr("Findings panel"), tr("View")},
      {QStringLiteral("Ctrl+3"), tr("Expert-load panel"), tr("View")},
      {QStringLiteral("Ctrl+4"), tr("Summary panel"), tr("View")},
      {QStringLiteral("Ctrl+E"), tr("Show / hide the event details"), tr("View")},
      {tr("Select a finding"), tr("Zoom to its evidence and highlight its events"), tr("Findings")},
      {tr("Click a heatmap cell / step"), tr("Show that step on the timeline"), tr("Expert load")},
      {tr("Double-click a kernel"), tr("Search the timeline for it"), tr("Summary")},
      {QStringLiteral("F1"), tr("This help"), tr("Help")},
  };
}

void MainWindow::ShowHelp() {
  HelpDialog dialog(Shortcuts(), this);
  dialog.exec();
}

void MainWindow::SetTheme(ThemeMode mode) {
  QSettings().setValue(kThemeKey, ThemeModeName(mode));
  ApplyTheme(qApp, mode);
}

void MainWindow::Open(const QStringList& inputs) {
  if (inputs.isEmpty()) return;
  loading_ = inputs;
  if (progress_ == nullptr) {
    progress_ = new QProgressDialog(this);
    progress_->setWindowTitle(tr("Opening"));
    progress_->setWindowModality(Qt::WindowModal);
    progress_->setMinimumDuration(300);  // quick loads never flash a dialog
    progress_->setRange(0, 100);
    progress_->setAutoReset(false);
    progress_->setAutoClose(false);
    connect(progress_, &QProgressDialog::canceled, loader_, &AsyncLoader::Cancel);
  }
  progress_->setLabelText(tr("Loading %1").arg(DisplayName(inputs)));
  progress_->setValue(0);
  status_->setText(tr("Loading %1…").arg(DisplayName(inputs)));
  loader_->Start(inputs);
}

void MainWindow::SetRunData(std::shared_ptr<const RunData> data) {
  data_ = std::move(data);
  search_.Clear();
  searched_pattern_.clear();
  search_status_->clear();
  pending_viewport_.reset();
  details_->Clear();
  // The timeline shares the run with RunData (aliasing pointer: one allocation, one lifetime).
  timeline_->SetRun(data_ ? std::shared_ptr<const analyzer::Run>(data_, &data_->run) : nullptr);
  findings_->SetData(data_);
  experts_->SetData(data_);
  summary_->SetData(data_);
  if (!data_) {
    setWindowTitle(QStringLiteral("moeprof"));
    status_->clear();
    return;
  }
  QStringList inputs;
  for (const auto& s : data_->inputs) inputs << QString::fromStdString(s);
  setWindowTitle(inputs.isEmpty() ? QStringLiteral("moeprof") : tr("%1 — moeprof").arg(DisplayName(inputs)));
  int64_t kernels = 0;
  for (const auto& rt : data_->run.ranks) kernels += static_cast<int64_t>(rt.trace.kernels.size());
  status_->setText(tr("%1 rank(s) · %2 kernels · %3 findings · loaded in %4 s, rules %5 s, breakdowns %6 s")
                       .arg(data_->run.ranks.size())
                       .arg(kernels)
                       .arg(data_->findings.size())
                       .arg(data_->load_seconds, 0, 'f', 2)
                       .arg(data_->rules_seconds, 0, 'f', 2)
                       .arg(data_->breakdown_seconds, 0, 'f', 2));
}

bool MainWindow::ShowView(const QString& name) {
  const int h = std::max(200, split_->height() > 0 ? split_->height() : height());
  if (name == QLatin1String("timeline")) {
    split_->setSizes({h * 3 / 4, h / 4});
  } else if (name == QLatin1String("findings")) {
    tabs_->setCurrentWidget(findings_);
    split_->setSizes({h / 2, h / 2});
  } else if (name == QLatin1String("experts")) {
    tabs_->setCurrentWidget(experts_);
    split_->setSizes({h * 3 / 10, h * 7 / 10});
  } else if (name == QLatin1String("summary")) {
    tabs_->setCurrentWidget(summary_);
    split_->setSizes({h * 3 / 10, h * 7 / 10});
  } else {
    return false;
  }
  return true;
}

void MainWindow::SelectFinding(int index) {
  if (!data_ || index < 0 || index >= static_cast<int>(data_->findings.size())) return;
  const analyzer::Finding& f = data_->findings[static_cast<size_t>(index)];
  timeline_->Highlight(f.events);
  if (const auto range = EvidenceRange(*data_, f)) {
    if (timeline_->IsReady()) {
      timeline_->SetViewport(range->start, range->end);
    } else {
      pending_viewport_ = std::make_pair(range->start, range->end);  // applied on rowsReady
    }
  }
  status_->setText(tr("%1: %2").arg(QString::fromStdString(f.rule), QString::fromStdString(f.title)));
}

void MainWindow::ApplyPendingViewport() {
  if (!pending_viewport_) return;
  const auto [start, end] = *pending_viewport_;
  pending_viewport_.reset();
  timeline_->SetViewport(start, end);
}

void MainWindow::OnStepRequested(int rank, int64_t step) {
  if (!data_ || data_->run.ranks.empty()) return;
  // Routing rows name EP ranks; a run opened from one rank's file may not have that rank.
  const int rank_id = data_->RankIndex(rank) >= 0 ? rank : data_->run.ranks.front().rank;
  timeline_->FitStep(rank_id, step);
  status_->setText(tr("Step %1 of rank %2").arg(step).arg(rank_id));
}

void MainWindow::OnEventSelected(const analyzer::EventRef& ev) {
  if (!data_) return;
  const QString text = DescribeEvent(data_->run, ev);
  QString link;
  if (const auto linked = LinkedEvent(data_->run, ev)) {
    link = linked->table == "api" ? tr("Jump to the launching API call (J)") : tr("Jump to the launched %1 (J)")
                                                                                   .arg(QString::fromStdString(linked->table));
  }
  details_->SetEvent(EventTitle(ev), text, link);
  if (details_dock_->isHidden()) details_dock_->show();
}

void MainWindow::SearchNext(const QString& pattern) { RunSearch(true, pattern); }
void MainWindow::SearchPrevious(const QString& pattern) { RunSearch(false, pattern); }

void MainWindow::RunSearch(bool forward, const QString& pattern) {
  if (!data_ || pattern.isEmpty()) {
    search_status_->clear();
    return;
  }
  if (pattern != searched_pattern_) {
    std::string error;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const bool ok = search_.Run(data_->run, pattern.toStdString(), &error);
    QApplication::restoreOverrideCursor();
    if (!ok) {
      searched_pattern_.clear();
      search_status_->setText(tr("  invalid expression: %1").arg(QString::fromStdString(error)));
      return;
    }
    searched_pattern_ = pattern;
  }
  const auto [vstart, vend] = timeline_->Viewport();
  const SearchHit* hit = forward ? search_.Next(vstart) : search_.Previous(vend);
  if (hit == nullptr) {
    search_status_->setText(tr("  no match"));
    return;
  }
  search_status_->setText(tr("  %1 / %2%3")
                              .arg(search_.current() + 1)
                              .arg(search_.hits().size())
                              .arg(search_.truncated() ? tr(" (stopped at the limit)") : QString()));
  // Keep the zoom when the hit fits; otherwise zoom so it takes a third of the view.
  const int64_t width = vend - vstart;
  const int64_t len = std::max<int64_t>(1, hit->run_end - hit->run_start);
  const int64_t centre = hit->run_start + len / 2;
  const int64_t w = (width > 0 && len * 2 <= width) ? width : len * 3;
  timeline_->SetViewport(centre - w / 2, centre + w / 2);
  timeline_->SelectEvent(hit->ref);
}

void MainWindow::AddRecent(const QStringList& inputs) {
  QSettings settings;
  QStringList recent = settings.value(kRecentKey).toStringList();
  const QString entry = inputs.join(QLatin1Char('\n'));
  recent.removeAll(entry);
  recent.prepend(entry);
  while (recent.size() > kMaxRecent) recent.removeLast();
  settings.setValue(kRecentKey, recent);
  RebuildRecentMenu();
}

void MainWindow::RebuildRecentMenu() {
  if (recent_menu_ == nullptr) return;
  recent_menu_->clear();
  const QStringList recent = QSettings().value(kRecentKey).toStringList();
  for (const QString& entry : recent) {
    const QStringList inputs = entry.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QAction* a = recent_menu_->addAction(inputs.join(QStringLiteral(", ")), this, [this, inputs] { Open(inputs); });
    a->setToolTip(inputs.join(QStringLiteral("\n")));
  }
  if (recent.isEmpty()) {
    recent_menu_->addAction(tr("(none)"))->setEnabled(false);
  } else {
    recent_menu_->addSeparator();
    recent_menu_->addAction(tr("Clear list"), this, [this] {
      QSettings().remove(kRecentKey);
      RebuildRecentMenu();
    });
  }
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  if (!e->mimeData()->hasUrls()) return;
  for (const QUrl& url : e->mimeData()->urls()) {
    if (!url.isLocalFile()) return;
  }
  e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
  QStringList paths;
  for (const QUrl& url : e->mimeData()->urls()) {
    if (url.isLocalFile()) paths << url.toLocalFile();
  }
  if (paths.isEmpty()) return;
  e->acceptProposedAction();
  Open(paths);
}

void MainWindow::changeEvent(QEvent* e) {
  // Custom-painted views read the palette on every paint; a system theme switch only needs a
  // repaint of everything.
  if (e->type() == QEvent::PaletteChange || e->type() == QEvent::ApplicationPaletteChange) {
    for (QWidget* w : findChildren<QWidget*>()) w->update();
  }
  QMainWindow::changeEvent(e);
}

}  // namespace moeprof::gui

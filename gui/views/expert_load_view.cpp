// Expert-load painting and wiring.
#include "views/expert_load_view.h"

#include <algorithm>
#include <cmath>

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHelpEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QSplitter>
#include <QTableWidget>
#include <QToolTip>
#include <QVBoxLayout>

#include "views/theme.h"

namespace moeprof::gui {

namespace {

constexpr int kLeftMargin = 64;   // layer labels
constexpr int kTopMargin = 20;    // expert labels
constexpr int kLegendHeight = 26;

}  // namespace

HeatmapWidget::HeatmapWidget(ExpertLoadModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  setMouseTracking(true);
  setAttribute(Qt::WA_OpaquePaintEvent);
  connect(model_, &QAbstractItemModel::modelReset, this, qOverload<>(&QWidget::update));
  connect(model_, &QAbstractItemModel::dataChanged, this, qOverload<>(&QWidget::update));
}

QRect HeatmapWidget::GridRect() const {
  return QRect(kLeftMargin, kTopMargin, std::max(1, width() - kLeftMargin - 8),
               std::max(1, height() - kTopMargin - kLegendHeight - 6));
}

QModelIndex HeatmapWidget::CellAt(QPoint pos) const {
  const int rows = model_->rowCount(), cols = model_->columnCount();
  const QRect g = GridRect();
  if (rows == 0 || cols == 0 || !g.contains(pos)) return {};
  const int r = std::min(rows - 1, (pos.y() - g.top()) * rows / g.height());
  const int c = std::min(cols - 1, (pos.x() - g.left()) * cols / g.width());
  return model_->index(r, c);
}

void HeatmapWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  const QPalette& pal = palette();
  const bool dark = IsDark(pal);
  p.fillRect(rect(), pal.color(QPalette::Base));
  const int rows = model_->rowCount(), cols = model_->columnCount();
  if (rows == 0 || cols == 0) return;
  const QRect g = GridRect();
  // Cell edges from integer division so the grid exactly fills its rect at any size.
  auto x_at = [&](int c) { return g.left() + static_cast<int>(static_cast<int64_t>(c) * g.width() / cols); };
  auto y_at = [&](int r) { return g.top() + static_cast<int>(static_cast<int64_t>(r) * g.height() / rows); };
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const double t = model_->data(model_->index(r, c), ExpertLoadModel::kLoadRole).toDouble();
      p.fillRect(QRect(QPoint(x_at(c), y_at(r)), QPoint(x_at(c + 1) - 1, y_at(r + 1) - 1)), HeatColor(t, dark));
    }
  }
  const ExpertLoad& load = model_->load();
  // EP rank blocks: where a communicator's rank boundary is, imbalance is a rank's problem.
  QPen block_pen(pal.color(QPalette::Text));
  block_pen.setWidth(2);
  p.setPen(block_pen);
  for (int c = load.experts_per_rank(); c < cols; c += load.experts_per_rank()) {
    p.drawLine(x_at(c), g.top(), x_at(c), g.bottom());
  }
  // Labels: as many as fit without overlapping.
  p.setPen(pal.color(QPalette::Text));
  QFont f = font();
  f.setPointSizeF(std::max(6.0, f.pointSizeF() * 0.85));
  p.setFont(f);
  const QFontMetrics fm(f);
  const int row_step = std::max(1, (fm.height() + 2) * rows / std::max(1, g.height()) + 1);
  for (int r = 0; r < rows; r += row_step) {
    const QRect lr(0, y_at(r), kLeftMargin - 6, std::max(fm.height(), y_at(r + 1) - y_at(r)));
    p.drawText(lr, Qt::AlignRight | Qt::AlignVCenter, model_->headerData(r, Qt::Vertical, Qt::DisplayRole).toString());
  }
  const int label_w = fm.horizontalAdvance(QStringLiteral("e000")) + 4;
  const int col_step = std::max(1, label_w * cols / std::max(1, g.width()) + 1);
  for (int c = 0; c < cols; c += col_step) {
    p.drawText(QRect(x_at(c) - 20, 0, x_at(c + 1) - x_at(c) + 40, kTopMargin), Qt::AlignCenter,
               model_->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString());
  }
  // Legend: the colour ramp from 0 to the grid maximum.
  const QRect legend(g.left(), g.bottom() + 8, std::min(240, g.width() / 2), 10);
  for (int x = 0; x < legend.width(); ++x) {
    p.fillRect(QRect(legend.left() + x, legend.top(), 1, legend.height()),
               HeatColor(static_cast<double>(x) / std::max(1, legend.width() - 1), dark));
  }
  // The scale is relative to each layer's mean (see ExpertLoadModel::kLoadRole).
  const int mid = legend.left() + legend.width() / 2;
  p.drawLine(mid, legend.top() - 2, mid, legend.bottom() + 2);
  p.drawText(QPoint(legend.right() + 6, legend.bottom()),
             tr("0 · layer mean (middle) · ≥ 2× mean   ·  %1 experts on %2 EP ranks (lines: rank blocks)")
                 .arg(load.experts())
                 .arg(load.ep_ranks()));
}

void HeatmapWidget::mouseReleaseEvent(QMouseEvent* e) {
  const QModelIndex cell = CellAt(e->position().toPoint());
  if (cell.isValid() && e->button() == Qt::LeftButton) emit cellClicked(cell.row(), cell.column());
  QWidget::mouseReleaseEvent(e);
}

bool HeatmapWidget::event(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(e);
    const QModelIndex cell = CellAt(help->pos());
    if (cell.isValid()) {
      QToolTip::showText(help->globalPos(), model_->data(cell, Qt::ToolTipRole).toString(), this);
    } else {
      QToolTip::hideText();
    }
    return true;
  }
  return QWidget::event(e);
}

RankLoadBars::RankLoadBars(QWidget* parent) : QWidget(parent) {}

void RankLoadBars::SetLoads(std::vector<double> loads) {
  loads_ = std::move(loads);
  update();
}

void RankLoadBars::paintEvent(QPaintEvent*) {
  QPainter p(this);
  const QPalette& pal = palette();
  const bool dark = IsDark(pal);
  p.fillRect(rect(), pal.color(QPalette::Base));
  p.setPen(pal.color(QPalette::Text));
  const QFontMetrics fm(font());
  p.drawText(QRect(6, 2, width() - 12, fm.height()), Qt::AlignLeft, tr("Tokens per EP rank"));
  if (loads_.empty()) return;
  double sum = 0, mx = 0;
  for (double v : loads_) {
    sum += v;
    mx = std::max(mx, v);
  }
  const double mean = sum / static_cast<double>(loads_.size());
  const int n = static_cast<int>(loads_.size());
  const int hot = static_cast<int>(std::max_element(loads_.begin(), loads_.end()) - loads_.begin());
  // Second line: the figures the expert_imbalance rule judges (elided when narrow).
  const QString stats = tr("max %1 (rank %2) · mean %3 · max/mean %4")
                            .arg(mx, 0, 'f', 0)
                            .arg(hot)
                            .arg(mean, 0, 'f', 0)
                            .arg(mean > 0 ? mx / mean : 0.0, 0, 'f', 2);
  p.drawText(QRect(6, 2 + fm.height(), width() - 12, fm.height()), Qt::AlignLeft,
             fm.elidedText(stats, Qt::ElideRight, width() - 12));
  const int label_w = fm.horizontalAdvance(tr("mean")) + 8;
  const QRect area(label_w, 2 * fm.height() + 10, width() - label_w - 8, height() - 3 * fm.height() - 16);
  if (area.width() <= 0 || area.height() <= 0 || mx <= 0) return;
  for (int i = 0; i < n; ++i) {
    const int x0 = area.left() + i * area.width() / n;
    const int x1 = area.left() + (i + 1) * area.width() / n;
    const int h = static_cast<int>(std::lround(loads_[static_cast<size_t>(i)] / mx * area.height()));
    const QRect bar(x0 + 1, area.bottom() - h + 1, std::max(1, x1 - x0 - 2), h);
    p.fillRect(bar, i == hot ? HeatColor(1.0, dark) : ComputeColor(dark));
    if (n <= 32 || i % ((n + 31) / 32) == 0) {
      p.drawText(QRect(x0, area.bottom() + 2, x1 - x0, fm.height()), Qt::AlignHCenter, QString::number(i));
    }
  }
  // The mean as a dashed line across the bars.
  const int y_mean = area.bottom() - static_cast<int>(std::lround(mean / mx * area.height()));
  QPen dash(pal.color(QPalette::Text));
  dash.setStyle(Qt::DashLine);
  p.setPen(dash);
  p.drawLine(area.left(), y_mean, area.right(), y_mean);
  p.setPen(pal.color(QPalette::Text));
  p.drawText(QRect(0, y_mean - fm.height() / 2, label_w - 4, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
             tr("mean"));
}

ExpertLoadView::ExpertLoadView(QWidget* parent)
    : QWidget(parent),
      model_(new ExpertLoadModel(this)),
      step_(new QComboBox(this)),
      summary_(new QLabel(this)),
      heatmap_(new HeatmapWidget(model_, this)),
      bars_(new RankLoadBars(this)),
      worst_(new QTableWidget(this)),
      empty_(new QLabel(tr("This run has no routing rows (tokens per expert). Record with the "
                           "collector's routing marks, or attach a Megatron routing log with "
                           "`moeprof import --routing`."),
                        this)),
      content_(new QWidget(this)) {
  empty_->setWordWrap(true);
  empty_->setAlignment(Qt::AlignCenter);
  step_->setToolTip(tr("One step, or the mean over all steps"));

  worst_->setColumnCount(5);
  worst_->setHorizontalHeaderLabels({tr("Step"), tr("max/mean"), tr("Hot rank"), tr("Layer"), tr("Layer m/m")});
  worst_->horizontalHeaderItem(1)->setToolTip(tr("Rank load max/mean over all layers of the step"));
  worst_->horizontalHeaderItem(3)->setToolTip(tr("The layer with the most uneven rank load in the step"));
  worst_->horizontalHeaderItem(4)->setToolTip(tr("That layer's rank load max/mean"));
  worst_->verticalHeader()->hide();
  worst_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  worst_->setSelectionBehavior(QAbstractItemView::SelectRows);
  worst_->setSelectionMode(QAbstractItemView::SingleSelection);
  worst_->horizontalHeader()->setStretchLastSection(true);
  worst_->setToolTip(tr("Steps with the most uneven rank load; click to show the step on the timeline"));

  auto* top = new QHBoxLayout;
  top->setContentsMargins(0, 0, 0, 0);
  top->addWidget(new QLabel(tr("Heatmap:"), content_));
  top->addWidget(step_);
  top->addWidget(summary_, 1);

  auto* right = new QSplitter(Qt::Vertical, content_);
  right->addWidget(bars_);
  right->addWidget(worst_);
  right->setStretchFactor(0, 1);
  right->setStretchFactor(1, 1);
  auto* split = new QSplitter(Qt::Horizontal, content_);
  split->addWidget(heatmap_);
  split->addWidget(right);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);

  auto* cl = new QVBoxLayout(content_);
  cl->setContentsMargins(0, 0, 0, 0);
  cl->addLayout(top);
  cl->addWidget(split, 1);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(content_, 1);
  layout->addWidget(empty_, 1);
  content_->hide();

  connect(step_, &QComboBox::currentIndexChanged, this, [this] {
    model_->SetStepIndex(step_->currentData().toInt());
  });
  connect(model_, &ExpertLoadModel::stepIndexChanged, this, [this](int) { Refresh(); });
  connect(heatmap_, &HeatmapWidget::cellClicked, this, [this](int layer_index, int expert) {
    const ExpertLoad& load = model_->load();
    const int s = model_->step_index() >= 0 ? model_->step_index() : load.PeakStepIndex(layer_index, expert);
    if (s < 0) return;
    emit stepRequested(load.RankOfExpert(expert), load.steps()[static_cast<size_t>(s)]);
  });
  connect(worst_, &QTableWidget::cellClicked, this, [this](int row, int) {
    const auto& w = model_->load().worst_steps();
    if (row < 0 || row >= static_cast<int>(w.size())) return;
    emit stepRequested(w[static_cast<size_t>(row)].hot_rank, w[static_cast<size_t>(row)].step);
  });
}

void ExpertLoadView::SetData(std::shared_ptr<const RunData> data) {
  model_->SetLoad(data ? ExpertLoad::FromRun(data->run) : ExpertLoad{});
  const ExpertLoad& load = model_->load();
  {
    const QSignalBlocker block(step_);
    step_->clear();
    step_->addItem(tr("Mean over %1 steps").arg(load.steps().size()), -1);
    for (size_t i = 0; i < load.steps().size(); ++i) {
      step_->addItem(tr("Step %1").arg(load.steps()[i]), static_cast<int>(i));
    }
  }
  const auto& w = load.worst_steps();
  // The table lists the worst steps; beyond a screenful the tail is noise.
  const int n = static_cast<int>(std::min<size_t>(w.size(), 200));
  worst_->setRowCount(n);
  for (int i = 0; i < n; ++i) {
    const StepImbalance& s = w[static_cast<size_t>(i)];
    const QStringList cells = {QString::number(s.step), QString::number(s.ratio, 'f', 2), QString::number(s.hot_rank),
                               QString::number(s.worst_layer), QString::number(s.worst_layer_ratio, 'f', 2)};
    for (int c = 0; c < cells.size(); ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      worst_->setItem(i, c, item);
    }
  }
  worst_->resizeColumnsToContents();
  content_->setVisible(!load.empty());
  empty_->setVisible(load.empty());
  Refresh();
}

void ExpertLoadView::SetStepIndex(int step_index) {
  const int i = step_->findData(step_index);
  if (i >= 0) step_->setCurrentIndex(i);
}

void ExpertLoadView::Refresh() {
  const ExpertLoad& load = model_->load();
  if (load.empty()) {
    bars_->SetLoads({});
    summary_->clear();
    return;
  }
  const int s = model_->step_index();
  bars_->SetLoads(load.RankLoad(s));
  summary_->setText(tr("  %1 layers × %2 experts · rank load max/mean %3 %4")
                        .arg(load.layers().size())
                        .arg(load.experts())
                        .arg(load.RankRatio(s), 0, 'f', 2)
                        .arg(s >= 0 ? tr("in this step") : tr("on average")));
  heatmap_->update();
}

}  // namespace moeprof::gui

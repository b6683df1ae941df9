// Summary view widgets.
#include "views/summary_view.h"

#include <algorithm>

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "views/theme.h"

namespace moeprof::gui {

namespace {

constexpr int kBarHeight = 16;
constexpr int kBarGap = 6;

void SetupTable(QTableView* t) {
  t->setSelectionBehavior(QAbstractItemView::SelectRows);
  t->setSelectionMode(QAbstractItemView::SingleSelection);
  t->setSortingEnabled(true);
  t->setAlternatingRowColors(true);
  t->setWordWrap(false);
  t->verticalHeader()->hide();
  t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 6);
  t->horizontalHeader()->setStretchLastSection(true);
}

}  // namespace

BreakdownBars::BreakdownBars(BreakdownModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  connect(model_, &QAbstractItemModel::modelReset, this, [this] {
    updateGeometry();
    update();
  });
}

QSize BreakdownBars::sizeHint() const {
  const int rows = std::max(1, model_->rowCount());
  return {480, 2 * fontMetrics().height() + 16 + rows * (kBarHeight + kBarGap)};
}

void BreakdownBars::paintEvent(QPaintEvent*) {
  QPainter p(this);
  const QPalette& pal = palette();
  const bool dark = IsDark(pal);
  p.fillRect(rect(), pal.color(QPalette::Base));
  const QFontMetrics fm(font());
  // Legend first, so the colours explain themselves.
  int x = 8;
  const int ly = 4;
  const std::pair<QColor, QString> legend[] = {
      {IdleColor(dark), tr("idle")}, {ComputeColor(dark), tr("compute")}, {NonComputeColor(dark), tr("non-compute")}};
  for (const auto& [c, label] : legend) {
    p.fillRect(QRect(x, ly + 2, 12, fm.height() - 4), c);
    p.setPen(pal.color(QPalette::Text));
    p.drawText(QPoint(x + 16, ly + fm.ascent()), label);
    x += 16 + fm.horizontalAdvance(label) + 16;
  }
  p.drawText(QPoint(x, ly + fm.ascent()), tr("· share of GPU span"));

  const int label_w = fm.horizontalAdvance(QStringLiteral("rank 0000")) + 8;
  const int overlap_w = fm.horizontalAdvance(QStringLiteral("overlap 100.0 %")) + 12;
  const int bar_x = label_w;
  const int bar_w = std::max(20, width() - label_w - overlap_w - 8);
  int y = ly + fm.height() + 10;
  for (int r = 0; r < model_->rowCount(); ++r) {
    const analyzer::Breakdown* b = model_->BreakdownAt(r);
    if (b == nullptr) continue;
    p.setPen(pal.color(QPalette::Text));
    p.drawText(QRect(0, y, label_w - 6, kBarHeight), Qt::AlignRight | Qt::AlignVCenter,
               tr("rank %1").arg(b->rank));
    const double parts[] = {b->temporal.idle_pct, b->temporal.compute_pct, b->temporal.non_compute_pct};
    const QColor colors[] = {IdleColor(dark), ComputeColor(dark), NonComputeColor(dark)};
    double acc = 0;
    for (int i = 0; i < 3; ++i) {
      const int x0 = bar_x + static_cast<int>(acc / 100.0 * bar_w);
      acc += std::max(0.0, parts[i]);
      const int x1 = bar_x + static_cast<int>(std::min(100.0, acc) / 100.0 * bar_w);
      if (x1 > x0) p.fillRect(QRect(x0, y, x1 - x0, kBarHeight), colors[i]);
      if (x1 - x0 > fm.horizontalAdvance(QStringLiteral("00.0 %")) + 4) {
        p.setPen(i == 0 && !dark ? QColor(Qt::black) : QColor(Qt::white));
        p.drawText(QRect(x0, y, x1 - x0, kBarHeight), Qt::AlignCenter, QStringLiteral("%1 %").arg(parts[i], 0, 'f', 1));
      }
    }
    p.setPen(pal.color(QPalette::Text));
    p.drawText(QRect(bar_x + bar_w + 8, y, overlap_w, kBarHeight), Qt::AlignLeft | Qt::AlignVCenter,
               b->overlap.comm_ns > 0 ? tr("overlap %1 %").arg(b->overlap.pct, 0, 'f', 1) : tr("no comm"));
    y += kBarHeight + kBarGap;
  }
}

SummaryView::SummaryView(QWidget* parent)
    : QWidget(parent),
      breakdown_(new BreakdownModel(this)),
      kernels_(new KernelTableModel(this)),
      kernel_proxy_(new KernelFilterProxy(this)),
      bars_(new BreakdownBars(breakdown_, this)),
      breakdown_table_(new QTableView(this)),
      kernel_table_(new QTableView(this)),
      search_(new QLineEdit(this)),
      kernel_count_(new QLabel(this)) {
  auto* breakdown_proxy = new QSortFilterProxyModel(this);
  breakdown_proxy->setSourceModel(breakdown_);
  breakdown_proxy->setSortRole(BreakdownModel::kSortRole);
  breakdown_table_->setModel(breakdown_proxy);
  SetupTable(breakdown_table_);
  breakdown_table_->sortByColumn(BreakdownModel::kRank, Qt::AscendingOrder);

  kernel_proxy_->setSourceModel(kernels_);
  kernel_table_->setModel(kernel_proxy_);
  SetupTable(kernel_table_);
  kernel_table_->sortByColumn(KernelTableModel::kTotal, Qt::DescendingOrder);
  // Demangled names can be kilobytes long: the name takes the width the figures leave (elided;
  // the tooltip has it whole), the figures are sized to their contents.
  kernel_table_->horizontalHeader()->setStretchLastSection(false);
  kernel_table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  kernel_table_->horizontalHeader()->setSectionResizeMode(KernelTableModel::kName, QHeaderView::Stretch);
  kernel_table_->setTextElideMode(Qt::ElideRight);

  search_->setPlaceholderText(tr("Filter kernels by name or class (regular expression)"));
  search_->setClearButtonEnabled(true);

  // Top: the breakdown (bars beside their table); bottom, full width: the kernels, whose names
  // need the room.
  auto* top = new QWidget(this);
  auto* tl = new QVBoxLayout(top);
  tl->setContentsMargins(0, 0, 0, 0);
  tl->addWidget(new QLabel(tr("<b>Per-rank breakdown</b> (whole trace)"), top));
  auto* top_split = new QSplitter(Qt::Horizontal, top);
  top_split->addWidget(bars_);
  top_split->addWidget(breakdown_table_);
  top_split->setStretchFactor(0, 2);
  top_split->setStretchFactor(1, 3);
  tl->addWidget(top_split, 1);

  auto* bottom = new QWidget(this);
  auto* bl = new QVBoxLayout(bottom);
  bl->setContentsMargins(0, 0, 0, 0);
  auto* search_row = new QHBoxLayout;
  search_row->addWidget(new QLabel(tr("<b>Kernels</b> by total time"), bottom));
  search_row->addWidget(search_, 1);
  search_row->addWidget(kernel_count_);
  bl->addLayout(search_row);
  bl->addWidget(kernel_table_, 1);

  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(top);
  split->addWidget(bottom);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(split);

  auto update_count = [this] {
    kernel_count_->setText(tr("%1 of %2").arg(kernel_proxy_->rowCount()).arg(kernels_->rowCount()));
  };
  connect(search_, &QLineEdit::textChanged, this, [this, update_count](const QString& text) {
    const bool ok = kernel_proxy_->SetPattern(text);
    // An invalid expression is shown, not silently treated as "match all".
    search_->setStyleSheet(ok ? QString() : QStringLiteral("QLineEdit { color: #d03030; }"));
    search_->setToolTip(ok ? QString() : tr("Not a valid regular expression"));
    update_count();
  });
  connect(kernel_table_, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
    const QModelIndex name = kernel_proxy_->index(index.row(), KernelTableModel::kName);
    emit kernelActivated(kernel_proxy_->data(name).toString());
  });
  connect(kernels_, &QAbstractItemModel::modelReset, this, update_count);
}

void SummaryView::SetData(std::shared_ptr<const RunData> data) {
  breakdown_->SetData(data);
  kernels_->SetData(data);
  breakdown_table_->resizeColumnsToContents();
  kernel_count_->setText(tr("%1 of %2").arg(kernel_proxy_->rowCount()).arg(kernels_->rowCount()));
}

}  // namespace moeprof::gui

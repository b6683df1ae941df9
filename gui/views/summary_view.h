// Summary view: per-rank breakdown (idle / compute / non-compute share of the GPU span and
// comm/compute overlap) as a table and stacked bars, and the kernels by total time with a
// regular-expression search box. Painting and relaying only; numbers from summary_models.h.
#pragma once

#include <memory>

#include <QWidget>

#include "models/summary_models.h"

class QLabel;
class QLineEdit;
class QTableView;

namespace moeprof::gui {

// One horizontal stacked bar per rank (idle, compute, non-compute) with its overlap figure.
class BreakdownBars : public QWidget {
  Q_OBJECT
 public:
  explicit BreakdownBars(BreakdownModel* model, QWidget* parent = nullptr);
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override { return {240, 80}; }

 protected:
  void paintEvent(QPaintEvent* e) override;

 private:
  BreakdownModel* model_;
};

class SummaryView : public QWidget {
  Q_OBJECT
 public:
  explicit SummaryView(QWidget* parent = nullptr);
  void SetData(std::shared_ptr<const RunData> data);

  BreakdownModel* breakdown_model() const { return breakdown_; }
  KernelTableModel* kernel_model() const { return kernels_; }
  KernelFilterProxy* kernel_proxy() const { return kernel_proxy_; }
  QLineEdit* kernel_search() const { return search_; }

 signals:
  // A kernel row was activated (double-click): search the timeline for this name.
  void kernelActivated(const QString& name);

 private:
  BreakdownModel* breakdown_;
  KernelTableModel* kernels_;
  KernelFilterProxy* kernel_proxy_;
  BreakdownBars* bars_;
  QTableView* breakdown_table_;
  QTableView* kernel_table_;
  QLineEdit* search_;
  QLabel* kernel_count_;
};

}  // namespace moeprof::gui

// Expert-load view: a layer × expert heatmap (one step or the mean over steps, chosen in a combo
// box), per-EP-rank load bars with the mean and the maximum marked, and the steps with the most
// uneven rank load. Every number comes from ExpertLoadModel; the widgets here only paint and relay
// clicks as "show this step of this rank on the timeline".
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <QWidget>

#include "models/expert_load_model.h"
#include "models/run_data.h"

class QComboBox;
class QLabel;
class QTableWidget;

namespace moeprof::gui {

// Paints ExpertLoadModel as coloured cells; EP rank blocks separated by lines.
class HeatmapWidget : public QWidget {
  Q_OBJECT
 public:
  explicit HeatmapWidget(ExpertLoadModel* model, QWidget* parent = nullptr);
  QSize sizeHint() const override { return {640, 360}; }
  QSize minimumSizeHint() const override { return {200, 120}; }
  // The cell under a widget position (row = layer index, column = expert), or invalid.
  QModelIndex CellAt(QPoint pos) const;

 signals:
  void cellClicked(int layer_index, int expert);

 protected:
  void paintEvent(QPaintEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  bool event(QEvent* e) override;

 private:
  QRect GridRect() const;
  ExpertLoadModel* model_;
};

// Tokens per EP rank as bars; the maximum bar emphasized, the mean a dashed line.
class RankLoadBars : public QWidget {
  Q_OBJECT
 public:
  explicit RankLoadBars(QWidget* parent = nullptr);
  void SetLoads(std::vector<double> loads);
  QSize sizeHint() const override { return {320, 180}; }
  QSize minimumSizeHint() const override { return {160, 100}; }

 signals:
  void rankClicked(int rank);

 protected:
  void paintEvent(QPaintEvent* e) override;

 private:
  std::vector<double> loads_;
};

class ExpertLoadView : public QWidget {
  Q_OBJECT
 public:
  explicit ExpertLoadView(QWidget* parent = nullptr);
  void SetData(std::shared_ptr<const RunData> data);
  ExpertLoadModel* model() const { return model_; }
  // -1 = mean over steps.
  void SetStepIndex(int step_index);

 signals:
  // Show step `step` of EP rank `rank` on the timeline (the window maps it to a trace rank).
  void stepRequested(int rank, int64_t step);

 private:
  void Refresh();

  ExpertLoadModel* model_;
  QComboBox* step_;
  QLabel* summary_;
  HeatmapWidget* heatmap_;
  RankLoadBars* bars_;
  QTableWidget* worst_;
  QLabel* empty_;
  QWidget* content_;
};

}  // namespace moeprof::gui

// Expert load from the routing rows of a run, for the expert-load view: tokens per layer × expert
// (one step, or the mean over steps), tokens per expert-parallel rank, and the steps whose rank
// load was most uneven. Same definitions as the expert_imbalance rule (docs/RULES.md) so the view
// and the finding agree: rows deduplicated by (step, layer, microbatch, reporting rank, expert),
// tokens summed over microbatches and reporting ranks, E = largest expert id + 1, experts placed on
// EP ranks in contiguous blocks of ceil(E / R), R = the ep communicator's size, else the number of
// reporting ranks, else the number of traces.
//
// ExpertLoad is plain data (testable without Qt); ExpertLoadModel is a table model over it
// (rows = layers, columns = experts) with no widgets, which the heatmap widget paints.
#pragma once

#include <cstdint>
#include <vector>

#include <QAbstractTableModel>

#include "moeprof/analyzer/model.h"

namespace moeprof::gui {

struct StepImbalance {
  int64_t step = 0;
  double ratio = 0;        // max / mean of the step's rank loads (summed over layers)
  int hot_rank = 0;        // EP rank with the most tokens
  int64_t max_tokens = 0;  // that rank's tokens
  double mean_tokens = 0;
  int64_t worst_layer = 0;     // the layer with the highest rank max/mean in this step
  double worst_layer_ratio = 0;
};

class ExpertLoad {
 public:
  static ExpertLoad FromRun(const analyzer::Run& run);

  bool empty() const { return steps_.empty(); }
  const std::vector<int64_t>& steps() const { return steps_; }    // sorted step numbers
  const std::vector<int64_t>& layers() const { return layers_; }  // sorted layer numbers
  int experts() const { return experts_; }
  int ep_ranks() const { return ep_ranks_; }
  int experts_per_rank() const { return block_; }
  int RankOfExpert(int expert) const;

  // step_index < 0: mean over all steps (steps without rows for that layer count as 0).
  double Tokens(int step_index, int layer_index, int expert) const;
  // Tokens per EP rank over all layers; step_index < 0: mean over steps.
  std::vector<double> RankLoad(int step_index) const;
  // Max / mean of RankLoad (0 without tokens).
  double RankRatio(int step_index) const;
  // Largest Tokens() over the layer × expert grid for this step selection (for colour scales).
  double MaxTokens(int step_index) const;
  int StepIndex(int64_t step_number) const;  // -1 if absent
  // The step index where this cell had the most tokens (first of ties; -1 without data): where a
  // click on the averaged heatmap goes.
  int PeakStepIndex(int layer_index, int expert) const;

  // Every step, most uneven rank load first (ties: lower step first).
  const std::vector<StepImbalance>& worst_steps() const { return worst_; }

 private:
  int64_t At(int s, int l, int e) const {
    return tokens_[(static_cast<size_t>(s) * layers_.size() + static_cast<size_t>(l)) *
                       static_cast<size_t>(experts_) + static_cast<size_t>(e)];
  }
  std::vector<int64_t> steps_, layers_;
  int experts_ = 0, ep_ranks_ = 1, block_ = 1;
  std::vector<int64_t> tokens_;  // [step][layer][expert], dense
  std::vector<double> mean_;     // [layer][expert], mean over steps (cached: the heatmap's default)
  std::vector<StepImbalance> worst_;
};

// Table model: rows = layers, columns = experts. DisplayRole: tokens (integer for one step, one
// decimal for the mean); Qt::UserRole: the same as double; kLoadRole: the heatmap colour in
// [0, 1] = tokens / (2 × the layer's mean per expert), clamped — 0.5 is a perfectly balanced
// expert, 1 is twice the mean or more. Relative to the layer mean rather than the grid maximum
// so that a balanced run looks balanced (mid colour everywhere) and a hot expert stands out in
// any layer; ToolTipRole: layer, expert, its EP rank, tokens, share of layer, × mean.
class ExpertLoadModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  static constexpr int kLoadRole = Qt::UserRole + 1;

  explicit ExpertLoadModel(QObject* parent = nullptr);
  void SetLoad(ExpertLoad load);
  const ExpertLoad& load() const { return load_; }

  // -1 = mean over steps.
  void SetStepIndex(int step_index);
  int step_index() const { return step_index_; }

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  int columnCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 signals:
  void stepIndexChanged(int step_index);

 private:
  ExpertLoad load_;
  int step_index_ = -1;
  void UpdateRowMeans();
  std::vector<double> row_mean_;  // per layer: mean tokens per expert for the current selection
};

}  // namespace moeprof::gui

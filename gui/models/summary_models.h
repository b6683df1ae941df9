// The summary view's models (no widgets): per-rank breakdown rows (idle / compute / non-compute
// share of the GPU span, comm/compute overlap) and kernels aggregated by name over all ranks
// (count, total, mean, max, class, share of all kernel time), plus the searchable proxy for the
// latter. Numbers come from RunData (ComputeBreakdown per rank, the classifier's classes).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <QAbstractTableModel>
#include <QRegularExpression>
#include <QSortFilterProxyModel>

#include "models/run_data.h"

namespace moeprof::gui {

class BreakdownModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { kRank, kSpan, kIdle, kCompute, kNonCompute, kOverlap, kComm, kEvents, kColumns };
  static constexpr int kSortRole = Qt::UserRole;  // raw numbers (percent as double, ns as qlonglong)

  explicit BreakdownModel(QObject* parent = nullptr);
  void SetData(std::shared_ptr<const RunData> data);
  const analyzer::Breakdown* BreakdownAt(int row) const;

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  int columnCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  std::shared_ptr<const RunData> data_;
};

struct KernelStat {
  std::string name;
  analyzer::KernelClass cls = analyzer::KernelClass::kOther;
  int64_t count = 0, total_ns = 0, max_ns = 0;
  int ranks = 0;  // ranks it ran on
};

// Kernels by name over all ranks, most total time first.
std::vector<KernelStat> AggregateKernels(const analyzer::Run& run);

class KernelTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { kName, kClass, kTotal, kShare, kCount, kMean, kMax, kRanks, kColumns };
  static constexpr int kSortRole = Qt::UserRole;

  explicit KernelTableModel(QObject* parent = nullptr);
  void SetData(std::shared_ptr<const RunData> data);
  const std::vector<KernelStat>& stats() const { return stats_; }

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  int columnCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  std::vector<KernelStat> stats_;
  int64_t all_ns_ = 0;
};

// Search box proxy: a case-insensitive regular expression over the name and class columns.
// An invalid expression matches nothing (the view says so) instead of everything.
class KernelFilterProxy : public QSortFilterProxyModel {
  Q_OBJECT
 public:
  explicit KernelFilterProxy(QObject* parent = nullptr);
  // Returns false (and filters everything out) when `pattern` is not a valid expression.
  bool SetPattern(const QString& pattern);

 protected:
  bool filterAcceptsRow(int source_row, const QModelIndex& source_parent) const override;

 private:
  QRegularExpression re_;
  bool valid_ = true;
};

}  // namespace moeprof::gui

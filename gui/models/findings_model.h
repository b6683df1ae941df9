// The findings panel's models (no widgets): a table of the analyzer's findings in RunRules' order
// (saving, then cost), a filter proxy (rule, minimum severity, rank) that sorts by raw numbers, and
// the time range a finding's evidence covers, which the window hands to the timeline.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include "models/run_data.h"

namespace moeprof::gui {

// A run-timeline range [start, end) in ns.
struct TimeRange {
  int64_t start = 0, end = 0;
  int64_t length() const { return end - start; }
};

// The union of the finding's evidence intervals (run time) widened by `margin` of its length on
// each side (at least 1 µs, so a single instant still shows context). Without evidence intervals,
// the events' run-time extents (EventRef starts are rank-relative; ranks' offsets applied, kernel
// durations looked up). nullopt when the finding points at nothing on the timeline.
std::optional<TimeRange> EvidenceRange(const RunData& data, const analyzer::Finding& finding,
                                       double margin = 0.1);

class FindingsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  // Numbers before the long title, so they stay visible in a narrow panel.
  enum Column { kSeverity, kRule, kSaving, kCost, kCostPct, kRanks, kSteps, kTitle, kMethod, kColumns };
  // Raw value for sorting (severity as 0..2, times in ns, percent as double; text otherwise).
  static constexpr int kSortRole = Qt::UserRole;
  // Row index into RunData::findings (stable under proxies).
  static constexpr int kFindingIndexRole = Qt::UserRole + 1;

  explicit FindingsModel(QObject* parent = nullptr);
  void SetData(std::shared_ptr<const RunData> data);
  const analyzer::Finding* FindingAt(int row) const;

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  int columnCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  std::shared_ptr<const RunData> data_;
};

// Filters: rule id ("" = all), minimum severity, rank (-1 = all; findings without ranks are
// run-wide and kept for every rank). Sorting uses FindingsModel::kSortRole.
class FindingsFilterProxy : public QSortFilterProxyModel {
  Q_OBJECT
 public:
  explicit FindingsFilterProxy(QObject* parent = nullptr);
  void SetRule(const QString& rule);
  void SetMinSeverity(int severity);  // 0 info, 1 warn, 2 high
  void SetRank(int rank);
  QString rule() const { return rule_; }
  int min_severity() const { return min_severity_; }
  int rank() const { return rank_; }

 protected:
  bool filterAcceptsRow(int source_row, const QModelIndex& source_parent) const override;

 private:
  QString rule_;
  int min_severity_ = 0;
  int rank_ = -1;
};

// Text helpers shared by the views.
QString FormatNs(int64_t ns);
QString JoinInts(const std::vector<int>& v, int max_items = 8);
QString JoinSteps(const std::vector<int64_t>& v, int max_items = 8);

}  // namespace moeprof::gui

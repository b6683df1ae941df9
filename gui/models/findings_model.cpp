// Findings table, filter proxy and evidence ranges.
#include "models/findings_model.h"

#include <algorithm>
#include <limits>

#include "models/event_search.h"
#include "moeprof/analyzer/units.h"

namespace moeprof::gui {

std::optional<TimeRange> EvidenceRange(const RunData& data, const analyzer::Finding& finding,
                                       double margin) {
  int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
  for (const auto& iv : finding.evidence) {
    lo = std::min(lo, iv.start);
    hi = std::max(hi, iv.end);
  }
  if (lo > hi) {
    for (const auto& ev : finding.events) {
      if (auto r = EventRunRange(data.run, ev)) {
        lo = std::min(lo, r->start);
        hi = std::max(hi, r->end);
      }
    }
  }
  if (lo > hi) return std::nullopt;
  const int64_t pad = std::max<int64_t>(1000, static_cast<int64_t>(static_cast<double>(hi - lo) * margin));
  return TimeRange{lo - pad, hi + pad};
}

QString FormatNs(int64_t ns) { return QString::fromStdString(analyzer::FormatDuration(ns)); }

QString JoinInts(const std::vector<int>& v, int max_items) {
  QStringList parts;
  for (size_t i = 0; i < v.size() && static_cast<int>(i) < max_items; ++i) parts << QString::number(v[i]);
  if (static_cast<int>(v.size()) > max_items) parts << QStringLiteral("… (%1)").arg(v.size());
  return parts.join(QStringLiteral(", "));
}

QString JoinSteps(const std::vector<int64_t>& v, int max_items) {
  // Consecutive runs print as ranges: steps 3..40 is the common case.
  QStringList parts;
  size_t i = 0;
  while (i < v.size()) {
    size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    parts << (j > i + 1 ? QStringLiteral("%1–%2").arg(v[i]).arg(v[j])
                        : j == i + 1 ? QStringLiteral("%1, %2").arg(v[i]).arg(v[j])
                                     : QString::number(v[i]));
    i = j + 1;
    if (static_cast<int>(parts.size()) >= max_items && i < v.size()) {
      parts << QStringLiteral("…");
      break;
    }
  }
  return parts.join(QStringLiteral(", "));
}

FindingsModel::FindingsModel(QObject* parent) : QAbstractTableModel(parent) {}

void FindingsModel::SetData(std::shared_ptr<const RunData> data) {
  beginResetModel();
  data_ = std::move(data);
  endResetModel();
}

const analyzer::Finding* FindingsModel::FindingAt(int row) const {
  if (!data_ || row < 0 || row >= static_cast<int>(data_->findings.size())) return nullptr;
  return &data_->findings[static_cast<size_t>(row)];
}

int FindingsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !data_ ? 0 : static_cast<int>(data_->findings.size());
}

int FindingsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumns;
}

QVariant FindingsModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
    return {};
  }
  const analyzer::Finding* f = FindingAt(index.row());
  if (f == nullptr) return {};
  if (role == kFindingIndexRole) return index.row();
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case kSeverity: return QString::fromLatin1(analyzer::SeverityName(f->severity));
      case kRule: return QString::fromStdString(f->rule);
      case kTitle: return QString::fromStdString(f->title);
      case kRanks: return JoinInts(f->ranks);
      case kSteps: return JoinSteps(f->steps);
      case kCost: return FormatNs(f->cost_ns);
      case kCostPct: return QStringLiteral("%1 %").arg(f->cost_pct, 0, 'f', 1);
      case kSaving: return FormatNs(f->saving_ns);
      case kMethod: return QString::fromStdString(f->saving_method);
      default: return {};
    }
  }
  if (role == kSortRole) {
    switch (index.column()) {
      case kSeverity: return static_cast<int>(f->severity);
      case kRanks: return f->ranks.empty() ? -1 : f->ranks.front();
      case kSteps: return static_cast<qlonglong>(f->steps.size());
      case kCost: return static_cast<qlonglong>(f->cost_ns);
      case kCostPct: return f->cost_pct;
      case kSaving: return static_cast<qlonglong>(f->saving_ns);
      default: return data(index, Qt::DisplayRole);
    }
  }
  if (role == Qt::ToolTipRole) {
    if (index.column() == kTitle || index.column() == kMethod) return data(index, Qt::DisplayRole);
    if (index.column() == kSteps) return JoinSteps(f->steps, 1000);
    if (index.column() == kRanks) return JoinInts(f->ranks, 1000);
    return {};
  }
  if (role == Qt::TextAlignmentRole) {
    const bool numeric = index.column() == kCost || index.column() == kCostPct || index.column() == kSaving;
    return QVariant::fromValue(numeric ? (Qt::AlignRight | Qt::AlignVCenter) : (Qt::AlignLeft | Qt::AlignVCenter));
  }
  return {};
}

QVariant FindingsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
    return QAbstractTableModel::headerData(section, orientation, role);
  }
  switch (section) {
    case kSeverity: return tr("Severity");
    case kRule: return tr("Rule");
    case kTitle: return tr("Finding");
    case kRanks: return tr("Ranks");
    case kSteps: return tr("Steps");
    case kCost: return tr("Cost");
    case kCostPct: return tr("% of step");
    case kSaving: return tr("Saving");
    case kMethod: return tr("Method");
    default: return {};
  }
}

FindingsFilterProxy::FindingsFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
  setSortRole(FindingsModel::kSortRole);
}

void FindingsFilterProxy::SetRule(const QString& rule) {
  if (rule == rule_) return;
  rule_ = rule;
  invalidateFilter();
}

void FindingsFilterProxy::SetMinSeverity(int severity) {
  if (severity == min_severity_) return;
  min_severity_ = severity;
  invalidateFilter();
}

void FindingsFilterProxy::SetRank(int rank) {
  if (rank == rank_) return;
  rank_ = rank;
  invalidateFilter();
}

bool FindingsFilterProxy::filterAcceptsRow(int source_row, const QModelIndex& source_parent) const {
  if (source_parent.isValid()) return false;
  const auto* model = qobject_cast<const FindingsModel*>(sourceModel());
  if (model == nullptr) return true;
  const analyzer::Finding* f = model->FindingAt(source_row);
  if (f == nullptr) return false;
  if (!rule_.isEmpty() && QString::fromStdString(f->rule) != rule_) return false;
  if (static_cast<int>(f->severity) < min_severity_) return false;
  if (rank_ >= 0 && !f->ranks.empty() &&
      std::find(f->ranks.begin(), f->ranks.end(), rank_) == f->ranks.end()) {
    return false;
  }
  return true;
}

}  // namespace moeprof::gui

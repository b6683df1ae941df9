// Breakdown and kernel table models.
#include "models/summary_models.h"

#include <algorithm>
#include <unordered_map>

#include <QRegularExpression>

#include "models/findings_model.h"

namespace moeprof::gui {

namespace {

QVariant Pct(double v) { return QStringLiteral("%1 %").arg(v, 0, 'f', 1); }

}  // namespace

BreakdownModel::BreakdownModel(QObject* parent) : QAbstractTableModel(parent) {}

void BreakdownModel::SetData(std::shared_ptr<const RunData> data) {
  beginResetModel();
  data_ = std::move(data);
  endResetModel();
}

const analyzer::Breakdown* BreakdownModel::BreakdownAt(int row) const {
  if (!data_ || row < 0 || row >= static_cast<int>(data_->breakdowns.size())) return nullptr;
  return &data_->breakdowns[static_cast<size_t>(row)];
}

int BreakdownModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !data_ ? 0 : static_cast<int>(data_->breakdowns.size());
}

int BreakdownModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumns; }

QVariant BreakdownModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const analyzer::Breakdown* b = BreakdownAt(index.row());
  if (b == nullptr) return {};
  const auto& t = b->temporal;
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case kRank: return b->rank;
      case kSpan: return FormatNs(t.span_ns);
      case kIdle: return Pct(t.idle_pct);
      case kCompute: return Pct(t.compute_pct);
      case kNonCompute: return Pct(t.non_compute_pct);
      case kOverlap: return b->overlap.comm_ns > 0 ? Pct(b->overlap.pct) : QVariant(QStringLiteral("–"));
      case kComm: return FormatNs(b->overlap.comm_ns);
      case kEvents: return static_cast<qlonglong>(b->events);
      default: return {};
    }
  }
  if (role == kSortRole) {
    switch (index.column()) {
      case kRank: return b->rank;
      case kSpan: return static_cast<qlonglong>(t.span_ns);
      case kIdle: return t.idle_pct;
      case kCompute: return t.compute_pct;
      case kNonCompute: return t.non_compute_pct;
      case kOverlap: return b->overlap.pct;
      case kComm: return static_cast<qlonglong>(b->overlap.comm_ns);
      case kEvents: return static_cast<qlonglong>(b->events);
      default: return {};
    }
  }
  if (role == Qt::TextAlignmentRole) return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::ToolTipRole && index.column() == kOverlap) {
    return tr("Share of communication time overlapped by compute (%1 definition)")
        .arg(QString::fromLatin1(analyzer::CommDefinitionName(b->overlap.definition)));
  }
  return {};
}

QVariant BreakdownModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
    return QAbstractTableModel::headerData(section, orientation, role);
  }
  switch (section) {
    case kRank: return tr("Rank");
    case kSpan: return tr("GPU span");
    case kIdle: return tr("Idle");
    case kCompute: return tr("Compute");
    case kNonCompute: return tr("Non-compute");
    case kOverlap: return tr("Comm overlap");
    case kComm: return tr("Comm time");
    case kEvents: return tr("GPU events");
    default: return {};
  }
}

std::vector<KernelStat> AggregateKernels(const analyzer::Run& run) {
  std::vector<KernelStat> out;
  std::unordered_map<std::string, size_t> by_name;
  for (const auto& rt : run.ranks) {
    const auto& k = rt.trace.kernels;
    // Per rank by StringId first (an array, no hashing per kernel), then merged by name.
    std::vector<KernelStat> local(rt.trace.strings.size());
    std::vector<char> used(rt.trace.strings.size(), 0);
    for (size_t i = 0; i < k.size(); ++i) {
      const auto id = static_cast<size_t>(k.name[i]);
      if (id >= local.size()) continue;
      KernelStat& s = local[id];
      ++s.count;
      s.total_ns += k.dur[i];
      s.max_ns = std::max(s.max_ns, k.dur[i]);
      used[id] = 1;
    }
    for (size_t id = 0; id < local.size(); ++id) {
      if (!used[id]) continue;
      const std::string& name = rt.trace.strings[id];
      auto [it, fresh] = by_name.emplace(name, out.size());
      if (fresh) {
        KernelStat s;
        s.name = name;
        s.cls = id < rt.name_class.size() ? rt.name_class[id].cls : analyzer::KernelClass::kOther;
        out.push_back(std::move(s));
      }
      KernelStat& dst = out[it->second];
      dst.count += local[id].count;
      dst.total_ns += local[id].total_ns;
      dst.max_ns = std::max(dst.max_ns, local[id].max_ns);
      ++dst.ranks;
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const KernelStat& a, const KernelStat& b) { return a.total_ns > b.total_ns; });
  return out;
}

KernelTableModel::KernelTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void KernelTableModel::SetData(std::shared_ptr<const RunData> data) {
  beginResetModel();
  stats_ = data ? AggregateKernels(data->run) : std::vector<KernelStat>{};
  all_ns_ = 0;
  for (const auto& s : stats_) all_ns_ += s.total_ns;
  endResetModel();
}

int KernelTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(stats_.size());
}

int KernelTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumns; }

QVariant KernelTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const KernelStat& s = stats_[static_cast<size_t>(index.row())];
  const int64_t mean = s.count > 0 ? s.total_ns / s.count : 0;
  const double share = all_ns_ > 0 ? 100.0 * static_cast<double>(s.total_ns) / static_cast<double>(all_ns_) : 0;
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case kName: return QString::fromStdString(s.name);
      case kClass: return QString::fromLatin1(analyzer::KernelClassName(s.cls));
      case kCount: return static_cast<qlonglong>(s.count);
      case kTotal: return FormatNs(s.total_ns);
      case kMean: return FormatNs(mean);
      case kMax: return FormatNs(s.max_ns);
      case kShare: return Pct(share);
      case kRanks: return s.ranks;
      default: return {};
    }
  }
  if (role == kSortRole) {
    switch (index.column()) {
      case kCount: return static_cast<qlonglong>(s.count);
      case kTotal: return static_cast<qlonglong>(s.total_ns);
      case kMean: return static_cast<qlonglong>(mean);
      case kMax: return static_cast<qlonglong>(s.max_ns);
      case kShare: return share;
      case kRanks: return s.ranks;
      default: return data(index, Qt::DisplayRole);
    }
  }
  if (role == Qt::ToolTipRole && index.column() == kName) return QString::fromStdString(s.name);
  if (role == Qt::TextAlignmentRole) {
    return QVariant::fromValue(index.column() == kName || index.column() == kClass
                                   ? (Qt::AlignLeft | Qt::AlignVCenter)
                                   : (Qt::AlignRight | Qt::AlignVCenter));
  }
  return {};
}

QVariant KernelTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
    return QAbstractTableModel::headerData(section, orientation, role);
  }
  switch (section) {
    case kName: return tr("Kernel");
    case kClass: return tr("Class");
    case kCount: return tr("Count");
    case kTotal: return tr("Total");
    case kMean: return tr("Mean");
    case kMax: return tr("Max");
    case kShare: return tr("% time");
    case kRanks: return tr("Ranks");
    default: return {};
  }
}

KernelFilterProxy::KernelFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
  setSortRole(KernelTableModel::kSortRole);
}

bool KernelFilterProxy::SetPattern(const QString& pattern) {
  QRegularExpression re(pattern, QRegularExpression::CaseInsensitiveOption);
  valid_ = re.isValid();
  re_ = valid_ ? re : QRegularExpression();
  invalidateFilter();
  return valid_;
}

bool KernelFilterProxy::filterAcceptsRow(int source_row, const QModelIndex& source_parent) const {
  if (!valid_) return false;
  if (re_.pattern().isEmpty()) return true;
  const QAbstractItemModel* m = sourceModel();
  for (int col : {static_cast<int>(KernelTableModel::kName), static_cast<int>(KernelTableModel::kClass)}) {
    const QString text = m->data(m->index(source_row, col, source_parent)).toString();
    if (re_.match(text).hasMatch()) return true;
  }
  return false;
}

}  // namespace moeprof::gui

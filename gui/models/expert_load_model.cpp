// ExpertLoad computation (one pass over the deduplicated routing rows into a dense
// step × layer × expert grid) and its table model.
#include "models/expert_load_model.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <tuple>

namespace moeprof::gui {

namespace {

bool IsEpRole(const std::optional<std::string>& role) {
  if (!role) return false;
  std::string low = *role;
  for (char& c : low) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return low == "ep";
}

}  // namespace

ExpertLoad ExpertLoad::FromRun(const analyzer::Run& run) {
  ExpertLoad out;
  // Every rank's trace may carry every rank's rows (merged routing files); dedupe by key.
  using Key = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t>;
  std::map<Key, int64_t> rows;
  std::set<int64_t> reporting;
  int64_t ep_comm = 0;
  for (const auto& rt : run.ranks) {
    for (const auto& r : rt.trace.routing) {
      if (r.expert < 0 || r.tokens < 0) continue;  // malformed rows never index the grid
      rows[{r.step, r.layer, r.microbatch, r.rank, r.expert}] = r.tokens;
      reporting.insert(r.rank);
    }
    for (const auto& c : rt.trace.communicators) {
      if (IsEpRole(c.role)) ep_comm = std::max(ep_comm, c.nranks);
    }
  }
  if (rows.empty()) return out;

  std::set<int64_t> steps, layers;
  int64_t experts = 0;
  for (const auto& [key, n] : rows) {
    steps.insert(std::get<0>(key));
    layers.insert(std::get<1>(key));
    experts = std::max(experts, std::get<4>(key) + 1);
  }
  // A corrupt expert id (say 2^40) must not allocate the machine away; such a grid is unusable.
  constexpr int64_t kMaxCells = 200'000'000;
  if (experts > 1'000'000 ||
      static_cast<int64_t>(steps.size() * layers.size()) * experts > kMaxCells) {
    return out;
  }
  out.steps_.assign(steps.begin(), steps.end());
  out.layers_.assign(layers.begin(), layers.end());
  out.experts_ = static_cast<int>(experts);
  int64_t ep = ep_comm > 0 ? ep_comm
               : !reporting.empty() ? static_cast<int64_t>(reporting.size())
                                    : static_cast<int64_t>(run.ranks.size());
  ep = std::clamp<int64_t>(ep, 1, std::max<int64_t>(1, experts));
  out.ep_ranks_ = static_cast<int>(ep);
  out.block_ = static_cast<int>((experts + ep - 1) / ep);

  out.tokens_.assign(out.steps_.size() * out.layers_.size() * static_cast<size_t>(experts), 0);
  for (const auto& [key, n] : rows) {
    const int s = out.StepIndex(std::get<0>(key));
    const auto l = std::lower_bound(out.layers_.begin(), out.layers_.end(), std::get<1>(key)) -
                   out.layers_.begin();
    const size_t at = (static_cast<size_t>(s) * out.layers_.size() + static_cast<size_t>(l)) *
                          static_cast<size_t>(experts) + static_cast<size_t>(std::get<4>(key));
    out.tokens_[at] += n;
  }

  out.mean_.assign(out.layers_.size() * static_cast<size_t>(experts), 0.0);
  for (size_t s = 0; s < out.steps_.size(); ++s) {
    for (size_t i = 0; i < out.mean_.size(); ++i) {
      out.mean_[i] += static_cast<double>(out.tokens_[s * out.mean_.size() + i]);
    }
  }
  for (double& v : out.mean_) v /= static_cast<double>(out.steps_.size());

  // Per step: rank load over all layers, and the worst single layer.
  for (size_t s = 0; s < out.steps_.size(); ++s) {
    StepImbalance si;
    si.step = out.steps_[s];
    const std::vector<double> load = out.RankLoad(static_cast<int>(s));
    double sum = 0;
    for (double v : load) sum += v;
    si.mean_tokens = sum / static_cast<double>(load.size());
    const auto hot = std::max_element(load.begin(), load.end());
    si.hot_rank = static_cast<int>(hot - load.begin());
    si.max_tokens = static_cast<int64_t>(*hot);
    si.ratio = si.mean_tokens > 0 ? *hot / si.mean_tokens : 0;
    for (size_t l = 0; l < out.layers_.size(); ++l) {
      std::vector<double> per_rank(static_cast<size_t>(out.ep_ranks_), 0.0);
      double layer_sum = 0;
      for (int e = 0; e < out.experts_; ++e) {
        const auto n = static_cast<double>(out.At(static_cast<int>(s), static_cast<int>(l), e));
        per_rank[static_cast<size_t>(out.RankOfExpert(e))] += n;
        layer_sum += n;
      }
      if (layer_sum <= 0) continue;
      const double ratio = *std::max_element(per_rank.begin(), per_rank.end()) /
                           (layer_sum / static_cast<double>(out.ep_ranks_));
      if (ratio > si.worst_layer_ratio) {
        si.worst_layer_ratio = ratio;
        si.worst_layer = out.layers_[l];
      }
    }
    out.worst_.push_back(si);
  }
  std::stable_sort(out.worst_.begin(), out.worst_.end(),
                   [](const StepImbalance& a, const StepImbalance& b) { return a.ratio > b.ratio; });
  return out;
}

int ExpertLoad::RankOfExpert(int expert) const {
  return std::min(ep_ranks_ - 1, expert / std::max(1, block_));
}

int ExpertLoad::StepIndex(int64_t step_number) const {
  const auto it = std::lower_bound(steps_.begin(), steps_.end(), step_number);
  if (it == steps_.end() || *it != step_number) return -1;
  return static_cast<int>(it - steps_.begin());
}

int ExpertLoad::PeakStepIndex(int layer_index, int expert) const {
  if (layer_index < 0 || layer_index >= static_cast<int>(layers_.size()) || expert < 0 ||
      expert >= experts_ || steps_.empty()) {
    return -1;
  }
  int best = 0;
  for (int s = 1; s < static_cast<int>(steps_.size()); ++s) {
    if (At(s, layer_index, expert) > At(best, layer_index, expert)) best = s;
  }
  return best;
}

double ExpertLoad::Tokens(int step_index, int layer_index, int expert) const {
  if (layer_index < 0 || layer_index >= static_cast<int>(layers_.size()) || expert < 0 ||
      expert >= experts_ || steps_.empty()) {
    return 0;
  }
  if (step_index >= 0) {
    if (step_index >= static_cast<int>(steps_.size())) return 0;
    return static_cast<double>(At(step_index, layer_index, expert));
  }
  return mean_[static_cast<size_t>(layer_index) * static_cast<size_t>(experts_) + static_cast<size_t>(expert)];
}

std::vector<double> ExpertLoad::RankLoad(int step_index) const {
  std::vector<double> load(static_cast<size_t>(ep_ranks_), 0.0);
  for (int l = 0; l < static_cast<int>(layers_.size()); ++l) {
    for (int e = 0; e < experts_; ++e) {
      load[static_cast<size_t>(RankOfExpert(e))] += Tokens(step_index, l, e);
    }
  }
  return load;
}

double ExpertLoad::RankRatio(int step_index) const {
  const std::vector<double> load = RankLoad(step_index);
  double sum = 0, mx = 0;
  for (double v : load) {
    sum += v;
    mx = std::max(mx, v);
  }
  return sum > 0 ? mx / (sum / static_cast<double>(load.size())) : 0;
}

double ExpertLoad::MaxTokens(int step_index) const {
  double mx = 0;
  for (int l = 0; l < static_cast<int>(layers_.size()); ++l) {
    for (int e = 0; e < experts_; ++e) mx = std::max(mx, Tokens(step_index, l, e));
  }
  return mx;
}

ExpertLoadModel::ExpertLoadModel(QObject* parent) : QAbstractTableModel(parent) {}

void ExpertLoadModel::SetLoad(ExpertLoad load) {
  beginResetModel();
  load_ = std::move(load);
  step_index_ = -1;
  UpdateRowMeans();
  endResetModel();
  emit stepIndexChanged(step_index_);
}

void ExpertLoadModel::SetStepIndex(int step_index) {
  if (step_index >= static_cast<int>(load_.steps().size())) step_index = -1;
  if (step_index < -1) step_index = -1;
  if (step_index == step_index_) return;
  step_index_ = step_index;
  UpdateRowMeans();
  if (rowCount() > 0 && columnCount() > 0) {
    emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
  }
  emit stepIndexChanged(step_index_);
}

void ExpertLoadModel::UpdateRowMeans() {
  row_mean_.assign(load_.layers().size(), 0.0);
  if (load_.experts() == 0) return;
  for (size_t l = 0; l < row_mean_.size(); ++l) {
    double sum = 0;
    for (int e = 0; e < load_.experts(); ++e) sum += load_.Tokens(step_index_, static_cast<int>(l), e);
    row_mean_[l] = sum / load_.experts();
  }
}

int ExpertLoadModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(load_.layers().size());
}

int ExpertLoadModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : load_.experts();
}

QVariant ExpertLoadModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
    return {};
  }
  const double n = load_.Tokens(step_index_, index.row(), index.column());
  switch (role) {
    case Qt::DisplayRole:
      return step_index_ >= 0 ? QString::number(static_cast<qlonglong>(n)) : QString::number(n, 'f', 1);
    case Qt::UserRole:
      return n;
    case kLoadRole: {
      const double mean = row_mean_[static_cast<size_t>(index.row())];
      return mean > 0 ? std::min(1.0, n / (2.0 * mean)) : 0.0;
    }
    case Qt::ToolTipRole: {
      double layer_sum = 0;
      for (int e = 0; e < load_.experts(); ++e) layer_sum += load_.Tokens(step_index_, index.row(), e);
      const QString when = step_index_ >= 0
                               ? QStringLiteral("step %1").arg(load_.steps()[static_cast<size_t>(step_index_)])
                               : QStringLiteral("mean over %1 steps").arg(load_.steps().size());
      const double mean = row_mean_[static_cast<size_t>(index.row())];
      return QStringLiteral("layer %1, expert %2 (EP rank %3), %4\n%5 tokens, %6 % of the layer, %7× the layer mean")
          .arg(load_.layers()[static_cast<size_t>(index.row())])
          .arg(index.column())
          .arg(load_.RankOfExpert(index.column()))
          .arg(when)
          .arg(n, 0, 'f', step_index_ >= 0 ? 0 : 1)
          .arg(layer_sum > 0 ? 100.0 * n / layer_sum : 0.0, 0, 'f', 1)
          .arg(mean > 0 ? n / mean : 0.0, 0, 'f', 2);
    }
    case Qt::TextAlignmentRole:
      return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    default:
      return {};
  }
}

QVariant ExpertLoadModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (role != Qt::DisplayRole) return {};
  if (orientation == Qt::Vertical) {
    if (section < 0 || section >= static_cast<int>(load_.layers().size())) return {};
    return QStringLiteral("layer %1").arg(load_.layers()[static_cast<size_t>(section)]);
  }
  if (section < 0 || section >= load_.experts()) return {};
  return QStringLiteral("e%1").arg(section);
}

}  // namespace moeprof::gui

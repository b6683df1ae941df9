// Findings panel widgets and their wiring to the models.
#include "views/findings_view.h"

#include <set>

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace moeprof::gui {

FindingsView::FindingsView(QWidget* parent)
    : QWidget(parent),
      model_(new FindingsModel(this)),
      proxy_(new FindingsFilterProxy(this)),
      rule_(new QComboBox(this)),
      severity_(new QComboBox(this)),
      rank_(new QComboBox(this)),
      count_(new QLabel(this)),
      table_(new QTableView(this)),
      details_(new QTextBrowser(this)) {
  proxy_->setSourceModel(model_);

  severity_->addItem(tr("Any severity"), 0);
  severity_->addItem(tr("Warn and high"), 1);
  severity_->addItem(tr("High only"), 2);
  rule_->setToolTip(tr("Show one rule's findings"));
  severity_->setToolTip(tr("Minimum severity"));
  rank_->setToolTip(tr("Findings involving this rank (run-wide findings always show)"));

  auto* filters = new QHBoxLayout;
  filters->setContentsMargins(0, 0, 0, 0);
  filters->addWidget(new QLabel(tr("Rule:"), this));
  filters->addWidget(rule_);
  filters->addWidget(new QLabel(tr("Severity:"), this));
  filters->addWidget(severity_);
  filters->addWidget(new QLabel(tr("Rank:"), this));
  filters->addWidget(rank_);
  filters->addStretch(1);
  filters->addWidget(count_);

  table_->setModel(proxy_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setSortingEnabled(true);
  table_->setAlternatingRowColors(true);
  table_->setWordWrap(false);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  table_->sortByColumn(FindingsModel::kSaving, Qt::DescendingOrder);

  details_->setOpenLinks(false);
  details_->setPlaceholderText(tr("Select a finding to see where it is, what to do, and its figures."));

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(table_);
  split->addWidget(details_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->setChildrenCollapsible(false);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(filters);
  layout->addWidget(split, 1);

  connect(rule_, &QComboBox::currentIndexChanged, this, [this] {
    proxy_->SetRule(rule_->currentData().toString());
    UpdateCount();
  });
  connect(severity_, &QComboBox::currentIndexChanged, this, [this] {
    proxy_->SetMinSeverity(severity_->currentData().toInt());
    UpdateCount();
  });
  connect(rank_, &QComboBox::currentIndexChanged, this, [this] {
    proxy_->SetRank(rank_->currentData().isValid() ? rank_->currentData().toInt() : -1);
    UpdateCount();
  });
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this] { OnCurrentChanged(); });
  UpdateCount();
}

void FindingsView::SetData(std::shared_ptr<const RunData> data) {
  data_ = std::move(data);
  model_->SetData(data_);
  // Filter choices come from what is present, so no filter ever shows an empty table by design.
  const QSignalBlocker b1(rule_), b2(rank_);
  rule_->clear();
  rank_->clear();
  rule_->addItem(tr("All rules"), QString());
  rank_->addItem(tr("All ranks"), -1);
  if (data_) {
    std::set<std::string> rules;
    for (const auto& f : data_->findings) rules.insert(f.rule);
    for (const auto& r : rules) rule_->addItem(QString::fromStdString(r), QString::fromStdString(r));
    for (const auto& rt : data_->run.ranks) rank_->addItem(QString::number(rt.rank), rt.rank);
  }
  proxy_->SetRule(QString());
  proxy_->SetRank(-1);
  table_->sortByColumn(FindingsModel::kSaving, Qt::DescendingOrder);
  table_->resizeColumnsToContents();
  // Titles are sentences: they get what is left (the details pane shows them whole).
  if (table_->columnWidth(FindingsModel::kSteps) > 120) table_->setColumnWidth(FindingsModel::kSteps, 120);
  if (table_->columnWidth(FindingsModel::kTitle) > 600) table_->setColumnWidth(FindingsModel::kTitle, 600);
  details_->clear();
  UpdateCount();
}

void FindingsView::SelectRow(int proxy_row) {
  if (proxy_row < 0 || proxy_row >= proxy_->rowCount()) return;
  table_->selectionModel()->setCurrentIndex(proxy_->index(proxy_row, 0),
                                            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void FindingsView::OnCurrentChanged() {
  const QModelIndex current = table_->selectionModel()->currentIndex();
  if (!current.isValid()) {
    details_->clear();
    return;
  }
  const int row = proxy_->mapToSource(current).row();
  const analyzer::Finding* f = model_->FindingAt(row);
  if (f == nullptr) return;
  details_->setHtml(DetailsHtml(*f));
  emit findingSelected(row);
}

void FindingsView::UpdateCount() {
  count_->setText(tr("%1 of %2 findings").arg(proxy_->rowCount()).arg(model_->rowCount()));
}

QString FindingsView::DetailsHtml(const analyzer::Finding& f) {
  auto esc = [](const std::string& s) { return QString::fromStdString(s).toHtmlEscaped(); };
  QString html;
  html += QStringLiteral("<p><b>%1</b></p>").arg(esc(f.title));
  html += QStringLiteral("<p><b>%1</b> · %2 · cost %3 (%4 % of step) · saving %5</p>")
              .arg(QString::fromLatin1(analyzer::SeverityName(f.severity)), esc(f.rule), FormatNs(f.cost_ns))
              .arg(f.cost_pct, 0, 'f', 1)
              .arg(FormatNs(f.saving_ns));
  if (!f.location.empty()) html += QStringLiteral("<p><b>Location:</b> %1</p>").arg(esc(f.location));
  if (!f.ranks.empty()) html += QStringLiteral("<p><b>Ranks:</b> %1</p>").arg(JoinInts(f.ranks, 64));
  if (!f.steps.empty()) html += QStringLiteral("<p><b>Steps:</b> %1</p>").arg(JoinSteps(f.steps, 32));
  if (!f.fix.empty()) html += QStringLiteral("<p><b>Fix:</b> %1</p>").arg(esc(f.fix));
  if (!f.saving_method.empty()) {
    html += QStringLiteral("<p><b>Saving estimated by:</b> %1</p>").arg(esc(f.saving_method));
  }
  html += QStringLiteral("<p><b>Evidence:</b> %1 interval(s), %2 event(s)</p>")
              .arg(f.evidence.size())
              .arg(f.events.size());
  if (!f.metrics.empty()) {
    html += QStringLiteral("<table cellspacing='0' cellpadding='2'>");
    for (const auto& [k, v] : f.metrics) {
      html += QStringLiteral("<tr><td>%1</td><td align='right'>%2</td></tr>").arg(esc(k)).arg(v, 0, 'g', 6);
    }
    html += QStringLiteral("</table>");
  }
  return html;
}

}  // namespace moeprof::gui

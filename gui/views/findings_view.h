// Findings panel: filter bar (rule, minimum severity, rank), the findings table (sortable, in
// RunRules' order at first: by saving) and a details pane (location, fix, evidence, metrics).
// Relays the selection as a finding index into RunData::findings; the window does the zooming.
#pragma once

#include <memory>

#include <QWidget>

#include "models/findings_model.h"

class QComboBox;
class QLabel;
class QTableView;
class QTextBrowser;

namespace moeprof::gui {

class FindingsView : public QWidget {
  Q_OBJECT
 public:
  explicit FindingsView(QWidget* parent = nullptr);
  void SetData(std::shared_ptr<const RunData> data);

  FindingsModel* model() const { return model_; }
  FindingsFilterProxy* proxy() const { return proxy_; }
  QTableView* table() const { return table_; }
  // Selects the row at `proxy_row` of the (filtered, sorted) table; emits findingSelected.
  void SelectRow(int proxy_row);

  // Details text of one finding (HTML), exposed for tests.
  static QString DetailsHtml(const analyzer::Finding& f);

 signals:
  void findingSelected(int finding_index);

 private:
  void OnCurrentChanged();
  void UpdateCount();

  std::shared_ptr<const RunData> data_;
  FindingsModel* model_;
  FindingsFilterProxy* proxy_;
  QComboBox* rule_;
  QComboBox* severity_;
  QComboBox* rank_;
  QLabel* count_;
  QTableView* table_;
  QTextBrowser* details_;
};

}  // namespace moeprof::gui
